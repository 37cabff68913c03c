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

#endif
