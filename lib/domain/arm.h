/* arm: what tmplkit knows about Azure IoT Hub ARM templates beyond the schema and rule
 * files: expression references, and the IoT Hub checks that need code. */
#ifndef TK_ARM_H
#define TK_ARM_H
#include "rules/engine.h"
#include "json/json.h"
#include <stdbool.h>

/* Returns true when n is a resource object whose type is t (compared ignoring case). */
bool arm_is_type(const json_node *n, const char *t);

/* Calls fn for every resource object in the template, nested child resources included. */
void arm_each_resource(json_node *root, void (*fn)(void *ctx, json_node *res), void *ctx);

/* Calls fn for every routing endpoint object of an IoT hub resource (every array under
 * properties.routing.endpoints, unknown ones included). */
void arm_each_endpoint(json_node *hub, void (*fn)(void *ctx, json_node *endpoint, json_node *array), void *ctx);

/* The built-in "arm-checks" for config-validate: every parameters()/variables() names a
 * definition, unused parameters, SecureString defaults, and per IoT hub: name, location
 * (args: {regions: FILE under rules/}), endpoint names (unique, not reserved), route,
 * enrichment and fallback targets, and identity consistency. What it knows comes from its
 * args in the rule file: hub-type, hub-name (a pattern), reserved-endpoints, regions. */
extern const engine_builtin arm_checks_builtin;

#endif
