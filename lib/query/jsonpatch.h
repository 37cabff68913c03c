/* jsonpatch: RFC 6902 JSON Patch (add, remove, replace, move, copy, test) on a document
 * tree, with RFC 6901 JSON Pointers relative to a chosen target node. */
#ifndef TK_JSONPATCH_H
#define TK_JSONPATCH_H
#include "json/json.h"

typedef struct jpatch_error {
    size_t op_index;        /* which operation failed (0-based) */
    const json_node *op;    /* that operation, for its position */
    char msg[200];
} jpatch_error;

/* Applies the operations in ops (an array of operation objects, from any document) to the
 * subtree *target of doc; *target changes when an operation replaces it whole.
 * Returns 0, or -1 with *err filled at the first failing operation (earlier ones stay
 * applied: callers that must be all-or-nothing discard the document). */
int jpatch_apply(json_doc *doc, json_node **target, const json_node *ops, jpatch_error *err);

#endif
