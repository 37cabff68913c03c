#include "domain/arm.h"
#include "base/ascii.h"
#include "domain/armexpr.h"
#include "rules/embedded.h"
#include "base/exitcodes.h"
#include "base/oom.h"
#include "base/quote.h"
#include "query/rx.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Two texts with lengths, equal ignoring ASCII case. */
static bool same_name(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && ascii_ieq(a, b, an);
}

/* Returns true when n is a resource object whose type is t (compared ignoring case). */
static bool arm_is_type(const json_node *n, const char *t)
{
    json_node *type = n && n->type == JSON_OBJECT ? json_get(n, "type", 4) : NULL;
    return type && type->type == JSON_STRING && same_name(type->p, type->n, t, strlen(t));
}

static void each_in(json_node *resources, void (*fn)(void *, json_node *), void *ctx)
{
    if (!resources || resources->type != JSON_ARRAY)
        return;
    for (json_node *r = json_first(resources); r; r = r->next) {
        if (r->type != JSON_OBJECT)
            continue;
        fn(ctx, r);
        each_in(json_get(r, "resources", 9), fn, ctx);
    }
}

/* Calls fn for every resource object in the template, nested child resources included. */
static void arm_each_resource(json_node *root, void (*fn)(void *ctx, json_node *res), void *ctx)
{
    each_in(json_get(root, "resources", 9), fn, ctx);
}

/* Calls fn for every routing endpoint object of an IoT hub resource (every array under
 * properties.routing.endpoints, unknown ones included). */
static void arm_each_endpoint(json_node *hub, void (*fn)(void *ctx, json_node *endpoint, json_node *array), void *ctx)
{
    json_node *eps = json_get(json_get(json_get(hub, "properties", 10), "routing", 7), "endpoints", 9);
    if (!eps || eps->type != JSON_OBJECT)
        return;
    for (json_node *arr = json_first(eps); arr; arr = arr->next)
        if (arr->type == JSON_ARRAY)
            for (json_node *e = json_first(arr); e; e = e->next)
                if (e->type == JSON_OBJECT)
                    fn(ctx, e, arr);
}

/* ---------------------------------------------------------------- expressions */

typedef struct refs_ctx {
    engine_call *c;
    json_node *params, *vars;
    bool *param_used;
    json_node *string;      /* the string being scanned */
} refs_ctx;

static void on_ref(void *ctx, const arm_ref *r)
{
    refs_ctx *x = ctx;
    json_node *defs = r->variable ? x->vars : x->params;
    size_t i = 0;
    for (json_node *m = defs ? json_first(defs) : NULL; m; m = m->next, i++)
        if (same_name(m->key, m->key_len, r->name, r->len)) {
            if (!r->variable)
                x->param_used[i] = true;
            return;
        }
    buf q = BUF_INIT;
    quote_into(&q, r->name, r->len, 80);
    engine_report(x->c, SEV_ERROR, r->variable ? "arm-undefined-variable" : "arm-undefined-parameter", x->string,
                  "%s('%s') names no %s defined in this template", r->variable ? "variables" : "parameters", q.data,
                  r->variable ? "variable" : "parameter");
    buf_free(&q);
}

static void scan_strings(refs_ctx *x, json_node *n)
{
    if (n->type == JSON_STRING) {
        if (!arm_is_expression(n->p, n->n))
            return;
        x->string = n;
        const char *problem = arm_scan(n->p, n->n, on_ref, x);
        if (problem)
            engine_report(x->c, SEV_ERROR, "arm-expression-syntax", n, "malformed template expression: %s", problem);
        return;
    }
    if (n->type == JSON_ARRAY || n->type == JSON_OBJECT)
        for (json_node *k = json_first(n); k; k = k->next)
            scan_strings(x, k);
}

static void check_parameters(engine_call *c, json_node *root)
{
    json_node *params = json_get(root, "parameters", 10), *vars = json_get(root, "variables", 9);
    if (params && params->type != JSON_OBJECT)
        params = NULL;
    if (vars && vars->type != JSON_OBJECT)
        vars = NULL;
    size_t np = params ? json_count(params) : 0;
    refs_ctx x = {c, params, vars, xcalloc(np + 1, sizeof(bool)), NULL};
    scan_strings(&x, root);
    size_t i = 0;
    for (json_node *p = params ? json_first(params) : NULL; p; p = p->next, i++) {
        buf q = BUF_INIT;
        quote_into(&q, p->key, p->key_len, 80);
        if (!x.param_used[i])
            engine_report(c, SEV_WARNING, "arm-unused-parameter", p, "parameter '%s' is never used", q.data);
        json_node *type = json_get(p, "type", 4), *def = json_get(p, "defaultValue", 12);
        bool secure = type && type->type == JSON_STRING &&
                      (same_name(type->p, type->n, "securestring", 12) || same_name(type->p, type->n, "secureobject", 12));
        bool empty = !def || def->type == JSON_NULL || (def->type == JSON_STRING && def->n == 0) ||
                     ((def->type == JSON_OBJECT || def->type == JSON_ARRAY) && !json_count(def));
        if (secure && !empty)
            engine_report(c, SEV_ERROR, "arm-secure-default", def,
                          "secure parameter '%s' has a default value: a secret would ship with the template", q.data);
        buf_free(&q);
    }
    free(x.param_used);
}

/* ---------------------------------------------------------------- IoT hubs */

typedef struct hub_ctx {
    engine_call *c;
    json_node *root;
    rx *hub_name;           /* args.hub-name */
    const json_node *reserved;  /* args.reserved-endpoints */
    const char *hub_type;   /* args.hub-type */
    char **regions;
    size_t nregions;
    json_node **endpoints;  /* of the hub being checked */
    size_t nendpoints;
    json_node **by_name;    /* its endpoints with a string name, sorted by name ignoring case */
    size_t nnamed;
    json_node *hub;
} hub_ctx;

static const embedded_file *regions_file(const json_node *args);

static void load_regions(hub_ctx *h, const json_node *args)
{
    const embedded_file *f = regions_file(args);
    if (!f)
        return;
    const char *p = f->data, *end = f->data + f->len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *e = nl ? nl : end;
        if (e > p && *p != '#') {
            h->regions = xrealloc(h->regions, (h->nregions + 1) * sizeof *h->regions);
            h->regions[h->nregions] = xmalloc((size_t)(e - p) + 1);
            memcpy(h->regions[h->nregions], p, (size_t)(e - p));
            h->regions[h->nregions][e - p] = '\0';
            h->nregions++;
        }
        p = e + 1;
    }
}

static bool known_region(const hub_ctx *h, const char *s, size_t n)
{
    char folded[64];
    size_t k = 0;
    for (size_t i = 0; i < n && k + 1 < sizeof folded; i++)
        if (s[i] != ' ')
            folded[k++] = s[i];
    for (size_t i = 0; i < h->nregions; i++)
        if (same_name(folded, k, h->regions[i], strlen(h->regions[i])))
            return true;
    return false;
}

static void collect_endpoint(void *ctx, json_node *ep, json_node *array)
{
    (void)array;
    hub_ctx *h = ctx;
    h->endpoints = xrealloc(h->endpoints, (h->nendpoints + 1) * sizeof *h->endpoints);
    h->endpoints[h->nendpoints++] = ep;
}

static const json_node *name_of(const json_node *ep)
{
    return json_get(ep, "name", 4);
}

/* Orders names ignoring ASCII case, shorter first on a common prefix. */
static int name_cmp(const char *a, size_t an, const char *b, size_t bn)
{
    for (size_t i = 0; i < an && i < bn; i++) {
        int x = ascii_lower((unsigned char)a[i]), y = ascii_lower((unsigned char)b[i]);
        if (x != y)
            return x - y;
    }
    return an < bn ? -1 : an > bn;
}

static int by_name(const void *a, const void *b)
{
    const json_node *x = name_of(*(json_node *const *)a), *y = name_of(*(json_node *const *)b);
    int c = name_cmp(x->p, x->n, y->p, y->n);
    /* Equal names keep their document order: the first is "the" endpoint. */
    return c ? c : (x->start > y->start) - (x->start < y->start);
}

/* Sorts the hub's named endpoints, so that lookups and repeats cost log n, not n. */
static void index_endpoints(hub_ctx *h)
{
    h->by_name = xrealloc(h->by_name, (h->nendpoints + 1) * sizeof *h->by_name);
    h->nnamed = 0;
    for (size_t i = 0; i < h->nendpoints; i++) {
        const json_node *name = name_of(h->endpoints[i]);
        if (name && name->type == JSON_STRING)
            h->by_name[h->nnamed++] = h->endpoints[i];
    }
    qsort(h->by_name, h->nnamed, sizeof *h->by_name, by_name);
}

/* The first endpoint (in document order) named s ignoring case, or NULL. */
static json_node *endpoint_named(const hub_ctx *h, const char *s, size_t n)
{
    size_t lo = 0, hi = h->nnamed;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const json_node *name = name_of(h->by_name[mid]);
        if (name_cmp(name->p, name->n, s, n) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < h->nnamed) {
        const json_node *name = name_of(h->by_name[lo]);
        if (!name_cmp(name->p, name->n, s, n))
            return h->by_name[lo];
    }
    return NULL;
}

static void check_targets(hub_ctx *h, json_node *holder, const char *what)
{
    json_node *names = json_get(holder, "endpointNames", 13);
    if (!names || names->type != JSON_ARRAY)
        return;
    for (json_node *n = json_first(names); n; n = n->next) {
        if (n->type != JSON_STRING || arm_is_expression(n->p, n->n))
            continue;
        if (same_name(n->p, n->n, "events", 6) || endpoint_named(h, n->p, n->n))
            continue;
        buf q = BUF_INIT;
        quote_into(&q, n->p, n->n, 80);
        engine_report(h->c, SEV_ERROR, "arm-route-unknown-endpoint", n, "%s names endpoint '%s', which this hub does not have",
                      what, q.data);
        buf_free(&q);
    }
}

static bool identity_listed(const json_node *hub, const json_node *id)
{
    json_node *ids = json_get(json_get(hub, "identity", 8), "userAssignedIdentities", 22);
    for (json_node *m = ids && ids->type == JSON_OBJECT ? json_first(ids) : NULL; m; m = m->next)
        if (same_name(m->key, m->key_len, id->p, id->n) || arm_is_expression(m->key, m->key_len))
            return true;
    return false;
}

static bool system_identity_on(const json_node *hub)
{
    json_node *type = json_get(json_get(hub, "identity", 8), "type", 4);
    if (!type || type->type != JSON_STRING)
        return false;
    for (size_t i = 0; i + 14 <= type->n; i++)
        if (same_name((const char *)type->p + i, 14, "systemassigned", 14))
            return true;
    return arm_is_expression(type->p, type->n);
}

static void check_endpoints(hub_ctx *h)
{
    for (size_t i = 0; i < h->nendpoints; i++) {
        json_node *ep = h->endpoints[i], *name = json_get(ep, "name", 4);
        if (!name || name->type != JSON_STRING)
            continue;
        buf q = BUF_INIT;
        quote_into(&q, name->p, name->n, 80);
        for (const json_node *r = h->reserved ? json_first(h->reserved) : NULL; r; r = r->next)
            if (r->type == JSON_STRING && same_name(name->p, name->n, r->p, r->n))
                engine_report(h->c, SEV_ERROR, "arm-endpoint-reserved", name, "endpoint name '%s' is reserved", q.data);
        if (endpoint_named(h, name->p, name->n) != ep)
            engine_report(h->c, SEV_ERROR, "arm-endpoint-duplicate", name,
                          "endpoint name '%s' is used twice (names are unique across all endpoint types)", q.data);
        json_node *auth = json_get(ep, "authenticationType", 18);
        if (auth && auth->type == JSON_STRING && same_name(auth->p, auth->n, "identitybased", 13)) {
            json_node *ident = json_get(ep, "identity", 8);
            json_node *uai = json_get(ident, "userAssignedIdentity", 20);
            if (uai && uai->type == JSON_STRING && uai->n) {
                if (!arm_is_expression(uai->p, uai->n) && !identity_listed(h->hub, uai))
                    engine_report(h->c, SEV_ERROR, "arm-identity-not-assigned", uai,
                                  "endpoint '%s' uses a user-assigned identity the hub does not list in "
                                  "identity.userAssignedIdentities",
                                  q.data);
            } else if (!system_identity_on(h->hub)) {
                engine_report(h->c, SEV_ERROR, "arm-system-identity-missing", ep,
                              "endpoint '%s' uses the system-assigned identity, but the hub's identity.type does not "
                              "include SystemAssigned",
                              q.data);
            }
        }
        buf_free(&q);
    }
}

static json_node *param_default(const json_node *root, const json_node *expr)
{
    /* Only the plain "[parameters('x')]" form is followed. */
    static const char pre[] = "[parameters('";
    size_t n = expr->n;
    const char *s = expr->p;
    if (n < sizeof pre + 2 || !same_name(s, sizeof pre - 1, pre, sizeof pre - 1) || memcmp(s + n - 3, "')]", 3))
        return NULL;
    const char *name = s + sizeof pre - 1;
    size_t len = n - (sizeof pre - 1) - 3;
    json_node *params = json_get(root, "parameters", 10);
    for (json_node *p = params ? json_first(params) : NULL; p; p = p->next)
        if (same_name(p->key, p->key_len, name, len))
            return json_get(p, "defaultValue", 12);
    return NULL;
}

static void check_hub(void *ctx, json_node *res)
{
    hub_ctx *h = ctx;
    if (!h->hub_type || !arm_is_type(res, h->hub_type))
        return;
    h->hub = res;
    json_node *name = json_get(res, "name", 4);
    if (name && name->type == JSON_STRING) {
        json_node *literal = arm_is_expression(name->p, name->n) ? param_default(h->root, name) : name;
        if (h->hub_name && literal && literal->type == JSON_STRING && !arm_is_expression(literal->p, literal->n) &&
            rx_match(h->hub_name, literal->p, literal->n) != RX_MATCH) {
            buf q = BUF_INIT;
            quote_into(&q, literal->p, literal->n, 80);
            engine_report(h->c, SEV_ERROR, "arm-hub-name", literal,
                          "IoT hub name '%s' is invalid: 3-50 letters, digits and '-', not all digits, not starting "
                          "or ending with '-'",
                          q.data);
            buf_free(&q);
        }
    }
    json_node *loc = json_get(res, "location", 8);
    if (loc && loc->type == JSON_STRING && !arm_is_expression(loc->p, loc->n) && h->nregions &&
        !known_region(h, loc->p, loc->n)) {
        buf q = BUF_INIT;
        quote_into(&q, loc->p, loc->n, 80);
        engine_report(h->c, SEV_ERROR, "arm-location", loc, "unknown Azure region '%s'", q.data);
        buf_free(&q);
    }
    h->nendpoints = 0;
    arm_each_endpoint(res, collect_endpoint, h);
    index_endpoints(h);
    check_endpoints(h);
    json_node *routing = json_get(json_get(res, "properties", 10), "routing", 7);
    json_node *routes = json_get(routing, "routes", 6), *enr = json_get(routing, "enrichments", 11);
    for (json_node *r = routes && routes->type == JSON_ARRAY ? json_first(routes) : NULL; r; r = r->next)
        check_targets(h, r, "route");
    for (json_node *e = enr && enr->type == JSON_ARRAY ? json_first(enr) : NULL; e; e = e->next)
        check_targets(h, e, "enrichment");
    json_node *fb = json_get(routing, "fallbackRoute", 13);
    if (fb)
        check_targets(h, fb, "the fallback route");
}

/* The regions file args.regions names, or NULL (the build checks it exists). */
static const embedded_file *regions_file(const json_node *args)
{
    json_node *file = json_get(args, "regions", 7);
    if (!file || file->type != JSON_STRING || file->n >= 200)
        return NULL;
    char path[256];
    snprintf(path, sizeof path, "%.*s", (int)file->n, (const char *)file->p);
    return embedded_find(path);
}

static int arm_builtin_checks(engine_call *c)
{
    json_node *root = c->node;
    if (!root || root->type != JSON_OBJECT)
        return EXIT_OK;
    check_parameters(c, root);
    hub_ctx h = {.c = c, .root = root};
    json_node *pat = json_get(c->args, "hub-name", 8), *type = json_get(c->args, "hub-type", 8);
    rx_error err;
    if (pat && pat->type == JSON_STRING)
        h.hub_name = rx_compile(pat->p, pat->n, 0, &err);
    char type_buf[128] = "";
    if (type && type->type == JSON_STRING && type->n < sizeof type_buf) {
        memcpy(type_buf, type->p, type->n);
        type_buf[type->n] = '\0';
        h.hub_type = type_buf;
    }
    /* A check that cannot run is an error, never a silent pass (the build catches these
     * for the compiled-in rules; a -r file can still get here). */
    if (!h.hub_name || !h.hub_type || !regions_file(c->args)) {
        engine_report(c, SEV_ERROR, "arm-checks-args", NULL,
                      "the IoT hub checks cannot run: their args need hub-type, a hub-name pattern that compiles "
                      "and a regions file of this build");
        rx_free(h.hub_name);
        return EXIT_BADRULES;
    }
    h.reserved = json_get(c->args, "reserved-endpoints", 18);
    load_regions(&h, c->args);
    arm_each_resource(root, check_hub, &h);
    rx_free(h.hub_name);
    for (size_t i = 0; i < h.nregions; i++)
        free(h.regions[i]);
    free(h.regions);
    free(h.endpoints);
    free(h.by_name);
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
    if (!regions_file(args)) {
        *at = json_get(args, "regions", 7);
        return "regions names no file under rules/ that this build carries";
    }
    return NULL;
}

const engine_builtin arm_checks_builtin = {
    "arm-checks", arm_builtin_checks, NULL,
    "{\"type\": \"object\", \"additionalProperties\": false,"
    " \"required\": [\"hub-type\", \"hub-name\", \"reserved-endpoints\", \"regions\"],"
    " \"properties\": {\"hub-type\": {\"type\": \"string\", \"minLength\": 1},"
    " \"hub-name\": {\"type\": \"string\", \"minLength\": 1},"
    " \"reserved-endpoints\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}},"
    " \"regions\": {\"type\": \"string\", \"pattern\": \"^rules/\"}}}",
    check_arm_args,
    NULL,
};
