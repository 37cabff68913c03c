/* ascii: ASCII case folding, for the names JSON readers match ignoring case. */
#ifndef TK_ASCII_H
#define TK_ASCII_H
#include <stdbool.h>
#include <stddef.h>

/* Returns c lower-cased when it is an ASCII capital letter, else c unchanged. */
static inline unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Returns true when a[0..n) and b[0..n) are equal ignoring ASCII case. */
bool ascii_ieq(const char *a, const char *b, size_t n);

/* Returns true when a[0..an) and b[0..bn) are the same text ignoring ASCII case (lengths
 * included): Azure's comparison of names and types. */
static inline bool ascii_same(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && ascii_ieq(a, b, an);
}

#endif
