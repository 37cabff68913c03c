/* The writer.  Untouched source containers are copied byte for byte when the output
 * keeps the source style; everything else is laid out from the style. */
#include "json/json_write.h"
#include <string.h>

/* The style of a document that has no source to learn it from. */
static void json_style_default(json_style *st)
{
    memset(st, 0, sizeof *st);
    st->multiline = true;
    st->indent = 2;
    strcpy(st->colon, ": ");
    strcpy(st->comma, ", ");
    strcpy(st->newline, "\n");
}

void json_style_fixed(json_style *st, unsigned indent, bool tab)
{
    json_style_default(st);
    st->multiline = indent > 0 || tab;
    st->tab = tab;
    st->indent = indent;
    if (!st->multiline) {
        strcpy(st->colon, ":");
        strcpy(st->comma, ",");
    }
}

static bool all_of(const char *s, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] != c)
            return false;
    return n > 0;
}

static size_t child_offset(const json_doc *doc, const json_node *child)
{
    size_t k = json_key_offset(doc, child);
    return k != JSON_NOPOS ? k : child->start;
}

/* The offset of the first member name's quote in the text of the container at
 * start..end, or JSON_NOPOS when it holds none: the first object in the text that has a
 * member, which is the first in depth-first order. */
static size_t packed_first_key(const char *src, size_t end, size_t start)
{
    for (size_t i = start; i < end; i++) {
        if (src[i] == '"') {
            i = json_string_token_end(src, end, i) - 1;
        } else if (src[i] == '{') {
            size_t k = json_space_end(src, end, i + 1);
            if (k < end && src[k] == '"')
                return k;
        }
    }
    return JSON_NOPOS;
}

/* Finds the first member anywhere under n (depth first), to learn the name/value
 * separator: true with where its name's quote and its value start, or with *key
 * JSON_NOPOS when that member was made by an edit (nothing to learn then). Read from the
 * text inside a packed container, which should not get nodes for this. */
static bool first_member_at(const json_doc *doc, const json_node *n, size_t *key, size_t *value)
{
    if (n->type != JSON_ARRAY && n->type != JSON_OBJECT)
        return false;
    if (n->marks & JM_PACKED) {
        *key = packed_first_key(doc->src, json_end(doc, n), n->start);
        if (*key == JSON_NOPOS)
            return false;
        *value = json_member_value_offset(doc->src, doc->src_len, *key);
        return true;
    }
    if (n->type == JSON_OBJECT && n->p) {
        const json_node *m = json_first(n);
        *key = m->start != JSON_NOPOS ? json_key_offset(doc, m) : JSON_NOPOS;
        *value = m->start;
        return true;
    }
    for (const json_node *k = json_first(n); k; k = k->next)
        if (first_member_at(doc, k, key, value))
            return true;
    return false;
}

void json_style_detect(const json_doc *doc, json_style *st)
{
    json_style_default(st);
    st->keep_source = true;
    const char *src = doc->src;
    const char *nl = src ? memchr(src, '\n', doc->src_len) : NULL;
    if (nl && nl > src && nl[-1] == '\r')
        strcpy(st->newline, "\r\n");
    const json_node *root = doc->root;
    if (!root || root->start == JSON_NOPOS || (root->type != JSON_ARRAY && root->type != JSON_OBJECT) ||
        !root->n)
        return;
    /* Where the first two children start and the first ends: read from the text for a
     * packed array or object, which has no nodes to ask (and should not get them for this). */
    const json_node *first = NULL;
    size_t from = root->start + 1, to, first_end = JSON_NOPOS, second = JSON_NOPOS;
    if (root->marks & JM_PACKED) {
        to = json_space_end(src, doc->src_len, from);
        size_t value = root->type == JSON_OBJECT ? json_member_value_offset(src, doc->src_len, to) : to;
        first_end = json_value_token_end(src, doc->src_len, value);
        second = first_end;
        while (second < doc->src_len && strchr(" \t\r\n,", src[second]) && src[second])
            second++;
    } else {
        first = json_first(root);
        to = child_offset(doc, first);
        if (first->next && first->start != JSON_NOPOS) {
            first_end = json_end(doc, first);
            second = child_offset(doc, first->next);
        }
    }
    if (to == JSON_NOPOS || to < from)
        return;
    const char *gap = src + from;
    size_t gap_len = to - from;
    const char *last_nl = NULL;
    for (size_t i = 0; i < gap_len; i++)
        if (gap[i] == '\n')
            last_nl = gap + i;
    if (last_nl) {
        const char *ind = last_nl + 1;
        size_t ind_len = (size_t)(src + to - ind);
        if (all_of(ind, ind_len, '\t'))
            st->tab = true;
        else if (all_of(ind, ind_len, ' '))
            st->indent = (unsigned)ind_len;
    } else {
        st->multiline = false;
        strcpy(st->colon, ":");
        strcpy(st->comma, ",");
        if (first_end != JSON_NOPOS) {
            size_t a = first_end, b = second;
            if (b != JSON_NOPOS && b > a && b - a <= 3 && src[a] == ',' && b - a > 1)
                strcpy(st->comma, ", ");
        }
    }
    size_t k, b;
    if (first_member_at(doc, root, &k, &b) && k != JSON_NOPOS) {
        size_t a = json_string_token_end(src, doc->src_len, k);
        if (b > a && b - a < sizeof st->colon && !memchr(src + a, '\n', b - a)) {
            memcpy(st->colon, src + a, b - a);
            st->colon[b - a] = '\0';
        }
    }
    /* One line with a single element shows no separator: ", " goes with ": " (the
     * json.dumps style), "," with ":". */
    if (!st->multiline && root->n == 1 && strchr(st->colon, ' '))
        strcpy(st->comma, ", ");
}

void json_write_string(out *o, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    out_putc(o, '"');
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out_write(o, s + run, i - run);
        run = i + 1;
        char esc[7] = {'\\', 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        default:
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
        }
        out_write(o, esc, n);
    }
    out_write(o, s + run, len - run);
    out_putc(o, '"');
}

typedef struct writer {
    const json_doc *doc;
    const json_style *st;
    out *o;
    size_t colon_len, newline_len;
    unsigned inline_depth;  /* > 0 while writing inside a one-line container */
} writer;

static void newline_indent(writer *w, unsigned depth)
{
    out_write(w->o, w->st->newline, w->newline_len);
    if (w->st->tab) {
        for (unsigned i = 0; i < depth; i++)
            out_putc(w->o, '\t');
        return;
    }
    static const char spaces[] = "                                                                ";
    size_t n = (size_t)depth * w->st->indent;
    while (n) {
        size_t k = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        out_write(w->o, spaces, k);
        n -= k;
    }
}

static bool from_source(const writer *w, const json_node *n)
{
    return w->doc && w->doc->src_is_json && !(n->flags & JF_SYNTH) && n->start != JSON_NOPOS;
}

static void write_key(writer *w, const json_node *m)
{
    if (!(m->flags & (JF_KEY_ESCAPED | JF_KEY_NEW)) && w->doc && w->doc->src_is_json) {
        /* An unescaped source name is its own text: the quotes sit right around it. */
        out_write(w->o, m->key - 1, m->key_len + 2);
        out_write(w->o, w->st->colon, w->colon_len);
        return;
    }
    size_t k = w->doc && w->doc->src_is_json ? json_key_offset(w->doc, m) : JSON_NOPOS;
    if (k != JSON_NOPOS) {
        size_t e = json_string_token_end(w->doc->src, w->doc->src_len, k);
        out_write_ref(w->o, w->doc->src + k, e - k);
    } else {
        json_write_string(w->o, m->key, m->key_len);
    }
    out_puts(w->o, w->st->colon);
}

/* A container the source wrote on one line is kept on one line when it is re-laid out. */
static bool one_line_in_source(const writer *w, const json_node *n)
{
    return w->st->multiline && from_source(w, n) && !memchr(w->doc->src + n->start, '\n', n->span);
}

static void write_value(writer *w, const json_node *n, unsigned depth, bool raw_ok);

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* A child that still fills its own place in the source: untouched, edited, or a made
 * value put in the slot of the one it replaced (json_replace gives it that slot). */
static bool in_place(const json_node *k)
{
    return k->start != JSON_NOPOS && (!(k->flags & JF_MOVED) || (k->flags & JF_SYNTH));
}

/* Where a child's text starts in the source: its name for a member (found by reading back
 * from the value when an edit renamed it), its value otherwise; *sep is where the text
 * between the name and the value (": ") starts. */
static size_t member_start(const writer *w, const json_node *k, size_t *sep)
{
    *sep = k->start;
    if (!k->key)
        return k->start;
    const char *src = w->doc->src;
    size_t key = json_key_offset(w->doc, k);
    if (key != JSON_NOPOS) {
        *sep = json_string_token_end(src, w->doc->src_len, key);
        return key;
    }
    size_t i = k->start;
    while (i > 0 && is_ws(src[i - 1]))
        i--;
    if (i > 0 && src[i - 1] == ':')
        i--;
    while (i > 0 && is_ws(src[i - 1]))
        i--;
    *sep = i;
    /* i is just past the name's closing quote: find its opening quote (one not escaped). */
    size_t q = i - 1;
    while (q > 0) {
        q--;
        if (src[q] != '"')
            continue;
        size_t bs = 0;
        while (q > bs && src[q - 1 - bs] == '\\')
            bs++;
        if (!(bs & 1))
            break;
    }
    return q;
}

/* The white space that ends src[from, to): what stands before the next child or the
 * closing bracket on its line. */
static size_t ws_run_start(const char *src, size_t from, size_t to)
{
    while (to > from && is_ws(src[to - 1]))
        to--;
    return to;
}

/* The end of the white space from src[from] up to and including its first newline (or
 * just the white space, when no newline comes before other text or to). */
static size_t rest_of_line(const char *src, size_t from, size_t to)
{
    size_t i = from;
    while (i < to && is_ws(src[i]) && src[i] != '\n')
        i++;
    return i < to && src[i] == '\n' ? i + 1 : from;
}

/* Within the white space src[run, to): where the last line of it starts. */
static size_t line_indent(const char *src, size_t run, size_t to)
{
    for (size_t i = to; i > run; i--)
        if (src[i - 1] == '\n')
            return i;
    return run;
}

/* Writes an edited source container by splicing: the source text between the children
 * that kept their places is copied (white space after the opening and before the closing
 * bracket, trailing spaces, blank lines, irregular indentation), a removed child takes its
 * separator with it, and an added child takes the separator and indentation of the child
 * before it. Returns false, having written nothing, when the children that kept their
 * places are no longer in source order (then the container is laid out anew). */
static bool write_spliced(writer *w, const json_node *n, unsigned depth, bool raw_ok)
{
    size_t last = 0;
    for (const json_node *k = json_first(n); k; k = k->next) {
        if (!in_place(k))
            continue;
        if (k->start < last)
            return false;
        last = k->start + 1;
    }
    const char *src = w->doc->src;
    bool obj = n->type == JSON_OBJECT;
    size_t open = n->start, close = json_end(w->doc, n) - 1;
    bool one_line = !memchr(src + open, '\n', close - open);
    size_t lead_end = open + 1;
    while (lead_end < close && is_ws(src[lead_end]))
        lead_end++;
    out_putc(w->o, obj ? '{' : '[');
    if (one_line)
        w->inline_depth++;
    size_t prev_end = JSON_NOPOS;   /* source end of the last child written, if it kept its place */
    bool wrote = false;
    const char *indent = NULL;      /* the white space before the last child that kept its place */
    size_t indent_len = 0;
    for (const json_node *k = json_first(n); k; k = k->next) {
        if (in_place(k)) {
            size_t sep, ms = member_start(w, k, &sep);
            size_t run = ws_run_start(src, open + 1, ms);
            if (!wrote) {
                out_write_ref(w->o, src + open + 1, lead_end - (open + 1));
            } else if (prev_end != JSON_NOPOS) {
                const char *comma = memchr(src + prev_end, ',', ms - prev_end);
                size_t upto = comma ? (size_t)(comma - src) + 1 : prev_end;
                bool clean = ws_run_start(src, upto, ms) == upto;
                if (clean) {
                    out_write_ref(w->o, src + prev_end, ms - prev_end);
                } else {
                    /* Children were removed here: keep the rest of the line of the child
                     * before them and the indentation of the child after them. */
                    out_write_ref(w->o, src + prev_end, rest_of_line(src, upto, ms) - prev_end);
                    out_write_ref(w->o, src + line_indent(src, run, ms), ms - line_indent(src, run, ms));
                }
            } else {
                out_putc(w->o, ',');
                out_write_ref(w->o, src + run, ms - run);
            }
            if (wrote || ms == lead_end || run > open + 1) {
                indent = src + run;
                indent_len = ms - run;
            }
            if (obj && (k->flags & JF_KEY_NEW)) {
                json_write_string(w->o, k->key, k->key_len);
                out_write_ref(w->o, src + sep, k->start - sep);
            } else {
                out_write_ref(w->o, src + ms, k->start - ms);
            }
            if ((k->flags & (JF_DIRTY | JF_SYNTH)) || k->type == JSON_STRING)
                write_value(w, k, depth + 1, raw_ok);
            else
                out_write_ref(w->o, src + k->start, json_end(w->doc, k) - k->start);
            prev_end = json_end(w->doc, k);
        } else {
            if (wrote) {
                out_putc(w->o, ',');
                if (one_line)
                    out_putc(w->o, ' ');
                else if (indent)
                    out_write_ref(w->o, indent, indent_len);
                else
                    newline_indent(w, depth + 1);
            } else if (!one_line) {
                newline_indent(w, depth + 1);
            }
            if (obj) {
                json_write_string(w->o, k->key, k->key_len);
                out_puts(w->o, w->st->colon);
            }
            write_value(w, k, depth + 1, false);
            prev_end = JSON_NOPOS;
        }
        wrote = true;
    }
    if (wrote) {
        if (prev_end != JSON_NOPOS && ws_run_start(src, prev_end, close) == prev_end) {
            out_write_ref(w->o, src + prev_end, close - prev_end);
        } else if (prev_end != JSON_NOPOS) {
            /* Children after the last one written were removed: its separator goes, the
             * rest of its line and the closing bracket's indentation stay. */
            const char *comma = memchr(src + prev_end, ',', close - prev_end);
            size_t upto = comma ? (size_t)(comma - src) : prev_end;
            out_write_ref(w->o, src + prev_end, upto - prev_end);
            size_t eol = rest_of_line(src, comma ? upto + 1 : upto, close);
            size_t run = ws_run_start(src, open + 1, close);
            if (eol > upto + 1 && src[eol - 1] == '\n') {
                out_write_ref(w->o, src + upto + 1, eol - (upto + 1));
                out_write_ref(w->o, src + line_indent(src, run, close), close - line_indent(src, run, close));
            } else {
                out_write_ref(w->o, src + run, close - run);
            }
        } else {
            size_t run = ws_run_start(src, open + 1, close);
            if (run > open + 1 || prev_end != JSON_NOPOS)
                out_write_ref(w->o, src + run, close - run);
            else if (!one_line)
                newline_indent(w, depth);
        }
    }
    if (one_line)
        w->inline_depth--;
    out_putc(w->o, obj ? '}' : ']');
    return true;
}

static void write_inline(writer *w, const json_node *n, unsigned depth, bool raw_ok)
{
    bool obj = n->type == JSON_OBJECT;
    out_putc(w->o, obj ? '{' : '[');
    for (const json_node *k = json_first(n); k; k = k->next) {
        if (obj)
            write_key(w, k);
        write_value(w, k, depth + 1, raw_ok);
        if (k->next)
            out_write(w->o, ", ", 2);
    }
    out_putc(w->o, obj ? '}' : ']');
}

static void write_value(writer *w, const json_node *n, unsigned depth, bool raw_ok)
{
    if (n->flags & JF_MOVED)
        raw_ok = false;
    switch ((json_type)n->type) {
    case JSON_NULL: out_write(w->o, "null", 4); return;
    case JSON_TRUE: out_write(w->o, "true", 4); return;
    case JSON_FALSE: out_write(w->o, "false", 5); return;
    case JSON_NUMBER: out_write(w->o, n->p, n->n); return;
    case JSON_STRING:
        if (from_source(w, n))
            out_write_ref(w->o, w->doc->src + n->start, json_end(w->doc, n) - n->start);
        else
            json_write_string(w->o, n->p, n->n);
        return;
    case JSON_ARRAY:
    case JSON_OBJECT:
        break;
    }
    if (raw_ok && from_source(w, n) && !(n->flags & JF_DIRTY)) {
        out_write_ref(w->o, w->doc->src + n->start, json_end(w->doc, n) - n->start);
        return;
    }
    if (raw_ok && from_source(w, n) && !(n->marks & JM_RESHAPED)) {
        /* Same members in the same places: keep the source text around the changed ones. */
        size_t at = n->start;
        for (const json_node *k = json_first(n); k; k = k->next) {
            if (!(k->flags & (JF_DIRTY | JF_SYNTH | JF_MOVED)))
                continue;
            out_write_ref(w->o, w->doc->src + at, k->start - at);
            write_value(w, k, depth + 1, raw_ok);
            at = k->start + k->span;
        }
        size_t end = json_end(w->doc, n);
        out_write_ref(w->o, w->doc->src + at, end - at);
        return;
    }
    if (raw_ok && from_source(w, n) && write_spliced(w, n, depth, raw_ok))
        return;
    if (w->inline_depth || one_line_in_source(w, n)) {
        /* Everything below a one-line container stays on that line. */
        w->inline_depth++;
        write_inline(w, n, depth, raw_ok);
        w->inline_depth--;
        return;
    }
    bool obj = n->type == JSON_OBJECT;
    out_putc(w->o, obj ? '{' : '[');
    if (n->n) {
        for (const json_node *k = json_first(n); k; k = k->next) {
            if (w->st->multiline)
                newline_indent(w, depth + 1);
            if (obj)
                write_key(w, k);
            write_value(w, k, depth + 1, raw_ok);
            if (k->next)
                out_puts(w->o, w->st->multiline ? "," : w->st->comma);
        }
        if (w->st->multiline)
            newline_indent(w, depth);
    }
    out_putc(w->o, obj ? '}' : ']');
}

void json_write(const json_doc *doc, const json_node *n, const json_style *st, out *o)
{
    writer w = {doc, st, o, strlen(st->colon), strlen(st->newline), 0};
    if (n) {
        write_value(&w, n, 0, false);
        return;
    }
    if (!doc->root)
        return;
    bool keep = st->keep_source && doc->src && doc->src_is_json;
    if (keep)
        out_write_ref(o, doc->src, doc->body_start);
    write_value(&w, doc->root, 0, keep);
    if (keep)
        out_write_ref(o, doc->src + doc->body_end, doc->src_len - doc->body_end);
    else
        out_puts(o, st->newline);
}

void json_write_buf(const json_doc *doc, const json_style *st, buf *dst)
{
    out o;
    out_init_mem(&o, dst);
    json_write(doc, NULL, st, &o);
    out_flush(&o);
}
