#include "query/tmpl.h"
#include "query/jsonpath.h"
#include <string.h>

static bool ident_start(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool ident_char(char c)
{
    return ident_start(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}

/* Length of the ${identifier} at s (which starts with "${"), or 0 when it is not one. */
static size_t var_len(const char *s, size_t len)
{
    if (len < 4 || s[0] != '$' || s[1] != '{' || !ident_start(s[2]))
        return 0;
    size_t i = 3;
    while (i < len && ident_char(s[i]))
        i++;
    return i < len && s[i] == '}' ? i + 1 : 0;
}

static void put_escaped(buf *out, const char *v, size_t n, tmpl_escape esc, char quote)
{
    switch (esc) {
    case ESC_NONE:
        buf_add(out, v, n);
        return;
    case ESC_JSONPATH:
        jp_escape_literal(v, n, quote ? quote : '\'', out);
        return;
    case ESC_REGEX:
        for (size_t i = 0; i < n; i++) {
            if (strchr("\\^$.|?*+()[]{}-/#", v[i]) && v[i])
                buf_putc(out, '\\');
            buf_putc(out, v[i]);
        }
        return;
    case ESC_REPLACEMENT:
        for (size_t i = 0; i < n; i++) {
            if (v[i] == '$')
                buf_putc(out, '$');
            buf_putc(out, v[i]);
        }
        return;
    }
}

/* The JSONPath quote state after the character at s[i]: 0 outside a string literal, else
 * the quote that opened it; *skip set when the next character is escaped. */
static char next_quote(char state, char c, bool *skip)
{
    *skip = false;
    if (!state)
        return c == '\'' || c == '"' ? c : 0;
    if (c == '\\') {
        *skip = true;
        return state;
    }
    return c == state ? 0 : state;
}

size_t tmpl_unquoted_var(const char *s, size_t len)
{
    char q = 0;
    bool skip = false;
    for (size_t i = 0; i < len; i++) {
        if (skip) {
            skip = false;
            continue;
        }
        size_t n = s[i] == '$' ? var_len(s + i, len - i) : 0;
        if (n) {
            if (!q)
                return i;
            i += n - 1;
            continue;
        }
        q = next_quote(q, s[i], &skip);
    }
    return (size_t)-1;
}

bool tmpl_expand(const char *s, size_t len, tmpl_lookup lookup, void *ctx, tmpl_escape esc, buf *out,
                 size_t *bad_at)
{
    size_t i = 0, run = 0;
    char q = 0;     /* ESC_JSONPATH: the quote of the string literal the text is in */
    bool skip = false;
    while (i < len) {
        size_t n = s[i] == '$' && !skip ? var_len(s + i, len - i) : 0;
        if (!n) {
            if (skip)
                skip = false;
            else
                q = next_quote(q, s[i], &skip);
            i++;
            continue;
        }
        buf_add(out, s + run, i - run);
        size_t vlen;
        const char *v = lookup(ctx, s + i + 2, n - 3, &vlen);
        if (!v) {
            *bad_at = i;
            return false;
        }
        put_escaped(out, v, vlen, esc, q);
        i += n;
        run = i;
    }
    buf_add(out, s + run, len - run);
    return true;
}

bool tmpl_uses(const char *s, size_t len, const char *prefix)
{
    size_t plen = strlen(prefix);
    for (size_t i = 0; i < len; i++) {
        size_t n = s[i] == '$' ? var_len(s + i, len - i) : 0;
        if (n && n - 3 >= plen && !memcmp(s + i + 2, prefix, plen))
            return true;
    }
    return false;
}
