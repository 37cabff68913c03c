/* keyset: the member names of the objects currently open in a streaming parse, to spot
 * duplicates without building a tree. */
#ifndef TK_KEYSET_H
#define TK_KEYSET_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct keyrec {
    const char *key;
    size_t at;          /* offset of the name's opening quote */
    uint32_t len;       /* as a tree's key_len: names are shorter than 4 GiB */
    uint32_t hash;      /* the name's hash (low half): its home slot, and what a probe that
                           meets another name mostly tells it apart by, without reading it */
} keyrec;

typedef struct keyset_level {
    size_t base;        /* first record of this object in recs */
    uint32_t *slots;    /* hash of record index + 1, built once the object grows large (half
                           the memory of size_t; 2^32 - 2 names would take 96 GiB of records) */
    size_t cap;
    bool built;         /* slots hold this object's names */
} keyset_level;

typedef struct keyset {
    bool icase;
    keyrec *recs;
    size_t n, cap;
    keyset_level *levels;
    size_t depth, max_levels;
} keyset;

/* Sets up an empty keyset; icase compares names ignoring ASCII case. */
void keyset_init(keyset *ks, bool icase);

/* Opens a new object level. */
void keyset_push(keyset *ks);

/* Closes the innermost object, forgetting its names. */
void keyset_pop(keyset *ks);

/* Adds a name to the innermost object; returns the earlier record with the same name,
 * or NULL when the name is new there. */
const keyrec *keyset_add(keyset *ks, const char *key, size_t len, size_t at);

/* The record of a name in the innermost object, or NULL when it has none; adds nothing. */
const keyrec *keyset_find(const keyset *ks, const char *key, size_t len);

/* Frees everything. */
void keyset_free(keyset *ks);

#endif
