/* utf8: strict UTF-8 decoding and encoding (RFC 3629: no overlongs, no surrogates). */
#ifndef TK_UTF8_H
#define TK_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* Decodes one code point from s[0..n); returns its byte length (1-4), or 0 if the bytes
 * there are not well-formed UTF-8. *cp receives the code point on success. */
size_t utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Writes code point cp (at most U+10FFFF, not a surrogate) as UTF-8 into out; returns 1-4. */
size_t utf8_encode(uint32_t cp, char out[4]);

/* Returns the offset of the first byte in s[0..n) that starts an ill-formed sequence, or n. */
size_t utf8_check(const char *s, size_t n);

/* Counts the code points in s[0..n) (continuation bytes are not counted). */
size_t utf8_count(const char *s, size_t n);

#endif
