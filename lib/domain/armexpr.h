/* armexpr: ARM template expressions ("[concat(parameters('a'), 'x')]"): finds the
 * parameters('x') and variables('x') they use. */
#ifndef TK_ARMEXPR_H
#define TK_ARMEXPR_H
#include <stdbool.h>
#include <stddef.h>

/* One parameters('name') or variables('name') call with a literal name. */
typedef struct arm_ref {
    bool variable;          /* variables() rather than parameters() */
    const char *name;       /* points into the expression text (no '' unescaping needed: names have none) */
    size_t len;
} arm_ref;

/* Returns true when the JSON string s[0..len) is a template expression: '[' ... ']' and
 * not the "[[" escape of a literal. */
bool arm_is_expression(const char *s, size_t len);

/* Parses an expression string and calls fn for each reference. Returns NULL when the
 * expression is well formed, or a description of the first syntax problem. */
const char *arm_scan(const char *s, size_t len, void (*fn)(void *ctx, const arm_ref *r), void *ctx);

#endif
