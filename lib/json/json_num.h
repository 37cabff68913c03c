/* json_num: exact arithmetic-free reasoning about JSON number text. */
#ifndef TK_JSON_NUM_H
#define TK_JSON_NUM_H
#include <stdbool.h>
#include <stddef.h>

/* Compares two JSON number texts by exact decimal value; returns <0, 0 or >0.
 * "1", "1.0" and "10e-1" are equal; no precision is lost on long numbers. */
int json_num_cmp(const char *a, size_t alen, const char *b, size_t blen);

/* Returns true when the number text has an integral value ("2", "2.0", "2e3"). */
bool json_num_is_integer(const char *s, size_t len);

/* Converts number text to the nearest double (±HUGE_VAL on overflow, 0 on underflow). */
double json_num_to_double(const char *s, size_t len);

/* Parses number text as an integer in [lo, hi]; returns false (leaving *out alone) when
 * the value is not integral or out of range. */
bool json_num_to_int(const char *s, size_t len, long long lo, long long hi, long long *out);

/* Returns true when s[0..len) is exactly a JSON number per RFC 8259. */
bool json_num_valid(const char *s, size_t len);

#endif
