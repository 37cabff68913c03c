/* tmpl-scrub: an exported ARM template made safe to share; see tmpl-scrub(1). The masks
 * are rules/tmpl-scrub.yaml; this file holds the one step a rule cannot express: whether a
 * hub's storageEndpoints has the export's shape, which parameters only it used, and the
 * enableFileUploadNotifications that must follow it. */
#include "app/tool.h"
#include "base/ascii.h"
#include "base/exitcodes.h"
#include "base/oom.h"
#include "base/quote.h"
#include "domain/arm_walk.h"
#include "domain/armexpr.h"
#include "json/keyset.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct scrub {
    engine_call *c;
    const json_node *suffixes;      /* args.parameter-suffixes */
    const char *hub_type;
    json_node *scope;               /* the template whose parameters the hubs' expressions see */
    arm_names *ix;                  /* parameters and variables, indexed */
    json_node **removed_params;     /* parameters whose only user was a removed storageEndpoints */
    size_t nremoved;
} scrub;

/* True when name ends with one of the export's parameter suffixes (ignoring case). */
static bool export_parameter_name(const scrub *s, const char *name, size_t n)
{
    for (const json_node *x = json_first(s->suffixes); x; x = x->next)
        if (x->type == JSON_STRING && n >= x->n && ascii_ieq(name + n - x->n, x->p, x->n))
            return true;
    return false;
}

/* The export's parameter "[parameters('P')]" stands for (a SecureString named with one of
 * the suffixes, in the hub's scope), or NULL. */
static json_node *export_parameter(const scrub *s, const json_node *v)
{
    static const char pre[] = "[parameters('";
    if (!v || v->type != JSON_STRING || v->n < sizeof pre + 2 || !ascii_ieq(v->p, pre, sizeof pre - 1) ||
        memcmp((const char *)v->p + v->n - 3, "')]", 3))
        return NULL;
    const char *name = (const char *)v->p + sizeof pre - 1;
    size_t len = v->n - (sizeof pre - 1) - 3;
    json_node *params = arm_member(s->scope, "parameters");
    json_node *p = arm_names_get(s->ix, params, name, len);
    if (!p || !export_parameter_name(s, p->key, p->key_len) || !arm_string_is(arm_member(p, "type"), "securestring"))
        return NULL;
    return p;
}

/* The export writes $default's connectionString and containerName from its two
 * parameters; a copy edited by hand may have "" or null there. */
static bool export_value(scrub *s, const json_node *v, json_node **param)
{
    *param = NULL;
    if (!v || v->type == JSON_NULL || (v->type == JSON_STRING && !v->n))
        return true;
    return (*param = export_parameter(s, v)) != NULL;
}

static void remember(scrub *s, json_node *param)
{
    for (size_t i = 0; i < s->nremoved; i++)
        if (s->removed_params[i] == param)
            return;
    s->removed_params = xrealloc(s->removed_params, (s->nremoved + 1) * sizeof *s->removed_params);
    s->removed_params[s->nremoved++] = param;
}

static void scrub_hub(scrub *s, json_node *hub)
{
    json_node *props = arm_member(hub, "properties");
    json_node *se = arm_member(props, "storageEndpoints");
    if (!se)
        return;
    buf name = BUF_INIT;
    json_node *hn = arm_member(hub, "name");
    const json_node *lit = arm_resolve(s->ix, s->scope, hn);
    if (lit && lit->type == JSON_STRING)
        quote_into(&name, lit->p, lit->n, 80);
    else
        buf_puts(&name, "?");
    json_node *def = se->type == JSON_OBJECT ? json_get(se, "$default", 8) : NULL;
    json_node *cs_param = NULL, *cn_param = NULL;
    bool shape = se->type == JSON_OBJECT && json_count(se) == 1 && def && def->type == JSON_OBJECT &&
                 export_value(s, arm_member(def, "connectionString"), &cs_param) &&
                 export_value(s, arm_member(def, "containerName"), &cn_param);
    if (!shape) {
        /* A literal connection string is kept: its key is masked by the rules that follow. */
        json_node *cs = arm_member(def, "connectionString");
        bool literal = cs && cs->type == JSON_STRING && !arm_is_expression(cs->p, cs->n);
        if (!literal)
            engine_report(s->c, SEV_NOTE, "file-upload", se,
                          "storageEndpoints of hub '%s' is not the export's (built by an expression or by hand): "
                          "left as it is",
                          name.data);
        buf_free(&name);
        return;
    }
    if (cs_param)
        remember(s, cs_param);
    if (cn_param)
        remember(s, cn_param);
    engine_report(s->c, SEV_NOTE, "file-upload", se, "%s storageEndpoints of hub '%s' (the export's file upload settings)",
                  s->c->dry_run ? "would remove" : "removed", name.data);
    json_remove(se);
    engine_count_change(s->c);
    json_node *notify = arm_member(props, "enableFileUploadNotifications");
    if (notify && notify->type == JSON_TRUE) {
        engine_report(s->c, SEV_NOTE, "file-upload", notify,
                      "%s enableFileUploadNotifications of hub '%s' to false: Azure refuses true without "
                      "storageEndpoints",
                      s->c->dry_run ? "would set" : "set", name.data);
        json_replace(notify, json_new(s->c->doc, JSON_FALSE));
        engine_count_change(s->c);
    }
    buf_free(&name);
}

static void on_resource(void *ctx, json_node *res, json_node *parent)
{
    scrub *s = ctx;
    if (arm_resource_is(res, parent, s->hub_type))
        scrub_hub(s, res);
}

static void on_template(void *ctx, const arm_template *t)
{
    scrub *s = ctx;
    s->scope = t->scope;
    arm_each_resource(t->tmpl, on_resource, s);
}

/* ---------------------------------------------------------------- parameters still used */

/* Every parameters('x') of one template, outside its "parameters" section, in a set: one
 * pass however many parameters are asked about (a template with 1,000 hubs asks 2,000). */
static void on_ref(void *ctx, const arm_ref *r)
{
    if (!r->variable)
        keyset_add(ctx, r->name, r->len, 0);
}

static void collect_refs(keyset *ks, const json_node *n)
{
    if (n->type == JSON_STRING) {
        arm_scan(n->p, n->n, on_ref, ks);
        return;
    }
    if (n->type != JSON_ARRAY && n->type != JSON_OBJECT)
        return;
    for (const json_node *k = json_first(n); k; k = k->next) {
        if (n->type == JSON_OBJECT)
            arm_scan(k->key, k->key_len, on_ref, ks);
        collect_refs(ks, k);
    }
}

/* Removes the export's parameters nothing uses any more (a hand-edited template may use
 * them elsewhere: then they stay). */
static void drop_parameters(scrub *s)
{
    const json_node *tmpl = NULL;
    keyset used;
    keyset_init(&used, true);
    keyset_push(&used);
    for (size_t i = 0; i < s->nremoved; i++) {
        json_node *p = s->removed_params[i];
        const json_node *t = p->parent ? p->parent->parent : NULL;
        if (t && t != tmpl) {
            /* parameters of another template (a nested one): its own references */
            keyset_pop(&used);
            keyset_push(&used);
            tmpl = t;
            for (const json_node *m = json_first(t); m; m = m->next)
                if (!(m->key_len == 10 && ascii_ieq(m->key, "parameters", 10)))
                    collect_refs(&used, m);
        }
        buf q = BUF_INIT;
        quote_into(&q, p->key, p->key_len, 80);
        if (keyset_find(&used, p->key, p->key_len)) {
            engine_report(s->c, SEV_NOTE, "file-upload", p, "parameter '%s' is kept: the template still uses it", q.data);
        } else {
            engine_report(s->c, SEV_NOTE, "file-upload", p, "%s parameter '%s' (the export's file upload setting)",
                          s->c->dry_run ? "would remove" : "removed", q.data);
            json_remove(p);
            engine_count_change(s->c);
        }
        buf_free(&q);
    }
    keyset_free(&used);
}

static int file_upload_builtin(engine_call *c)
{
    char hub_type[128];
    engine_arg_text(c, "hub-type", hub_type, sizeof hub_type);
    scrub s = {c, json_get(c->args, "parameter-suffixes", 18), hub_type, c->node, arm_names_new(), NULL, 0};
    arm_each_template(c->node, on_template, &s);
    drop_parameters(&s);
    free(s.removed_params);
    arm_names_free(s.ix);
    return EXIT_OK;
}

static const diag_rule scrub_rules[] = {
    {"file-upload", "the export's file upload settings are removed", "The export's <HUB>_connectionString and <HUB>_containerName parameters and the storageEndpoints using them are removed; enableFileUploadNotifications is set to false with them."},
    {0, 0, 0},
};

static const engine_builtin builtins[] = {
    {"scrub-file-upload", file_upload_builtin, NULL,
     "{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"hub-type\", \"parameter-suffixes\"], "
     "\"properties\": {\"hub-type\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 120}, "
     "\"parameter-suffixes\": {\"type\": \"array\", \"minItems\": 1, \"items\": {\"type\": \"string\", \"minLength\": "
     "1}}}}",
     NULL, scrub_rules},
    {0},
};

static const tool_spec tmpl_scrub = {
    .prog = "tmpl-scrub",
    .synopsis = "[--check] [-o FILE | -i] [-n] [FILE]",
    .summary = "Strip secrets and the file upload settings from an exported ARM template.",
    .mode = TOOL_FILTER,
    .builtins = builtins,
    .check_option = true,
    .narrate = true,
};

TOOL_MAIN(tmpl_scrub)
