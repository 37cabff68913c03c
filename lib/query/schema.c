/* JSON Schema 2020-12: compile ($id, $anchor, $ref, patterns), then validate. */
#include "query/schema.h"
#include "base/buf.h"
#include "json/json_num.h"
#include "base/oom.h"
#include "base/quote.h"
#include "query/rx.h"
#include "query/uri.h"
#include "base/utf8.h"
#include <stdarg.h>
#include <stdio.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 256

/* 64x64-bit products for the exact multipleOf check (gcc and clang have it). */
__extension__ typedef unsigned __int128 tk_u128;   /* $ref chains and nesting: a cyclic schema fails instead of recursing forever */

/* ---------------------------------------------------------------- pointer map */

typedef struct pmap {
    const void **keys;
    void **vals;
    size_t cap, n;
} pmap;

static size_t phash(const void *p, size_t cap)
{
    uintptr_t x = (uintptr_t)p;
    x ^= x >> 17;
    x *= 0x9E3779B97F4A7C15ULL;
    return (size_t)(x >> 7) & (cap - 1);
}

static void pmap_put(pmap *m, const void *k, void *v);

static void pmap_grow(pmap *m)
{
    pmap old = *m;
    m->cap = old.cap ? old.cap * 2 : 64;
    m->keys = xcalloc(m->cap, sizeof *m->keys);
    m->vals = xcalloc(m->cap, sizeof *m->vals);
    m->n = 0;
    for (size_t i = 0; i < old.cap; i++)
        if (old.keys[i])
            pmap_put(m, old.keys[i], old.vals[i]);
    free(old.keys);
    free(old.vals);
}

static void pmap_put(pmap *m, const void *k, void *v)
{
    if ((m->n + 1) * 2 > m->cap)
        pmap_grow(m);
    size_t i = phash(k, m->cap);
    while (m->keys[i] && m->keys[i] != k)
        i = (i + 1) & (m->cap - 1);
    if (!m->keys[i])
        m->n++;
    m->keys[i] = k;
    m->vals[i] = v;
}

static void *pmap_get(const pmap *m, const void *k)
{
    if (!m->cap)
        return NULL;
    size_t i = phash(k, m->cap);
    while (m->keys[i]) {
        if (m->keys[i] == k)
            return m->vals[i];
        i = (i + 1) & (m->cap - 1);
    }
    return NULL;
}

static void pmap_free(pmap *m)
{
    free(m->keys);
    free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---------------------------------------------------------------- compile */

typedef struct resource {
    char *uri;              /* absolute, without fragment ("" for a root without $id) */
    const json_node *node;
} resource;

typedef enum kw_id {
    K_REF, K_TYPE, K_ENUM, K_CONST, K_PROPERTIES, K_PATTERNPROPERTIES, K_ADDITIONALPROPERTIES, K_REQUIRED, K_DEPENDENTREQUIRED, K_DEPENDENTSCHEMAS, K_PROPERTYNAMES, K_MAXPROPERTIES, K_MINPROPERTIES, K_PREFIXITEMS, K_ITEMS, K_MAXITEMS, K_MINITEMS, K_UNIQUEITEMS, K_CONTAINS, K_MINCONTAINS, K_MAXCONTAINS, K_MAXIMUM, K_MINIMUM, K_EXCLUSIVEMAXIMUM, K_EXCLUSIVEMINIMUM, K_MULTIPLEOF, K_XINTEGERLITERAL, K_MAXLENGTH, K_MINLENGTH, K_PATTERN, K_FORMAT, K_ALLOF, K_ANYOF, K_ONEOF, K_NOT, K_IF, K_THEN, K_ELSE,
    K_COUNT
} kw_id;

static const char *const keyword_names[K_COUNT] = {
    "$ref", "type", "enum", "const", "properties", "patternProperties", "additionalProperties", "required", "dependentRequired", "dependentSchemas", "propertyNames", "maxProperties", "minProperties", "prefixItems", "items", "maxItems", "minItems", "uniqueItems", "contains", "minContains", "maxContains", "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf", "x-integer-literal", "maxLength", "minLength", "pattern", "format", "allOf", "anyOf", "oneOf", "not", "if", "then", "else"};

/* The keywords of one schema object, found once at compile time: validation then reads
 * fields instead of searching members by name for every instance it checks. */
typedef struct kwtab {
    const json_node *k[K_COUNT];
} kwtab;

struct schema {
    const json_node *root;
    pmap kw;                /* schema object -> kwtab */
    arena mem;
    schema_opts opts;
    pmap refs;              /* schema object holding $ref -> target schema */
    pmap regexes;           /* "pattern" value node or patternProperties member -> rx */
    resource *res;          /* $id resources and $anchor targets (uri#anchor) */
    size_t nres;
    json_doc *scratch;      /* member names as string instances for propertyNames */
};

typedef struct compiler {
    schema *s;
    schema_error *err;
    bool failed;
    const json_node **ref_nodes;    /* objects with $ref, and the base URI each is in */
    char **ref_bases;
    size_t nrefs;
} compiler;

static bool cfail(compiler *c, const json_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool cfail(compiler *c, const json_node *at, const char *fmt, ...)
{
    if (c->failed)
        return false;
    c->failed = true;
    c->err->at = at;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err->msg, sizeof c->err->msg, fmt, ap);
    va_end(ap);
    return false;
}

static bool is_key(const json_node *m, const char *k)
{
    return m->key_len == strlen(k) && !memcmp(m->key, k, m->key_len);
}

static json_node *member(const json_node *obj, const char *k)
{
    return obj && obj->type == JSON_OBJECT ? json_get(obj, k, strlen(k)) : NULL;
}

static void add_resource(schema *s, const char *uri, const json_node *node)
{
    s->res = xrealloc(s->res, (s->nres + 1) * sizeof *s->res);
    s->res[s->nres].uri = xstrdup(uri);
    s->res[s->nres].node = node;
    s->nres++;
}

static const json_node *find_resource(const schema *s, const char *uri)
{
    for (size_t i = s->nres; i-- > 0;)
        if (!strcmp(s->res[i].uri, uri))
            return s->res[i].node;
    return NULL;
}

/* Keywords whose value is a schema, an array of schemas, or an object of schemas. */
static const char *const single_kw[] = {"additionalProperties", "propertyNames", "items", "contains", "not", "if",
                                        "then", "else", "unevaluatedItems", "unevaluatedProperties", NULL};
static const char *const array_kw[] = {"prefixItems", "allOf", "anyOf", "oneOf", NULL};
static const char *const object_kw[] = {"properties", "patternProperties", "$defs", "dependentSchemas", NULL};
static const char *const known_kw[] = {
    "$schema", "$id", "$anchor", "$ref", "$defs", "$comment", "$vocabulary", "title", "description", "default",
    "examples", "deprecated", "readOnly", "writeOnly", "type", "enum", "const", "multipleOf", "maximum",
    "exclusiveMaximum", "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "items", "prefixItems",
    "contains", "minContains", "maxContains", "maxItems", "minItems", "uniqueItems", "properties",
    "patternProperties", "additionalProperties", "propertyNames", "required", "dependentRequired",
    "dependentSchemas", "maxProperties", "minProperties", "allOf", "anyOf", "oneOf", "not", "if", "then", "else",
    "format", "x-rule", "x-severity", "x-message", "x-integer-literal", "x-rules", NULL};

static bool in_list(const json_node *m, const char *const *list)
{
    for (; *list; list++)
        if (is_key(m, *list))
            return true;
    return false;
}

static void index_schema(compiler *c, const json_node *n, const char *base, int depth);

static void index_sub(compiler *c, const json_node *n, const char *base, int depth)
{
    if (n->type == JSON_OBJECT || n->type == JSON_TRUE || n->type == JSON_FALSE)
        index_schema(c, n, base, depth + 1);
    else
        cfail(c, n, "a schema must be an object or a boolean");
}

static rx *compile_pattern(compiler *c, const json_node *at, const char *p, size_t len)
{
    rx_error err;
    rx *r = rx_compile(p, len, RX_ECMA, &err);
    if (!r)
        cfail(c, at, "invalid pattern: %s (at offset %zu)", err.msg, err.offset);
    return r;
}

/* An integral JSON number from 0 up (1.0 counts: the meta-schema's nonNegativeInteger). */
static bool non_negative_integer(const json_node *v)
{
    return v->type == JSON_NUMBER && json_num_is_integer(v->p, v->n) && ((const char *)v->p)[0] != '-';
}

static bool is_type_name(const json_node *v)
{
    static const char *const names[] = {"null", "boolean", "object", "array", "number", "string", "integer"};
    for (size_t i = 0; v->type == JSON_STRING && i < sizeof names / sizeof *names; i++)
        if (v->n == strlen(names[i]) && !memcmp(v->p, names[i], v->n))
            return true;
    return false;
}

/* An array of strings, none repeated (required, dependentRequired's lists). */
static bool unique_strings(const json_node *v)
{
    if (v->type != JSON_ARRAY)
        return false;
    for (const json_node *a = json_first(v); a; a = a->next) {
        if (a->type != JSON_STRING)
            return false;
        for (const json_node *b = json_first(v); b != a; b = b->next)
            if (b->n == a->n && !memcmp(b->p, a->p, a->n))
                return false;
    }
    return true;
}

/* x-rules: what the x-rule ids of a schema mean, {ID: {summary: TEXT, help: TEXT}}, for
 * SARIF's rule descriptions. */
static bool rule_catalog_ok(const json_node *m)
{
    if (m->type != JSON_OBJECT)
        return false;
    for (const json_node *r = json_first(m); r; r = r->next) {
        if (r->type != JSON_OBJECT)
            return false;
        for (const json_node *k = json_first(r); k; k = k->next)
            if (k->type != JSON_STRING || !(is_key(k, "summary") || is_key(k, "help")))
                return false;
    }
    return true;
}

/* The values the 2020-12 meta-schema allows for each keyword of schema object n: a
 * malformed value (minimum: "5", maxLength: -1, type: integr) is an error, never a check
 * quietly turned off. */
static void check_keyword_values(compiler *c, const json_node *n)
{
    static const char *const counts[] = {"maxLength", "minLength", "maxItems", "minItems", "maxProperties",
                                         "minProperties", "maxContains", "minContains", NULL};
    static const char *const bounds[] = {"maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", NULL};
    static const char *const flags[] = {"uniqueItems", "x-integer-literal", "deprecated", "readOnly", "writeOnly", NULL};
    static const char *const texts[] = {"format", "x-rule", "x-message", "title", "description", "$comment", NULL};
    for (const json_node *m = json_first(n); m && !c->failed; m = m->next) {
        int km = (int)m->key_len;
        if (in_list(m, counts) && !non_negative_integer(m))
            cfail(c, m, "'%.*s' must be an integer from 0 up", km, m->key);
        else if (in_list(m, bounds) && m->type != JSON_NUMBER)
            cfail(c, m, "'%.*s' must be a number", km, m->key);
        else if (in_list(m, flags) && m->type != JSON_TRUE && m->type != JSON_FALSE)
            cfail(c, m, "'%.*s' must be true or false", km, m->key);
        else if (in_list(m, texts) && m->type != JSON_STRING)
            cfail(c, m, "'%.*s' must be a string", km, m->key);
        else if (is_key(m, "multipleOf") &&
                 (m->type != JSON_NUMBER || json_num_cmp(m->p, m->n, "0", 1) <= 0))
            cfail(c, m, "'multipleOf' must be a number greater than 0");
        else if (is_key(m, "x-rules") && !rule_catalog_ok(m))
            cfail(c, m, "'x-rules' must map rule ids to {summary: TEXT, help: TEXT}");
        else if (is_key(m, "enum") && m->type != JSON_ARRAY)
            cfail(c, m, "'enum' must be an array");
        else if (is_key(m, "required") && !unique_strings(m))
            cfail(c, m, "'required' must be an array of distinct strings");
        else if (is_key(m, "x-severity") &&
                 !(m->type == JSON_STRING && (json_is_string(m, "error", 5) || json_is_string(m, "warning", 7) ||
                                              json_is_string(m, "note", 4))))
            cfail(c, m, "'x-severity' must be error, warning or note");
        else if (is_key(m, "type")) {
            bool ok = is_type_name(m);
            if (m->type == JSON_ARRAY) {
                ok = json_count(m) > 0 && unique_strings(m);
                for (const json_node *t = json_first(m); t && ok; t = t->next)
                    ok = is_type_name(t);
            }
            if (!ok)
                cfail(c, m, "'type' must be null, boolean, object, array, number, string or integer, or a list of them");
        } else if (is_key(m, "dependentRequired")) {
            bool ok = m->type == JSON_OBJECT;
            for (const json_node *k = ok ? json_first(m) : NULL; k && ok; k = k->next)
                ok = unique_strings(k);
            if (!ok)
                cfail(c, m, "'dependentRequired' must map names to arrays of distinct strings");
        }
    }
}

static void index_schema(compiler *c, const json_node *n, const char *base, int depth)
{
    if (c->failed || n->type != JSON_OBJECT)
        return;
    if (depth > MAX_DEPTH) {
        cfail(c, n, "schema nested too deeply");
        return;
    }
    buf here = BUF_INIT;
    json_node *id = member(n, "$id");
    if (id && id->type == JSON_STRING) {
        buf full = BUF_INIT, text = BUF_INIT;
        buf_add(&text, id->p, id->n);   /* string values need not be NUL-terminated */
        uri_resolve(base, text.data, &full);
        uri_split_fragment(full.data, &here);
        add_resource(c->s, here.data, n);
        buf_free(&full);
        buf_free(&text);
    } else {
        buf_puts(&here, base);
    }
    json_node *anchor = member(n, "$anchor");
    if (anchor && anchor->type == JSON_STRING) {
        buf a = BUF_INIT;
        size_t len;
        const char *t = json_text(anchor, &len);
        buf_printf(&a, "%s#%.*s", here.data, (int)len, t);
        add_resource(c->s, a.data, n);
        buf_free(&a);
    }
    kwtab *tab = arena_zalloc(&c->s->mem, sizeof *tab);
    for (const json_node *m = json_first(n); m; m = m->next)
        for (int k = 0; k < K_COUNT; k++)
            if (is_key(m, keyword_names[k])) {
                tab->k[k] = m;
                break;
            }
    pmap_put(&c->s->kw, n, tab);
    check_keyword_values(c, n);
    json_node *ref = member(n, "$ref");
    if (ref) {
        if (ref->type != JSON_STRING) {
            cfail(c, ref, "$ref must be a string");
        } else {
            c->ref_nodes = xrealloc(c->ref_nodes, (c->nrefs + 1) * sizeof *c->ref_nodes);
            c->ref_bases = xrealloc(c->ref_bases, (c->nrefs + 1) * sizeof *c->ref_bases);
            c->ref_nodes[c->nrefs] = n;
            c->ref_bases[c->nrefs] = xstrdup(here.data);
            c->nrefs++;
        }
    }
    for (const json_node *m = json_first(n); m && !c->failed; m = m->next) {
        if (in_list(m, single_kw)) {
            index_sub(c, m, here.data, depth);
        } else if (in_list(m, array_kw)) {
            if (m->type != JSON_ARRAY)
                cfail(c, m, "'%.*s' must be an array of schemas", (int)m->key_len, m->key);
            else
                for (const json_node *k = json_first(m); k; k = k->next)
                    index_sub(c, k, here.data, depth);
        } else if (in_list(m, object_kw)) {
            if (m->type != JSON_OBJECT) {
                cfail(c, m, "'%.*s' must be an object of schemas", (int)m->key_len, m->key);
                continue;
            }
            for (const json_node *k = json_first(m); k; k = k->next) {
                if (is_key(m, "patternProperties")) {
                    rx *r = compile_pattern(c, k, k->key, k->key_len);
                    if (r)
                        pmap_put(&c->s->regexes, k, r);
                }
                index_sub(c, k, here.data, depth);
            }
        } else if (is_key(m, "pattern")) {
            if (m->type != JSON_STRING) {
                cfail(c, m, "'pattern' must be a string");
            } else {
                rx *r = compile_pattern(c, m, m->p, m->n);
                if (r)
                    pmap_put(&c->s->regexes, m, r);
            }
        } else if (c->s->opts.strict && !in_list(m, known_kw) && !(m->key_len > 2 && !memcmp(m->key, "x-", 2))) {
            cfail(c, m, "unknown schema keyword '%.*s'", (int)m->key_len, m->key);
        }
    }
    buf_free(&here);
}

/* Decodes one JSON Pointer token of a URI fragment: %XX first, then ~1 and ~0. */
static void pointer_token(const char *s, size_t n, buf *dst)
{
    buf pct = BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '%' && i + 2 < n) {
            char hex[3] = {s[i + 1], s[i + 2], 0};
            char *end;
            long v = strtol(hex, &end, 16);
            if (end == hex + 2) {
                buf_putc(&pct, (char)v);
                i += 2;
                continue;
            }
        }
        buf_putc(&pct, s[i]);
    }
    for (size_t i = 0; i < pct.len; i++) {
        if (pct.data[i] == '~' && i + 1 < pct.len && (pct.data[i + 1] == '0' || pct.data[i + 1] == '1')) {
            buf_putc(dst, pct.data[i + 1] == '0' ? '~' : '/');
            i++;
        } else {
            buf_putc(dst, pct.data[i]);
        }
    }
    if (!dst->data)
        buf_reserve(dst, 0), dst->data[0] = '\0';
    buf_free(&pct);
}

static const json_node *walk_pointer(const json_node *n, const char *ptr)
{
    while (n && *ptr == '/') {
        const char *seg = ++ptr;
        while (*ptr && *ptr != '/')
            ptr++;
        buf tok = BUF_INIT;
        pointer_token(seg, (size_t)(ptr - seg), &tok);
        if (n->type == JSON_OBJECT) {
            n = json_get(n, tok.data, tok.len);
        } else if (n->type == JSON_ARRAY) {
            char *end;
            long i = strtol(tok.data, &end, 10);
            n = (*end || !tok.len || i < 0) ? NULL : json_at(n, (size_t)i);
        } else {
            n = NULL;
        }
        buf_free(&tok);
    }
    return n;
}

static void resolve_refs(compiler *c)
{
    for (size_t i = 0; i < c->nrefs && !c->failed; i++) {
        const json_node *holder = c->ref_nodes[i];
        json_node *ref = member(holder, "$ref");
        size_t len;
        const char *text = json_text(ref, &len);
        buf full = BUF_INIT, res = BUF_INIT, ctext = BUF_INIT;
        buf_add(&ctext, text, len);
        uri_resolve(c->ref_bases[i], ctext.data, &full);
        buf_free(&ctext);
        const char *frag = uri_split_fragment(full.data, &res);
        const json_node *target = NULL;
        const json_node *doc = find_resource(c->s, res.data);
        if (!*frag || *frag == '/') {
            target = doc ? walk_pointer(doc, frag) : NULL;
        } else {
            target = find_resource(c->s, full.data);
        }
        if (!target)
            cfail(c, ref, "cannot resolve $ref '%.*s' (only references inside this schema are supported)", (int)len,
                  text);
        else
            pmap_put(&c->s->refs, holder, (void *)target);
        buf_free(&full);
        buf_free(&res);
    }
}

schema *schema_compile(const json_node *root, const schema_opts *o, schema_error *err)
{
    schema *s = xcalloc(1, sizeof *s);
    s->root = root;
    arena_init(&s->mem);
    if (o)
        s->opts = *o;
    s->scratch = json_doc_new();
    compiler c = {s, err, false, NULL, NULL, 0};
    if (root->type != JSON_OBJECT && root->type != JSON_TRUE && root->type != JSON_FALSE)
        cfail(&c, root, "a schema must be an object or a boolean");
    json_node *id = member(root, "$id");
    if (!id)
        add_resource(s, "", root);
    index_schema(&c, root, "", 0);
    resolve_refs(&c);
    for (size_t i = 0; i < c.nrefs; i++)
        free(c.ref_bases[i]);
    free(c.ref_bases);
    free(c.ref_nodes);
    if (c.failed) {
        schema_free(s);
        return NULL;
    }
    return s;
}

void schema_free(schema *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->regexes.cap; i++)
        if (s->regexes.keys[i])
            rx_free(s->regexes.vals[i]);
    pmap_free(&s->regexes);
    pmap_free(&s->refs);
    pmap_free(&s->kw);
    arena_free(&s->mem);
    for (size_t i = 0; i < s->nres; i++)
        free(s->res[i].uri);
    free(s->res);
    json_doc_free(s->scratch);
    free(s);
}

void schema_result_free(schema_result *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].message);
    free(r->v);
    memset(r, 0, sizeof *r);
}

/* ---------------------------------------------------------------- validate */

typedef struct vctx {
    const schema *s;
    schema_result *out;     /* NULL while only asking "valid?" */
    int depth;
    bool too_deep;
    size_t *steps;          /* schema objects applied so far, shared by every nested context */
    size_t max_steps;
} vctx;

/* A bound on the work of one validation: a schema such as allOf: [{$ref: "#"}, {$ref: "#"}]
 * doubles its work at every level (2^256 before the depth limit). Real schemas apply a
 * few schema objects to each node; the bound allows 64 per node and a million more. */
#define STEPS_PER_NODE 64u
#define STEPS_BASE 1000000u

/* The number of nodes of a tree, without recursion. */
static size_t count_nodes(const json_node *top)
{
    size_t count = 0;
    for (const json_node *n = top; n; n = json_next_within(top, n))
        count++;
    return count;
}

static bool validate(vctx *v, const json_node *sch, const json_node *inst);

static const kwtab empty_tab;

/* The keyword table of a schema object (every object a validation reaches was indexed). */
static const kwtab *tab_of(const vctx *v, const json_node *sch)
{
    const kwtab *t = pmap_get(&v->s->kw, sch);
    return t ? t : &empty_tab;
}

#define KW(tb, id) ((json_node *)(tb)->k[(id)])

static void text_of(const json_node *n, buf *b)
{
    switch ((json_type)n->type) {
    case JSON_NULL: buf_puts(b, "null"); break;
    case JSON_TRUE: buf_puts(b, "true"); break;
    case JSON_FALSE: buf_puts(b, "false"); break;
    case JSON_NUMBER: buf_add(b, n->p, n->n); break;
    case JSON_STRING:
        buf_putc(b, '\'');
        quote_into(b, n->p, n->n, 60);
        buf_putc(b, '\'');
        break;
    case JSON_ARRAY: buf_puts(b, "an array"); break;
    case JSON_OBJECT: buf_puts(b, "an object"); break;
    }
}

static void violation(vctx *v, const json_node *where, const char *keyword, const json_node *inst, const char *fmt,
                      ...) __attribute__((format(printf, 5, 6)));
static void violation(vctx *v, const json_node *where, const char *keyword, const json_node *inst, const char *fmt,
                      ...)
{
    if (!v->out)
        return;
    schema_result *r = v->out;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 8;
        r->v = xrealloc(r->v, r->cap * sizeof *r->v);
    }
    schema_violation *x = &r->v[r->n++];
    x->instance = inst;
    x->where = where;
    x->keyword = keyword;
    x->rule = "schema";
    x->rule_len = 6;
    x->sev = SEV_ERROR;
    json_node *rule = member(where, "x-rule"), *sev = member(where, "x-severity"), *msg = member(where, "x-message");
    if (rule && rule->type == JSON_STRING)
        x->rule = rule->p, x->rule_len = rule->n;
    if (sev && sev->type == JSON_STRING)
        x->sev = json_is_string(sev, "warning", 7) ? SEV_WARNING : json_is_string(sev, "note", 4) ? SEV_NOTE : SEV_ERROR;
    buf b = BUF_INIT;
    if (msg && msg->type == JSON_STRING) {
        buf_add(&b, msg->p, msg->n);
    } else {
        va_list ap;
        va_start(ap, fmt);
        char tmp[400];
        vsnprintf(tmp, sizeof tmp, fmt, ap);
        va_end(ap);
        buf_puts(&b, tmp);
    }
    x->message = buf_detach(&b, NULL);
}

static bool number_kw(const json_node *k)
{
    return k && k->type == JSON_NUMBER;
}

static int numcmp(const json_node *a, const json_node *b)
{
    return json_num_cmp(a->p, a->n, b->p, b->n);
}

static bool type_matches(const json_node *inst, const char *t, size_t len)
{
#define T(s) (len == strlen(s) && !memcmp(t, s, len))
    switch ((json_type)inst->type) {
    case JSON_NULL: return T("null");
    case JSON_TRUE:
    case JSON_FALSE: return T("boolean");
    case JSON_NUMBER: return T("number") || (T("integer") && json_num_is_integer(inst->p, inst->n));
    case JSON_STRING: return T("string");
    case JSON_ARRAY: return T("array");
    case JSON_OBJECT: return T("object");
    }
    return false;
#undef T
}

static const char *inst_type(const json_node *inst)
{
    if (inst->type == JSON_NUMBER && json_num_is_integer(inst->p, inst->n))
        return "integer";
    return json_type_name((json_type)inst->type);
}

/* The exponent part of number text at s[0..n) (after 'e'), clamped far beyond any
 * mantissa's reach so that it can be added to without overflow. */
static long long exponent_of(const char *s, size_t n)
{
    const long long cap = LLONG_MAX / 4;    /* differences of two stay within long long */
    size_t i = 0;
    bool neg = false;
    if (i < n && (s[i] == '-' || s[i] == '+'))
        neg = s[i] == '-', i++;
    long long e = 0;
    for (; i < n && e < cap; i++)
        e = e * 10 + (s[i] - '0');
    if (e > cap)
        e = cap;
    return neg ? -e : e;
}

/* Splits number text into its digits (sign, point and exponent left out) and a decimal
 * exponent, so that the value is digits x 10^exp10; trailing zeros of the digits are
 * moved into the exponent. */
static void digits_of(const char *s, size_t n, const char **digits, size_t *ndigits, long long *exp10, buf *tmp)
{
    size_t i = s[0] == '-' ? 1 : 0;
    long long e = 0;
    bool frac = false;
    buf_clear(tmp);
    for (; i < n && s[i] != 'e' && s[i] != 'E'; i++) {
        if (s[i] == '.') {
            frac = true;
            continue;
        }
        if (tmp->len || s[i] != '0')
            buf_putc(tmp, s[i]);
        if (frac)
            e--;
    }
    if (i < n)
        e += exponent_of(s + i + 1, n - i - 1);
    while (tmp->len && tmp->data[tmp->len - 1] == '0')
        tmp->len--, e++;
    *digits = tmp->data ? tmp->data : "";
    *ndigits = tmp->len;
    *exp10 = e;
}

/* x mod m for a decimal digit string of any length. */
static unsigned long long digits_mod(const char *d, size_t n, unsigned long long m)
{
    tk_u128 r = 0;
    for (size_t i = 0; i < n; i++)
        r = (r * 10 + (unsigned)(d[i] - '0')) % m;
    return (unsigned long long)r;
}

/* 10^e mod m, for e from 0 up. */
static unsigned long long pow10_mod(long long e, unsigned long long m)
{
    tk_u128 acc = 1 % m, p = 10 % m;
    for (; e > 0; e >>= 1) {
        if (e & 1)
            acc = acc * p % m;
        p = p * p % m;
    }
    return (unsigned long long)acc;
}

/* Exact "a is a multiple of b" on decimal numbers of any size, with b's digits fitting
 * 19 decimal places (every multipleOf a schema uses); doubles only beyond that. a is
 * Da x 10^ea and b is Db x 10^eb with no trailing zeros in Da and Db: when ea >= eb,
 * b | a exactly when Db | Da x 10^(ea-eb); when ea < eb, Db x 10^(eb-ea) would have to
 * divide Da, which has no factor 10. */
static bool multiple_of(const json_node *a, const json_node *b)
{
    buf ta = BUF_INIT, tb = BUF_INIT;
    const char *da, *db;
    size_t na, nb;
    long long ea, eb;
    digits_of(a->p, a->n, &da, &na, &ea, &ta);
    digits_of(b->p, b->n, &db, &nb, &eb, &tb);
    bool r;
    if (!na) {
        r = true;       /* 0 is a multiple of anything */
    } else if (!nb) {
        r = false;
    } else if (nb > 19) {
        double x = json_num_to_double(a->p, a->n), y = json_num_to_double(b->p, b->n), q = x / y;
        r = isfinite(q) && q == floor(q);
    } else {
        unsigned long long mb = 0;
        for (size_t i = 0; i < nb; i++)
            mb = mb * 10 + (unsigned)(db[i] - '0');
        if (ea < eb)
            r = false;
        else
            r = (tk_u128)digits_mod(da, na, mb) * pow10_mod(ea - eb, mb) % mb == 0;
    }
    buf_free(&ta);
    buf_free(&tb);
    return r;
}

static bool format_ok(const char *fmt, size_t flen, const json_node *inst);

/* A string node for a member name, for propertyNames. */
static const json_node *name_node(vctx *v, const json_node *m)
{
    return json_new_string(v->s->scratch, m->key, m->key_len);
}

static bool pattern_matches(const vctx *v, const json_node *key_node, const json_node *inst)
{
    rx *r = pmap_get(&v->s->regexes, key_node);
    return r && rx_match(r, inst->p, inst->n) == RX_MATCH;
}

static bool validate_object(vctx *v, const json_node *sch, const json_node *inst)
{
    const kwtab *t = tab_of(v, sch);
    bool ok = true;
    json_node *props = KW(t, K_PROPERTIES), *pprops = KW(t, K_PATTERNPROPERTIES);
    json_node *addl = KW(t, K_ADDITIONALPROPERTIES);
    for (const json_node *m = json_first(inst); m; m = m->next) {
        bool matched = false;
        json_node *p = props ? json_get(props, m->key, m->key_len) : NULL;
        if (p) {
            matched = true;
            ok &= validate(v, p, m);
        }
        for (const json_node *pp = pprops ? json_first(pprops) : NULL; pp; pp = pp->next) {
            rx *r = pmap_get(&v->s->regexes, pp);
            if (r && rx_match(r, m->key, m->key_len) == RX_MATCH) {
                matched = true;
                ok &= validate(v, pp, m);
            }
        }
        if (!matched && addl) {
            if (addl->type == JSON_FALSE) {
                buf q = BUF_INIT;
                quote_into(&q, m->key, m->key_len, 60);
                violation(v, sch, "additionalProperties", m, "unknown member '%s'", q.data ? q.data : "");
                buf_free(&q);
                ok = false;
            } else {
                ok &= validate(v, addl, m);
            }
        }
        if (!ok && !v->out)
            return false;
    }
    json_node *req = KW(t, K_REQUIRED);
    for (const json_node *r = req && req->type == JSON_ARRAY ? json_first(req) : NULL; r; r = r->next)
        if (r->type == JSON_STRING && !json_get(inst, r->p, r->n)) {
            buf q = BUF_INIT;
            quote_into(&q, r->p, r->n, 60);
            violation(v, sch, "required", inst, "missing required member '%s'", q.data ? q.data : "");
            buf_free(&q);
            ok = false;
        }
    json_node *dreq = KW(t, K_DEPENDENTREQUIRED);
    for (const json_node *d = dreq && dreq->type == JSON_OBJECT ? json_first(dreq) : NULL; d; d = d->next) {
        if (!json_get(inst, d->key, d->key_len) || d->type != JSON_ARRAY)
            continue;
        for (const json_node *r = json_first(d); r; r = r->next)
            if (r->type == JSON_STRING && !json_get(inst, r->p, r->n)) {
                violation(v, sch, "dependentRequired", inst, "'%.*s' needs '%.*s' as well", (int)d->key_len, d->key,
                          (int)r->n, (const char *)r->p);
                ok = false;
            }
    }
    json_node *dsch = KW(t, K_DEPENDENTSCHEMAS);
    for (const json_node *d = dsch && dsch->type == JSON_OBJECT ? json_first(dsch) : NULL; d; d = d->next)
        if (json_get(inst, d->key, d->key_len))
            ok &= validate(v, d, inst);
    json_node *pn = KW(t, K_PROPERTYNAMES);
    if (pn)
        for (const json_node *m = json_first(inst); m; m = m->next) {
            vctx quiet = {v->s, NULL, v->depth, false, v->steps, v->max_steps};
            if (!validate(&quiet, pn, name_node(v, m))) {
                buf q = BUF_INIT;
                quote_into(&q, m->key, m->key_len, 60);
                violation(v, pn->type == JSON_OBJECT ? pn : sch, "propertyNames", m, "member name '%s' is not allowed",
                          q.data ? q.data : "");
                buf_free(&q);
                ok = false;
            }
        }
    json_node *k;
    size_t count = json_count(inst);
    if (number_kw(k = KW(t, K_MAXPROPERTIES)) && json_num_cmp(k->p, k->n, "0", 1) >= 0) {
        char c[32];
        int n = snprintf(c, sizeof c, "%zu", count);
        if (json_num_cmp(c, (size_t)n, k->p, k->n) > 0)
            violation(v, sch, "maxProperties", inst, "at most %.*s members allowed, found %zu", (int)k->n,
                      (const char *)k->p, count), ok = false;
    }
    if (number_kw(k = KW(t, K_MINPROPERTIES))) {
        char c[32];
        int n = snprintf(c, sizeof c, "%zu", count);
        if (json_num_cmp(c, (size_t)n, k->p, k->n) < 0)
            violation(v, sch, "minProperties", inst, "at least %.*s members needed, found %zu", (int)k->n,
                      (const char *)k->p, count), ok = false;
    }
    return ok;
}

static bool count_cmp(size_t count, const json_node *k, int want_sign)
{
    char c[32];
    int n = snprintf(c, sizeof c, "%zu", count);
    int r = json_num_cmp(c, (size_t)n, k->p, k->n);
    return want_sign < 0 ? r < 0 : r > 0;
}

static bool validate_array(vctx *v, const json_node *sch, const json_node *inst)
{
    const kwtab *t = tab_of(v, sch);
    bool ok = true;
    json_node *prefix = KW(t, K_PREFIXITEMS), *items = KW(t, K_ITEMS);
    size_t nprefix = prefix && prefix->type == JSON_ARRAY ? json_count(prefix) : 0;
    const json_node *p = nprefix ? json_first(prefix) : NULL;
    size_t i = 0;
    for (const json_node *e = json_first(inst); e; e = e->next, i++) {
        if (i < nprefix) {
            ok &= validate(v, p, e);
            p = p->next;
        } else if (items) {
            if (items->type == JSON_FALSE) {
                violation(v, sch, "items", e, "no element allowed at index %zu", i);
                ok = false;
            } else {
                ok &= validate(v, items, e);
            }
        }
        if (!ok && !v->out)
            return false;
    }
    size_t count = json_count(inst);
    json_node *k;
    if (number_kw(k = KW(t, K_MAXITEMS)) && count_cmp(count, k, 1))
        violation(v, sch, "maxItems", inst, "at most %.*s elements allowed, found %zu", (int)k->n, (const char *)k->p,
                  count), ok = false;
    if (number_kw(k = KW(t, K_MINITEMS)) && count_cmp(count, k, -1))
        violation(v, sch, "minItems", inst, "at least %.*s elements needed, found %zu", (int)k->n, (const char *)k->p,
                  count), ok = false;
    k = KW(t, K_UNIQUEITEMS);
    if (k && k->type == JSON_TRUE) {
        size_t a = 0;
        for (const json_node *x = json_first(inst); x; x = x->next, a++) {
            size_t b = a + 1;
            for (const json_node *y = x->next; y; y = y->next, b++)
                if (json_equal(x, y)) {
                    violation(v, sch, "uniqueItems", y, "element %zu repeats element %zu", b, a);
                    ok = false;
                    goto unique_done;
                }
        }
    unique_done:;
    }
    json_node *contains = KW(t, K_CONTAINS);
    if (contains) {
        size_t matches = 0;
        for (const json_node *e = json_first(inst); e; e = e->next) {
            vctx quiet = {v->s, NULL, v->depth, false, v->steps, v->max_steps};
            matches += validate(&quiet, contains, e);
        }
        json_node *minc = KW(t, K_MINCONTAINS), *maxc = KW(t, K_MAXCONTAINS);
        bool too_few = number_kw(minc) ? count_cmp(matches, minc, -1) : matches == 0;
        if (too_few) {
            violation(v, contains->type == JSON_OBJECT ? contains : sch, "contains", inst,
                      "too few elements match the 'contains' schema (%zu)", matches);
            ok = false;
        }
        if (number_kw(maxc) && count_cmp(matches, maxc, 1)) {
            violation(v, sch, "maxContains", inst, "at most %.*s elements may match 'contains', found %zu",
                      (int)maxc->n, (const char *)maxc->p, matches);
            ok = false;
        }
    }
    return ok;
}

static bool validate_scalar(vctx *v, const json_node *sch, const json_node *inst)
{
    const kwtab *t = tab_of(v, sch);
    bool ok = true;
    json_node *k;
    if (inst->type == JSON_NUMBER) {
        if (number_kw(k = KW(t, K_MAXIMUM)) && numcmp(inst, k) > 0)
            violation(v, sch, "maximum", inst, "must be at most %.*s, got %.*s", (int)k->n, (const char *)k->p,
                      (int)inst->n, (const char *)inst->p), ok = false;
        if (number_kw(k = KW(t, K_MINIMUM)) && numcmp(inst, k) < 0)
            violation(v, sch, "minimum", inst, "must be at least %.*s, got %.*s", (int)k->n, (const char *)k->p,
                      (int)inst->n, (const char *)inst->p), ok = false;
        if (number_kw(k = KW(t, K_EXCLUSIVEMAXIMUM)) && numcmp(inst, k) >= 0)
            violation(v, sch, "exclusiveMaximum", inst, "must be less than %.*s, got %.*s", (int)k->n,
                      (const char *)k->p, (int)inst->n, (const char *)inst->p), ok = false;
        if (number_kw(k = KW(t, K_EXCLUSIVEMINIMUM)) && numcmp(inst, k) <= 0)
            violation(v, sch, "exclusiveMinimum", inst, "must be more than %.*s, got %.*s", (int)k->n,
                      (const char *)k->p, (int)inst->n, (const char *)inst->p), ok = false;
        if ((k = KW(t, K_XINTEGERLITERAL)) && k->type == JSON_TRUE &&
            (memchr(inst->p, '.', inst->n) || memchr(inst->p, 'e', inst->n) || memchr(inst->p, 'E', inst->n)))
            violation(v, sch, "x-integer-literal", inst, "must be written as an integer, got %.*s", (int)inst->n,
                      (const char *)inst->p), ok = false;
        if (number_kw(k = KW(t, K_MULTIPLEOF)) && !multiple_of(inst, k))
            violation(v, sch, "multipleOf", inst, "must be a multiple of %.*s", (int)k->n, (const char *)k->p),
                ok = false;
    } else if (inst->type == JSON_STRING) {
        size_t chars = utf8_count(inst->p, inst->n);
        if (number_kw(k = KW(t, K_MAXLENGTH)) && count_cmp(chars, k, 1))
            violation(v, sch, "maxLength", inst, "at most %.*s characters allowed, found %zu", (int)k->n,
                      (const char *)k->p, chars), ok = false;
        if (number_kw(k = KW(t, K_MINLENGTH)) && count_cmp(chars, k, -1))
            violation(v, sch, "minLength", inst, "at least %.*s characters needed, found %zu", (int)k->n,
                      (const char *)k->p, chars), ok = false;
        if ((k = KW(t, K_PATTERN)) && k->type == JSON_STRING && !pattern_matches(v, k, inst)) {
            buf q = BUF_INIT;
            quote_into(&q, k->p, k->n, 80);
            violation(v, sch, "pattern", inst, "does not match the pattern '%s'", q.data ? q.data : "");
            buf_free(&q);
            ok = false;
        }
        if (v->s->opts.format_assert && (k = KW(t, K_FORMAT)) && k->type == JSON_STRING &&
            !format_ok(k->p, k->n, inst))
            violation(v, sch, "format", inst, "is not a valid %.*s", (int)k->n, (const char *)k->p), ok = false;
    }
    return ok;
}

static bool validate(vctx *v, const json_node *sch, const json_node *inst)
{
    if (sch->type == JSON_TRUE)
        return true;
    if (sch->type == JSON_FALSE) {
        violation(v, sch->parent && sch->parent->type == JSON_OBJECT ? sch->parent : sch, "false", inst,
                  "no value is allowed here");
        return false;
    }
    if (sch->type != JSON_OBJECT)
        return true;
    if (++v->depth > MAX_DEPTH) {
        v->too_deep = true;
        v->depth--;
        violation(v, sch, "$ref", inst, "schema references nest deeper than %d levels", MAX_DEPTH);
        return false;
    }
    if (++*v->steps > v->max_steps) {
        v->too_deep = true;
        v->depth--;
        if (*v->steps == v->max_steps + 1)
            violation(v, sch, "$ref", inst, "schema evaluation stopped after %zu steps (a schema that refers to itself "
                                            "more than once per level?)", v->max_steps);
        return false;
    }
    bool ok = true;
    json_node *k;
    const kwtab *t = tab_of(v, sch);
    const json_node *target = pmap_get(&v->s->refs, sch);
    if (target)
        ok &= validate(v, target, inst);
    if ((k = KW(t, K_TYPE))) {
        bool match = false;
        buf want = BUF_INIT;
        if (k->type == JSON_STRING) {
            match = type_matches(inst, k->p, k->n);
            buf_add(&want, k->p, k->n);
        } else if (k->type == JSON_ARRAY) {
            for (const json_node *ty = json_first(k); ty; ty = ty->next)
                if (ty->type == JSON_STRING) {
                    match |= type_matches(inst, ty->p, ty->n);
                    buf_printf(&want, "%s%.*s", want.len ? " or " : "", (int)ty->n, (const char *)ty->p);
                }
        }
        if (!match) {
            violation(v, sch, "type", inst, "expected %s, got %s", want.data ? want.data : "?", inst_type(inst));
            ok = false;
        }
        buf_free(&want);
    }
    if ((k = KW(t, K_ENUM)) && k->type == JSON_ARRAY) {
        bool any = false;
        buf list = BUF_INIT;
        for (const json_node *e = json_first(k); e && !any; e = e->next) {
            any = json_equal(e, inst);
            if (list.len < 200) {
                if (list.len)
                    buf_puts(&list, ", ");
                text_of(e, &list);
            }
        }
        if (!any) {
            buf got = BUF_INIT;
            text_of(inst, &got);
            violation(v, sch, "enum", inst, "must be one of %s; got %s", list.data ? list.data : "(nothing)", got.data);
            buf_free(&got);
            ok = false;
        }
        buf_free(&list);
    }
    if ((k = KW(t, K_CONST)) && !json_equal(k, inst)) {
        buf want = BUF_INIT;
        text_of(k, &want);
        violation(v, sch, "const", inst, "must be %s", want.data);
        buf_free(&want);
        ok = false;
    }
    if (inst->type == JSON_OBJECT)
        ok &= validate_object(v, sch, inst);
    else if (inst->type == JSON_ARRAY)
        ok &= validate_array(v, sch, inst);
    else
        ok &= validate_scalar(v, sch, inst);
    if ((k = KW(t, K_ALLOF)) && k->type == JSON_ARRAY)
        for (const json_node *s = json_first(k); s; s = s->next)
            ok &= validate(v, s, inst);
    if ((k = KW(t, K_ANYOF)) && k->type == JSON_ARRAY) {
        bool any = false;
        for (const json_node *s = json_first(k); s && !any; s = s->next) {
            vctx quiet = {v->s, NULL, v->depth, false, v->steps, v->max_steps};
            any = validate(&quiet, s, inst);
        }
        if (!any) {
            violation(v, sch, "anyOf", inst, "matches none of the allowed forms (anyOf)");
            ok = false;
        }
    }
    if ((k = KW(t, K_ONEOF)) && k->type == JSON_ARRAY) {
        size_t hits = 0;
        for (const json_node *s = json_first(k); s; s = s->next) {
            vctx quiet = {v->s, NULL, v->depth, false, v->steps, v->max_steps};
            hits += validate(&quiet, s, inst);
        }
        if (hits != 1) {
            violation(v, sch, "oneOf", inst, hits ? "matches %zu of the forms, exactly one is allowed (oneOf)"
                                                  : "matches none of the allowed forms (oneOf)%.0zu", hits);
            ok = false;
        }
    }
    if ((k = KW(t, K_NOT))) {
        vctx quiet = {v->s, NULL, v->depth, false, v->steps, v->max_steps};
        if (validate(&quiet, k, inst)) {
            violation(v, sch, "not", inst, "matches a form that is not allowed (not)");
            ok = false;
        }
    }
    if ((k = KW(t, K_IF))) {
        vctx quiet = {v->s, NULL, v->depth, false, v->steps, v->max_steps};
        json_node *branch = validate(&quiet, k, inst) ? KW(t, K_THEN) : KW(t, K_ELSE);
        if (branch)
            ok &= validate(v, branch, inst);
    }
    v->depth--;
    return ok;
}

bool schema_validate(const schema *s, const json_node *instance, schema_result *res)
{
    size_t steps = 0;
    vctx v = {s, res, 0, false, &steps, STEPS_BASE + STEPS_PER_NODE * count_nodes(instance)};
    return validate(&v, s->root, instance);
}

/* ---------------------------------------------------------------- formats */

static bool ipv4_ok(const char *s, size_t n)
{
    int parts = 0;
    size_t i = 0;
    while (i <= n) {
        size_t start = i;
        int val = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9') {
            val = val * 10 + (s[i] - '0');
            if (val > 255 || i - start > 2)
                return false;
            i++;
        }
        if (i == start || (i - start > 1 && s[start] == '0'))
            return false;
        parts++;
        if (i == n)
            break;
        if (s[i] != '.' || parts == 4)
            return false;
        i++;
    }
    return parts == 4;
}

static bool ipv6_ok(const char *s, size_t n)
{
    int groups = 0;
    bool gap = false;
    size_t i = 0;
    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = true;
        i = 2;
        if (i == n)
            return true;
    } else if (n && s[0] == ':') {
        return false;
    }
    while (i < n) {
        size_t start = i;
        while (i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
            i++;
        if (i < n && s[i] == '.') {
            /* trailing dotted IPv4 counts for two groups */
            if (!ipv4_ok(s + start, n - start))
                return false;
            groups += 2;
            i = n;
            break;
        }
        if (i == start || i - start > 4)
            return false;
        groups++;
        if (i == n)
            break;
        if (s[i] != ':')
            return false;
        i++;
        if (i < n && s[i] == ':') {
            if (gap)
                return false;
            gap = true;
            i++;
            if (i == n)
                break;
        } else if (i == n) {
            return false;
        }
    }
    return gap ? groups < 8 : groups == 8;
}

static bool format_ok(const char *fmt, size_t flen, const json_node *inst)
{
    const char *s = inst->p;
    size_t n = inst->n;
    if (flen == 4 && !memcmp(fmt, "ipv4", 4))
        return ipv4_ok(s, n);
    if (flen == 4 && !memcmp(fmt, "ipv6", 4))
        return ipv6_ok(s, n);
    if (flen == 5 && !memcmp(fmt, "regex", 5)) {
        rx_error err;
        rx *r = rx_compile(s, n, 0, &err);
        rx_free(r);
        return r != NULL;
    }
    return true;    /* other formats are annotations */
}
