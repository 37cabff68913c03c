/* json_parse: the strict RFC 8259 parser, to a tree of byte spans into the input (or,
 * checking only, to no tree at all). */
#ifndef TK_JSON_PARSE_H
#define TK_JSON_PARSE_H
#include "json/json.h"
#include <stdbool.h>

/* Told about a member name that repeats an earlier one in the same object. */
typedef void (*json_dupkey_fn)(void *ctx, size_t dup_at, size_t first_at, const char *key, size_t len);

typedef struct json_parse_opts {
    unsigned max_depth;     /* 0 means JSON_DEFAULT_MAX_DEPTH */
    bool check_only;        /* build no tree: success returns a document whose root is NULL */
    json_dupkey_fn on_duplicate;    /* check_only: called for each repeated member name */
    bool dup_icase;         /* ... compared ignoring ASCII case */
    void *ctx;              /* passed to on_duplicate */
    bool allow_bom;         /* skip a leading UTF-8 byte order mark instead of refusing it */
    bool pack_scalars;      /* a tree: arrays and objects of 16 or more children, scalars or
                               shallow containers, get no nodes for them until json_first
                               asks (JM_PACKED); src must then stay as it is for the
                               document's life, as always */
} json_parse_opts;

#define JSON_DEFAULT_MAX_DEPTH 1000

typedef struct json_error {
    size_t offset;          /* byte offset of the problem in the input */
    const char *rule;       /* stable id: json-syntax, json-bom, json-empty, json-trailing,
                               json-depth, json-encoding */
    char msg[160];          /* lowercase, no full stop; quoted input is escaped */
} json_error;

/* Parses src[0..len) strictly; returns a document or NULL with *err filled (never both).
 * src must stay valid and unchanged for the document's life. */
json_doc *json_parse(const char *src, size_t len, const json_parse_opts *opts, json_error *err);

#endif
