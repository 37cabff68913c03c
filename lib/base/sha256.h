/* sha256: SHA-256 (FIPS 180-4), for the checksums an update module compares. */
#ifndef TK_SHA256_H
#define TK_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct sha256 {
    uint32_t h[8];
    uint64_t bytes;         /* message length so far */
    unsigned char block[64];
    size_t fill;            /* bytes waiting in block */
} sha256;

/* Starts a new digest. */
void sha256_init(sha256 *s);

/* Adds data[0..len) to the digest. */
void sha256_add(sha256 *s, const void *data, size_t len);

/* Finishes the digest and writes it as 64 lowercase hex digits and a NUL to hex[65]. */
void sha256_hex(sha256 *s, char hex[65]);

#endif
