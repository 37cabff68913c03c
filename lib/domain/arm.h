/* arm: what tmplkit knows about Azure IoT Hub ARM templates beyond the schema and rule
 * files: expression references, and the IoT Hub checks that need code. */
#ifndef TK_ARM_H
#define TK_ARM_H
#include "rules/engine.h"
#include "json/json.h"
#include <stdbool.h>

/* The built-in "arm-checks" for config-validate: every parameters()/variables() names a
 * definition, unused parameters, SecureString defaults, and per IoT hub: name, location
 * (args: {regions: FILE under rules/}), endpoint names (unique, not reserved), route,
 * enrichment and fallback targets, and identity consistency. What it knows comes from its
 * args in the rule file: hub-type, hub-name (a pattern), reserved-endpoints, regions. */
extern const engine_builtin arm_checks_builtin;

#endif
