#include "domain/arm_refs.h"
#include "base/ascii.h"
#include "base/buf.h"
#include "base/oom.h"
#include "base/quote.h"
#include "domain/arm_walk.h"
#include "domain/armexpr.h"
#include "json/keyset.h"
#include <stdlib.h>
#include <string.h>

/* A template whose parameters and variables some expressions see, with which of its
 * parameters were used. */
typedef struct scope {
    json_node *tmpl;
    keyset used;                /* the parameter names expressions use */
} scope;

typedef struct refs {
    engine_call *c;
    scope *v;
    size_t n;
    scope *cur;                 /* the scope of the strings being scanned */
    arm_names *ix;
    const json_node *fn_params; /* inside a user-defined function: its parameters array */
    const json_node *at;        /* where a finding about the current expression goes */
} refs;

static scope *scope_of(refs *x, json_node *tmpl)
{
    for (size_t i = 0; i < x->n; i++)
        if (x->v[i].tmpl == tmpl)
            return &x->v[i];
    x->v = xrealloc(x->v, (x->n + 1) * sizeof *x->v);
    scope *s = &x->v[x->n++];
    s->tmpl = tmpl;
    keyset_init(&s->used, true);
    keyset_push(&s->used);
    return s;
}

static void report_undefined(refs *x, const arm_ref *r, const char *where)
{
    buf q = BUF_INIT;
    quote_into(&q, r->name, r->len, 80);
    engine_report(x->c, SEV_ERROR, r->variable ? "arm-undefined-variable" : "arm-undefined-parameter", x->at,
                  "%s('%s') names no %s %s", r->variable ? "variables" : "parameters", q.data,
                  r->variable ? "variable" : "parameter", where);
    buf_free(&q);
}

static void on_ref(void *ctx, const arm_ref *r)
{
    refs *x = ctx;
    if (x->fn_params) {
        /* Inside a user-defined function only its own parameters exist (syntax.md,
         * "Functions": a function cannot use the template's parameters or variables). */
        if (!r->variable && x->fn_params->type == JSON_ARRAY)
            for (json_node *p = json_first(x->fn_params); p; p = p->next) {
                json_node *n = arm_member(p, "name");
                if (n && n->type == JSON_STRING && ascii_same(n->p, n->n, r->name, r->len))
                    return;
            }
        report_undefined(x, r, "of this user-defined function");
        return;
    }
    json_node *tmpl = x->cur->tmpl;
    if (r->variable) {
        if (!arm_variable_defined(x->ix, arm_member(tmpl, "variables"), r->name, r->len))
            report_undefined(x, r, "defined in this template");
        return;
    }
    if (arm_names_get(x->ix, arm_member(tmpl, "parameters"), r->name, r->len))
        keyset_add(&x->cur->used, r->name, r->len, 0);
    else
        report_undefined(x, r, "defined in this template");
}

static void scan_text(refs *x, const char *s, size_t n, const json_node *at)
{
    if (!arm_is_expression(s, n))
        return;
    x->at = at;
    const char *problem = arm_scan(s, n, on_ref, x);
    if (problem)
        engine_report(x->c, SEV_ERROR, "arm-expression-syntax", at, "malformed template expression: %s", problem);
}

/* True when n is the inline template of a nested deployment: scanned as its own template. */
static bool nested_template(const json_node *n)
{
    bool inner;
    return n->type == JSON_OBJECT && n->parent && n->parent->parent &&
           arm_nested_template(n->parent->parent, &inner) == n;
}

static void scan(refs *x, json_node *n)
{
    if (n->type == JSON_STRING) {
        scan_text(x, n->p, n->n, n);
        return;
    }
    if (n->type != JSON_ARRAY && n->type != JSON_OBJECT)
        return;
    for (json_node *k = json_first(n); k; k = k->next) {
        /* A member name can be an expression too: "userAssignedIdentities":
         * {"[variables('id')]": {}} (template-expressions.md). */
        if (n->type == JSON_OBJECT)
            scan_text(x, k->key, k->key_len, k);
        if (!nested_template(k))
            scan(x, k);
    }
}

static void scan_functions(refs *x, json_node *functions)
{
    for (json_node *ns = functions && functions->type == JSON_ARRAY ? json_first(functions) : NULL; ns; ns = ns->next) {
        json_node *members = arm_member(ns, "members");
        for (json_node *f = members && members->type == JSON_OBJECT ? json_first(members) : NULL; f; f = f->next) {
            static const json_node no_parameters = {.type = JSON_ARRAY};
            json_node *params = arm_member(f, "parameters");
            x->fn_params = params ? params : &no_parameters;
            json_node *out = arm_member(f, "output");
            if (out)
                scan(x, out);
            x->fn_params = NULL;
        }
    }
}

static void on_template(void *ctx, const arm_template *t)
{
    refs *x = ctx;
    x->cur = scope_of(x, t->scope);
    for (json_node *m = json_first(t->tmpl); m; m = m->next) {
        if (ascii_same(m->key, m->key_len, "functions", 9)) {
            scan_functions(x, m);
            continue;
        }
        scan_text(x, m->key, m->key_len, m);
        scan(x, m);
    }
}

/* "[newGuid()]" is the one default a secure parameter may have: a fresh value on every
 * deployment, never a secret in the file (arm-ttk's secure-parameter test allows it). */
static bool fresh_default(const json_node *def)
{
    return arm_string_is(def, "[newGuid()]");
}

static void check_parameters(refs *x, const scope *s)
{
    json_node *params = arm_member(s->tmpl, "parameters");
    for (json_node *p = params && params->type == JSON_OBJECT ? json_first(params) : NULL; p; p = p->next) {
        buf q = BUF_INIT;
        quote_into(&q, p->key, p->key_len, 80);
        if (!keyset_find(&s->used, p->key, p->key_len))
            engine_report(x->c, SEV_WARNING, "arm-unused-parameter", p, "parameter '%s' is never used", q.data);
        json_node *type = arm_member(p, "type"), *def = arm_member(p, "defaultValue");
        bool secure = arm_string_is(type, "securestring") || arm_string_is(type, "secureobject");
        bool empty = !def || def->type == JSON_NULL || (def->type == JSON_STRING && def->n == 0) ||
                     ((def->type == JSON_OBJECT || def->type == JSON_ARRAY) && !json_count(def));
        if (secure && !empty && !fresh_default(def))
            engine_report(x->c, SEV_ERROR, "arm-secure-default", def,
                          "secure parameter '%s' has a default value: a secret would ship with the template", q.data);
        buf_free(&q);
    }
}

void arm_check_references(engine_call *c, json_node *root)
{
    refs x = {.c = c, .ix = arm_names_new()};
    arm_each_template(root, on_template, &x);
    for (size_t i = 0; i < x.n; i++) {
        check_parameters(&x, &x.v[i]);
        keyset_free(&x.v[i].used);
    }
    free(x.v);
    arm_names_free(x.ix);
}
