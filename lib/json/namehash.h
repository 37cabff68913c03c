/* namehash: the hash of member names for the tables that find repeated names. Keyed with
 * a random key per process (SipHash-1-3), so names crafted to collide in one run do not
 * collide in the next: a file cannot make the tables quadratic. */
#ifndef TK_NAMEHASH_H
#define TK_NAMEHASH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The hash of key[0..len), of its ASCII-lower-cased form when icase. */
uint64_t json_name_hash(const char *key, size_t len, bool icase);

#endif
