#include "query/yamltree.h"
#include "json/keyset.h"
#include "base/buf.h"
#include "json/json_num.h"
#include "base/oom.h"
#include "base/quote.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 256
#define MAX_ALIAS_NODES 100000  /* stops "billion laughs" expansion */

typedef struct anchor {
    char *name;
    json_node *node;
} anchor;

typedef struct loader {
    const char *src;
    size_t len;
    size_t *line_start;     /* byte offset of each line, for libyaml's character marks */
    size_t nlines;
    json_doc *doc;
    yamltree_error *err;
    anchor *anchors;
    size_t nanchors;
    size_t alias_nodes;
    keyset keys;            /* the keys of the mappings now open: repeats in one pass */
    size_t mark_line, mark_col, mark_off;   /* the last mark turned into an offset */
} loader;

static void index_lines(loader *ld)
{
    size_t cap = 64;
    ld->line_start = xmalloc(cap * sizeof *ld->line_start);
    ld->line_start[0] = 0;
    ld->nlines = 1;
    for (size_t i = 0; i < ld->len; i++)
        if (ld->src[i] == '\n') {
            if (ld->nlines == cap)
                ld->line_start = xrealloc(ld->line_start, (cap *= 2) * sizeof *ld->line_start);
            ld->line_start[ld->nlines++] = i + 1;
        }
}

/* libyaml counts characters; the rest of tmplkit counts bytes. Marks come mostly in
 * order, so the walk goes on from the last one on the same line (a one-line flow sequence
 * of 80,000 items is walked once, not 80,000 times). */
static size_t mark_offset(loader *ld, yaml_mark_t m)
{
    if (m.line >= ld->nlines)
        return ld->len;
    size_t off = ld->line_start[m.line], c = 0;
    if (m.line == ld->mark_line && m.column >= ld->mark_col && ld->mark_off >= off)
        off = ld->mark_off, c = ld->mark_col;
    for (; c < m.column && off < ld->len && ld->src[off] != '\n'; c++) {
        off++;
        while (off < ld->len && ((unsigned char)ld->src[off] & 0xC0) == 0x80)
            off++;
    }
    ld->mark_line = m.line, ld->mark_col = c, ld->mark_off = off;
    return off;
}

static bool fail(loader *ld, yaml_mark_t m, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(loader *ld, yaml_mark_t m, const char *fmt, ...)
{
    ld->err->offset = mark_offset(ld, m);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ld->err->msg, sizeof ld->err->msg, fmt, ap);
    va_end(ap);
    return false;
}

static bool eq_any(const char *s, size_t n, const char *const *words)
{
    for (; *words; words++)
        if (strlen(*words) == n && !memcmp(s, *words, n))
            return true;
    return false;
}

static bool all_digits(const char *s, size_t n, int base)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        bool ok = base == 16 ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))
                             : (c >= '0' && c < '0' + base);
        if (!ok)
            return false;
    }
    return true;
}

/* YAML 1.2 core schema numbers as JSON number text; false when s is not a number. */
static bool core_number(const char *s, size_t n, buf *out, bool *special)
{
    *special = false;
    if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        int base = s[1] == 'x' ? 16 : 8;
        if (!all_digits(s + 2, n - 2, base) || n > 18)
            return false;
        char tmp[32];
        memcpy(tmp, s + 2, n - 2);
        tmp[n - 2] = '\0';
        buf_printf(out, "%llu", strtoull(tmp, NULL, base));
        return true;
    }
    static const char *const specials[] = {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf",
                                           "-.INF", ".nan", ".NaN", ".NAN", NULL};
    if (eq_any(s, n, specials)) {
        *special = true;
        return false;
    }
    /* [-+]? ( \.[0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i++] == '-';
    size_t int_start = i;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++;
    size_t int_end = i, frac_start = i, frac_end = i;
    if (i < n && s[i] == '.') {
        frac_start = ++i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        frac_end = i;
    }
    if (int_end == int_start && frac_end == frac_start)
        return false;
    size_t exp_start = i;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t d = i;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++;
        if (d == i)
            return false;
    }
    if (i != n)
        return false;
    /* Rebuild as JSON: no '+', no leading zeros, digits on both sides of a '.'. */
    if (neg)
        buf_putc(out, '-');
    size_t a = int_start;
    while (a + 1 < int_end && s[a] == '0')
        a++;
    if (a == int_end)
        buf_putc(out, '0');
    else
        buf_add(out, s + a, int_end - a);
    if (frac_end > frac_start) {
        buf_putc(out, '.');
        buf_add(out, s + frac_start, frac_end - frac_start);
    }
    buf_add(out, s + exp_start, n - exp_start);
    return true;
}

static json_node *scalar_node(loader *ld, const yaml_event_t *e)
{
    const char *s = (const char *)e->data.scalar.value;
    size_t n = e->data.scalar.length;
    const char *tag = (const char *)e->data.scalar.tag;
    bool plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
    static const char *const trues[] = {"true", "True", "TRUE", NULL};
    static const char *const falses[] = {"false", "False", "FALSE", NULL};
    json_node *node = NULL;
    if (tag && strcmp(tag, YAML_STR_TAG) && strcmp(tag, YAML_INT_TAG) && strcmp(tag, YAML_FLOAT_TAG) &&
        strcmp(tag, YAML_BOOL_TAG) && strcmp(tag, YAML_NULL_TAG) && strcmp(tag, "!")) {
        buf q = BUF_INIT;
        quote_into(&q, tag, strlen(tag), 40);
        fail(ld, e->start_mark, "unsupported YAML tag '%s'", q.data);
        buf_free(&q);
        return NULL;
    }
    if ((tag && !strcmp(tag, YAML_STR_TAG)) || (!tag && !plain) || (tag && !strcmp(tag, "!"))) {
        node = json_new_string(ld->doc, s, n);
    } else {
        bool want_null = tag && !strcmp(tag, YAML_NULL_TAG), want_bool = tag && !strcmp(tag, YAML_BOOL_TAG);
        bool want_num = tag && (!strcmp(tag, YAML_INT_TAG) || !strcmp(tag, YAML_FLOAT_TAG));
        buf num = BUF_INIT;
        bool special = false;
        if ((!tag || want_null) && eq_any(s, n, nulls))
            node = json_new(ld->doc, JSON_NULL);
        else if ((!tag || want_bool) && eq_any(s, n, trues))
            node = json_new(ld->doc, JSON_TRUE);
        else if ((!tag || want_bool) && eq_any(s, n, falses))
            node = json_new(ld->doc, JSON_FALSE);
        else if ((!tag || want_num) && core_number(s, n, &num, &special))
            node = json_new_number(ld->doc, num.data, num.len);
        else if (special)
            fail(ld, e->start_mark, "YAML infinity and NaN have no JSON form");
        else if (tag)
            fail(ld, e->start_mark, "scalar does not match its tag %s", tag);
        else
            node = json_new_string(ld->doc, s, n);
        buf_free(&num);
    }
    return node;
}

static void place(loader *ld, json_node *n, const yaml_event_t *e)
{
    n->start = mark_offset(ld, e->start_mark);
    size_t end = mark_offset(ld, e->end_mark);
    n->span = end > n->start ? (uint32_t)(end - n->start < UINT32_MAX ? end - n->start : UINT32_MAX) : 0;
    n->flags &= (uint8_t)~JF_SYNTH;
}

static void remember_anchor(loader *ld, const yaml_char_t *name, json_node *n)
{
    if (!name)
        return;
    ld->anchors = xrealloc(ld->anchors, (ld->nanchors + 1) * sizeof *ld->anchors);
    ld->anchors[ld->nanchors].name = xstrdup((const char *)name);
    ld->anchors[ld->nanchors].node = n;
    ld->nanchors++;
}

static size_t count_nodes(const json_node *n)
{
    size_t c = 1;
    if (n->type == JSON_ARRAY || n->type == JSON_OBJECT)
        for (const json_node *k = json_first(n); k; k = k->next)
            c += count_nodes(k);
    return c;
}

typedef struct frame {
    json_node *node;
    bool want_key;          /* mappings: the next scalar is a key */
    const char *key;
    size_t key_len;
    size_t key_at;
    yaml_mark_t key_mark;
} frame;

/* Adds a finished value to the open container (or makes it the root). */
static bool attach(loader *ld, frame *stack, size_t depth, json_node *n, yaml_mark_t mark)
{
    if (!depth) {
        ld->doc->root = n;
        return true;
    }
    frame *f = &stack[depth - 1];
    if (f->node->type == JSON_ARRAY) {
        json_append(ld->doc, f->node, NULL, 0, n);
    } else {
        if (keyset_add(&ld->keys, f->key, f->key_len, f->key_at)) {
            buf q = BUF_INIT;
            quote_into(&q, f->key, f->key_len, 64);
            fail(ld, f->key_mark, "duplicate key '%s'", q.data ? q.data : "");
            buf_free(&q);
            return false;
        }
        json_append(ld->doc, f->node, f->key, f->key_len, n);
        json_set_key_offset(ld->doc, n, f->key_at);
        f->want_key = true;
    }
    /* json_append marks edits; a loaded tree starts clean. */
    n->flags &= (uint8_t)~(JF_MOVED | JF_DIRTY);
    (void)mark;
    return true;
}

json_doc *yamltree_load(const char *src, size_t len, yamltree_error *err)
{
    loader ld = {src, len, NULL, 0, json_doc_new(), err, NULL, 0, 0, {0}, (size_t)-1, 0, 0};
    keyset_init(&ld.keys, false);
    ld.doc->src = src;
    ld.doc->src_len = len;
    index_lines(&ld);
    yaml_parser_t parser;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_string(&parser, (const unsigned char *)src, len);
    frame stack[MAX_DEPTH];
    size_t depth = 0;
    int docs = 0;
    bool ok = true, done = false;
    while (ok && !done) {
        yaml_event_t e;
        if (!yaml_parser_parse(&parser, &e)) {
            fail(&ld, parser.problem_mark, "%s%s%s", parser.problem ? parser.problem : "invalid YAML",
                 parser.context ? " " : "", parser.context ? parser.context : "");
            /* The reader (invalid UTF-8, a control character) says where in bytes, and
             * leaves the mark at the start. */
            if (parser.error == YAML_READER_ERROR && parser.problem_offset <= len)
                err->offset = parser.problem_offset;
            ok = false;
            break;
        }
        json_node *n = NULL;
        switch (e.type) {
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1)
                ok = fail(&ld, e.start_mark, "only one YAML document is allowed here");
            break;
        case YAML_SCALAR_EVENT:
            if (depth && stack[depth - 1].node->type == JSON_OBJECT && stack[depth - 1].want_key) {
                frame *f = &stack[depth - 1];
                f->key = arena_strndup(&ld.doc->mem, (const char *)e.data.scalar.value, e.data.scalar.length);
                f->key_len = e.data.scalar.length;
                f->key_at = mark_offset(&ld, e.start_mark);
                f->key_mark = e.start_mark;
                f->want_key = false;
                break;
            }
            n = scalar_node(&ld, &e);
            if (!n) {
                ok = false;
                break;
            }
            place(&ld, n, &e);
            remember_anchor(&ld, e.data.scalar.anchor, n);
            ok = attach(&ld, stack, depth, n, e.start_mark);
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (depth && stack[depth - 1].node->type == JSON_OBJECT && stack[depth - 1].want_key) {
                ok = fail(&ld, e.start_mark, "keys must be plain values, not lists or mappings");
                break;
            }
            if (depth == MAX_DEPTH) {
                ok = fail(&ld, e.start_mark, "YAML nested deeper than %d levels", MAX_DEPTH);
                break;
            }
            n = json_new(ld.doc, e.type == YAML_MAPPING_START_EVENT ? JSON_OBJECT : JSON_ARRAY);
            place(&ld, n, &e);
            remember_anchor(&ld, e.type == YAML_MAPPING_START_EVENT ? e.data.mapping_start.anchor
                                                                     : e.data.sequence_start.anchor, n);
            ok = attach(&ld, stack, depth, n, e.start_mark);
            stack[depth++] = (frame){n, true, NULL, 0, 0, e.start_mark};
            if (n->type == JSON_OBJECT)
                keyset_push(&ld.keys);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            json_node *c = stack[--depth].node;
            if (c->type == JSON_OBJECT)
                keyset_pop(&ld.keys);
            size_t end = mark_offset(&ld, e.end_mark);
            c->span = end > c->start ? (uint32_t)(end - c->start) : 0;
            c->flags &= (uint8_t)~(JF_DIRTY | JF_MOVED);
            break;
        }
        case YAML_ALIAS_EVENT: {
            if (depth && stack[depth - 1].node->type == JSON_OBJECT && stack[depth - 1].want_key) {
                ok = fail(&ld, e.start_mark, "an alias cannot be a key");
                break;
            }
            json_node *target = NULL;
            for (size_t i = ld.nanchors; i-- > 0;)
                if (!strcmp(ld.anchors[i].name, (const char *)e.data.alias.anchor)) {
                    target = ld.anchors[i].node;
                    break;
                }
            if (!target) {
                ok = fail(&ld, e.start_mark, "unknown alias '*%s'", (const char *)e.data.alias.anchor);
                break;
            }
            ld.alias_nodes += count_nodes(target);
            if (ld.alias_nodes > MAX_ALIAS_NODES) {
                ok = fail(&ld, e.start_mark, "aliases expand to more than %d nodes", MAX_ALIAS_NODES);
                break;
            }
            n = json_clone(ld.doc, target);
            place(&ld, n, &e);
            ok = attach(&ld, stack, depth, n, e.start_mark);
            break;
        }
        default:
            break;
        }
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&parser);
    keyset_free(&ld.keys);
    if (ok && !ld.doc->root) {
        yaml_mark_t m = {0, 0, 0};
        ok = fail(&ld, m, "empty YAML document");
    }
    for (size_t i = 0; i < ld.nanchors; i++)
        free(ld.anchors[i].name);
    free(ld.anchors);
    free(ld.line_start);
    if (!ok) {
        json_doc_free(ld.doc);
        return NULL;
    }
    return ld.doc;
}
