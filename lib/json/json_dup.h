/* json_dup: finds duplicate member names, which are valid JSON but worth reporting. */
#ifndef TK_JSON_DUP_H
#define TK_JSON_DUP_H
#include "json/json.h"
#include <stdbool.h>

/* Called for each member whose name repeats an earlier member of the same object;
 * first is that earlier member. */
typedef void (*json_dup_fn)(void *ctx, const json_node *dup, const json_node *first);

/* Visits every object under root, in document order, and reports repeated names,
 * compared byte for byte or, with icase, ignoring ASCII case. Linear in the document. */
void json_find_duplicates(const json_node *root, bool icase, json_dup_fn fn, void *ctx);

/* A table json_object_repeats reuses from one object to the next; start it zeroed. */
typedef struct json_dup_scratch {
    const json_node **slots;
    size_t cap;
} json_dup_scratch;

/* Returns true when a member name of obj repeats an earlier one of obj (with icase,
 * ignoring ASCII case); linear in its members, with s as the table for large objects. */
bool json_object_repeats(const json_node *obj, bool icase, json_dup_scratch *s);

/* Frees the table; s can be used again. */
void json_dup_scratch_free(json_dup_scratch *s);

#endif
