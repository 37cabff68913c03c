#include "json/nameset.h"
#include "json/namehash.h"
#include "base/ascii.h"
#include "base/oom.h"
#include <stdlib.h>
#include <string.h>

enum { FIRST_CAP = 32 };

void nameset_start(nameset *s, const char *base, bool icase)
{
    if (s->alloc < FIRST_CAP) {
        free(s->slots);
        s->slots = xmalloc(FIRST_CAP * sizeof *s->slots);
        s->alloc = FIRST_CAP;
    }
    /* Only the part this object uses is cleared: a large object met earlier must not make
     * every later small one pay for its table. */
    s->cap = FIRST_CAP;
    memset(s->slots, 0, s->cap * sizeof *s->slots);
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

/* Doubles the table, placing every held name again by the hash kept beside it. */
static void grow(nameset *s)
{
    size_t cap = s->cap * 2;
    uint64_t *slots = xcalloc(cap, sizeof *slots);
    for (size_t i = 0; i < s->cap; i++) {
        uint64_t v = s->slots[i];
        if (!v)
            continue;
        size_t j = (size_t)(v >> 32) & (cap - 1);
        while (slots[j])
            j = (j + 1) & (cap - 1);
        slots[j] = v;
    }
    free(s->slots);
    s->slots = slots;
    s->cap = s->alloc = cap;
}

enum nameset_result nameset_add(nameset *s, const char *name, size_t len)
{
    size_t off = (size_t)(name - s->base);
    if (off >= UINT32_MAX)
        return NAMESET_TOO_FAR;
    /* At most three quarters full: linear probing stays short, 10.7 to 21 bytes a name. */
    if ((s->n + 1) * 4 > s->cap * 3)
        grow(s);
    uint32_t hash = (uint32_t)(json_name_hash(name, len, s->icase) >> 32);
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
