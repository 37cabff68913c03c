/* The strict RFC 8259 parser: iterative (an explicit stack, so depth costs no C stack),
 * scanning eight bytes at a time through the plain parts of strings and indentation. */
#include "json/json_parse.h"
#include "json/json_dup.h"
#include "json/keyset.h"
#include "json/nameset.h"
#include "base/oom.h"
#include "base/utf8.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct parser {
    const char *src, *end;
    json_doc *doc;
    json_error *err;
    bool tree;              /* false: check only, decode nothing, allocate no nodes */
} parser;

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline uint64_t load64(const char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

static inline uint64_t has_zero_byte(uint64_t v)
{
    return (v - ONES) & ~v & HIGHS;
}

/* Non-zero when any of the 8 bytes needs a closer look inside a string:
 * a quote, a backslash, a control character or a non-ASCII byte. */
static inline uint64_t string_special(uint64_t v)
{
    return has_zero_byte(v ^ (ONES * '"')) | has_zero_byte(v ^ (ONES * '\\')) |
           ((v - ONES * 0x20) & ~v & HIGHS) | (v & HIGHS);
}

static bool fail(parser *ps, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(parser *ps, const char *at, const char *fmt, ...)
{
    ps->err->offset = (size_t)(at - ps->src);
    ps->err->rule = "json-syntax";
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err->msg, sizeof ps->err->msg, fmt, ap);
    va_end(ap);
    return false;
}

/* Names the byte at p for a message, escaping anything that is not printable ASCII. */
static void describe(const parser *ps, const char *p, char *out, size_t n)
{
    unsigned char c = (unsigned char)*p;
    if (c >= 0x21 && c < 0x7F && c != '\'')
        snprintf(out, n, "'%c'", c);
    else if (c == '\'')
        snprintf(out, n, "\"'\"");
    else if (c < 0x80)
        snprintf(out, n, "U+%04X", c);
    else {
        uint32_t cp;
        if (utf8_decode((const unsigned char *)p, (size_t)(ps->end - p), &cp))
            snprintf(out, n, "U+%04X", (unsigned)cp);
        else
            snprintf(out, n, "byte 0x%02X", c);
    }
}

static inline const char *skip_ws(const char *p, const char *end)
{
    for (;;) {
        while (p + 8 <= end && load64(p) == ONES * ' ')
            p += 8;
        if (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
            p++;
        else
            return p;
    }
}

static inline json_node *new_node(json_doc *doc, json_type t, size_t start)
{
    json_node *n = arena_alloc(&doc->mem, sizeof *n);
    n->parent = n->next = n->prev = NULL;
    n->p = NULL;
    n->key = NULL;
    n->start = start;
    n->span = 0;
    n->key_len = 0;
    n->n = 0;
    n->type = (uint8_t)t;
    n->flags = 0;
    n->marks = 0;
    return n;
}

static inline void set_end(json_node *n, size_t end)
{
    size_t span = end - n->start;
    n->span = span < UINT32_MAX ? (uint32_t)span : UINT32_MAX;
}

static int hex4(const char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    return v;
}

/* Checks one escape sequence at p (the backslash); returns its length or 0 after failing. */
static size_t check_escape(parser *ps, const char *p)
{
    if (p + 1 >= ps->end)
        return fail(ps, p, "unterminated string"), 0;
    switch (p[1]) {
    case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
        return 2;
    case 'u':
        break;
    default: {
        char what[16];
        describe(ps, p + 1, what, sizeof what);
        return fail(ps, p, "invalid escape sequence '\\' followed by %s", what), 0;
    }
    }
    int u = ps->end - p >= 6 ? hex4(p + 2) : -1;
    if (u < 0)
        return fail(ps, p, "invalid \\u escape: four hex digits expected"), 0;
    if (u >= 0xDC00 && u <= 0xDFFF)
        return fail(ps, p, "lone low surrogate \\u%04X (no UTF-8 encoding exists)", (unsigned)u), 0;
    if (u >= 0xD800 && u <= 0xDBFF) {
        int lo = (ps->end - p >= 12 && p[6] == '\\' && p[7] == 'u') ? hex4(p + 8) : -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return fail(ps, p, "lone high surrogate \\u%04X (no UTF-8 encoding exists)", (unsigned)u), 0;
        return 12;
    }
    return 6;
}

/* Decodes the escapes of a checked string body into the arena. */
static const char *decode_escapes(json_doc *doc, const char *s, size_t n, size_t *out_len)
{
    char *out = arena_alloc(&doc->mem, n + 1), *o = out;
    const char *e = s + n;
    while (s < e) {
        if (*s != '\\') {
            *o++ = *s++;
            continue;
        }
        char c = s[1];
        s += 2;
        switch (c) {
        case 'b': *o++ = '\b'; break;
        case 'f': *o++ = '\f'; break;
        case 'n': *o++ = '\n'; break;
        case 'r': *o++ = '\r'; break;
        case 't': *o++ = '\t'; break;
        case 'u': {
            uint32_t cp = (uint32_t)hex4(s);
            s += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                uint32_t lo = (uint32_t)hex4(s + 2);
                s += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            o += utf8_encode(cp, o);
            break;
        }
        default: *o++ = c; break;
        }
    }
    *o = '\0';
    *out_len = (size_t)(o - out);
    return out;
}

/* Scans the string whose opening quote is at q; on success sets *text and *len to the value
 * (pointing into the input when there are no escapes) and returns the byte after the
 * closing quote; on failure returns NULL. */
static const char *scan_string(parser *ps, const char *q, const char **text, size_t *len, bool *escaped,
                               bool decode)
{
    const char *p = q + 1, *end = ps->end;
    bool esc = false;
    for (;;) {
        while (p + 8 <= end && !string_special(load64(p)))
            p += 8;
        if (p >= end)
            return fail(ps, q, "unterminated string"), NULL;
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c == '\\') {
            size_t n = check_escape(ps, p);
            if (!n)
                return NULL;
            esc = true;
            p += n;
        } else if (c < 0x20) {
            if (c == '\n')
                return fail(ps, q, "unterminated string (raw newline inside)"), NULL;
            return fail(ps, p, "control character U+%04X in string must be escaped", c), NULL;
        } else if (c >= 0x80) {
            uint32_t cp;
            size_t n = utf8_decode((const unsigned char *)p, (size_t)(end - p), &cp);
            if (!n) {
                fail(ps, p, "invalid UTF-8 byte 0x%02X in string", c);
                ps->err->rule = "json-encoding";
                return NULL;
            }
            p += n;
        } else {
            p++;
        }
    }
    *escaped = esc;
    if (esc && decode)
        *text = decode_escapes(ps->doc, q + 1, (size_t)(p - q - 1), len);
    else
        *text = q + 1, *len = (size_t)(p - q - 1);
    return p + 1;
}

static inline bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static inline bool is_word_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '.' ||
           c == '+' || c == '-';
}

/* Complains about a word that is not a JSON literal: NaN, True, undefined, ... */
static bool fail_word(parser *ps, const char *p)
{
    const char *e = p;
    while (e < ps->end && e - p < 24 && is_word_char(*e))
        e++;
    /* A short word is a typo worth showing (NaN, True, undefined); a long one may be a
     * secret that lost its quotes (an unquoted token): never echoed. */
    if (e - p <= 9)
        return fail(ps, p, "invalid literal '%.*s' (JSON has only true, false, null, numbers and strings)",
                    (int)(e - p), p);
    return fail(ps, p, "invalid literal: a long unquoted word, not shown (JSON has only true, false, null, "
                       "numbers and strings; a string needs double quotes)");
}

static const char *scan_number(parser *ps, const char *p)
{
    const char *s = p, *end = ps->end;
    if (*p == '-')
        p++;
    if (p < end && *p == '0') {
        p++;
        if (p < end && is_digit(*p))
            return fail(ps, s, "leading zero in number"), NULL;
    } else if (p < end && is_digit(*p)) {
        while (p < end && is_digit(*p))
            p++;
    } else {
        return fail_word(ps, s), NULL;
    }
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !is_digit(*p))
            return fail(ps, s, "digit expected after decimal point in number"), NULL;
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || !is_digit(*p))
            return fail(ps, s, "digit expected in number exponent"), NULL;
        while (p < end && is_digit(*p))
            p++;
    }
    if (p < end && is_word_char(*p))
        return fail_word(ps, s), NULL;
    return p;
}

static const char *scan_literal(parser *ps, const char *p, json_type *t)
{
    size_t room = (size_t)(ps->end - p);
    const char *e = NULL;
    if (room >= 4 && !memcmp(p, "true", 4))
        *t = JSON_TRUE, e = p + 4;
    else if (room >= 5 && !memcmp(p, "false", 5))
        *t = JSON_FALSE, e = p + 5;
    else if (room >= 4 && !memcmp(p, "null", 4))
        *t = JSON_NULL, e = p + 4;
    if (!e || (e < ps->end && is_word_char(*e)))
        return fail_word(ps, p), NULL;
    return e;
}

static bool fail_unexpected(parser *ps, const char *p, const char *expected)
{
    if (p >= ps->end)
        return fail(ps, p, "unexpected end of input, expected %s", expected);
    if (*p == '/' && p + 1 < ps->end && (p[1] == '/' || p[1] == '*'))
        return fail(ps, p, "comments are not allowed in JSON");
    if (*p == '\'')
        return fail(ps, p, "strings must use double quotes, not single quotes");
    char what[16];
    describe(ps, p, what, sizeof what);
    fail(ps, p, "unexpected %s, expected %s", what, expected);
    if ((unsigned char)*p >= 0x80 && !strncmp(what, "byte", 4))
        ps->err->rule = "json-encoding";
    return false;
}

static void attach(json_node *parent, json_node *n)
{
    json_node *first = parent->p;
    n->parent = parent;
    if (first) {
        n->prev = first->prev;
        first->prev->next = n;
        first->prev = n;
    } else {
        parent->p = n;
        n->prev = n;
    }
    parent->n++;
}

/* Arrays and objects of at least this many children (scalars, or containers within
 * PACK_LEVELS) are parsed without nodes for them (JM_PACKED) when the caller asks: 64
 * bytes a node against 2 or 3 bytes of text a value made a 40 MB array of zeros take
 * 850 MB, and 15-byte members 7 times their size. */
#ifndef JSON_PACK_MIN
#define JSON_PACK_MIN 16    /* a test build sets 1: everything that can be is packed */
#endif
enum { PACK_MIN = JSON_PACK_MIN };

/* Scans the string, number or literal at p into n (made for it: its type is set here)
 * with its text, length and escape flag, decoding an escaped string when decode; returns
 * the byte after it, or NULL with the error in ps->err. */
static const char *scan_scalar(parser *ps, const char *p, json_node *n, bool decode)
{
    const char *after;
    if (*p == '"') {
        const char *text;
        size_t tlen;
        bool esc;
        after = scan_string(ps, p, &text, &tlen, &esc, decode);
        if (!after)
            return NULL;
        if (tlen > UINT32_MAX)
            return fail(ps, p, "string longer than 4 GiB"), NULL;
        n->type = JSON_STRING;
        n->p = (void *)text;
        n->n = (uint32_t)tlen;
        if (esc)
            n->flags |= JF_ESCAPED;
    } else if (*p == '-' || is_digit(*p)) {
        after = scan_number(ps, p);
        if (!after)
            return NULL;
        if ((size_t)(after - p) > UINT32_MAX)
            return fail(ps, p, "number longer than 4 GiB"), NULL;
        n->type = JSON_NUMBER;
        n->p = (void *)p;
        n->n = (uint32_t)(after - p);
    } else {
        json_type t;
        after = scan_literal(ps, p, &t);
        if (!after)
            return NULL;
        n->type = (uint8_t)t;
    }
    return after;
}

/* Scans one scalar at p, decoding nothing; returns the byte after it, or NULL when p holds
 * anything else (a container, or an error the full parse will name). */
static const char *scan_packable_scalar(parser *ps, const char *p)
{
    json_node scratch = {0};
    return *p == '[' || *p == '{' ? NULL : scan_scalar(ps, p, &scratch, false);
}

/* How deep a packed container may hold containers: with 3, its children may be
 * containers whose children may be containers of scalars (records holding small objects
 * or lists). Each level unpacked scans the ones below once more, and a scan that fails
 * stops at the first container too deep, so a tree walked to its leaves reads each byte
 * at most PACK_LEVELS + 1 times; packing deeper would cost a scan per level. */
enum { PACK_LEVELS = 3 };

/* Scans the array or object at p ('[' or '{') when it holds only scalars or, with levels
 * above 1, containers of the same kind with levels - 1, all well-formed, the names of
 * every object in it free of escapes and, when names is given (one nameset a level),
 * none repeating an earlier one of its object as the parse compares them: returns the
 * position of its closing bracket, sets its number of children and adds the bloom bits
 * of all those names to *bloom. Otherwise NULL. Repeated names are left to the nodes,
 * which carry JF_DUPS; escaped names would need a decoded copy to compare. */
static const char *scan_scalars(parser *ps, const char *p, nameset *names, bool icase, unsigned levels,
                                size_t *count, uint16_t *bloom)
{
    const char *end = ps->end;
    bool object = *p == '{';
    char close = object ? '}' : ']';
    size_t k = 0;
    if (object && names)
        nameset_start(names, p, icase);
    p = skip_ws(p + 1, end);
    if (p < end && *p == close) {
        *count = 0;
        return p;
    }
    for (;;) {
        if (p >= end)
            return NULL;
        if (object) {
            const char *name;
            size_t len;
            bool esc;
            const char *q = *p == '"' ? scan_string(ps, p, &name, &len, &esc, false) : NULL;
            if (!q || esc || len > UINT32_MAX || (names && nameset_add(names, name, len) != NAMESET_NEW))
                return NULL;
            *bloom |= json_name_bit(name, len);
            q = skip_ws(q, end);
            if (q >= end || *q != ':')
                return NULL;
            p = skip_ws(q + 1, end);
            if (p >= end)
                return NULL;
        }
        const char *after;
        if ((*p == '{' || *p == '[') && levels > 1) {
            size_t inner;
            after = scan_scalars(ps, p, names ? names + 1 : NULL, icase, levels - 1, &inner, bloom);
            after = after ? after + 1 : NULL;
        } else {
            after = scan_packable_scalar(ps, p);
        }
        if (!after)
            return NULL;
        k++;
        p = skip_ws(after, end);
        if (p < end && *p == close) {
            *count = k;
            return k < UINT32_MAX ? p : NULL;
        }
        if (p >= end || *p != ',')
            return NULL;
        p = skip_ws(p + 1, end);
        if (p < end && *p == close)
            return NULL;    /* trailing comma */
    }
}

/* scan_scalars for a container the parse meets: packed when it holds PACK_MIN children or
 * more; its bloom is that of its names. NULL: it is parsed as any other (which reports any
 * error this scan met, the same way). */
static const char *scan_packable(parser *ps, const char *p, nameset names[PACK_LEVELS], bool icase,
                                 unsigned levels, size_t *count, uint16_t *bloom)
{
    *bloom = 0;
    const char *close = scan_scalars(ps, p, names, icase, levels, count, bloom);
    return close && *count >= PACK_MIN ? close : NULL;
}

/* Makes the nodes of the children of container c (empty, its text checked by
 * scan_scalars with levels): child containers of PACK_MIN children or more are packed
 * themselves, smaller ones made at once. Objects get the bloom bits of their names. */
static void fill(parser *ps, json_node *c, unsigned levels)
{
    json_doc *doc = ps->doc;
    const char *src = doc->src, *p = skip_ws(src + c->start + 1, ps->end);
    bool object = c->type == JSON_OBJECT;
    char close = object ? '}' : ']';
    while (*p != close) {
        const char *key = NULL;
        size_t key_len = 0;
        if (object) {
            bool esc;
            const char *q = scan_string(ps, p, &key, &key_len, &esc, false);
            if (!q || esc)
                abort();    /* the source changed after it was parsed, against the promise */
            p = skip_ws(skip_ws(q, ps->end) + 1, ps->end);
        }
        json_node *n;
        const char *after;
        if ((*p == '{' || *p == '[') && levels > 1) {
            size_t count;
            uint16_t bloom = 0;
            n = new_node(doc, *p == '{' ? JSON_OBJECT : JSON_ARRAY, (size_t)(p - src));
            after = scan_scalars(ps, p, NULL, false, levels - 1, &count, &bloom);
            if (!after)
                abort();    /* as above */
            after++;
            if (count >= PACK_MIN) {
                n->marks |= JM_PACKED | bloom;
                n->p = doc;
                n->n = (uint32_t)count;
            } else {
                fill(ps, n, levels - 1);
            }
        } else {
            n = new_node(doc, JSON_NULL, (size_t)(p - src));
            after = scan_scalar(ps, p, n, true);
        }
        if (!after)
            abort();    /* as above */
        set_end(n, (size_t)(after - src));
        attach(c, n);
        c->marks |= (uint16_t)(n->marks & JM_NAMES_BLOOM);
        if (object) {
            n->key = key;
            n->key_len = (uint32_t)key_len;
            c->marks |= json_name_bit(key, key_len);
        }
        p = skip_ws(after, ps->end);
        if (*p == ',')
            p = skip_ws(p + 1, ps->end);
    }
}

/* The nodes of a packed array or object, from its source text (json_unpack): the text
 * was checked when it was packed, and the caller promised it stays as it was. */
static void unpack(json_doc *doc, json_node *c)
{
    json_error err;
    parser ps = {doc->src, doc->src + doc->src_len, doc, &err, true};
    c->marks &= (uint16_t)~JM_PACKED;
    c->p = NULL;
    c->n = 0;
    fill(&ps, c, PACK_LEVELS);
}

/* Parses a member name at p (a quote expected) and the colon after it; returns the
 * position of the value or NULL. */
static const char *scan_member_name(parser *ps, const char *p, const char *comma, const char **key,
                                    size_t *key_len, bool *escaped)
{
    if (p >= ps->end || *p != '"') {
        if (p < ps->end && *p == '}' && comma)
            return fail(ps, comma, "trailing comma before '}'"), NULL;
        if (p < ps->end && (is_word_char(*p) && !is_digit(*p) && *p != '-'))
            return fail(ps, p, "member name must be a double-quoted string"), NULL;
        return fail_unexpected(ps, p, "a member name in double quotes"), NULL;
    }
    const char *q = scan_string(ps, p, key, key_len, escaped, true);
    if (!q)
        return NULL;
    if (*key_len > UINT32_MAX)
        return fail(ps, p, "member name longer than 4 GiB"), NULL;
    q = skip_ws(q, ps->end);
    if (q >= ps->end || *q != ':')
        return fail_unexpected(ps, q, "':' after the member name"), NULL;
    return skip_ws(q + 1, ps->end);
}

json_doc *json_doc_new(void)
{
    json_doc *doc = xcalloc(1, sizeof *doc);
    arena_init(&doc->mem);
    return doc;
}

void json_doc_free(json_doc *doc)
{
    if (!doc)
        return;
    arena_free(&doc->mem);
    free(doc);
}

/* Stores a decoded escaped member name behind its source offset (see json_key_offset). */
static const char *keep_escaped_key(json_doc *doc, const char *key, size_t len, size_t quote_at)
{
    size_t *box = arena_alloc(&doc->mem, sizeof(size_t) + len + 1);
    box[0] = quote_at;
    char *copy = (char *)(box + 1);
    memcpy(copy, key, len);
    copy[len] = '\0';
    return copy;
}

/* In a tree, a new arena node; when only checking, the reusable node of a pool slot. */
#define NEW_NODE(type, slot) \
    (ps.tree ? new_node(doc, (type), (size_t)(p - src)) : pool_node(&pool[(slot)], (type), (size_t)(p - src)))

static inline json_node *pool_node(json_node *n, json_type t, size_t start)
{
    n->type = (uint8_t)t;
    n->marks = 0;
    n->start = start;
    n->n = 0;
    return n;
}

json_doc *json_parse(const char *src, size_t len, const json_parse_opts *opts, json_error *err)
{
    unsigned max_depth = opts && opts->max_depth ? opts->max_depth : JSON_DEFAULT_MAX_DEPTH;
    json_doc *doc = json_doc_new();
    doc->src = src;
    doc->src_len = len;
    doc->src_is_json = true;
    parser ps = {src, src + len, doc, err, !(opts && opts->check_only)};
    json_node **stack = xmalloc(sizeof(json_node *) * (max_depth + 1));
    /* Checking only: one reusable node per depth (and one for scalars) instead of a tree. */
    json_node *pool = ps.tree ? NULL : xcalloc(max_depth + 2, sizeof *pool);
    json_dupkey_fn on_dup = ps.tree ? NULL : opts->on_duplicate;
    /* Checking only, names are kept as they are read (there are no nodes to keep them). A
     * tree marks the objects that repeat a name (JF_DUPS, and JF_DUPS_BELOW up the stack)
     * as each closes, from its member nodes: a table of the names of every open object
     * beside the tree would cost 40 to 56 bytes a member more at the peak. */
    bool track = on_dup != NULL;
    bool pack = ps.tree && opts && opts->pack_scalars;
    if (pack)
        doc->unpack = unpack;
    nameset packed_names[PACK_LEVELS] = {{0}};
    bool icase = opts && opts->dup_icase;
    json_dup_scratch repeats = {NULL, 0};
    keyset keys;
    keyset_init(&keys, icase);
    unsigned depth = 0;
    const char *p = src, *end = src + len;
    const char *comma = NULL;           /* the comma just read, for "trailing comma" */
    const char *key = NULL, *key_at = NULL;
    size_t key_len = 0;
    bool key_escaped = false;
    bool ok = false;
    size_t root_start = 0, root_end = 0;

    if (len >= 3 && !memcmp(src, "\xEF\xBB\xBF", 3)) {
        if (opts && opts->allow_bom) {
            p += 3;     /* kept as leading text: a document written back keeps it */
        } else {
            fail(&ps, src, "byte order mark (U+FEFF) at start of input is not allowed in JSON");
            err->rule = "json-bom";
            goto out;
        }
    }
    if (len >= 2 && ((unsigned char)src[0] == 0xFF || (unsigned char)src[0] == 0xFE ||
                     (len >= 2 && (src[0] == 0 || src[1] == 0)))) {
        /* UTF-16 and UTF-32 text starts with a BOM or has a NUL in its first two bytes. */
        fail(&ps, src, "input looks like UTF-16 or UTF-32: JSON must be UTF-8");
        err->rule = "json-encoding";
        goto out;
    }
    p = skip_ws(p, end);
    root_start = (size_t)(p - src);
    if (p >= end) {
        fail(&ps, src, "empty input: a JSON value was expected");
        err->rule = "json-empty";
        goto out;
    }

value:
    /* p is at the start of a value; the container it goes into is stack[depth-1]. */
    {
        json_node *n;
        const char *after = p;
        switch (*p) {
        case '{':
        case '[': {
            if (depth >= max_depth) {
                fail(&ps, p, "nesting deeper than %u levels", max_depth);
                err->rule = "json-depth";
                goto out;
            }
            size_t count;
            uint16_t bloom;
            const char *close;
            /* Checking for repeated names, an object the scan finds free of them (in it and
             * below) is done with: its names need not wait in the table of open objects'. */
            bool scan_ahead = pack || (track && *p == '{');
            /* what it may hold stays within the depth limit, which the scan does not check */
            unsigned levels = max_depth - depth < PACK_LEVELS ? max_depth - depth : PACK_LEVELS;
            if (scan_ahead && (close = scan_packable(&ps, p, packed_names, icase, levels, &count, &bloom))) {
                n = NEW_NODE(*p == '{' ? JSON_OBJECT : JSON_ARRAY, depth);
                n->marks |= JM_PACKED | bloom;
                if (ps.tree)
                    n->p = doc, n->n = (uint32_t)count;
                after = close + 1;
                set_end(n, (size_t)(after - src));
                break;
            }
            n = NEW_NODE(*p == '{' ? JSON_OBJECT : JSON_ARRAY, depth);
            if (track && *p == '{')
                keyset_push(&keys);
            break;
        }
        case '"':
        case '-': case '0': case '1': case '2': case '3': case '4':
        case '5': case '6': case '7': case '8': case '9':
            n = NEW_NODE(JSON_NULL, max_depth + 1);
            after = scan_scalar(&ps, p, n, ps.tree);
            if (!after)
                goto out;
            set_end(n, (size_t)(after - src));
            break;
        case ']':
            if (comma) {
                fail(&ps, comma, "trailing comma before ']'");
                goto out;
            }
            /* fall through */
        default:
            if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
                n = NEW_NODE(JSON_NULL, max_depth + 1);
                after = scan_scalar(&ps, p, n, ps.tree);     /* a literal, or its error */
                if (!after)
                    goto out;
                set_end(n, (size_t)(after - src));
                break;
            }
            fail_unexpected(&ps, p, "a JSON value");
            goto out;
        }
        comma = NULL;
        if (depth && !ps.tree) {
            /* nothing to link */
        } else if (depth) {
            json_node *parent = stack[depth - 1];
            if (parent->n == UINT32_MAX) {
                fail(&ps, p, "more than 4294967295 elements in one container");
                goto out;
            }
            attach(parent, n);
            parent->marks |= (uint16_t)(n->marks & JM_NAMES_BLOOM);  /* the names in a packed container */
            if (parent->type == JSON_OBJECT) {
                parent->marks |= json_name_bit(key, key_len);
                n->key_len = (uint32_t)key_len;
                if (key_escaped) {
                    n->flags |= JF_KEY_ESCAPED;
                    n->key = keep_escaped_key(doc, key, key_len, (size_t)(key_at - src));
                } else {
                    n->key = key;
                }
            }
        } else {
            doc->root = n;
        }
        if ((n->type == JSON_OBJECT || n->type == JSON_ARRAY) && !(n->marks & JM_PACKED)) {
            stack[depth++] = n;
            p = skip_ws(p + 1, end);
            if (p < end && *p == (n->type == JSON_OBJECT ? '}' : ']')) {
                set_end(n, (size_t)(p + 1 - src));
                if (track && n->type == JSON_OBJECT)
                    keyset_pop(&keys);
                depth--;
                p++;
                goto after_value;
            }
            if (n->type == JSON_OBJECT) {
                key_at = p;
                p = scan_member_name(&ps, p, NULL, &key, &key_len, &key_escaped);
                if (!p)
                    goto out;
                if (track)
                    keyset_add(&keys, key, key_len, (size_t)(key_at - src));
            }
            if (p >= end) {
                fail_unexpected(&ps, p, "a JSON value");
                goto out;
            }
            goto value;
        }
        p = after;
    }

after_value:
    if (!depth)
        root_end = (size_t)(p - src);
    p = skip_ws(p, end);
    if (!depth) {
        if (p < end) {
            fail(&ps, p, "trailing content after the JSON value");
            err->rule = "json-trailing";
            goto out;
        }
        ok = true;
        if (!ps.tree)
            doc->root = NULL;
        doc->body_start = root_start;
        doc->body_end = root_end;
        goto out;
    }
    {
        json_node *top = stack[depth - 1];
        char close = top->type == JSON_OBJECT ? '}' : ']';
        if (p < end && *p == ',') {
            comma = p;
            p = skip_ws(p + 1, end);
            if (top->type == JSON_OBJECT) {
                key_at = p;
                p = scan_member_name(&ps, p, comma, &key, &key_len, &key_escaped);
                if (!p)
                    goto out;
                if (track) {
                    const keyrec *first = keyset_add(&keys, key, key_len, (size_t)(key_at - src));
                    if (first)
                        on_dup(opts->ctx, (size_t)(key_at - src), first->at, key, key_len);
                }
            }
            if (p >= end) {
                fail_unexpected(&ps, p, "a JSON value");
                goto out;
            }
            goto value;
        }
        if (p < end && *p == close) {
            set_end(top, (size_t)(p + 1 - src));
            if (track && top->type == JSON_OBJECT)
                keyset_pop(&keys);
            if (ps.tree && top->type == JSON_OBJECT && json_object_repeats(top, icase, &repeats)) {
                top->flags |= JF_DUPS;
                for (unsigned k = depth - 1; k-- > 0 && !(stack[k]->flags & JF_DUPS_BELOW);)
                    stack[k]->flags |= JF_DUPS_BELOW;
            }
            depth--;
            if (depth)
                stack[depth - 1]->marks |= (uint16_t)(top->marks & JM_NAMES_BLOOM);
            p++;
            goto after_value;
        }
        fail_unexpected(&ps, p, top->type == JSON_OBJECT ? "',' or '}' after a member" : "',' or ']' after an element");
        goto out;
    }

out:
    free(stack);
    free(pool);
    keyset_free(&keys);
    json_dup_scratch_free(&repeats);
    for (unsigned i = 0; i < PACK_LEVELS; i++)
        nameset_free(&packed_names[i]);
    if (!ok) {
        json_doc_free(doc);
        return NULL;
    }
    return doc;
}
