/* rx: PCRE2 patterns, compiled once, matched under limits so no pattern can hang a tool. */
#ifndef TK_RX_H
#define TK_RX_H
#include "base/buf.h"
#include <stdbool.h>
#include <stddef.h>

typedef struct rx rx;

typedef struct rx_error {
    size_t offset;      /* byte offset in the pattern */
    char msg[128];      /* PCRE2's own words */
} rx_error;

enum rx_flags {
    RX_ANCHORED = 1,    /* the pattern must match the whole subject */
    RX_CASELESS = 2,
    RX_IREGEXP = 4,     /* RFC 9485 I-Regexp: '.' does not match CR or LF */
    RX_ECMA = 8         /* ECMA-262 (JSON Schema): \p{Letter}-style long category names */
};

/* Status of a match: RX_MATCH, RX_NOMATCH, or RX_LIMIT when the match or depth limit
 * stopped it (the pattern backtracks catastrophically on this subject). */
enum { RX_LIMIT = -1, RX_NOMATCH = 0, RX_MATCH = 1 };

/* Compiles a UTF-8 pattern; returns NULL with *err filled when it is invalid. */
rx *rx_compile(const char *pat, size_t len, unsigned flags, rx_error *err);

/* Searches s[0..len) (the whole of it with RX_ANCHORED); returns an RX_ status. The
 * subject must be valid UTF-8 (every string tmplkit parses is checked already). */
int rx_match(const rx *r, const char *s, size_t len);

/* Replaces every match in s[0..len) by repl ($1, ${name} for groups, $$ for a dollar),
 * appending the result to out; returns the number of replacements, RX_LIMIT, or -2 with a
 * message in *err when the replacement is malformed. */
long rx_replace(const rx *r, const char *s, size_t len, const char *repl, size_t repl_len, buf *out,
                rx_error *err);

/* Uses the JIT for this pattern (worth it for large inputs); harmless when unavailable. */
void rx_jit(rx *r);

/* Returns the pattern text the regex was compiled from. */
const char *rx_source(const rx *r);

/* Frees a compiled pattern; NULL is allowed. */
void rx_free(rx *r);

#endif
