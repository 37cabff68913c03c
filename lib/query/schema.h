/* schema: JSON Schema 2020-12 (the subset README.md lists) over document trees.
 *
 * A schema is any tree (loaded from YAML or JSON); compiling it indexes $id and $anchor,
 * resolves every $ref inside it (no remote fetching) and compiles the regular expressions.
 * Validation reports each failure at the instance node, so a finding can point at
 * FILE:LINE:COL.  Three annotation keywords of ours shape findings: x-rule (rule id),
 * x-severity (error, warning, note) and x-message (the text), taken from the nearest
 * schema object that holds the failing keyword.
 */
#ifndef TK_SCHEMA_H
#define TK_SCHEMA_H
#include "base/diag.h"
#include "json/json.h"
#include <stdbool.h>

typedef struct schema schema;

typedef struct schema_opts {
    bool format_assert;     /* "format" fails on bad values (else it only annotates) */
    bool strict;            /* unknown keywords are compile errors (else ignored) */
} schema_opts;

typedef struct schema_error {
    const json_node *at;    /* the schema node at fault */
    char msg[200];
} schema_error;

typedef struct schema_violation {
    const json_node *instance;  /* where in the document */
    const json_node *where;     /* the schema object holding the failed keyword */
    const char *keyword;
    char *message;              /* owned */
    const char *rule;           /* x-rule or "schema" */
    size_t rule_len;
    severity sev;
} schema_violation;

typedef struct schema_result {
    schema_violation *v;
    size_t n, cap;
} schema_result;

/* Compiles the schema at root (which must outlive the result); NULL with *err filled when
 * a $ref cannot be resolved, a pattern does not compile or (strict) a keyword is unknown. */
schema *schema_compile(const json_node *root, const schema_opts *o, schema_error *err);

/* Frees a compiled schema; NULL is allowed. */
void schema_free(schema *s);

/* Validates instance; returns true when valid. With out, appends every failure found
 * (inside anyOf/oneOf/not only the combinator's own failure is reported). */
bool schema_validate(const schema *s, const json_node *instance, schema_result *out);

/* Frees the violations and empties the result. */
void schema_result_free(schema_result *r);

#endif
