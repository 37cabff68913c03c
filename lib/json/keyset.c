#include "json/keyset.h"
#include "json/namehash.h"
#include "base/oom.h"
#include "base/ascii.h"
#include <stdlib.h>
#include <string.h>

enum { LINEAR_LIMIT = 16 };

void keyset_init(keyset *ks, bool icase)
{
    memset(ks, 0, sizeof *ks);
    ks->icase = icase;
}

void keyset_push(keyset *ks)
{
    if (ks->depth == ks->max_levels) {
        size_t old = ks->max_levels;
        ks->max_levels = old ? old * 2 : 16;
        ks->levels = xrealloc(ks->levels, ks->max_levels * sizeof *ks->levels);
        memset(ks->levels + old, 0, (ks->max_levels - old) * sizeof *ks->levels);
    }
    keyset_level *l = &ks->levels[ks->depth++];
    l->base = ks->n;
    l->built = false;   /* the slots memory is kept for reuse at this depth */
}

void keyset_pop(keyset *ks)
{
    if (ks->depth)
        ks->n = ks->levels[--ks->depth].base;
}

/* c folded to lower case when names compare ignoring case. */
static inline unsigned char fold(unsigned char c, bool icase)
{
    return icase ? ascii_lower(c) : c;
}

static bool same(const keyset *ks, const keyrec *r, const char *key, size_t len)
{
    if (r->len != len)
        return false;
    if (!ks->icase)
        return !len || (r->key[0] == key[0] && !memcmp(r->key, key, len));
    for (size_t i = 0; i < len; i++)
        if (fold((unsigned char)r->key[i], true) != fold((unsigned char)key[i], true))
            return false;
    return true;
}

static uint32_t hash(const keyset *ks, const char *key, size_t len)
{
    return (uint32_t)json_name_hash(key, len, ks->icase);
}

/* The slot of the level's table that holds the name of hash h, or the empty slot where it
 * would go. */
static inline size_t slot_of(const keyset *ks, const keyset_level *l, uint32_t h, const char *key, size_t len)
{
    size_t i = h & (l->cap - 1);
    for (; l->slots[i]; i = (i + 1) & (l->cap - 1)) {
        const keyrec *r = &ks->recs[l->slots[i] - 1];
        if (r->hash == h && same(ks, r, key, len))
            break;
    }
    return i;
}

/* The level's record of name by scanning them all: small objects have no table. */
static const keyrec *scan(const keyset *ks, const keyset_level *l, const char *key, size_t len)
{
    for (size_t k = l->base; k < ks->n; k++)
        if (same(ks, &ks->recs[k], key, len))
            return &ks->recs[k];
    return NULL;
}

static void rebuild(keyset *ks, keyset_level *l, size_t want)
{
    size_t cap = 64;
    while (cap < want * 2)
        cap *= 2;
    if (cap > l->cap) {
        free(l->slots);
        l->slots = xmalloc(cap * sizeof *l->slots);
        l->cap = cap;
    }
    memset(l->slots, 0, l->cap * sizeof *l->slots);
    /* the names added while the level was scanned were not hashed then */
    for (size_t k = l->base; k < ks->n && k < l->base + LINEAR_LIMIT; k++)
        ks->recs[k].hash = hash(ks, ks->recs[k].key, ks->recs[k].len);
    for (size_t k = l->base; k < ks->n; k++) {
        /* names are unique here: the first empty slot from the home slot is the place */
        const keyrec *r = &ks->recs[k];
        size_t i = r->hash & (l->cap - 1);
        while (l->slots[i])
            i = (i + 1) & (l->cap - 1);
        l->slots[i] = (uint32_t)(k + 1);
    }
    l->built = true;
}

const keyrec *keyset_add(keyset *ks, const char *key, size_t len, size_t at)
{
    keyset_level *l = &ks->levels[ks->depth - 1];
    size_t count = ks->n - l->base;
    if (ks->n == ks->cap || len > UINT32_MAX) {
        /* a slot could not name the record, or the record the name (unreachable: see
         * slots, and names past 4 GiB are refused by the parser) */
        if (ks->n >= UINT32_MAX - 1 || len > UINT32_MAX)
            tk_oom();
        ks->cap = ks->cap ? ks->cap * 2 : 64;
        ks->recs = xrealloc(ks->recs, ks->cap * sizeof *ks->recs);
    }
    uint32_t h = 0;
    if (count < LINEAR_LIMIT) {
        /* Small objects, the common case, are cheaper to scan than to hash. */
        const keyrec *r = scan(ks, l, key, len);
        if (r)
            return r;
    } else {
        if (!l->built || (count + 1) * 2 > l->cap)
            rebuild(ks, l, count + 1);
        h = hash(ks, key, len);
        size_t i = slot_of(ks, l, h, key, len);
        if (l->slots[i])
            return &ks->recs[l->slots[i] - 1];
        l->slots[i] = (uint32_t)(ks->n + 1);
    }
    ks->recs[ks->n++] = (keyrec){key, at, (uint32_t)len, h};
    return NULL;
}

const keyrec *keyset_find(const keyset *ks, const char *key, size_t len)
{
    const keyset_level *l = &ks->levels[ks->depth - 1];
    if (!l->built)
        return scan(ks, l, key, len);
    /* Once built, the table holds every record of the level (keyset_add inserts each). */
    size_t i = slot_of(ks, l, hash(ks, key, len), key, len);
    return l->slots[i] ? &ks->recs[l->slots[i] - 1] : NULL;
}

void keyset_free(keyset *ks)
{
    for (size_t i = 0; i < ks->max_levels; i++)
        free(ks->levels[i].slots);
    free(ks->levels);
    free(ks->recs);
    memset(ks, 0, sizeof *ks);
}
