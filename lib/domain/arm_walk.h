/* arm_walk: where things are in an ARM template. Resources in either form (an array, or
 * the object of symbolic names of languageVersion 2.0), child resources, and the inline
 * templates of nested deployments with the scope their expressions are evaluated in. */
#ifndef TK_ARM_WALK_H
#define TK_ARM_WALK_H
#include "json/json.h"
#include <stddef.h>
#include <stdbool.h>

/* A member of an ARM object by name, compared ignoring ASCII case as Azure does; NULL when
 * obj is not an object or has no such member. */
json_node *arm_member(const json_node *obj, const char *name);

/* True when n is a string equal to text, ignoring ASCII case. */
bool arm_string_is(const json_node *n, const char *text);

/* One template seen by arm_each_template. */
typedef struct arm_template {
    json_node *tmpl;        /* the template object */
    json_node *scope;       /* the template whose parameters(), variables() and functions its
                               expressions name: itself, or for a nested deployment with the
                               default outer scope, the enclosing template's scope */
    json_node *deployment;  /* the Microsoft.Resources/deployments resource holding it, or NULL */
    int depth;              /* 0 for the document's own template */
} arm_template;

/* Calls fn for root and then for every inline template of a nested deployment in it, at
 * any depth, in document order. Nesting deeper than 32 deployments is not followed. */
void arm_each_template(json_node *root, void (*fn)(void *ctx, const arm_template *t), void *ctx);

/* Calls fn for every resource object of one template, child resources included (parent is
 * the resource holding a child, else NULL), in document order. It does not descend into
 * nested deployments' templates: arm_each_template visits those. */
void arm_each_resource(json_node *tmpl, void (*fn)(void *ctx, json_node *res, json_node *parent), void *ctx);

/* The inline template of a nested deployment resource, or NULL when res is not one (or
 * links its template by URI). *inner is set when expressionEvaluationOptions.scope is
 * "inner", so the template's own parameters and variables apply. */
json_node *arm_nested_template(const json_node *res, bool *inner);

/* True when res's type (compared ignoring case, a trailing '/' ignored) is type; for a
 * child resource, its type is the parent's type, '/', and its own. */
bool arm_resource_is(const json_node *res, const json_node *parent, const char *type);

/* An index of the members of the objects a check looks names up in (a template's
 * parameters and variables): a template with 1,000 hubs has 3,000 parameters, and looking
 * each reference up in a list would make a check quadratic in the document. */
typedef struct arm_names arm_names;

/* Returns an empty index; objects are indexed on first lookup. */
arm_names *arm_names_new(void);

/* Frees the index (not the document). */
void arm_names_free(arm_names *ix);

/* The last member of obj named name[0..len) ignoring ASCII case (Azure's comparison), or
 * NULL; with ix NULL, a plain scan. For variables, the names a "copy" loop defines are not
 * members: arm_variable_defined says whether they exist. */
json_node *arm_names_get(arm_names *ix, const json_node *obj, const char *name, size_t len);

/* True when variables (a template's "variables" object) defines name: a member, or a
 * name of one of its "copy" loops (template-variables.md). */
bool arm_variable_defined(arm_names *ix, const json_node *variables, const char *name, size_t len);

/* The literal value v stands for in the scope of template scope: v itself when it is not
 * an expression; for "[parameters('p')]" the value a nested deployment passes for p, else
 * p's defaultValue; for "[variables('v')]" the value of v (followed at most 8 times);
 * NULL when it cannot be known offline. */
const json_node *arm_resolve(arm_names *ix, const json_node *scope, const json_node *v);

/* arm_resolve's answer when it is a string that is not an expression, else NULL: the
 * name, location or key text v stands for offline. */
const json_node *arm_resolve_text(arm_names *ix, const json_node *scope, const json_node *v);

/* A consumer group resource's name: its properties.name, else the last '/'-separated
 * segment of its resource name ("HUB/events/GROUP"), each as arm_resolve_text finds it in
 * scope (scope NULL: only what is written literally). *at is the node it was read from;
 * false when neither is known offline. */
bool arm_consumer_group_name(arm_names *ix, const json_node *scope, const json_node *res, const char **s, size_t *n,
                             const json_node **at);

/* Where the value lit that arm_resolve found for v came from: "" when lit is v itself,
 * "variable" or "parameter" (its default, or the value a deployment passes). */
const char *arm_resolved_from(const json_node *v, const json_node *lit);

#endif
