/* Layer query (lib/query/): the languages over trees (JSONPath, JSON Patch, PCRE2,
 * templates, URIs, YAML, JSON Schema); uses json and base.
 * lib/ is base < json < query < rules < domain < app; a layer includes and links only
 * itself and the layers below it (README.md, "Layout and design"; make check runs
 * tests/check-layers.sh). */
/* jsonpath: RFC 9535 JSONPath queries, compiled once and evaluated on document trees.
 *
 * Complete per the RFC: name, wildcard, index, slice and filter selectors, child and
 * descendant segments, comparisons, && || !, and the functions length, count, match,
 * search and value (match and search run RFC 9485 I-Regexp through PCRE2).  Where the
 * RFC assumes unique member names, a name selector selects every member of that name
 * (an edit must not leave a duplicate behind), while a singular query used as a value
 * takes the last one, as JSON readers do.
 */
#ifndef TK_JSONPATH_H
#define TK_JSONPATH_H
#include "base/buf.h"
#include "json/json.h"
#include <stdbool.h>

typedef struct jp_query jp_query;

typedef struct jp_error {
    size_t offset;          /* byte offset in the expression */
    char msg[160];
} jp_error;

/* A node list: the result of a query, in the order the RFC defines. */
typedef struct jp_list {
    json_node **v;
    size_t n, cap;
} jp_list;

/* Compiles expr[0..len); returns NULL with *err filled when it is not a valid query. */
jp_query *jp_compile(const char *expr, size_t len, jp_error *err);

/* Frees a compiled query; NULL is allowed. */
void jp_free(jp_query *q);

/* The most nodes one step of a query may hold (16 Mi: 128 MiB of pointers). */
#define JP_MAX_NODES (1u << 24)
#define JP_TOO_MANY (-2)

/* Appends the nodes q selects from root to out. Returns 0, -1 when a regular expression
 * hit its match limit, or JP_TOO_MANY when a step would hold more than JP_MAX_NODES nodes
 * (the list then holds what was selected so far). */
int jp_eval(const jp_query *q, json_node *root, jp_list *out);

/* jp_eval, where a node the query selects is appended to out only when keep(ctx, node)
 * returns true: a caller that filters the selection anyway never holds the whole of
 * "$..*" (the selection over a 40 MB document is 30 MB of pointers). The JP_TOO_MANY
 * limit applies to the nodes kept. */
int jp_eval_keep(const jp_query *q, json_node *root, bool (*keep)(void *ctx, json_node *n), void *ctx, jp_list *out);

/* Returns the source text the query was compiled from. */
const char *jp_source(const jp_query *q);

/* Appends the normalized path of n ($['a'][0]...) from root (or the top of its tree). */
void jp_path(const json_node *root, const json_node *n, buf *out);

/* The last array element jp_path_cached named, and its index. */
typedef struct jp_path_cache {
    const json_node *parent, *node;
    size_t index;
} jp_path_cache;

/* jp_path, reusing the index found for the element named last: naming every element of a
 * long array in turn costs linear time, not quadratic. The cache must be zeroed for a new
 * document and whenever elements were inserted or removed before the cached one. */
void jp_path_cached(const json_node *root, const json_node *n, buf *out, jp_path_cache *cache);

/* Appends s[0..len) escaped for use inside a JSONPath string literal quoted with quote
 * (' or "). */
void jp_escape_literal(const char *s, size_t len, char quote, buf *out);

/* Empties a list, keeping its memory. */
static inline void jp_list_clear(jp_list *l)
{
    l->n = 0;
}

/* Frees a list's memory. */
void jp_list_free(jp_list *l);

#endif
