/* pos: turns byte offsets into 1-based line and column numbers, only when printing. */
#ifndef TK_POS_H
#define TK_POS_H
#include <stddef.h>

typedef struct pos {
    size_t line;    /* 1-based */
    size_t col;     /* 1-based, counted in Unicode characters (code points) */
} pos;

/* Returns the line and column of byte offset off in src[0..len) (off is clamped to len).
 * Lines end at LF; a CR before it is part of the line's end, not a column. */
pos pos_of(const char *src, size_t len, size_t off);

/* Like pos_of, for a text made of two files joined at split (0: one file): offsets from
 * split on count from the second file's start. */
pos pos_of_split(const char *src, size_t len, size_t split, size_t off);

/* The positions of n offsets given in ascending order, into out[0..n): one pass over the
 * text, however many offsets (pos_of for each would read the text n times). */
void pos_of_many(const char *src, size_t len, const size_t *sorted, size_t n, pos *out);

#endif
