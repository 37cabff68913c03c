#include "domain/arm.h"
#include "base/exitcodes.h"
#include "base/oom.h"
#include "domain/arm_hub.h"
#include "domain/arm_refs.h"
#include "domain/arm_regions.h"
#include "query/rx.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int arm_builtin_checks(engine_call *c)
{
    json_node *root = c->node;
    if (!root || root->type != JSON_OBJECT)
        return EXIT_OK;
    arm_hub_rules r = {0};
    json_node *pat = json_get(c->args, "hub-name", 8), *type = json_get(c->args, "hub-type", 8);
    rx_error err;
    if (pat && pat->type == JSON_STRING)
        r.hub_name = rx_compile(pat->p, pat->n, 0, &err);
    char type_buf[128] = "";
    if (type && type->type == JSON_STRING && type->n < sizeof type_buf) {
        memcpy(type_buf, type->p, type->n);
        type_buf[type->n] = '\0';
        r.hub_type = type_buf;
    }
    bool regions = arm_regions_load(&r.regions, c->args);
    /* A check that cannot run is an error, never a silent pass (the build catches these
     * for the compiled-in rules; a -r file can still get here). */
    if (!r.hub_name || !r.hub_type || !regions) {
        engine_report(c, SEV_ERROR, "arm-checks-args", NULL,
                      "the IoT hub checks cannot run: their args need hub-type, a hub-name pattern that compiles "
                      "and a regions file of this build");
        rx_free(r.hub_name);
        arm_regions_free(&r.regions);
        return EXIT_BADRULES;
    }
    r.reserved = json_get(c->args, "reserved-endpoints", 18);
    arm_check_references(c, root);
    arm_check_hubs(c, root, &r);
    rx_free(r.hub_name);
    arm_regions_free(&r.regions);
    return EXIT_OK;
}

/* What a schema cannot say about arm-checks' args: the pattern compiles (as PCRE2 will
 * run it) and the regions file is one this build carries. */
static const char *check_arm_args(const json_node *args, const json_node **at)
{
    json_node *pat = json_get(args, "hub-name", 8);
    rx_error err;
    rx *re = pat ? rx_compile(pat->p, pat->n, 0, &err) : NULL;
    if (!re) {
        *at = pat;
        return "hub-name is not a regular expression PCRE2 compiles";
    }
    rx_free(re);
    arm_regions regions;
    bool found = arm_regions_load(&regions, args);
    arm_regions_free(&regions);
    if (!found) {
        *at = json_get(args, "regions", 7);
        return "regions names no file under rules/ that this build carries";
    }
    return NULL;
}

/* What each rule id the built-in reports means (SARIF shortDescription and help). */
static const diag_rule arm_rules[] = {
    {"arm-undefined-parameter", "an expression names a parameter its scope does not define",
     "Define the parameter, or fix the name. A nested deployment with expressionEvaluationOptions.scope inner sees only its own parameters; inside a user-defined function only the function's parameters exist."},
    {"arm-undefined-variable", "an expression names a variable its scope does not define",
     "Define the variable (a member of variables, or a name of a variables copy loop), or fix the name."},
    {"arm-expression-syntax", "a template expression is malformed", "Fix the expression at the reported position; a literal string starting with '[' is written '[['."},
    {"arm-unused-parameter", "a parameter is never used", "Remove it, or use it: an unused parameter is usually a typo elsewhere."},
    {"arm-secure-default", "a secure parameter has a default value", "A default ships the secret with the template; only [newGuid()] is allowed."},
    {"arm-hub-name", "the IoT hub name is invalid", "IoT hub names are 3 to 50 letters, digits and '-', not all digits, and neither start nor end with '-'."},
    {"arm-location", "the IoT hub's location is not a known Azure region", "Use a region name from rules/azure-regions.txt, or an expression."},
    {"arm-sku-api-version", "the SKU does not exist in the resource's apiVersion", "GEN2 exists only in apiVersion 2025-08-01-preview and 2026-03-01-preview."},
    {"arm-capacity", "sku.capacity is outside what the SKU allows", "F1: exactly 1 unit; B1, B2, S1, S2: 1 to 200; B3, S3: 1 to 10."},
    {"arm-endpoint-array-version", "an endpoint array does not exist in the hub's apiVersion", "cosmosDBSqlCollections exists in 2022-04-30-preview and 2022-11-15-preview, cosmosDBSqlContainers from 2023-06-30-preview on."},
    {"arm-endpoint-reserved", "an endpoint uses a reserved name", "events, fileNotifications and $default are reserved."},
    {"arm-endpoint-duplicate", "two endpoints have the same name", "Endpoint names are unique across all endpoint types, ignoring case."},
    {"arm-identity-not-assigned", "an endpoint uses a user-assigned identity the hub does not have", "List the identity in the hub's identity.userAssignedIdentities."},
    {"arm-system-identity-missing", "an endpoint uses the system-assigned identity the hub does not have", "Add SystemAssigned to the hub's identity.type."},
    {"arm-endpoint-limit", "the hub has more custom endpoints than its SKU allows", "At most 10 custom endpoints on a paid hub, 1 on a free (F1) hub."},
    {"arm-route-unknown-endpoint", "a route, enrichment or the fallback route names an endpoint the hub does not have", "Name an endpoint of the hub, or events."},
    {"arm-route-duplicate", "two routes have the same name", "Route names are unique within a hub."},
    {"arm-route-limit", "the hub has more routes than its SKU allows", "At most 100 routes on a paid hub, 5 on a free (F1) hub."},
    {"arm-enrichment-limit", "the hub has more message enrichments than its SKU allows", "At most 10 enrichments on a paid hub, 2 on a free (F1) hub."},
    {"arm-not-checkable", "part of the hub is a template expression whose value is not known offline", "The part is not checked; check the deployed hub, or write the value in the template."},
    {"arm-consumer-group-name", "a consumer group name is invalid", "Consumer group names are 1 to 50 letters, digits, '-', '.' and '_'."},
    {"arm-consumer-group-duplicate", "a consumer group is declared twice for one hub", "Names are compared ignoring case; keep one."},
    {"arm-consumer-group-limit", "a hub has more than 20 consumer groups", "A hub may have at most 20 consumer groups."},
    {"arm-consumer-group-properties", "a consumer group has no properties.name", "From apiVersion 2021-03-31 on, properties.name is required; set it to the group's name."},
    {"arm-checks-args", "the IoT hub checks cannot run with the args given", "Give hub-type, a hub-name pattern that compiles and a regions file of this build."},
    {NULL, NULL, NULL},
};

const engine_builtin arm_checks_builtin = {
    "arm-checks", arm_builtin_checks, NULL,
    "{\"type\": \"object\", \"additionalProperties\": false,"
    " \"required\": [\"hub-type\", \"hub-name\", \"reserved-endpoints\", \"regions\"],"
    " \"properties\": {\"hub-type\": {\"type\": \"string\", \"minLength\": 1},"
    " \"hub-name\": {\"type\": \"string\", \"minLength\": 1},"
    " \"reserved-endpoints\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
    " \"regions\": {\"type\": \"string\", \"pattern\": \"^rules/\"}}}",
    check_arm_args,
    arm_rules,
};
