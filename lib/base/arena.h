/* arena: a bump allocator whose blocks are all freed in one call. */
#ifndef TK_ARENA_H
#define TK_ARENA_H
#include <stddef.h>

typedef struct arena_block arena_block;

typedef struct arena {
    arena_block *head;      /* newest block; older ones chained behind it */
    char *cur, *end;        /* free room in the newest block */
    size_t next_size;       /* size of the next block to request */
    size_t total;           /* bytes of every block requested so far */
} arena;

/* Sets up an empty arena that owns nothing yet. */
void arena_init(arena *a);

/* Returns n bytes aligned for any scalar type, valid until arena_free; never NULL (aborts on OOM). */
void *arena_alloc(arena *a, size_t n);

/* Returns a zero-filled allocation of n bytes, with the same lifetime as arena_alloc. */
void *arena_zalloc(arena *a, size_t n);

/* Returns a NUL-terminated copy of the n bytes at s, owned by the arena. */
char *arena_strndup(arena *a, const char *s, size_t n);

/* Releases every block of the arena at once; the arena is empty and reusable afterwards. */
void arena_free(arena *a);

#endif
