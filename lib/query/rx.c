#define PCRE2_CODE_UNIT_WIDTH 8
#include "query/rx.h"
#include "base/ascii.h"
#include "base/oom.h"
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

/* Enough for any sane config pattern, small enough that a catastrophic one fails in well
 * under a second. */
#define DEFAULT_MATCH_LIMIT 1000000UL
#define DEFAULT_DEPTH_LIMIT 10000U

struct rx {
    pcre2_code *code;
    char *source;
    bool jit;
    unsigned flags;
    char *literal;          /* a pattern that is one literal word, matched without PCRE2 */
    size_t literal_len;
    bool literal_caseless, literal_anchored;
};

static unsigned long match_limit = DEFAULT_MATCH_LIMIT;
static pcre2_match_context *mctx;
static pcre2_match_data *mdata;

static void ensure_context(void)
{
    if (!mctx) {
        mctx = pcre2_match_context_create(NULL);
        if (!mctx)
            tk_oom();
        pcre2_set_match_limit(mctx, (uint32_t)match_limit);
        pcre2_set_depth_limit(mctx, DEFAULT_DEPTH_LIMIT);
    }
}

/* I-Regexp's '.' excludes CR and LF only; PCRE2's excludes only the newline: rewrite each
 * '.' outside a character class. */
static char *iregexp_to_pcre(const char *pat, size_t len, size_t *out_len)
{
    buf b = BUF_INIT;
    bool in_class = false;
    for (size_t i = 0; i < len; i++) {
        char c = pat[i];
        if (c == '\\' && i + 1 < len) {
            buf_add(&b, pat + i, 2);
            i++;
            continue;
        }
        if (in_class) {
            if (c == ']')
                in_class = false;
            buf_putc(&b, c);
            continue;
        }
        if (c == '[') {
            in_class = true;
            buf_putc(&b, c);
            /* A ']' right after '[' or '[^' is a literal in the class. */
            if (i + 1 < len && pat[i + 1] == '^')
                buf_putc(&b, pat[++i]);
            if (i + 1 < len && pat[i + 1] == ']')
                buf_putc(&b, pat[++i]);
            continue;
        }
        if (c == '.')
            buf_puts(&b, "[^\\n\\r]");
        else
            buf_putc(&b, c);
    }
    if (!b.data)
        buf_reserve(&b, 0), b.data[0] = '\0';
    return buf_detach(&b, out_len);
}

/* ECMA-262 spells Unicode general categories long (\p{Letter}); PCRE2 10.42 knows the
 * short names (\p{L}) only. */
static const char *const categories[][2] = {
    {"Letter", "L"}, {"Cased_Letter", "L&"}, {"Uppercase_Letter", "Lu"}, {"Lowercase_Letter", "Ll"},
    {"Titlecase_Letter", "Lt"}, {"Modifier_Letter", "Lm"}, {"Other_Letter", "Lo"}, {"Mark", "M"},
    {"Nonspacing_Mark", "Mn"}, {"Spacing_Mark", "Mc"}, {"Enclosing_Mark", "Me"}, {"Number", "N"},
    {"Decimal_Number", "Nd"}, {"digit", "Nd"}, {"Letter_Number", "Nl"}, {"Other_Number", "No"},
    {"Punctuation", "P"}, {"punct", "P"}, {"Connector_Punctuation", "Pc"}, {"Dash_Punctuation", "Pd"},
    {"Open_Punctuation", "Ps"}, {"Close_Punctuation", "Pe"}, {"Initial_Punctuation", "Pi"},
    {"Final_Punctuation", "Pf"}, {"Other_Punctuation", "Po"}, {"Symbol", "S"}, {"Math_Symbol", "Sm"},
    {"Currency_Symbol", "Sc"}, {"Modifier_Symbol", "Sk"}, {"Other_Symbol", "So"}, {"Separator", "Z"},
    {"Space_Separator", "Zs"}, {"Line_Separator", "Zl"}, {"Paragraph_Separator", "Zp"}, {"Other", "C"},
    {"Control", "Cc"}, {"cntrl", "Cc"}, {"Format", "Cf"}, {"Surrogate", "Cs"}, {"Private_Use", "Co"},
    {"Unassigned", "Cn"}};

static char *ecma_to_pcre(const char *pat, size_t len, size_t *out_len)
{
    buf b = BUF_INIT;
    for (size_t i = 0; i < len; i++) {
        if (pat[i] == '\\' && i + 2 < len && (pat[i + 1] == 'p' || pat[i + 1] == 'P') && pat[i + 2] == '{') {
            const char *name = pat + i + 3, *close = memchr(name, '}', len - (size_t)(name - pat));
            if (close) {
                size_t n = (size_t)(close - name);
                const char *repl = NULL;
                for (size_t k = 0; k < sizeof categories / sizeof *categories && !repl; k++)
                    if (strlen(categories[k][0]) == n && !memcmp(categories[k][0], name, n))
                        repl = categories[k][1];
                if (repl) {
                    buf_printf(&b, "\\%c{%s}", pat[i + 1], repl);
                    i = (size_t)(close - pat);
                    continue;
                }
            }
        }
        if (pat[i] == '\\' && i + 1 < len) {
            buf_add(&b, pat + i, 2);
            i++;
            continue;
        }
        buf_putc(&b, pat[i]);
    }
    if (!b.data)
        buf_reserve(&b, 0), b.data[0] = '\0';
    return buf_detach(&b, out_len);
}

/* "^Word$" and "(?i)^Word$" (the mender.conf option names) are common enough in schemas to
 * deserve a plain comparison, and need no PCRE2 code unless a replacement asks for it. */
static bool literal_form(rx *r, const char *pat, size_t len, unsigned flags)
{
    const char *q = pat, *qe = pat + len;
    bool icase = false;
    if (qe - q >= 4 && !memcmp(q, "(?i)", 4))
        icase = true, q += 4;
    if ((flags & (RX_IREGEXP | RX_CASELESS)) || qe - q < 3 || *q != '^' || qe[-1] != '$')
        return false;
    const char *w = q + 1, *we = qe - 1;
    for (const char *k = w; k < we; k++)
        if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') || (*k >= '0' && *k <= '9') || *k == '_' ||
              *k == '-'))
            return false;
    if (w == we)
        return false;
    r->literal_len = (size_t)(we - w);
    r->literal = xmalloc(r->literal_len + 1);
    memcpy(r->literal, w, r->literal_len);
    r->literal[r->literal_len] = '\0';
    r->literal_caseless = icase;
    return true;
}

static pcre2_code *compile_code(const char *pat, size_t len, unsigned flags, rx_error *err)
{
    size_t plen = len;
    char *translated = NULL;
    const char *p = pat;
    if (flags & RX_IREGEXP)
        p = translated = iregexp_to_pcre(pat, len, &plen);
    else if (flags & RX_ECMA)
        p = translated = ecma_to_pcre(pat, len, &plen);
    uint32_t opts = PCRE2_UTF | PCRE2_DOLLAR_ENDONLY;
    if (flags & RX_ANCHORED)
        opts |= PCRE2_ANCHORED | PCRE2_ENDANCHORED;
    if (flags & RX_CASELESS)
        opts |= PCRE2_CASELESS;
    int code;
    PCRE2_SIZE off;
    pcre2_code *c = pcre2_compile((PCRE2_SPTR)p, plen, opts, &code, &off, NULL);
    free(translated);
    if (!c && err) {
        err->offset = off > len ? len : off;
        pcre2_get_error_message(code, (PCRE2_UCHAR *)err->msg, sizeof err->msg);
    }
    return c;
}

rx *rx_compile(const char *pat, size_t len, unsigned flags, rx_error *err)
{
    ensure_context();
    rx *r = xcalloc(1, sizeof *r);
    r->flags = flags;
    if (!literal_form(r, pat, len, flags)) {
        r->code = compile_code(pat, len, flags, err);
        if (!r->code) {
            free(r);
            return NULL;
        }
    }
    r->source = xmalloc(len + 1);
    memcpy(r->source, pat, len);
    r->source[len] = '\0';
    return r;
}

/* PCRE2 code for a literal pattern, made when something other than a match needs it. */
static pcre2_code *code_of(const rx *r)
{
    rx *w = (rx *)r;
    if (!w->code)
        w->code = compile_code(w->source, strlen(w->source), w->flags, NULL);
    return w->code;
}

void rx_jit(rx *r)
{
    if (r && !r->jit && !r->literal)
        r->jit = pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE) == 0;
}

static pcre2_match_data *match_data(void)
{
    if (!mdata) {
        mdata = pcre2_match_data_create(32, NULL);
        if (!mdata)
            tk_oom();
    }
    return mdata;
}

static bool literal_equal(const rx *r, const char *s, size_t len)
{
    if (len != r->literal_len)
        return false;
    return r->literal_caseless ? ascii_ieq(s, r->literal, len) : !memcmp(s, r->literal, len);
}

int rx_match(const rx *r, const char *s, size_t len)
{
    if (r->literal)
        return literal_equal(r, s, len) ? RX_MATCH : RX_NOMATCH;
    int rc = pcre2_match(r->code, (PCRE2_SPTR)s, len, 0, PCRE2_NO_UTF_CHECK, match_data(), mctx);
    if (rc >= 0)
        return RX_MATCH;
    if (rc == PCRE2_ERROR_NOMATCH)
        return RX_NOMATCH;
    return RX_LIMIT;
}

long rx_replace(const rx *r, const char *s, size_t len, const char *repl, size_t repl_len, buf *out, rx_error *err)
{
    PCRE2_SIZE cap = len + repl_len + 64;
    for (;;) {
        buf_reserve(out, cap + 1);
        PCRE2_SIZE n = cap;
        int rc = pcre2_substitute(code_of(r), (PCRE2_SPTR)s, len, 0,
                                  PCRE2_SUBSTITUTE_GLOBAL | PCRE2_SUBSTITUTE_OVERFLOW_LENGTH | PCRE2_NO_UTF_CHECK,
                                  match_data(), mctx,
                                  (PCRE2_SPTR)repl, repl_len, (PCRE2_UCHAR *)out->data + out->len, &n);
        if (rc >= 0) {
            out->len += n;
            out->data[out->len] = '\0';
            return rc;
        }
        if (rc == PCRE2_ERROR_NOMEMORY) {
            cap = n;
            continue;
        }
        if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT)
            return RX_LIMIT;
        err->offset = n;
        pcre2_get_error_message(rc, (PCRE2_UCHAR *)err->msg, sizeof err->msg);
        return -2;
    }
}

const char *rx_source(const rx *r)
{
    return r->source;
}

void rx_free(rx *r)
{
    if (!r)
        return;
    pcre2_code_free(r->code);
    free(r->literal);
    free(r->source);
    free(r);
}
