#include "json/nameset.h"
#include "json/namehash.h"
#include "base/ascii.h"
#include "base/oom.h"
#include <stdlib.h>
#include <string.h>

enum { FIRST_CAP = 32, FEW = 8 };

void nameset_start(nameset *s, const char *base, bool icase)
{
    /* The first FEW names sit in slots[0..FEW) unhashed and are compared one by one: small
     * objects, the common case, clear and hash nothing. */
    if (s->alloc < FIRST_CAP) {
        free(s->slots);
        s->slots = xmalloc(FIRST_CAP * sizeof *s->slots);
        s->alloc = FIRST_CAP;
    }
    s->cap = 0;
    s->n = 0;
    s->base = base;
    s->icase = icase;
}

/* Is the name held at offset off equal to name[0..len)? Names hold no escape, so the held
 * one ends at its first quote: equal bytes followed by that quote. */
static bool same(const nameset *s, uint32_t off, const char *name, size_t len)
{
    const char *held = s->base + off;
    if (held[len] != '"')
        return false;
    if (!s->icase)
        return !memcmp(held, name, len);
    for (size_t i = 0; i < len; i++)
        if (ascii_lower((unsigned char)held[i]) != ascii_lower((unsigned char)name[i]))
            return false;
    return true;
}

/* Places v (a hash and an offset) in the first free slot from its hash's home slot. */
static void place(uint64_t *slots, size_t cap, uint64_t v)
{
    size_t j = (size_t)(v >> 32) & (cap - 1);
    while (slots[j])
        j = (j + 1) & (cap - 1);
    slots[j] = v;
}

static uint32_t hash_of(const nameset *s, const char *name, size_t len)
{
    return (uint32_t)(json_name_hash(name, len, s->icase) >> 32);
}

/* Turns the FEW names held one by one into a hashed table (names are distinct here). */
static void build(nameset *s)
{
    uint64_t few[FEW];
    memcpy(few, s->slots, sizeof few);
    s->cap = FIRST_CAP;
    memset(s->slots, 0, s->cap * sizeof *s->slots);
    for (size_t i = 0; i < FEW; i++) {
        const char *name = s->base + (uint32_t)few[i] - 1;
        size_t len = 0;
        while (name[len] != '"')    /* names hold no escape: the first quote ends one */
            len++;
        place(s->slots, s->cap, (uint64_t)hash_of(s, name, len) << 32 | (uint32_t)few[i]);
    }
}

/* Doubles the table, placing every held name again by the hash kept beside it. */
static void grow(nameset *s)
{
    size_t cap = s->cap * 2;
    uint64_t *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            place(slots, cap, s->slots[i]);
    free(s->slots);
    s->slots = slots;
    s->cap = s->alloc = cap;
}

enum nameset_result nameset_add(nameset *s, const char *name, size_t len)
{
    size_t off = (size_t)(name - s->base);
    if (off >= UINT32_MAX)
        return NAMESET_TOO_FAR;
    if (s->n < FEW) {
        for (size_t i = 0; i < s->n; i++)
            if (same(s, (uint32_t)s->slots[i] - 1, name, len))
                return NAMESET_REPEAT;
        s->slots[s->n++] = off + 1;
        return NAMESET_NEW;
    }
    if (s->n == FEW)
        build(s);
    /* At most three quarters full: linear probing stays short, 10.7 to 21 bytes a name. */
    if ((s->n + 1) * 4 > s->cap * 3)
        grow(s);
    uint32_t hash = hash_of(s, name, len);
    size_t i = hash & (s->cap - 1);
    for (; s->slots[i]; i = (i + 1) & (s->cap - 1)) {
        uint64_t v = s->slots[i];
        if ((uint32_t)(v >> 32) == hash && same(s, (uint32_t)v - 1, name, len))
            return NAMESET_REPEAT;
    }
    s->slots[i] = (uint64_t)hash << 32 | (uint64_t)(off + 1);
    s->n++;
    return NAMESET_NEW;
}

void nameset_free(nameset *s)
{
    free(s->slots);
    s->slots = NULL;
    s->cap = s->alloc = s->n = 0;
}
