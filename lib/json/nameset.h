/* nameset: the member names of one object, to learn whether any repeats, at 8 bytes a
 * name: each is known by where its text starts, so none is copied. */
#ifndef TK_NAMESET_H
#define TK_NAMESET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct nameset {
    uint64_t *slots;    /* hash (high half) and offset + 1 from base (low half); 0 is free */
    size_t cap;         /* slots hashed for this object (a power of two), or 0 while its first
                           few names sit unhashed in slots[0..n), compared one by one */
    size_t alloc;       /* slots allocated, kept from one object to the next */
    size_t n;           /* names held */
    const char *base;
    bool icase;
} nameset;

enum nameset_result { NAMESET_NEW, NAMESET_REPEAT, NAMESET_TOO_FAR };

/* Empties s for the names of one object, all of them after base in one text; icase
 * compares them ignoring ASCII case. Start from a zeroed nameset. */
void nameset_start(nameset *s, const char *base, bool icase);

/* Adds the name name[0..len), which must hold no escape (its text is its value) and be
 * followed in the text by its closing quote: NAMESET_NEW, NAMESET_REPEAT when an earlier
 * name equals it, or NAMESET_TOO_FAR when it starts 4 GiB or more after base. */
enum nameset_result nameset_add(nameset *s, const char *name, size_t len);

/* Frees the table; s can be started again. */
void nameset_free(nameset *s);

#endif
