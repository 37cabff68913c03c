/* endpoint-audit: the routing endpoints of every IoT hub in an ARM template, classified for
 * a migration; see endpoint-audit(1). What --fix removes is rules/endpoint-audit.yaml;
 * this file holds the audit (a built-in: it needs to follow names through parameters and
 * across routes), its table, its JSON and its Markdown notes. */
#include "app/tool.h"
#include "base/ascii.h"
#include "base/exitcodes.h"
#include "base/io.h"
#include "base/oom.h"
#include "base/quote.h"
#include "base/utf8.h"
#include "domain/arm_walk.h"
#include "domain/armexpr.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One routing endpoint (or the file upload storage) as the audit saw it; every text is
 * already quoted for a terminal. */
typedef struct row {
    char *hub;
    char *type;             /* "Service Bus queue", ..., "file upload", "unknown (ARRAY)" */
    char *name;             /* as resolved, else the expression text */
    const char *name_from;  /* "" literal, "parameter", "variable", "expression" */
    const char *auth;       /* "key", "user-assigned", "system-assigned", "expression" */
    char *identity;         /* the user-assigned identity's id, or NULL */
    const char *key;        /* "present", "masked", "expression", "missing", "-" */
    char *group, *subscription;
    char *used_by;          /* "route r1, enrichment k, fallback", or "" */
    bool removed;           /* --fix removes it */
    bool fallback;          /* the fallback route names it */
} row;

/* The audit of one run (one document per process). */
static struct {
    bool ran;               /* the audit rule ran (the input was accepted) */
    row *v;
    size_t n;
    char **groups;          /* "HUB: a, b" per hub: the consumer groups the template has */
    size_t ngroups;
    const char *file;
    arm_names *ix;          /* the template's parameters and variables, indexed */
} audit;

/* Resource ids are long: up to 400 bytes shown; control characters escaped. */
static char *quoted(const char *s, size_t n)
{
    return quote_dup(s, n, 400);
}

static char *quoted_node(const json_node *n)
{
    return n && n->type == JSON_STRING ? quoted(n->p, n->n) : xstrdup("-");
}

static bool is_expression(const json_node *n)
{
    return n && n->type == JSON_STRING && arm_is_expression(n->p, n->n);
}

/* The name an endpoint or a route target stands for, and how it was found. */
static const json_node *resolved_name(const json_node *scope, const json_node *name, const char **from)
{
    const json_node *lit = arm_resolve_text(audit.ix, scope, name);
    *from = lit ? arm_resolved_from(name, lit) : "expression";
    return lit;
}

/* ---------------------------------------------------------------- classification */

/* How an endpoint authenticates: types.md "authenticationType": keyBased, identityBased,
 * absent (every apiVersion before 2020-03-01 has no such property: key based). An
 * identityBased endpoint with no identity (absent, null, {}) uses the hub's system-assigned
 * identity, as azure-iot-cli-extension tests it (state.py:292-295). */
static const char *auth_of(const json_node *ep, char **identity)
{
    json_node *auth = arm_member(ep, "authenticationType");
    *identity = NULL;
    if (is_expression(auth))
        return "expression";
    if (!arm_string_is(auth, "identitybased"))
        return "key";
    json_node *id = arm_member(ep, "identity");
    if (!id || id->type == JSON_NULL || (id->type == JSON_OBJECT && !json_count(id)))
        return "system-assigned";
    json_node *uai = arm_member(id, "userAssignedIdentity");
    *identity = quoted_node(uai);
    return "user-assigned";
}

/* The state of the key in a connection string: masked (the export's "****"), present, or
 * none when the string holds no key. */
static const char *key_in(const json_node *cs)
{
    static const char *const marks[] = {"accountkey=", "sharedaccesskey=", NULL};
    const char *s = cs->p;
    for (size_t i = 0; i < cs->n; i++)
        for (const char *const *m = marks; *m; m++) {
            size_t ml = strlen(*m);
            if (i + ml <= cs->n && ascii_ieq(s + i, *m, ml) &&
                (i == 0 || s[i - 1] == ';' || s[i - 1] == ' ' || s[i - 1] == '\'')) {
                const char *v = s + i + ml;
                size_t left = cs->n - i - ml;
                return left >= 4 && !memcmp(v, "****", 4) ? "masked" : "present";
            }
        }
    return NULL;
}

/* Key state of a key-based endpoint: its connectionString, or a Cosmos DB endpoint's
 * primaryKey/secondaryKey. */
static const char *key_state(const json_node *ep)
{
    json_node *cs = arm_member(ep, "connectionString");
    if (cs && cs->type == JSON_STRING) {
        if (arm_is_expression(cs->p, cs->n))
            return "expression";
        const char *k = key_in(cs);
        return k ? k : "missing";
    }
    const char *state = "missing";
    for (int i = 0; i < 2; i++) {
        json_node *k = arm_member(ep, i ? "secondaryKey" : "primaryKey");
        if (!k || k->type != JSON_STRING || !k->n)
            continue;
        if (arm_string_is(k, "****"))
            return "masked";
        state = arm_is_expression(k->p, k->n) ? "expression" : "present";
    }
    return state;
}

/* ---------------------------------------------------------------- references */

typedef struct hub_view {
    engine_call *c;
    const json_node *scope;
    json_node *hub;
    char *hub_name;
    bool fix;
    size_t first_row;       /* this hub's rows are audit.v[first_row..] */
} hub_view;

/* Appends "what" to the list in b, comma-separated. */
static void add_use(buf *b, const char *what, const char *s, size_t n)
{
    if (b->len)
        buf_puts(b, ", ");
    buf_puts(b, what);
    if (s) {
        buf_putc(b, ' ');
        quote_into(b, s, n, 60);
    }
}

/* True when the names list (endpointNames) names endpoint name[0..len). */
static bool names_it(const hub_view *h, const json_node *names, const char *name, size_t len)
{
    for (const json_node *n = names && names->type == JSON_ARRAY ? json_first(names) : NULL; n; n = n->next) {
        const char *from;
        const json_node *lit = resolved_name(h->scope, n, &from);
        if (lit && ascii_same(lit->p, lit->n, name, len))
            return true;
    }
    return false;
}

/* Every route, enrichment and the fallback route that names the endpoint. */
static char *users_of(const hub_view *h, const json_node *routing, const char *name, size_t len, bool *fallback)
{
    buf b = BUF_INIT;
    buf_puts(&b, "");
    json_node *routes = arm_member(routing, "routes"), *enr = arm_member(routing, "enrichments");
    for (json_node *r = routes && routes->type == JSON_ARRAY ? json_first(routes) : NULL; r; r = r->next)
        if (names_it(h, arm_member(r, "endpointNames"), name, len)) {
            json_node *rn = arm_member(r, "name");
            add_use(&b, "route", rn && rn->type == JSON_STRING ? rn->p : "?", rn && rn->type == JSON_STRING ? rn->n : 1);
        }
    for (json_node *e = enr && enr->type == JSON_ARRAY ? json_first(enr) : NULL; e; e = e->next)
        if (names_it(h, arm_member(e, "endpointNames"), name, len)) {
            json_node *k = arm_member(e, "key");
            add_use(&b, "enrichment", k && k->type == JSON_STRING ? k->p : "?", k && k->type == JSON_STRING ? k->n : 1);
        }
    *fallback = names_it(h, arm_member(arm_member(routing, "fallbackRoute"), "endpointNames"), name, len);
    if (*fallback)
        add_use(&b, "fallback", NULL, 0);
    return buf_detach(&b, NULL);
}

/* A route, enrichment or fallback route naming an endpoint the hub does not have. */
static void check_targets(const hub_view *h, const json_node *holder, const char *what)
{
    json_node *names = arm_member(holder, "endpointNames");
    for (json_node *n = names && names->type == JSON_ARRAY ? json_first(names) : NULL; n; n = n->next) {
        const char *from;
        const json_node *lit = resolved_name(h->scope, n, &from);
        if (!lit || ascii_same(lit->p, lit->n, "events", 6))
            continue;
        /* this hub's rows only: the ones added since it was started */
        char *q = quoted(lit->p, lit->n);
        bool found = false;
        for (size_t i = h->first_row; i < audit.n && !found; i++)
            found = strcmp(audit.v[i].type, "file upload") && strlen(q) == strlen(audit.v[i].name) &&
                    ascii_ieq(q, audit.v[i].name, strlen(q));
        if (!found) {
            engine_report(h->c, SEV_ERROR, "audit-unknown-endpoint", n,
                          "%s names endpoint '%s', which hub '%s' does not have", what, q, h->hub_name);
        }
        free(q);
    }
}

/* ---------------------------------------------------------------- the audit */

static row *new_row(const hub_view *h, const char *type)
{
    audit.v = xrealloc(audit.v, (audit.n + 1) * sizeof *audit.v);
    row *r = &audit.v[audit.n++];
    *r = (row){.hub = xstrdup(h->hub_name), .type = xstrdup(type), .name_from = "", .key = "-"};
    return r;
}

static void audit_endpoint(hub_view *h, json_node *ep, const char *type, const json_node *routing, bool known)
{
    row *r = new_row(h, type);
    json_node *name = arm_member(ep, "name");
    const json_node *lit = resolved_name(h->scope, name, &r->name_from);
    r->name = lit ? quoted(lit->p, lit->n) : quoted_node(name);
    /* An endpoint of an array this tool does not know is listed, not classified. */
    r->auth = known ? auth_of(ep, &r->identity) : "-";
    if (!strcmp(r->auth, "key"))
        r->key = key_state(ep);
    r->group = quoted_node(arm_member(ep, "resourceGroup"));
    r->subscription = quoted_node(arm_member(ep, "subscriptionId"));
    r->used_by = lit ? users_of(h, routing, lit->p, lit->n, &r->fallback) : xstrdup("");
    if (!strcmp(r->auth, "system-assigned")) {
        r->removed = h->fix;
        if (h->fix)
            engine_report(h->c, SEV_NOTE, "audit-system-identity", ep,
                          "endpoint '%s' uses the hub's system-assigned identity: removed with %s; recreate it after "
                          "the migration%s",
                          r->name, *r->used_by ? r->used_by : "nothing naming it",
                          r->fallback ? " (the fallback route is removed: fallback is disabled)" : "");
        else
            engine_report(h->c, SEV_ERROR, "audit-system-identity", ep,
                          "endpoint '%s' uses the hub's system-assigned identity: it cannot be migrated (the Azure "
                          "CLI refuses it); --fix removes it and what names it",
                          r->name);
    } else if (!strcmp(r->key, "masked")) {
        engine_report(h->c, SEV_WARNING, "audit-masked-key", ep,
                      "endpoint '%s' holds a masked key (****): re-enter it before deploying (tmpl-inject-keys)", r->name);
    } else if (!strcmp(r->key, "present")) {
        engine_report(h->c, SEV_NOTE, "audit-plaintext-key", ep,
                      "endpoint '%s' holds a plaintext key (not shown): run tmpl-scrub before the template goes to review",
                      r->name);
    } else if (!strcmp(r->key, "missing")) {
        engine_report(h->c, SEV_WARNING, "audit-missing-key", ep,
                      "key-based endpoint '%s' has no key (no connectionString or key): it cannot be deployed as it is",
                      r->name);
    }
}

static void audit_file_upload(hub_view *h, const json_node *props)
{
    json_node *se = arm_member(props, "storageEndpoints");
    if (is_expression(se)) {
        engine_report(h->c, SEV_NOTE, "audit-not-auditable", se,
                      "storageEndpoints of hub '%s' is one expression: the file upload storage is not auditable offline",
                      h->hub_name);
        return;
    }
    json_node *def = se && se->type == JSON_OBJECT ? json_get(se, "$default", 8) : NULL;
    if (!def || def->type != JSON_OBJECT)
        return;
    row *r = new_row(h, "file upload");
    r->name = xstrdup("$default");
    r->auth = auth_of(def, &r->identity);
    if (!strcmp(r->auth, "key"))
        r->key = key_state(def);
    r->group = xstrdup("-");
    r->subscription = xstrdup("-");
    r->used_by = xstrdup("");
    if (!strcmp(r->key, "masked"))
        engine_report(h->c, SEV_WARNING, "audit-masked-key", def,
                      "the file upload storage of hub '%s' holds a masked key (****): re-enter it before deploying",
                      h->hub_name);
    else if (!strcmp(r->key, "present"))
        engine_report(h->c, SEV_NOTE, "audit-plaintext-key", def,
                      "the file upload storage of hub '%s' holds a plaintext key (not shown): run tmpl-scrub before the "
                      "template goes to review",
                      h->hub_name);
}

/* The label args.arrays gives an endpoint array (compared ignoring case), or NULL. */
static const json_node *array_label(const json_node *arrays, const json_node *arr)
{
    for (json_node *m = arrays && arrays->type == JSON_OBJECT ? json_first(arrays) : NULL; m; m = m->next)
        if (ascii_same(m->key, m->key_len, arr->key, arr->key_len) && m->type == JSON_STRING)
            return m;
    return NULL;
}

static void audit_hub(hub_view *h, const json_node *args)
{
    json_node *props = arm_member(h->hub, "properties");
    json_node *routing = arm_member(props, "routing");
    if (is_expression(props) || is_expression(routing)) {
        engine_report(h->c, SEV_NOTE, "audit-not-auditable", is_expression(props) ? props : routing,
                      "the routing of hub '%s' is one expression: it is not auditable offline", h->hub_name);
        if (!is_expression(props))
            audit_file_upload(h, props);
        return;
    }
    json_node *eps = arm_member(routing, "endpoints");
    json_node *arrays = json_get(args, "arrays", 6);
    for (json_node *arr = eps && eps->type == JSON_OBJECT ? json_first(eps) : NULL; arr; arr = arr->next) {
        const json_node *label = array_label(arrays, arr);
        buf type = BUF_INIT;
        if (label) {
            buf_add(&type, label->p, label->n);
        } else {
            char *key = quoted(arr->key, arr->key_len);
            buf_printf(&type, "unknown (%s)", key);
            engine_report(h->c, SEV_WARNING, "audit-unknown-array", arr,
                          "endpoint array '%s' is not one this tool knows: its endpoints are listed, and kept as they are",
                          key);
            free(key);
        }
        if (arr->type == JSON_ARRAY)
            for (json_node *e = json_first(arr); e; e = e->next)
                if (e->type == JSON_OBJECT)
                    audit_endpoint(h, e, type.data, routing, label != NULL);
        if (is_expression(arr))
            engine_report(h->c, SEV_NOTE, "audit-not-auditable", arr,
                          "endpoint array '%s' of hub '%s' is one expression: not auditable offline", type.data,
                          h->hub_name);
        buf_free(&type);
    }
    json_node *routes = arm_member(routing, "routes"), *enr = arm_member(routing, "enrichments");
    for (json_node *r = routes && routes->type == JSON_ARRAY ? json_first(routes) : NULL; r; r = r->next)
        check_targets(h, r, "a route");
    for (json_node *e = enr && enr->type == JSON_ARRAY ? json_first(enr) : NULL; e; e = e->next)
        check_targets(h, e, "an enrichment");
    json_node *fb = arm_member(routing, "fallbackRoute");
    if (fb)
        check_targets(h, fb, "the fallback route");
    audit_file_upload(h, props);
}

typedef struct walk_ctx {
    engine_call *c;
    const json_node *scope;
    const char *hub_type, *group_type;
    bool fix;
    const json_node *args;
} walk_ctx;

static void on_resource(void *ctx, json_node *res, json_node *parent)
{
    walk_ctx *w = ctx;
    if (!arm_resource_is(res, parent, w->hub_type))
        return;
    hub_view h = {w->c, w->scope, res, NULL, w->fix, audit.n};
    json_node *name = arm_member(res, "name");
    const char *from;
    const json_node *lit = resolved_name(w->scope, name, &from);
    h.hub_name = lit ? quoted(lit->p, lit->n) : quoted_node(name);
    audit_hub(&h, w->args);
    free(h.hub_name);
}

static void on_template(void *ctx, const arm_template *t)
{
    walk_ctx *w = ctx;
    w->scope = t->scope;
    arm_each_resource(t->tmpl, on_resource, w);
}

/* Consumer groups: the name after the last '/' of a literal resource name, else
 * properties.name. */
typedef struct groups_ctx {
    const char *group_type;
    buf list;
    size_t n;
} groups_ctx;

static void on_group(void *ctx, json_node *res, json_node *parent)
{
    groups_ctx *g = ctx;
    if (!arm_resource_is(res, parent, g->group_type))
        return;
    const char *s;
    size_t n;
    const json_node *at;
    /* the names as the template writes them (no scope: nothing resolved) */
    if (!arm_consumer_group_name(audit.ix, NULL, res, &s, &n, &at))
        return;
    if (g->n++)
        buf_puts(&g->list, ", ");
    quote_into(&g->list, s, n, 60);
}

static void on_group_template(void *ctx, const arm_template *t)
{
    arm_each_resource(t->tmpl, on_group, ctx);
}

static void clear_audit(void)
{
    for (size_t i = 0; i < audit.n; i++) {
        row *r = &audit.v[i];
        free(r->hub), free(r->type), free(r->name), free(r->identity), free(r->group), free(r->subscription);
        free(r->used_by);
    }
    free(audit.v);
    for (size_t i = 0; i < audit.ngroups; i++)
        free(audit.groups[i]);
    free(audit.groups);
    arm_names_free(audit.ix);
    memset(&audit, 0, sizeof audit);
}

static int audit_builtin(engine_call *c)
{
    static bool registered;
    if (!registered) {
        atexit(clear_audit);
        registered = true;
    }
    clear_audit();
    audit.ran = true;
    audit.file = c->file;
    audit.ix = arm_names_new();
    json_node *root = c->node;
    char hub_type[128], group_type[128];
    engine_arg_text(c, "hub-type", hub_type, sizeof hub_type);
    engine_arg_text(c, "consumer-group-type", group_type, sizeof group_type);
    walk_ctx w = {c, root, hub_type, group_type, engine_is_true(c->e, "fix"), c->args};
    size_t before = audit.n;
    arm_each_template(root, on_template, &w);
    groups_ctx g = {group_type, BUF_INIT, 0};
    arm_each_template(root, on_group_template, &g);
    if (audit.n > before || g.n) {
        engine_report(c, SEV_NOTE, "audit-consumer-groups", NULL,
                      "consumer groups are not part of an exported template: add them to the new hub (%s%s)",
                      g.n ? "this template has: " : "none in this template", g.n ? g.list.data : "");
        audit.groups = xmalloc(sizeof *audit.groups);
        audit.groups[0] = g.n ? buf_detach(&g.list, NULL) : xstrdup("");
        audit.ngroups = 1;
    }
    buf_free(&g.list);
    return EXIT_OK;
}

/* ---------------------------------------------------------------- the table */

static size_t width(const char *s)
{
    return utf8_count(s, strlen(s));
}

static void cell(buf *b, const char *s, size_t w, bool last)
{
    buf_puts(b, s);
    if (!last)
        for (size_t i = width(s); i < w + 2; i++)
            buf_putc(b, ' ');
}

static const char *name_cell(const row *r, buf *tmp)
{
    tmp->len = 0;
    buf_puts(tmp, r->name);
    if (*r->name_from) {
        buf_printf(tmp, " (%s)", r->name_from);
    }
    return tmp->data;
}

static const char *auth_cell(const row *r, buf *tmp)
{
    tmp->len = 0;
    buf_puts(tmp, r->auth);
    if (r->identity) {
        /* the identity's name: the last segment of its resource id (JSON has the id) */
        const char *slash = strrchr(r->identity, '/');
        buf_printf(tmp, " (%s)", slash && slash[1] ? slash + 1 : r->identity);
    }
    return tmp->data;
}

static void describe_text(buf *dst)
{
    static const char *const head[] = {"HUB", "TYPE", "NAME", "AUTHENTICATION", "KEY", "RESOURCE GROUP",
                                       "SUBSCRIPTION", "USED BY"};
    enum { NCOL = 8 };
    size_t w[NCOL];
    for (int i = 0; i < NCOL; i++)
        w[i] = width(head[i]);
    buf t1 = BUF_INIT, t2 = BUF_INIT;
    buf_puts(&t1, ""), buf_puts(&t2, "");
    for (size_t i = 0; i < audit.n; i++) {
        const row *r = &audit.v[i];
        const char *cells[NCOL] = {r->hub, r->type, name_cell(r, &t1), auth_cell(r, &t2), r->key, r->group,
                                   r->subscription, r->removed ? "(removed by --fix)" : r->used_by};
        for (int k = 0; k < NCOL; k++)
            if (width(cells[k]) > w[k])
                w[k] = width(cells[k]);
    }
    if (!audit.n) {
        buf_puts(dst, "no IoT hub routing endpoints in this template\n");
    } else {
        for (int k = 0; k < NCOL; k++)
            cell(dst, head[k], w[k], k == NCOL - 1);
        buf_putc(dst, '\n');
        for (size_t i = 0; i < audit.n; i++) {
            const row *r = &audit.v[i];
            const char *cells[NCOL] = {r->hub, r->type, name_cell(r, &t1), auth_cell(r, &t2), r->key, r->group,
                                       r->subscription, r->removed ? "(removed by --fix)" : r->used_by};
            for (int k = 0; k < NCOL; k++)
                cell(dst, cells[k], w[k], k == NCOL - 1);
            /* no trailing spaces when the last column is empty */
            while (dst->len && dst->data[dst->len - 1] == ' ')
                dst->len--;
            buf_putc(dst, '\n');
        }
    }
    buf_free(&t1), buf_free(&t2);
}

/* A JSON string of an already quoted text (quoting kept control characters out). */
static void json_str(buf *b, const char *s)
{
    buf_putc(b, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            buf_putc(b, '\\');
        buf_putc(b, *s);
    }
    buf_putc(b, '"');
}

static void describe_json(buf *dst)
{
    buf_puts(dst, "\"endpoints\": [");
    for (size_t i = 0; i < audit.n; i++) {
        const row *r = &audit.v[i];
        buf_puts(dst, i ? ", {" : "{");
        buf_puts(dst, "\"hub\": "), json_str(dst, r->hub);
        buf_puts(dst, ", \"type\": "), json_str(dst, r->type);
        buf_puts(dst, ", \"name\": "), json_str(dst, r->name);
        buf_puts(dst, ", \"nameFrom\": "), json_str(dst, *r->name_from ? r->name_from : "literal");
        buf_puts(dst, ", \"authentication\": "), json_str(dst, r->auth);
        buf_puts(dst, ", \"identity\": ");
        if (r->identity)
            json_str(dst, r->identity);
        else
            buf_puts(dst, "null");
        buf_puts(dst, ", \"key\": "), json_str(dst, r->key);
        buf_puts(dst, ", \"resourceGroup\": "), json_str(dst, r->group);
        buf_puts(dst, ", \"subscription\": "), json_str(dst, r->subscription);
        buf_puts(dst, ", \"usedBy\": "), json_str(dst, r->used_by);
        buf_printf(dst, ", \"removed\": %s}", r->removed ? "true" : "false");
    }
    buf_puts(dst, "], \"consumerGroups\": ");
    json_str(dst, audit.ngroups ? audit.groups[0] : "");
}

static void describe(const engine *e, out_format format, buf *dst)
{
    (void)e;
    if (!audit.ran)
        return;
    if (format == FMT_TEXT)
        describe_text(dst);
    else if (format == FMT_JSON)
        describe_json(dst);
}

/* ---------------------------------------------------------------- --notes */

/* Markdown code span of a quoted text (a backtick inside becomes '). */
static void code(buf *b, const char *s)
{
    buf_putc(b, '`');
    for (; *s; s++)
        buf_putc(b, *s == '`' ? '\'' : *s);
    buf_putc(b, '`');
}

static void notes_text(buf *b)
{
    buf_puts(b, "# Endpoint audit");
    if (audit.file && *audit.file) {
        buf_puts(b, ": ");
        code(b, audit.file);
    }
    buf_puts(b, "\n\n## Recreate after the migration\n\n");
    size_t n = 0;
    for (size_t i = 0; i < audit.n; i++) {
        const row *r = &audit.v[i];
        if (strcmp(r->auth, "system-assigned"))
            continue;
        n++;
        buf_puts(b, "- hub "), code(b, r->hub), buf_puts(b, ": "), buf_puts(b, r->type), buf_puts(b, " endpoint ");
        code(b, r->name);
        buf_puts(b, r->removed ? " (system-assigned identity; removed by --fix)" : " (system-assigned identity)");
        if (*r->used_by)
            buf_puts(b, ", used by "), buf_puts(b, r->used_by);
        if (r->fallback)
            buf_puts(b, "; the fallback route named it and is disabled until it is recreated");
        buf_putc(b, '\n');
    }
    if (!n)
        buf_puts(b, "Nothing: no endpoint uses the hub's system-assigned identity.\n");
    buf_puts(b, "\n## Keys to re-enter\n\n");
    n = 0;
    for (size_t i = 0; i < audit.n; i++) {
        const row *r = &audit.v[i];
        if (strcmp(r->key, "masked"))
            continue;
        n++;
        buf_puts(b, "- hub "), code(b, r->hub), buf_puts(b, ": "), buf_puts(b, r->type);
        buf_puts(b, strcmp(r->type, "file upload") ? " endpoint " : " storage ");
        code(b, r->name);
        buf_puts(b, " (masked as ****)\n");
    }
    if (!n)
        buf_puts(b, "Nothing: no key is masked.\n");
    buf_puts(b, "\n## Consumer groups to add back\n\n");
    if (audit.ngroups && *audit.groups[0])
        buf_puts(b, "The template has: "), buf_puts(b, audit.groups[0]), buf_puts(b, ".\n");
    else
        buf_puts(b, "Exports have none: add the ones your readers use (tmpl-relocate --add-consumer-group).\n");
}

static int write_notes(const engine *e, const char **path)
{
    const char *target = engine_get(e, "notes");
    if (!target || !*target)
        return 0;
    *path = target;
    buf b = BUF_INIT;
    notes_text(&b);
    int err = io_write_atomic(target, b.data, b.len);
    buf_free(&b);
    return err;
}

/* ---------------------------------------------------------------- the tool */

static const tool_flag flags[] = {
    {"fix", NULL, "remove the endpoints that cannot be migrated and every reference to them", "fix", "true", true, false},
    {"notes", "FILE", "write Markdown notes: what to recreate, which keys to re-enter", "notes", NULL, false, false},
    {0},
};

/* What the rule ids the audit reports mean (SARIF). */
static const diag_rule audit_rules[] = {
    {"audit-system-identity", "an endpoint uses the hub's system-assigned identity and cannot be migrated", "The Azure CLI refuses to deploy such a template (azext_iot/iothub/providers/state.py). --fix removes the endpoint and what names it; recreate it once the new hub exists."},
    {"audit-masked-key", "a key-based endpoint holds a masked key", "The export masks keys as ****: put the real key back before deploying (tmpl-inject-keys)."},
    {"audit-plaintext-key", "an endpoint holds a plaintext key", "Run tmpl-scrub before the template goes to review; the key is never shown."},
    {"audit-missing-key", "a key-based endpoint has no key", "Give the endpoint a connection string (or Cosmos DB key), or make it identity based."},
    {"audit-unknown-endpoint", "a route, enrichment or fallback route names an endpoint the hub does not have", "Fix the name, or add the endpoint."},
    {"audit-unknown-array", "an endpoint array this tool does not know", "Its endpoints are listed and kept as they are; check them by hand."},
    {"audit-not-auditable", "part of a hub's routing is one template expression", "Its content is known only when the template is deployed: check it by hand."},
    {"audit-consumer-groups", "consumer groups are not exported", "Add the consumer groups the hub's readers use to the new hub (tmpl-relocate --add-consumer-group)."},
    {0, 0, 0},
};

static const engine_builtin builtins[] = {
    {"endpoint-audit", audit_builtin, NULL,
     "{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"hub-type\", \"consumer-group-type\", "
     "\"arrays\"], \"properties\": {\"hub-type\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 120}, "
     "\"consumer-group-type\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 120}, \"arrays\": {\"type\": "
     "\"object\", \"additionalProperties\": {\"type\": \"string\", \"minLength\": 1}}}}",
     NULL, audit_rules},
    {0},
};

static const tool_spec endpoint_audit = {
    .prog = "endpoint-audit",
    .synopsis = "[--fix -o FILE | --fix -i] [--notes FILE] [--format text|json|sarif] [-n] [FILE]",
    .summary = "List and classify the routing endpoints of the IoT hubs in an ARM template.",
    .mode = TOOL_REPORT,
    .flags = flags,
    .builtins = builtins,
    .describe = describe,
    .write_extra = write_notes,
};

TOOL_MAIN(endpoint_audit)
