/* Accessors, equality and edits of the document tree. */
#include "json/json.h"
#include "base/ascii.h"
#include "json/json_num.h"
#include <string.h>

size_t json_key_offset(const json_doc *doc, const json_node *m)
{
    if (!m->key || (m->flags & JF_KEY_NEW))
        return JSON_NOPOS;
    if (m->flags & JF_KEY_ESCAPED)
        return ((const size_t *)(const void *)m->key)[-1];
    return (size_t)(m->key - doc->src) - 1;
}

size_t json_report_offset(const json_doc *doc, const json_node *n)
{
    for (; n; n = n->parent) {
        size_t k = json_key_offset(doc, n);
        if (k != JSON_NOPOS)
            return k;
        if (n->start != JSON_NOPOS && !(n->flags & JF_SYNTH))
            return n->start;
    }
    return 0;
}

size_t json_string_token_end(const char *src, size_t len, size_t pos)
{
    size_t i = pos + 1;
    while (i < len && src[i] != '"')
        i += src[i] == '\\' ? 2 : 1;
    return i < len ? i + 1 : len;
}

size_t json_value_token_end(const char *src, size_t len, size_t pos)
{
    if (pos >= len)
        return len;
    if (src[pos] == '"')
        return json_string_token_end(src, len, pos);
    if (src[pos] != '[' && src[pos] != '{') {
        size_t i = pos;
        while (i < len && !strchr(",]} \t\r\n", src[i]))
            i++;
        return i;
    }
    size_t depth = 0;
    for (size_t i = pos; i < len; i++) {
        char c = src[i];
        if (c == '"')
            i = json_string_token_end(src, len, i) - 1;
        else if (c == '[' || c == '{')
            depth++;
        else if ((c == ']' || c == '}') && --depth == 0)
            return i + 1;
    }
    return len;
}

size_t json_end(const json_doc *doc, const json_node *n)
{
    if (n->span < UINT32_MAX)
        return n->start + n->span;
    /* Only nodes of 4 GiB or more get here: find the end by skipping the (valid) text. */
    if (n->type == JSON_NUMBER)
        return n->start + n->n;
    return json_value_token_end(doc->src, doc->src_len, n->start);
}

size_t json_space_end(const char *src, size_t len, size_t pos)
{
    while (pos < len && (src[pos] == ' ' || src[pos] == '\t' || src[pos] == '\n' || src[pos] == '\r'))
        pos++;
    return pos;
}

size_t json_member_value_offset(const char *src, size_t len, size_t key)
{
    size_t colon = json_space_end(src, len, json_string_token_end(src, len, key));
    return json_space_end(src, len, colon + 1);
}

/* Does the packed object obj have a member named key[0..len)? Read from its text, so that
 * a look for a name it lacks (the kind checks ask for "$schema", "resources", ...) makes
 * no nodes. Its names hold no escape (JM_PACKED). */
static bool packed_has(const json_node *obj, const char *key, size_t len, bool icase)
{
    const json_doc *doc = obj->p;
    const char *src = doc->src;
    size_t n = doc->src_len, at = obj->start + 1;
    for (uint32_t i = 0; i < obj->n; i++) {
        size_t quote = json_space_end(src, n, at);
        const char *name = src + quote + 1;
        const char *q = memchr(name, '"', n - quote - 1);
        if ((size_t)(q - name) == len && (icase ? ascii_ieq(name, key, len) : !memcmp(name, key, len)))
            return true;
        at = json_value_token_end(src, n, json_member_value_offset(src, n, quote));
        at = json_space_end(src, n, at) + 1;    /* past the comma */
    }
    return false;
}

/* The last member of obj whose name equals key (ignoring ASCII case with icase). */
static json_node *get_member(const json_node *obj, const char *key, size_t len, bool icase)
{
    if (!obj || obj->type != JSON_OBJECT || !obj->n)
        return NULL;
    if ((obj->marks & JM_PACKED) && !packed_has(obj, key, len, icase))
        return NULL;
    json_node *first = json_first(obj), *m = first->prev;
    for (;; m = m->prev) {
        if (m->key_len == len && (icase ? ascii_ieq(m->key, key, len) : !memcmp(m->key, key, len)))
            return m;
        if (m == first)
            return NULL;
    }
}

json_node *json_get(const json_node *obj, const char *key, size_t len)
{
    return get_member(obj, key, len, false);
}

json_node *json_get_icase(const json_node *obj, const char *key, size_t len)
{
    return get_member(obj, key, len, true);
}

void json_unpack(json_node *c)
{
    if (c->marks & JM_PACKED) {
        json_doc *doc = c->p;
        doc->unpack(doc, c);
    }
}

json_node *json_at(const json_node *arr, size_t i)
{
    if (!arr || (arr->type != JSON_ARRAY && arr->type != JSON_OBJECT) || i >= arr->n)
        return NULL;
    json_node *n = json_first(arr);
    if (i < arr->n / 2) {
        for (; i; i--)
            n = n->next;
    } else {
        n = n->prev;
        for (size_t k = arr->n - 1; k > i; k--)
            n = n->prev;
    }
    return n;
}

bool json_is_string(const json_node *n, const char *s, size_t len)
{
    return n && n->type == JSON_STRING && n->n == len && !memcmp(n->p, s, len);
}

const char *json_type_name(json_type t)
{
    static const char *const names[] = {"null", "boolean", "boolean", "number", "string", "array", "object"};
    return names[t];
}

size_t json_index_of(const json_node *child)
{
    size_t i = 0;
    for (const json_node *n = json_prev(child); n; n = json_prev(n))
        i++;
    return i;
}

bool json_equal(const json_node *a, const json_node *b)
{
    if (a->type != b->type)
        return false;
    switch (a->type) {
    case JSON_NULL:
    case JSON_TRUE:
    case JSON_FALSE:
        return true;
    case JSON_NUMBER:
        return !json_num_cmp(a->p, a->n, b->p, b->n);
    case JSON_STRING:
        return a->n == b->n && !memcmp(a->p, b->p, a->n);
    case JSON_ARRAY: {
        if (a->n != b->n)
            return false;
        for (json_node *x = json_first(a), *y = json_first(b); x; x = x->next, y = y->next)
            if (!json_equal(x, y))
                return false;
        return true;
    }
    case JSON_OBJECT: {
        /* Compare the effective (last-wins) members of each side against the other. */
        size_t na = 0, nb = 0;
        for (json_node *x = json_first(a); x; x = x->next) {
            if (json_get(a, x->key, x->key_len) != x)
                continue;
            na++;
            json_node *y = json_get(b, x->key, x->key_len);
            if (!y || !json_equal(x, y))
                return false;
        }
        for (json_node *y = json_first(b); y; y = y->next)
            if (json_get(b, y->key, y->key_len) == y)
                nb++;
        return na == nb;
    }
    }
    return false;
}

/* Marks n and its ancestors as changed (for edits made directly on fields). */
static void json_touch(json_node *n)
{
    for (; n && !(n->flags & JF_DIRTY); n = n->parent)
        n->flags |= JF_DIRTY;
}

/* Records that names under c may now repeat: c's own (when it is an object) and, for its
 * ancestors, somewhere below. Lets the duplicate check skip everything else. */
static void names_changed(json_node *c)
{
    if (c->type == JSON_OBJECT)
        c->marks |= JM_NAMES_CHANGED;
    /* Any name may now be below: the bloom of names gives up on this branch. */
    c->marks |= JM_NAMES_BELOW | JM_NAMES_BLOOM;
    for (json_node *p = c->parent; p && !(p->marks & JM_NAMES_BELOW); p = p->parent)
        p->marks |= JM_NAMES_BELOW | JM_NAMES_BLOOM;
}

json_node *json_new(json_doc *doc, json_type type)
{
    json_node *n = arena_zalloc(&doc->mem, sizeof *n);
    n->type = (uint8_t)type;
    n->start = JSON_NOPOS;
    n->flags = JF_SYNTH;
    n->marks = JM_NAMES_BLOOM;
    return n;
}

json_node *json_new_string(json_doc *doc, const char *s, size_t len)
{
    json_node *n = json_new(doc, JSON_STRING);
    n->p = arena_strndup(&doc->mem, s, len);
    n->n = (uint32_t)len;
    return n;
}

json_node *json_new_number(json_doc *doc, const char *text, size_t len)
{
    json_node *n = json_new(doc, JSON_NUMBER);
    n->p = arena_strndup(&doc->mem, text, len);
    n->n = (uint32_t)len;
    return n;
}

json_node *json_clone(json_doc *doc, const json_node *n)
{
    json_node *c = arena_alloc(&doc->mem, sizeof *c);
    *c = *n;
    c->parent = c->next = c->prev = NULL;
    c->key = NULL;
    c->key_len = 0;
    c->flags = (uint8_t)((n->flags & ~(JF_KEY_ESCAPED | JF_KEY_NEW)) | JF_MOVED);
    c->marks = JM_NAMES_BLOOM;
    if (n->type == JSON_STRING || n->type == JSON_NUMBER) {
        /* Text may live in another document's arena or input: copy it. */
        c->p = arena_strndup(&doc->mem, n->p, n->n);
        c->flags |= JF_SYNTH;
        c->start = JSON_NOPOS;
        if (n->type == JSON_STRING)
            c->flags &= (uint8_t)~JF_ESCAPED;
        return c;
    }
    c->start = JSON_NOPOS;
    c->flags |= JF_SYNTH;
    c->p = NULL;
    c->n = 0;
    if (n->type == JSON_ARRAY || n->type == JSON_OBJECT)
        for (json_node *k = json_first(n); k; k = k->next)
            json_append(doc, c, k->key, k->key_len, json_clone(doc, k));
    return c;
}

static void set_key(json_doc *doc, json_node *child, const char *key, size_t len)
{
    child->key = arena_strndup(&doc->mem, key ? key : "", len);
    child->key_len = (uint32_t)len;
    child->flags = (uint8_t)((child->flags & ~JF_KEY_ESCAPED) | JF_KEY_NEW);
}

void json_insert(json_doc *doc, json_node *c, json_node *before, const char *key, size_t key_len,
                 json_node *child)
{
    child->parent = c;
    if (c->type == JSON_OBJECT)
        set_key(doc, child, key, key_len);
    else
        child->key = NULL, child->key_len = 0;
    /* A source node placed under a new parent must be re-indented when written. */
    if (!(child->flags & JF_SYNTH))
        child->flags |= JF_MOVED;
    json_node *first = json_first(c);
    if (!first) {
        child->next = NULL;
        child->prev = child;
        c->p = child;
    } else if (!before) {
        child->next = NULL;
        child->prev = first->prev;
        first->prev->next = child;
        first->prev = child;
    } else {
        child->next = before;
        child->prev = before->prev;
        if (before == first)
            c->p = child;
        else
            before->prev->next = child;
        before->prev = child;
    }
    c->n++;
    c->marks |= JM_RESHAPED;
    json_touch(c);
    names_changed(c);
}

void json_append(json_doc *doc, json_node *c, const char *key, size_t key_len, json_node *child)
{
    json_insert(doc, c, NULL, key, key_len, child);
}

/* Per thread, so documents edited in different threads do not share it. */
static _Thread_local unsigned long detachments;

unsigned long json_detachments(void)
{
    return detachments;
}

void json_remove(json_node *n)
{
    json_node *p = n->parent;
    if (!p)
        return;
    detachments++;
    json_node *first = p->p;
    if (n == first) {
        p->p = n->next;
        if (n->next)
            n->next->prev = n->prev;
    } else {
        n->prev->next = n->next;
        if (n->next)
            n->next->prev = n->prev;
        else
            first->prev = n->prev;
    }
    p->n--;
    p->marks |= JM_RESHAPED;
    n->parent = n->next = n->prev = NULL;
    json_touch(p);
}

void json_replace(json_node *old, json_node *repl)
{
    json_node *p = old->parent;
    detachments++;
    repl->parent = p;
    repl->key = old->key;
    repl->key_len = old->key_len;
    repl->flags = (uint8_t)((repl->flags & ~(JF_KEY_ESCAPED | JF_KEY_NEW)) |
                            (old->flags & (JF_KEY_ESCAPED | JF_KEY_NEW)));
    if (!(repl->flags & JF_SYNTH))
        repl->flags |= JF_MOVED;
    else if (old->start != JSON_NOPOS)
        repl->start = old->start, repl->span = old->span;  /* the slot it fills, for the writer */
    if (p && (repl->flags & JF_MOVED))
        p->marks |= JM_RESHAPED;
    repl->next = old->next;
    if (p) {
        names_changed(p);   /* the new value may hold objects of its own */
        json_node *first = p->p;
        if (old == first) {
            p->p = repl;
            repl->prev = old->prev == old ? repl : old->prev;
        } else {
            repl->prev = old->prev;
            old->prev->next = repl;
        }
        if (old->next)
            old->next->prev = repl;
        else
            ((json_node *)p->p)->prev = repl;
        json_touch(p);
    } else {
        repl->prev = NULL;
    }
    old->parent = old->next = old->prev = NULL;
}

void json_set_key_offset(json_doc *doc, json_node *m, size_t off)
{
    size_t *box = arena_alloc(&doc->mem, sizeof(size_t) + m->key_len + 1);
    box[0] = off;
    char *copy = (char *)(box + 1);
    memcpy(copy, m->key, m->key_len);
    copy[m->key_len] = '\0';
    m->key = copy;
    m->flags = (uint8_t)((m->flags & ~JF_KEY_NEW) | JF_KEY_ESCAPED);
}

void json_rename(json_doc *doc, json_node *m, const char *key, size_t len)
{
    set_key(doc, m, key, len);
    json_touch(m->parent);
    if (m->parent) {
        m->parent->marks |= JM_RESHAPED;
        names_changed(m->parent);
    }
}

void json_set_string(json_doc *doc, json_node *n, const char *s, size_t len)
{
    n->type = JSON_STRING;
    n->p = arena_strndup(&doc->mem, s, len);
    n->n = (uint32_t)len;
    n->flags = (uint8_t)((n->flags & ~JF_ESCAPED) | JF_SYNTH);
    json_touch(n->parent);
}

/* The node layout is part of the memory budget (README: about 2x the input in all). */
_Static_assert(sizeof(void *) != 8 || sizeof(json_node) == 64, "json_node must stay 64 bytes");

json_node *json_next_within(const json_node *top, const json_node *n)
{
    if ((n->type == JSON_ARRAY || n->type == JSON_OBJECT) && n->n)
        return json_first(n);
    return json_next_skipping(top, n);
}

json_node *json_next_skipping(const json_node *top, const json_node *n)
{
    while (n != top && !n->next)
        n = n->parent;
    return n == top ? NULL : n->next;
}
