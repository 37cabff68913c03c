/* gen_collide N: prints a JSON object of N members (at most 2^20) whose names are distinct
 * but all have the same low 20 bits of FNV-1a (64-bit): in a table indexed by an unseeded
 * FNV-1a hash and a power-of-two mask, every name lands in one bucket, the hash flooding
 * that once made a lookup table quadratic here. The bench's complexity guard times a check
 * of n and 2n such names.
 *
 * How: the low 20 bits of FNV-1a's state depend only on the low 20 bits of the state
 * before and the bytes read (multiplication and XOR carry upwards only). For the state
 * reached so far, two distinct 3-letter blocks leading to the same low bits are found by
 * trying every block; a name is then a choice of one block of each pair, so 20 pairs give
 * 2^20 names of 60 letters with one hash class. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { BITS = 20, MASK = (1 << BITS) - 1, BLOCK = 3, MAX_PAIRS = 20 };

static const char letters[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-";

static uint64_t step(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 0;
    if (n < 1 || n > (1L << MAX_PAIRS)) {
        fprintf(stderr, "usage: gen_collide N (1 to %ld)\n", 1L << MAX_PAIRS);
        return 2;
    }
    /* every name has all the blocks, so n and 2n names are equally long (only the input's
     * size then doubles with n) */
    char pairs[MAX_PAIRS][2][BLOCK + 1];
    int npairs = MAX_PAIRS;
    /* the low bits of the state are all that matter, so one state stands for all names */
    uint64_t h = 0xcbf29ce484222325ull;
    int *seen = malloc(sizeof *seen * (MASK + 1));
    if (!seen)
        return 1;
    for (int p = 0; p < npairs; p++) {
        memset(seen, -1, sizeof *seen * (MASK + 1));
        int found = 0;
        for (int b = 0; b < 64 * 64 * 64 && !found; b++) {
            char block[BLOCK] = {letters[b % 64], letters[b / 64 % 64], letters[b / 4096]};
            uint64_t next = step(h, block, BLOCK);
            int slot = (int)(next & MASK);
            if (seen[slot] < 0) {
                seen[slot] = b;
                continue;
            }
            int a = seen[slot];
            snprintf(pairs[p][0], BLOCK + 1, "%c%c%c", letters[a % 64], letters[a / 64 % 64], letters[a / 4096]);
            memcpy(pairs[p][1], block, BLOCK);
            pairs[p][1][BLOCK] = '\0';
            h = next;
            found = 1;
        }
        if (!found) {
            fprintf(stderr, "gen_collide: no colliding blocks found\n");
            return 1;
        }
    }
    free(seen);
    printf("{");
    for (long i = 0; i < n; i++) {
        printf("%s\"", i ? ", " : "");
        for (int p = 0; p < npairs; p++)
            fputs(pairs[p][(i >> p) & 1], stdout);
        printf("\": %ld", i);
    }
    printf("}\n");
    return 0;
}
