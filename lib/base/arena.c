#include "base/arena.h"
#include "base/oom.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_block {
    arena_block *prev;
    size_t size;
    max_align_t align[];    /* payload starts here, suitably aligned */
};

enum { FIRST_BLOCK = 16 * 1024, MAX_BLOCK = 8 * 1024 * 1024 };
#define ALIGN_UP(n) (((n) + (sizeof(max_align_t) - 1)) & ~(sizeof(max_align_t) - 1))

void arena_init(arena *a)
{
    a->head = NULL;
    a->cur = a->end = NULL;
    a->next_size = FIRST_BLOCK;
    a->total = 0;
}

static void arena_grow(arena *a, size_t need)
{
    size_t size = a->next_size;
    /* Blocks double up to a cap so a large document costs few mallocs
     * while a tiny one costs only 16 KiB. */
    if (a->next_size < MAX_BLOCK)
        a->next_size *= 2;
    if (size < need)
        size = need;
    arena_block *b = malloc(sizeof(arena_block) + size);
    if (!b)
        tk_oom();
    b->prev = a->head;
    b->size = size;
    a->total += size;
    a->head = b;
    a->cur = (char *)b->align;
    a->end = a->cur + size;
}

void *arena_alloc(arena *a, size_t n)
{
    n = ALIGN_UP(n ? n : 1);
    if ((size_t)(a->end - a->cur) < n)
        arena_grow(a, n);
    void *p = a->cur;
    a->cur += n;
    return p;
}

void *arena_zalloc(arena *a, size_t n)
{
    void *p = arena_alloc(a, n);
    memset(p, 0, n);
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);
    if (n)
        memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void arena_free(arena *a)
{
    arena_block *b = a->head;
    while (b) {
        arena_block *prev = b->prev;
        free(b);
        b = prev;
    }
    arena_init(a);
}
