/* Sources, cited beside each check: Azure/bicep-types-az
 * generated/iothub/microsoft.devices/<apiVersion>/types.md (the resource provider's types),
 * MicrosoftDocs/azure-docs includes/iot-hub-limits.md, articles/iot-hub/iot-hub-scaling.md
 * and iot-hub-devguide-quotas-throttling.md. */
#include "domain/arm_hub.h"
#include "base/ascii.h"
#include "base/buf.h"
#include "base/oom.h"
#include "base/quote.h"
#include "domain/arm_walk.h"
#include "domain/armexpr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One routing endpoint, with its name as known offline (NULL when it is an expression
 * whose value cannot be known). */
typedef struct endpoint {
    json_node *node;
    const char *name;
    size_t len;
    const json_node *at;    /* where its name is written */
} endpoint;

/* One consumer group resource, for the per-hub checks once every hub is known. */
#define NO_HUB ((size_t)-1)

/* A hub in a lookup table: its resource, its name (or NULL), its index in the hub list. */
typedef struct hub_key {
    const json_node *node, *name;
    size_t index;
} hub_key;

typedef struct group {
    json_node *res;
    size_t hub;             /* its hub's index in hubs.hub_list, or NO_HUB when it cannot be told */
    const char *name;       /* the group's name, or NULL when not known offline */
    size_t len;
    const json_node *at;
} group;

typedef struct hubs {
    engine_call *c;
    arm_names *ix;              /* parameters and variables, indexed */
    const arm_hub_rules *r;
    json_node *scope;           /* the template the current resources' expressions see */
    endpoint *eps;              /* of the hub being checked */
    size_t neps;
    endpoint **sorted;          /* its named endpoints, by name ignoring case */
    size_t nsorted;
    size_t unknown_names;       /* endpoint and route target names not known offline */
    const json_node **hub_list; /* every hub, and its name as known offline (or NULL) */
    const json_node **hub_name;
    size_t nhubs;
    hub_key *by_name;           /* the named hubs by name ignoring case, then document order */
    size_t nnamed_hubs;
    hub_key *by_node;           /* every hub by the address of its resource */
    group *groups;
    size_t ngroups;
} hubs;

static int name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    for (size_t i = 0; i < an && i < bn; i++) {
        int x = ascii_lower((unsigned char)a[i]), y = ascii_lower((unsigned char)b[i]);
        if (x != y)
            return x - y;
    }
    return an < bn ? -1 : an > bn;
}

/* Quoted for a message: control characters escaped, at most 80 characters. */
static const char *q(buf *b, const char *s, size_t n)
{
    b->len = 0;
    quote_into(b, s, n, 80);
    return b->data;
}

/* A literal string reached from v in the current scope, or NULL. */
static const json_node *literal(const hubs *h, const json_node *v)
{
    return arm_resolve_text(h->ix, h->scope, v);
}

/* The apiVersion's date part "YYYY-MM-DD" compared with date: <0, 0, >0; 0 also when the
 * apiVersion is not a literal date (nothing is concluded from it). */
static int api_cmp(const json_node *res, const char *date)
{
    json_node *v = arm_member(res, "apiVersion");
    if (!v || v->type != JSON_STRING || v->n < 10 || arm_is_expression(v->p, v->n))
        return 0;
    return memcmp(v->p, date, 10);
}

static bool api_known(const json_node *res)
{
    json_node *v = arm_member(res, "apiVersion");
    return v && v->type == JSON_STRING && v->n >= 10 && !arm_is_expression(v->p, v->n);
}

/* ---------------------------------------------------------------- name, location, SKU */

static void check_name_location(hubs *h, json_node *hub)
{
    buf b = BUF_INIT;
    const json_node *name = literal(h, arm_member(hub, "name"));
    if (name && rx_match(h->r->hub_name, name->p, name->n) != RX_MATCH)
        engine_report(h->c, SEV_ERROR, "arm-hub-name", name,
                      "IoT hub name '%s' is invalid: 3-50 letters, digits and '-', not all digits, not starting "
                      "or ending with '-'",
                      q(&b, name->p, name->n));
    /* "[resourceGroup().location]" and the like follow the deployment: nothing to check. */
    const json_node *loc = literal(h, arm_member(hub, "location"));
    if (loc && h->r->regions.n && !arm_region_known(&h->r->regions, loc->p, loc->n))
        engine_report(h->c, SEV_ERROR, "arm-location", loc, "unknown Azure region '%s'", q(&b, loc->p, loc->n));
    buf_free(&b);
}

/* Units per SKU: F1 1 (includes/iot-hub-limits.md:13, "Maximum units"); B1, B2, S1, S2 up
 * to 200 and B3, S3 up to 10 (articles/iot-hub/iot-hub-scaling.md, "Message throughput":
 * "You can purchase up to 200 units for the B1, B2, S1, or S2 edition, or up to 10 units
 * for the B3 or S3 edition"). */
static long max_units(const char *sku, size_t n)
{
    static const struct { const char *name; long max; } table[] = {
        {"F1", 1}, {"B1", 200}, {"B2", 200}, {"S1", 200}, {"S2", 200}, {"B3", 10}, {"S3", 10},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
        if (ascii_same(sku, n, table[i].name, 2))
            return table[i].max;
    return 0;
}

/* True when the hub's SKU is the free one (its limits are lower: types.md
 * RoutingProperties). An unknown SKU counts as paid, so no false error. */
static bool free_sku(const hubs *h, const json_node *hub)
{
    const json_node *sku = literal(h, arm_member(arm_member(hub, "sku"), "name"));
    return sku && ascii_same(sku->p, sku->n, "F1", 2);
}

static void check_sku(hubs *h, json_node *hub)
{
    json_node *sku = arm_member(hub, "sku");
    const json_node *name = literal(h, arm_member(sku, "name"));
    if (!name)
        return;
    buf b = BUF_INIT;
    /* GEN2 exists only in the 2025-08-01-preview and 2026-03-01-preview types
     * (generated/iothub/microsoft.devices/2025-08-01-preview/types.md:284; the 2026-05-01-preview
     * types.md:295 no longer lists it). */
    json_node *api = arm_member(hub, "apiVersion");
    if (ascii_same(name->p, name->n, "GEN2", 4) && api_known(hub) && !arm_string_is(api, "2025-08-01-preview") &&
        !arm_string_is(api, "2026-03-01-preview"))
        engine_report(h->c, SEV_ERROR, "arm-sku-api-version", name,
                      "SKU GEN2 exists only in apiVersion 2025-08-01-preview and 2026-03-01-preview, not in '%s'",
                      q(&b, api->p, api->n));
    long max = max_units(name->p, name->n);
    const json_node *cap = arm_resolve(h->ix, h->scope, arm_member(sku, "capacity"));
    if (max && cap && cap->type == JSON_NUMBER) {
        char text[32];
        snprintf(text, sizeof text, "%.*s", cap->n < 31 ? (int)cap->n : 31, (const char *)cap->p);
        char *end;
        double units = strtod(text, &end);
        if (*end || units != (double)(long)units || units < 1 || units > (double)max)
            engine_report(h->c, SEV_ERROR, "arm-capacity", cap, "sku.capacity %s is not allowed for %s: %s%ld",
                          text, q(&b, name->p, name->n), max == 1 ? "exactly " : "1 to ", max);
    }
    buf_free(&b);
}

/* ---------------------------------------------------------------- endpoints */

static int by_name(const void *a, const void *b)
{
    const endpoint *x = *(endpoint *const *)a, *y = *(endpoint *const *)b;
    int c = name_cmp(x->name, x->len, y->name, y->len);
    /* Equal names keep their document order: the first is "the" endpoint. */
    return c ? c : (x->node->start > y->node->start) - (x->node->start < y->node->start);
}

/* The first endpoint (in document order) named s ignoring case, or NULL. */
static endpoint *endpoint_named(const hubs *h, const char *s, size_t n)
{
    size_t lo = 0, hi = h->nsorted;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (name_cmp(h->sorted[mid]->name, h->sorted[mid]->len, s, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < h->nsorted && !name_cmp(h->sorted[lo]->name, h->sorted[lo]->len, s, n) ? h->sorted[lo] : NULL;
}

/* A note, never an error, for a part of the hub written as one expression. */
static void not_auditable(hubs *h, const json_node *n, const char *what)
{
    if (n && n->type == JSON_STRING && arm_is_expression(n->p, n->n))
        engine_report(h->c, SEV_NOTE, "arm-not-checkable", n,
                      "%s is one template expression: its content is not known offline and is not checked", what);
}

/* The endpoint arrays each apiVersion has for Cosmos DB: cosmosDBSqlCollections in
 * 2022-04-30-preview and 2022-11-15-preview, cosmosDBSqlContainers from 2023-06-30-preview
 * (generated/iothub/microsoft.devices/2022-11-15-preview/types.md:401 and
 * 2023-06-30-preview/types.md:401). */
static void check_array_version(hubs *h, json_node *hub, json_node *array)
{
    bool collections = ascii_same(array->key, array->key_len, "cosmosDBSqlCollections", 22);
    bool containers = ascii_same(array->key, array->key_len, "cosmosDBSqlContainers", 21);
    if ((!collections && !containers) || !api_known(hub))
        return;
    bool ok = collections ? api_cmp(hub, "2022-04-30") >= 0 && api_cmp(hub, "2022-11-15") <= 0
                          : api_cmp(hub, "2023-06-30") >= 0;
    if (ok)
        return;
    json_node *api = arm_member(hub, "apiVersion");
    buf b = BUF_INIT;
    engine_report(h->c, SEV_ERROR, "arm-endpoint-array-version", array,
                  "apiVersion '%s' has no '%s' endpoints: cosmosDBSqlCollections exists in 2022-04-30-preview and "
                  "2022-11-15-preview, cosmosDBSqlContainers from 2023-06-30-preview on",
                  q(&b, api->p, api->n), collections ? "cosmosDBSqlCollections" : "cosmosDBSqlContainers");
    buf_free(&b);
}

static void collect_endpoints(hubs *h, json_node *hub)
{
    h->neps = 0;
    json_node *eps = arm_member(arm_member(arm_member(hub, "properties"), "routing"), "endpoints");
    not_auditable(h, eps, "routing.endpoints");
    for (json_node *arr = eps && eps->type == JSON_OBJECT ? json_first(eps) : NULL; arr; arr = arr->next) {
        if (arr->type == JSON_STRING) {
            buf b = BUF_INIT;
            buf_printf(&b, "routing.endpoints.%.*s", (int)arr->key_len, arr->key);
            not_auditable(h, arr, b.data);
            buf_free(&b);
        }
        if (arr->type != JSON_ARRAY)
            continue;
        check_array_version(h, hub, arr);
        for (json_node *e = json_first(arr); e; e = e->next) {
            if (e->type != JSON_OBJECT)
                continue;
            json_node *name = arm_member(e, "name");
            const json_node *lit = literal(h, name);
            if (name && !lit)
                h->unknown_names++;
            h->eps = xrealloc(h->eps, (h->neps + 1) * sizeof *h->eps);
            h->eps[h->neps++] = (endpoint){e, lit ? lit->p : NULL, lit ? lit->n : 0, lit && lit != name ? name : lit};
        }
    }
    h->sorted = xrealloc(h->sorted, (h->neps + 1) * sizeof *h->sorted);
    h->nsorted = 0;
    for (size_t i = 0; i < h->neps; i++)
        if (h->eps[i].name)
            h->sorted[h->nsorted++] = &h->eps[i];
    qsort(h->sorted, h->nsorted, sizeof *h->sorted, by_name);
}

static bool identity_listed(const json_node *hub, const json_node *id)
{
    json_node *ids = arm_member(arm_member(hub, "identity"), "userAssignedIdentities");
    for (json_node *m = ids && ids->type == JSON_OBJECT ? json_first(ids) : NULL; m; m = m->next) {
        if (ascii_same(m->key, m->key_len, id->p, id->n))
            return true;
        /* A member name written as an expression may stand for any identity. */
        if (arm_is_expression(m->key, m->key_len))
            return true;
    }
    return false;
}

static bool system_identity_on(const json_node *hub)
{
    json_node *type = arm_member(arm_member(hub, "identity"), "type");
    if (!type || type->type != JSON_STRING)
        return false;
    for (size_t i = 0; i + 14 <= type->n; i++)
        if (ascii_same((const char *)type->p + i, 14, "systemassigned", 14))
            return true;
    return arm_is_expression(type->p, type->n);
}

static void check_endpoints(hubs *h, json_node *hub)
{
    buf b = BUF_INIT;
    for (size_t i = 0; i < h->neps; i++) {
        endpoint *ep = &h->eps[i];
        const char *name = ep->name ? q(&b, ep->name, ep->len) : "(an expression)";
        if (ep->name) {
            for (const json_node *r = h->r->reserved ? json_first(h->r->reserved) : NULL; r; r = r->next)
                if (r->type == JSON_STRING && ascii_same(ep->name, ep->len, r->p, r->n))
                    engine_report(h->c, SEV_ERROR, "arm-endpoint-reserved", ep->at, "endpoint name '%s' is reserved",
                                  name);
            if (endpoint_named(h, ep->name, ep->len) != ep)
                engine_report(h->c, SEV_ERROR, "arm-endpoint-duplicate", ep->at,
                              "endpoint name '%s' is used twice (names are unique across all endpoint types)", name);
        }
        if (!arm_string_is(arm_member(ep->node, "authenticationType"), "identitybased"))
            continue;
        json_node *uai = arm_member(arm_member(ep->node, "identity"), "userAssignedIdentity");
        if (uai && uai->type == JSON_STRING && uai->n) {
            if (!arm_is_expression(uai->p, uai->n) && !identity_listed(hub, uai))
                engine_report(h->c, SEV_ERROR, "arm-identity-not-assigned", uai,
                              "endpoint '%s' uses a user-assigned identity the hub does not list in "
                              "identity.userAssignedIdentities",
                              name);
        } else if (!system_identity_on(hub)) {
            engine_report(h->c, SEV_ERROR, "arm-system-identity-missing", ep->node,
                          "endpoint '%s' uses the system-assigned identity, but the hub's identity.type does not "
                          "include SystemAssigned",
                          name);
        }
    }
    /* At most 10 custom endpoints on a paid hub, 1 on a free one (types.md:414,
     * RoutingProperties.endpoints; iot-hub-devguide-quotas-throttling.md, "Other limits"). */
    size_t max = free_sku(h, hub) ? 1 : 10;
    if (h->neps > max)
        engine_report(h->c, SEV_ERROR, "arm-endpoint-limit", h->eps[max].node,
                      "the hub has %zu custom endpoints; %s hub may have at most %zu", h->neps,
                      max == 1 ? "a free (F1)" : "a", max);
    buf_free(&b);
}

/* ---------------------------------------------------------------- routes */

static void check_targets(hubs *h, json_node *holder, const char *what)
{
    json_node *names = arm_member(holder, "endpointNames");
    if (!names || names->type != JSON_ARRAY)
        return;
    buf b = BUF_INIT;
    for (json_node *n = json_first(names); n; n = n->next) {
        const json_node *lit = literal(h, n);
        if (!lit) {
            if (n->type == JSON_STRING)
                h->unknown_names++;
            continue;
        }
        if (ascii_same(lit->p, lit->n, "events", 6) || endpoint_named(h, lit->p, lit->n))
            continue;
        engine_report(h->c, SEV_ERROR, "arm-route-unknown-endpoint", n, "%s names endpoint '%s', which this hub does not have",
                      what, q(&b, lit->p, lit->n));
    }
    buf_free(&b);
}

static int route_by_name(const void *a, const void *b)
{
    const json_node *x = *(const json_node *const *)a, *y = *(const json_node *const *)b;
    int c = name_cmp(x->p, x->n, y->p, y->n);
    return c ? c : (x->start > y->start) - (x->start < y->start);
}

/* Route names are unique (types.md:357, RouteProperties.name "must be unique"); compared
 * ignoring case, as Azure compares the names of a resource's parts. */
static void check_route_names(hubs *h, json_node *routes)
{
    size_t n = 0;
    const json_node **names = xmalloc((json_count(routes) + 1) * sizeof *names);
    for (json_node *r = json_first(routes); r; r = r->next) {
        const json_node *name = literal(h, arm_member(r, "name"));
        if (name)
            names[n++] = name;
    }
    qsort(names, n, sizeof *names, route_by_name);
    buf b = BUF_INIT;
    for (size_t i = 1; i < n; i++)
        if (!name_cmp(names[i]->p, names[i]->n, names[i - 1]->p, names[i - 1]->n))
            engine_report(h->c, SEV_ERROR, "arm-route-duplicate", names[i], "route name '%s' is used twice",
                          q(&b, names[i]->p, names[i]->n));
    buf_free(&b);
    free(names);
}

static void check_routing(hubs *h, json_node *hub)
{
    json_node *routing = arm_member(arm_member(hub, "properties"), "routing");
    json_node *routes = arm_member(routing, "routes"), *enr = arm_member(routing, "enrichments");
    not_auditable(h, routes, "routing.routes");
    not_auditable(h, enr, "routing.enrichments");
    bool free_hub = free_sku(h, hub);
    if (routes && routes->type == JSON_ARRAY) {
        for (json_node *r = json_first(routes); r; r = r->next)
            check_targets(h, r, "route");
        check_route_names(h, routes);
        /* 100 routes on a paid hub, 5 on a free one (types.md:415, RoutingProperties.routes). */
        size_t max = free_hub ? 5 : 100;
        if (json_count(routes) > max)
            engine_report(h->c, SEV_ERROR, "arm-route-limit", routes, "the hub has %zu routes; %s hub may have at most %zu",
                          json_count(routes), free_hub ? "a free (F1)" : "a", max);
    }
    if (enr && enr->type == JSON_ARRAY) {
        for (json_node *e = json_first(enr); e; e = e->next)
            check_targets(h, e, "enrichment");
        /* 10 enrichments on a paid hub, 2 on a free one (iot-hub-devguide-quotas-throttling.md,
         * "Other limits", "Message enrichments"). */
        size_t max = free_hub ? 2 : 10;
        if (json_count(enr) > max)
            engine_report(h->c, SEV_ERROR, "arm-enrichment-limit", enr,
                          "the hub has %zu message enrichments; %s hub may have at most %zu", json_count(enr),
                          free_hub ? "a free (F1)" : "a", max);
    }
    json_node *fb = arm_member(routing, "fallbackRoute");
    not_auditable(h, fb, "routing.fallbackRoute");
    if (fb)
        check_targets(h, fb, "the fallback route");
}

static void check_hub(hubs *h, json_node *hub)
{
    check_name_location(h, hub);
    check_sku(h, hub);
    json_node *props = arm_member(hub, "properties");
    not_auditable(h, props, "the hub's properties");
    not_auditable(h, arm_member(props, "routing"), "routing");
    not_auditable(h, arm_member(props, "storageEndpoints"), "storageEndpoints");
    not_auditable(h, arm_member(hub, "identity"), "the hub's identity");
    h->unknown_names = 0;
    collect_endpoints(h, hub);
    check_endpoints(h, hub);
    check_routing(h, hub);
    if (h->unknown_names)
        engine_report(h->c, SEV_NOTE, "arm-not-checkable", arm_member(hub, "name"),
                      "%zu endpoint name%s in this hub's endpoints, routes and enrichments %s template expressions "
                      "whose values are not known offline: whether they are unique and exist is not checked",
                      h->unknown_names, h->unknown_names == 1 ? "" : "s", h->unknown_names == 1 ? "is a" : "are");
}

/* ---------------------------------------------------------------- consumer groups */

static const char consumer_groups[] = "Microsoft.Devices/IotHubs/eventHubEndpoints/ConsumerGroups";

static int hub_by_name(const void *a, const void *b)
{
    const hub_key *x = a, *y = b;
    int c = name_cmp(x->name->p, x->name->n, y->name->p, y->name->n);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

static int hub_by_node(const void *a, const void *b)
{
    const hub_key *x = a, *y = b;
    return (x->node > y->node) - (x->node < y->node);
}

/* Sorts the hubs by name and by node, so that each consumer group finds its hub in log n. */
static void index_hubs(hubs *h)
{
    h->by_name = xmalloc((h->nhubs + 1) * sizeof *h->by_name);
    h->by_node = xmalloc((h->nhubs + 1) * sizeof *h->by_node);
    h->nnamed_hubs = 0;
    for (size_t i = 0; i < h->nhubs; i++) {
        h->by_node[i] = (hub_key){h->hub_list[i], NULL, i};
        if (h->hub_name[i])
            h->by_name[h->nnamed_hubs++] = (hub_key){h->hub_list[i], h->hub_name[i], i};
    }
    qsort(h->by_name, h->nnamed_hubs, sizeof *h->by_name, hub_by_name);
    qsort(h->by_node, h->nhubs, sizeof *h->by_node, hub_by_node);
}

/* The index of the last hub (in document order) named s[0..n) ignoring case, or NO_HUB. */
static size_t hub_named(const hubs *h, const char *s, size_t n)
{
    size_t lo = 0, hi = h->nnamed_hubs;
    while (lo < hi) {   /* the first entry past the name */
        size_t mid = (lo + hi) / 2;
        if (name_cmp(h->by_name[mid].name->p, h->by_name[mid].name->n, s, n) <= 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    const hub_key *k = lo ? &h->by_name[lo - 1] : NULL;
    return k && !name_cmp(k->name->p, k->name->n, s, n) ? k->index : NO_HUB;
}

/* The index of hub resource node, or NO_HUB when it is not one. */
static size_t hub_at(const hubs *h, const json_node *node)
{
    size_t lo = 0, hi = h->nhubs;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (h->by_node[mid].node < node)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < h->nhubs && h->by_node[lo].node == node ? h->by_node[lo].index : NO_HUB;
}

static void collect_group(hubs *h, json_node *res, json_node *parent)
{
    group g = {res, NO_HUB, NULL, 0, res};
    arm_consumer_group_name(h->ix, h->scope, res, &g.name, &g.len, &g.at);   /* else unnamed: not checked */
    json_node *pname = arm_member(arm_member(res, "properties"), "name");
    const json_node *name = literal(h, arm_member(res, "name"));
    if (parent) {
        g.hub = hub_at(h, parent);
    } else if (name) {
        /* "HUB/events/GROUP": the hub is the one named by the first segment. */
        const char *slash = memchr(name->p, '/', name->n);
        g.hub = hub_named(h, name->p, slash ? (size_t)(slash - (const char *)name->p) : name->n);
    }
    /* properties.name is required from apiVersion 2021-03-31 on (2021-03-31/types.md:167,
     * "(Required, WriteOnly)"; 2020-06-15/types.md:149 has it optional). */
    if (!pname && api_known(res) && api_cmp(res, "2021-03-31") >= 0)
        engine_report(h->c, SEV_ERROR, "arm-consumer-group-properties", res,
                      "a consumer group needs properties.name (required from apiVersion 2021-03-31 on)");
    h->groups = xrealloc(h->groups, (h->ngroups + 1) * sizeof *h->groups);
    h->groups[h->ngroups++] = g;
}

static int group_order(const void *a, const void *b)
{
    const group *x = *(const group *const *)a, *y = *(const group *const *)b;
    if (x->hub != y->hub)
        return (x->hub > y->hub) - (x->hub < y->hub);
    int c = name_cmp(x->name, x->len, y->name, y->len);
    return c ? c : (x > y) - (x < y);
}

static void check_groups(hubs *h)
{
    /* With one hub in the document, a group whose hub cannot be told is that hub's. */
    for (size_t i = 0; i < h->ngroups; i++)
        if (h->groups[i].hub == NO_HUB && h->nhubs == 1)
            h->groups[i].hub = 0;
    /* A name repeated for one hub (ignoring case): sorted, every group but the first of a
     * run of equal names is a repeat. */
    group **sorted = xmalloc((h->ngroups + 1) * sizeof *sorted);
    bool *repeat = xcalloc(h->ngroups + 1, sizeof *repeat);
    size_t ns = 0;
    for (size_t i = 0; i < h->ngroups; i++)
        if (h->groups[i].name && h->groups[i].hub != NO_HUB)
            sorted[ns++] = &h->groups[i];
    qsort(sorted, ns, sizeof *sorted, group_order);
    for (size_t i = 1; i < ns; i++)
        if (sorted[i]->hub == sorted[i - 1]->hub &&
            ascii_same(sorted[i]->name, sorted[i]->len, sorted[i - 1]->name, sorted[i - 1]->len))
            repeat[sorted[i] - h->groups] = true;
    buf b = BUF_INIT;
    for (size_t i = 0; i < h->ngroups; i++) {
        group *g = &h->groups[i];
        if (!g->name)
            continue;
        /* Names of 1 to 50 letters, digits, '-', '.' and '_' (the Event Hubs consumer group
         * rule the IoT hub applies; README.md says where this comes from); $Default is the
         * group every hub has, and a template may name it. */
        bool ok = g->len >= 1 && g->len <= 50;
        for (size_t k = 0; ok && k < g->len; k++) {
            char ch = g->name[k];
            ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' ||
                 ch == '.' || ch == '_';
        }
        ok = ok || ascii_same(g->name, g->len, "$Default", 8);
        if (!ok)
            engine_report(h->c, SEV_ERROR, "arm-consumer-group-name", g->at,
                          "consumer group name '%s' is invalid: 1 to 50 letters, digits, '-', '.' and '_'",
                          q(&b, g->name, g->len));
        if (repeat[i])
            engine_report(h->c, SEV_ERROR, "arm-consumer-group-duplicate", g->at,
                          "consumer group '%s' is declared twice for the same hub (names compared ignoring case)",
                          q(&b, g->name, g->len));
    }
    /* At most 20 per hub: counted in one pass, reported in hub order at each hub's last. */
    size_t *count = xcalloc(h->nhubs + 1, sizeof *count);
    const json_node **last = xcalloc(h->nhubs + 1, sizeof *last);
    for (size_t k = 0; k < h->ngroups; k++)
        if (h->groups[k].hub != NO_HUB)
            count[h->groups[k].hub]++, last[h->groups[k].hub] = h->groups[k].res;
    for (size_t i = 0; i < h->nhubs; i++)
        if (count[i] > 20)
            engine_report(h->c, SEV_ERROR, "arm-consumer-group-limit", last[i],
                          "the hub has %zu consumer groups declared; a hub may have at most 20", count[i]);
    free(count);
    free(last);
    free(sorted);
    free(repeat);
    buf_free(&b);
}

/* ---------------------------------------------------------------- walking */

static void find_hub(void *ctx, json_node *res, json_node *parent)
{
    hubs *h = ctx;
    if (!arm_resource_is(res, parent, h->r->hub_type))
        return;
    h->hub_list = xrealloc(h->hub_list, (h->nhubs + 1) * sizeof *h->hub_list);
    h->hub_name = xrealloc(h->hub_name, (h->nhubs + 1) * sizeof *h->hub_name);
    h->hub_list[h->nhubs] = res;
    h->hub_name[h->nhubs++] = literal(h, arm_member(res, "name"));
    check_hub(h, res);
}

static void find_hubs(void *ctx, const arm_template *t)
{
    hubs *h = ctx;
    h->scope = t->scope;
    arm_each_resource(t->tmpl, find_hub, h);
}

static void find_group(void *ctx, json_node *res, json_node *parent)
{
    hubs *h = ctx;
    if (arm_resource_is(res, parent, consumer_groups))
        collect_group(h, res, parent);
}

static void find_groups(void *ctx, const arm_template *t)
{
    hubs *h = ctx;
    h->scope = t->scope;
    arm_each_resource(t->tmpl, find_group, h);
}

void arm_check_hubs(engine_call *c, json_node *root, const arm_hub_rules *r)
{
    hubs h = {.c = c, .r = r, .ix = arm_names_new()};
    arm_each_template(root, find_hubs, &h);
    index_hubs(&h);
    arm_each_template(root, find_groups, &h);
    check_groups(&h);
    free(h.eps);
    free(h.sorted);
    free(h.hub_list);
    free(h.hub_name);
    free(h.by_name);
    free(h.by_node);
    free(h.groups);
    arm_names_free(h.ix);
}
