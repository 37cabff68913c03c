#include "query/jsonpatch.h"
#include "base/buf.h"
#include "base/oom.h"
#include "base/quote.h"
#include "json/keyset.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(jpatch_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(jpatch_error *err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return -1;
}

/* One decoded reference token of a JSON Pointer. */
typedef struct token {
    char *s;
    size_t len;
} token;

/* Splits a pointer into decoded tokens; returns the count, or -1 on a bad pointer. */
static long split_pointer(const char *p, size_t len, token **out, jpatch_error *err)
{
    *out = NULL;
    if (len == 0)
        return 0;
    if (p[0] != '/')
        return fail(err, "JSON Pointer must be empty or start with '/'");
    long n = 0;
    token *v = NULL;
    size_t i = 1;
    for (;;) {
        buf b = BUF_INIT;
        while (i < len && p[i] != '/') {
            if (p[i] == '~') {
                if (i + 1 >= len || (p[i + 1] != '0' && p[i + 1] != '1')) {
                    buf_free(&b);
                    for (long k = 0; k < n; k++)
                        free(v[k].s);
                    free(v);
                    return fail(err, "invalid escape in JSON Pointer: '~' must be followed by 0 or 1");
                }
                buf_putc(&b, p[i + 1] == '0' ? '~' : '/');
                i += 2;
            } else {
                buf_putc(&b, p[i++]);
            }
        }
        v = xrealloc(v, (size_t)(n + 1) * sizeof *v);
        v[n].len = b.len;
        v[n].s = buf_detach(&b, NULL);
        n++;
        if (i >= len)
            break;
        i++;    /* '/' */
    }
    *out = v;
    return n;
}

static void free_tokens(token *t, long n)
{
    for (long i = 0; i < n; i++)
        free(t[i].s);
    free(t);
}

/* Parses an array index token: digits without leading zeros; returns -1 if it is not one. */
static long long array_index(const token *t)
{
    if (t->len == 0 || t->len > 15 || (t->len > 1 && t->s[0] == '0'))
        return -1;
    long long v = 0;
    for (size_t i = 0; i < t->len; i++) {
        if (t->s[i] < '0' || t->s[i] > '9')
            return -1;
        v = v * 10 + (t->s[i] - '0');
    }
    return v;
}

/* The member names of one large object, for the length of one patch: n operations adding
 * members to one object would otherwise scan it n times (bench (h), "a patch of n copy
 * operations"). A record's 'at' is the member node. Every member this file adds to the
 * indexed object is recorded, so a name not found is absent; a record whose node has
 * left the object or changed its name (remove, replace, move) drops the index. */
typedef struct member_index {
    const json_node *obj;       /* the object indexed, or NULL */
    keyset names;
} member_index;

enum { INDEX_FROM = 64 };       /* smaller objects are scanned: cheaper than hashing */

static void index_drop(member_index *ix)
{
    if (ix->obj)
        keyset_free(&ix->names);
    ix->obj = NULL;
}

static void index_build(member_index *ix, const json_node *obj)
{
    index_drop(ix);
    keyset_init(&ix->names, false);
    keyset_push(&ix->names);
    /* From the last member back: of repeated names the last is the one json_get finds. */
    const json_node *first = json_first(obj);
    for (const json_node *m = first ? json_last(obj) : NULL; m; m = m == first ? NULL : m->prev)
        (void)keyset_add(&ix->names, m->key, m->key_len, (size_t)(uintptr_t)m);
    ix->obj = obj;
}

/* json_get(obj, key, len), through the index when obj is large. */
static json_node *member(member_index *ix, const json_node *obj, const char *key, size_t len)
{
    if (json_count(obj) < INDEX_FROM)
        return json_get(obj, key, len);
    if (ix->obj != obj)
        index_build(ix, obj);
    const keyrec *r = keyset_find(&ix->names, key, len);
    if (!r)
        return NULL;
    json_node *m = (json_node *)(uintptr_t)r->at;
    if (m->parent == obj && m->key_len == len && !memcmp(m->key, key, len))
        return m;
    index_drop(ix);
    return json_get(obj, key, len);
}

/* Appends value to obj under key, recording it when obj is the indexed object. */
static void append_member(json_doc *doc, member_index *ix, json_node *obj, const char *key, size_t len,
                          json_node *value)
{
    json_append(doc, obj, key, len, value);
    if (ix->obj == obj)
        (void)keyset_add(&ix->names, value->key, value->key_len, (size_t)(uintptr_t)value);
}

/* Walks tokens [0, n) from target; returns the node or NULL. */
static json_node *walk(member_index *ix, json_node *target, const token *t, long n)
{
    json_node *cur = target;
    for (long i = 0; i < n && cur; i++) {
        if (cur->type == JSON_OBJECT) {
            cur = member(ix, cur, t[i].s, t[i].len);
        } else if (cur->type == JSON_ARRAY) {
            long long k = array_index(&t[i]);
            cur = k < 0 ? NULL : json_at(cur, (size_t)k);
        } else {
            cur = NULL;
        }
    }
    return cur;
}

static const char *member_str(const json_node *op, const char *name, size_t *len)
{
    json_node *m = json_get(op, name, strlen(name));
    if (!m || m->type != JSON_STRING)
        return NULL;
    return json_text(m, len);
}

/* Puts value at pointer tokens t[0..n) of *target (the "add" operation). */
static int add_at(json_doc *doc, member_index *ix, json_node **target, const token *t, long n, json_node *value, jpatch_error *err)
{
    if (n == 0) {
        json_replace(*target, value);
        *target = value;
        return 0;
    }
    json_node *parent = walk(ix, *target, t, n - 1);
    if (!parent)
        return fail(err, "the parent of the target location does not exist");
    const token *last = &t[n - 1];
    if (parent->type == JSON_OBJECT) {
        json_node *old = member(ix, parent, last->s, last->len);
        if (old)
            json_replace(old, value);
        else
            append_member(doc, ix, parent, last->s, last->len, value);
        return 0;
    }
    if (parent->type != JSON_ARRAY)
        return fail(err, "the parent of the target location is not an object or array");
    if (last->len == 1 && last->s[0] == '-') {
        json_append(doc, parent, NULL, 0, value);
        return 0;
    }
    long long k = array_index(last);
    if (k < 0 || (size_t)k > json_count(parent))
        return fail(err, "array index out of range or malformed");
    json_insert(doc, parent, json_at(parent, (size_t)k), NULL, 0, value);
    return 0;
}

static int apply_one(json_doc *doc, member_index *ix, json_node **target, const json_node *op, jpatch_error *err)
{
    if (!op || op->type != JSON_OBJECT)
        return fail(err, "an operation must be an object");
    size_t oplen, plen, flen = 0;
    const char *name = member_str(op, "op", &oplen);
    if (!name)
        return fail(err, "operation without a string \"op\" member");
    const char *ptr = member_str(op, "path", &plen);
    if (!ptr)
        return fail(err, "operation without a string \"path\" member");
    token *t;
    long n = split_pointer(ptr, plen, &t, err);
    if (n < 0)
        return -1;
    json_node *value = json_get(op, "value", 5);
    int rc = 0;
#define IS(s) (oplen == strlen(s) && !memcmp(name, s, oplen))
    if (IS("add") || IS("replace") || IS("test")) {
        if (!value) {
            rc = fail(err, "\"%.*s\" needs a \"value\" member", (int)oplen, name);
        } else if (IS("test")) {
            json_node *cur = walk(ix, *target, t, n);
            if (!cur)
                rc = fail(err, "test: the target location does not exist");
            else if (!json_equal(cur, value))
                rc = fail(err, "test failed: the value differs");
        } else if (IS("replace")) {
            json_node *cur = walk(ix, *target, t, n);
            if (!cur) {
                rc = fail(err, "replace: the target location does not exist");
            } else {
                json_node *v = json_clone(doc, value);
                json_replace(cur, v);
                if (cur == *target)
                    *target = v;
            }
        } else {
            rc = add_at(doc, ix, target, t, n, json_clone(doc, value), err);
        }
    } else if (IS("remove")) {
        json_node *cur = walk(ix, *target, t, n);
        if (!cur)
            rc = fail(err, "remove: the target location does not exist");
        else if (n == 0)
            rc = fail(err, "remove: cannot remove the whole target");
        else
            json_remove(cur);
    } else if (IS("move") || IS("copy")) {
        const char *from = member_str(op, "from", &flen);
        token *ft = NULL;
        long fn = from ? split_pointer(from, flen, &ft, err) : -1;
        if (!from) {
            rc = fail(err, "\"%.*s\" needs a string \"from\" member", (int)oplen, name);
        } else if (fn < 0) {
            rc = -1;
        } else {
            json_node *src = walk(ix, *target, ft, fn);
            if (!src) {
                rc = fail(err, "%.*s: the \"from\" location does not exist", (int)oplen, name);
            } else if (IS("copy")) {
                rc = add_at(doc, ix, target, t, n, json_clone(doc, src), err);
            } else if (flen == plen && !memcmp(from, ptr, plen)) {
                rc = 0; /* moving a value onto itself changes nothing */
            } else if (plen > flen && !memcmp(from, ptr, flen) && ptr[flen] == '/') {
                rc = fail(err, "move: a value cannot be moved into one of its own children");
            } else if (fn == 0) {
                rc = fail(err, "move: cannot move the whole target");
            } else {
                json_remove(src);
                rc = add_at(doc, ix, target, t, n, src, err);
            }
        }
        free_tokens(ft, fn);
    } else {
        buf q = BUF_INIT;
        quote_into(&q, name, oplen, 32);
        rc = fail(err, "unknown operation '%s' (add, remove, replace, move, copy, test)", q.data ? q.data : "");
        buf_free(&q);
    }
#undef IS
    free_tokens(t, n);
    return rc;
}

int jpatch_apply(json_doc *doc, json_node **target, const json_node *ops, jpatch_error *err)
{
    err->op_index = 0;
    err->op = ops;
    if (!ops || ops->type != JSON_ARRAY)
        return fail(err, "a patch must be an array of operations");
    size_t i = 0;
    /* Each copy can double the document: after every operation the document's memory
     * must stay within 16 times its input and 256 MiB more (40 copies would need GiBs). */
    size_t limit = 16 * doc->src_len + ((size_t)256 << 20);
    member_index ix = {0};
    for (json_node *op = json_first(ops); op; op = op->next, i++) {
        int rc = apply_one(doc, &ix, target, op, err);
        if (rc == 0 && doc->mem.total > limit)
            rc = fail(err, "the document would grow past %zu MiB", limit >> 20);
        if (rc < 0) {
            err->op_index = i;
            err->op = op;
            index_drop(&ix);
            return -1;
        }
    }
    index_drop(&ix);
    return 0;
}
