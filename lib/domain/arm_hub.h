/* arm_hub: the checks on Microsoft.Devices/IotHubs resources that a schema cannot express:
 * names that must be unique or must exist, limits that depend on the SKU or the
 * apiVersion, values reached through parameters, and consumer groups. */
#ifndef TK_ARM_HUB_H
#define TK_ARM_HUB_H
#include "domain/arm_regions.h"
#include "json/json.h"
#include "query/rx.h"
#include "rules/engine.h"

/* What the checks know from their rule file's args. */
typedef struct arm_hub_rules {
    const char *hub_type;       /* "Microsoft.Devices/IotHubs" */
    rx *hub_name;               /* the hub name pattern */
    const json_node *reserved;  /* endpoint names a hub reserves */
    arm_regions regions;        /* known region names */
} arm_hub_rules;

/* Checks every IoT hub in root, in every template form (resources as an array or an object
 * of symbolic names, child resources, nested deployments), and the consumer groups of each. */
void arm_check_hubs(engine_call *c, json_node *root, const arm_hub_rules *r);

#endif
