/* SipHash-1-3 (Aumasson and Bernstein, "SipHash: a fast short-input PRF"): one
 * compression round per 8-byte word, three finalization rounds, a 128-bit key. */
#include "json/namehash.h"
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static uint64_t rotl(uint64_t x, unsigned b)
{
    return (x << b) | (x >> (64 - b));
}

typedef struct sip {
    uint64_t v0, v1, v2, v3;
} sip;

static void round_once(sip *s)
{
    s->v0 += s->v1, s->v1 = rotl(s->v1, 13), s->v1 ^= s->v0, s->v0 = rotl(s->v0, 32);
    s->v2 += s->v3, s->v3 = rotl(s->v3, 16), s->v3 ^= s->v2;
    s->v0 += s->v3, s->v3 = rotl(s->v3, 21), s->v3 ^= s->v0;
    s->v2 += s->v1, s->v1 = rotl(s->v1, 17), s->v1 ^= s->v2, s->v2 = rotl(s->v2, 32);
}

/* The process's key: from /dev/urandom, else from what differs between runs anyway. */
static void key_of_process(uint64_t k[2])
{
    static uint64_t key[2];
    static bool ready;
    if (!ready) {
        int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
        bool got = fd >= 0 && read(fd, key, sizeof key) == (ssize_t)sizeof key;
        if (fd >= 0)
            close(fd);
        if (!got) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            key[0] = (uint64_t)ts.tv_nsec * 0x9E3779B97F4A7C15ull ^ (uint64_t)getpid();
            key[1] = (uint64_t)(uintptr_t)&ts ^ (uint64_t)ts.tv_sec * 0xC2B2AE3D27D4EB4Full;
        }
        ready = true;
    }
    k[0] = key[0], k[1] = key[1];
}

static unsigned char fold(unsigned char c, bool icase)
{
    return icase && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

uint64_t json_name_hash(const char *key, size_t len, bool icase)
{
    uint64_t k[2];
    key_of_process(k);
    sip s = {k[0] ^ 0x736f6d6570736575ull, k[1] ^ 0x646f72616e646f6dull, k[0] ^ 0x6c7967656e657261ull,
             k[1] ^ 0x7465646279746573ull};
    const unsigned char *p = (const unsigned char *)key;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t m = 0;
        for (int b = 0; b < 8; b++)
            m |= (uint64_t)fold(p[i + b], icase) << (8 * b);
        s.v3 ^= m;
        round_once(&s);
        s.v0 ^= m;
    }
    uint64_t last = (uint64_t)len << 56;
    for (int b = 0; i + (size_t)b < len; b++)
        last |= (uint64_t)fold(p[i + b], icase) << (8 * b);
    s.v3 ^= last;
    round_once(&s);
    s.v0 ^= last;
    s.v2 ^= 0xff;
    round_once(&s);
    round_once(&s);
    round_once(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
