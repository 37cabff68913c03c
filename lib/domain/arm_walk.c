#include "domain/arm_walk.h"
#include "base/ascii.h"
#include "base/oom.h"
#include "domain/armexpr.h"
#include "json/keyset.h"
#include <stdlib.h>
#include <string.h>

json_node *arm_member(const json_node *obj, const char *name)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    return json_get_icase(obj, name, strlen(name));
}

bool arm_string_is(const json_node *n, const char *text)
{
    size_t len = strlen(text);
    return n && n->type == JSON_STRING && ascii_same(n->p, n->n, text, len);
}

/* A type compared ignoring case and one trailing '/' (real templates write both). */
static bool type_is(const char *s, size_t n, const char *type, size_t tn)
{
    if (n && s[n - 1] == '/')
        n--;
    return n == tn && ascii_ieq(s, type, tn);
}

bool arm_resource_is(const json_node *res, const json_node *parent, const char *type)
{
    json_node *t = arm_member(res, "type");
    if (!t || t->type != JSON_STRING)
        return false;
    size_t tn = strlen(type);
    if (!parent)
        return type_is(t->p, t->n, type, tn);
    /* A child's type is relative: "eventHubEndpoints/ConsumerGroups" under an IoT hub. A
     * child may also spell its full type, which Azure accepts as well. */
    if (type_is(t->p, t->n, type, tn))
        return true;
    json_node *pt = arm_member(parent, "type");
    if (!pt || pt->type != JSON_STRING || pt->n >= tn || !ascii_ieq(pt->p, type, pt->n) || type[pt->n] != '/')
        return false;
    return type_is(t->p, t->n, type + pt->n + 1, tn - pt->n - 1);
}

json_node *arm_nested_template(const json_node *res, bool *inner)
{
    if (!arm_resource_is(res, NULL, "Microsoft.Resources/deployments"))
        return NULL;
    json_node *props = arm_member(res, "properties");
    json_node *t = arm_member(props, "template");
    if (!t || t->type != JSON_OBJECT)
        return NULL;
    *inner = arm_string_is(arm_member(arm_member(props, "expressionEvaluationOptions"), "scope"), "inner");
    return t;
}

static void each_in(json_node *list, json_node *parent, void (*fn)(void *, json_node *, json_node *), void *ctx)
{
    /* An array of resources, or the object of symbolic names (languageVersion 2.0). */
    if (!list || (list->type != JSON_ARRAY && list->type != JSON_OBJECT))
        return;
    for (json_node *r = json_first(list); r; r = r->next) {
        if (r->type != JSON_OBJECT)
            continue;
        fn(ctx, r, parent);
        each_in(arm_member(r, "resources"), r, fn, ctx);
    }
}

void arm_each_resource(json_node *tmpl, void (*fn)(void *ctx, json_node *res, json_node *parent), void *ctx)
{
    each_in(arm_member(tmpl, "resources"), NULL, fn, ctx);
}

typedef struct walk {
    void (*fn)(void *, const arm_template *);
    void *ctx;
    json_node *scope;
    int depth;
} walk;

static void visit(walk *w, json_node *tmpl, json_node *scope, json_node *deployment);

static void visit_resource(void *ctx, json_node *res, json_node *parent)
{
    (void)parent;
    walk *w = ctx;
    bool inner = false;
    json_node *t = arm_nested_template(res, &inner);
    if (t && w->depth < 32)
        visit(w, t, inner ? t : w->scope, res);
}

static void visit(walk *w, json_node *tmpl, json_node *scope, json_node *deployment)
{
    arm_template at = {tmpl, scope, deployment, w->depth};
    w->fn(w->ctx, &at);
    json_node *saved = w->scope;
    w->scope = scope;
    w->depth++;
    arm_each_resource(tmpl, visit_resource, w);
    w->depth--;
    w->scope = saved;
}

void arm_each_template(json_node *root, void (*fn)(void *ctx, const arm_template *t), void *ctx)
{
    if (!root || root->type != JSON_OBJECT)
        return;
    walk w = {fn, ctx, root, 0};
    visit(&w, root, root, NULL);
}

/* The name inside "[parameters('x')]" or "[variables('x')]" (nothing else around it). */
static bool plain_reference(const json_node *v, bool *variable, const char **name, size_t *len)
{
    static const char p[] = "[parameters('", var[] = "[variables('";
    const char *s = v->p;
    size_t n = v->n;
    if (n < 4 || memcmp(s + n - 3, "')]", 3))
        return false;
    if (n > sizeof p + 2 && ascii_ieq(s, p, sizeof p - 1))
        *variable = false, *name = s + sizeof p - 1, *len = n - (sizeof p - 1) - 3;
    else if (n > sizeof var + 2 && ascii_ieq(s, var, sizeof var - 1))
        *variable = true, *name = s + sizeof var - 1, *len = n - (sizeof var - 1) - 3;
    else
        return false;
    return !memchr(*name, '\'', *len);
}

/* The template whose parameters and variables an expression at node n sees: the nearest
 * enclosing template that is the document's own or a nested one with inner scope. */
static const json_node *scope_of(const json_node *n)
{
    for (; n; n = n->parent) {
        if (!n->parent)
            return n;
        bool inner;
        if (n->parent->parent && arm_nested_template(n->parent->parent, &inner) == n && inner)
            return n;
    }
    return NULL;
}

/* The value a nested deployment passes for parameter name[0..len) of its inner-scope
 * template tmpl ("parameters": {"name": {"value": ...}}), or NULL. */
static const json_node *passed_value(arm_names *ix, const json_node *tmpl, const char *name, size_t len,
                                     const json_node **scope)
{
    bool inner;
    const json_node *dep = tmpl->parent && tmpl->parent->parent ? tmpl->parent->parent : NULL;
    if (!dep || arm_nested_template(dep, &inner) != tmpl)
        return NULL;
    json_node *params = arm_member(arm_member(dep, "properties"), "parameters");
    json_node *p = arm_names_get(ix, params, name, len);
    json_node *value = arm_member(p, "value");
    if (value)
        *scope = scope_of(dep);
    return value;
}

const json_node *arm_resolve(arm_names *ix, const json_node *scope, const json_node *v)
{
    for (int hops = 0; hops < 8; hops++) {
        if (!v || v->type != JSON_STRING)
            return v;
        if (!arm_is_expression(v->p, v->n))
            return v;
        bool variable;
        const char *name;
        size_t len;
        if (!plain_reference(v, &variable, &name, &len))
            return NULL;
        json_node *defs = arm_member(scope, variable ? "variables" : "parameters");
        json_node *def = arm_names_get(ix, defs, name, len);
        if (!def)
            return NULL;
        /* A nested template's parameter takes the value its deployment passes, evaluated
         * in the deployment's own scope; else its default. */
        const json_node *passed = variable ? NULL : passed_value(ix, scope, name, len, &scope);
        v = variable ? def : passed ? passed : arm_member(def, "defaultValue");
    }
    return NULL;
}

const json_node *arm_resolve_text(arm_names *ix, const json_node *scope, const json_node *v)
{
    const json_node *lit = arm_resolve(ix, scope, v);
    return lit && lit->type == JSON_STRING && !arm_is_expression(lit->p, lit->n) ? lit : NULL;
}

bool arm_consumer_group_name(arm_names *ix, const json_node *scope, const json_node *res, const char **s, size_t *n,
                             const json_node **at)
{
    /* properties.name is the group's name (bicep-types-az 2023-06-30/types.md:166-168) */
    const json_node *pn = arm_resolve_text(ix, scope, arm_member(arm_member(res, "properties"), "name"));
    if (pn) {
        *s = pn->p, *n = pn->n, *at = pn;
        return true;
    }
    const json_node *name = arm_resolve_text(ix, scope, arm_member(res, "name"));
    if (!name)
        return false;
    const char *slash = NULL;
    for (size_t i = 0; i < name->n; i++)
        if (((const char *)name->p)[i] == '/')
            slash = (const char *)name->p + i;
    *s = slash ? slash + 1 : name->p;
    *n = name->n - (size_t)(*s - (const char *)name->p);
    *at = name;
    return true;
}

const char *arm_resolved_from(const json_node *v, const json_node *lit)
{
    if (lit == v)
        return "";
    return v->type == JSON_STRING && v->n > 11 && ascii_ieq(v->p, "[variables(", 11) ? "variable" : "parameter";
}

/* ---------------------------------------------------------------- name index */

/* One indexed object: its names in a keyset (record "at" is the ordinal of the last member
 * of that name) and its members in order. */
typedef struct indexed {
    const json_node *obj;
    keyset names;
    json_node **members;
} indexed;

struct arm_names {
    indexed *v;
    size_t n;
};

arm_names *arm_names_new(void)
{
    return xcalloc(1, sizeof(arm_names));
}

void arm_names_free(arm_names *ix)
{
    if (!ix)
        return;
    for (size_t i = 0; i < ix->n; i++) {
        keyset_free(&ix->v[i].names);
        free(ix->v[i].members);
    }
    free(ix->v);
    free(ix);
}

/* Small objects are scanned: an index pays off from a few dozen members on. */
enum { INDEX_FROM = 32 };

static indexed *index_of(arm_names *ix, const json_node *obj)
{
    for (size_t i = 0; i < ix->n; i++)
        if (ix->v[i].obj == obj)
            return &ix->v[i];
    ix->v = xrealloc(ix->v, (ix->n + 1) * sizeof *ix->v);
    indexed *x = &ix->v[ix->n++];
    x->obj = obj;
    keyset_init(&x->names, true);
    keyset_push(&x->names);
    x->members = xmalloc((json_count(obj) + 1) * sizeof *x->members);
    size_t k = 0;
    for (json_node *m = json_first(obj); m; m = m->next)
        x->members[k++] = m;
    /* From the last member back: a keyset keeps the first record of a name, and Azure,
     * like JSON readers, takes the last member of a repeated name. */
    while (k--)
        keyset_add(&x->names, x->members[k]->key, x->members[k]->key_len, k);
    return x;
}

json_node *arm_names_get(arm_names *ix, const json_node *obj, const char *name, size_t len)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    if (!ix || json_count(obj) < INDEX_FROM)
        return json_get_icase(obj, name, len);   /* the last of a name, scanning from the end */
    indexed *x = index_of(ix, obj);
    const keyrec *r = keyset_find(&x->names, name, len);
    return r ? x->members[r->at] : NULL;
}

bool arm_variable_defined(arm_names *ix, const json_node *variables, const char *name, size_t len)
{
    if (!variables || variables->type != JSON_OBJECT)
        return false;
    json_node *m = arm_names_get(ix, variables, name, len);
    if (m && !(ascii_same(m->key, m->key_len, "copy", 4) && m->type == JSON_ARRAY))
        return true;
    json_node *loops = arm_member(variables, "copy");
    for (json_node *loop = loops && loops->type == JSON_ARRAY ? json_first(loops) : NULL; loop; loop = loop->next) {
        json_node *n = arm_member(loop, "name");
        if (n && n->type == JSON_STRING && ascii_same(n->p, n->n, name, len))
            return true;
    }
    return false;
}
