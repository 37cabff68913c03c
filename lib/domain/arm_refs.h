/* arm_refs: the references inside ARM template expressions. Every parameters('x') and
 * variables('x') names a definition of the scope it is evaluated in; parameters nothing
 * uses; secure parameters with a default. */
#ifndef TK_ARM_REFS_H
#define TK_ARM_REFS_H
#include "json/json.h"
#include "rules/engine.h"

/* Reports, for root and every nested template in it: references that name nothing in
 * their scope (arm-undefined-parameter, arm-undefined-variable), malformed expressions
 * (arm-expression-syntax), unused parameters (arm-unused-parameter) and secure parameters
 * with a default (arm-secure-default). */
void arm_check_references(engine_call *c, json_node *root);

#endif
