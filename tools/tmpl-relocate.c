/* tmpl-relocate: an IoT hub template moved to a new region, name, SKU or partition count,
 * with the endpoint resources that moved and the consumer groups an export lacks; see
 * tmpl-relocate(1). What Azure allows is rules/tmpl-relocate.yaml's args; this file is the
 * built-in that finds every place a value lives (a literal, a parameter's default, a
 * variable, an expression naming the hub) and changes it there, or says why it cannot. */
#include "app/tool.h"
#include "base/ascii.h"
#include "base/exitcodes.h"
#include "base/oom.h"
#include "base/quote.h"
#include "domain/arm_regions.h"
#include "domain/arm_walk.h"
#include "domain/armexpr.h"
#include "json/json_parse.h"
#include "query/jsonpath.h"
#include "query/rx.h"
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A resource with the template it is in and the scope its expressions see. */
typedef struct placed {
    json_node *res, *parent, *tmpl;
    const json_node *scope;
} placed;

typedef struct relocate {
    engine_call *c;
    const json_node *args;
    arm_names *ix;
    placed *hubs, *dps, *groups;
    size_t nhubs, ndps, ngroups;
    char hub_type[128], dps_type[128], group_type[128];    /* from args, read once */
    const json_node *scope;     /* while collecting */
    json_node *tmpl;
    int status;
} relocate;

/* ---------------------------------------------------------------- reporting */

static void note(relocate *rl, const json_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void note(relocate *rl, const json_node *at, const char *fmt, ...)
{
    char text[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    engine_report(rl->c, SEV_NOTE, "relocate", at, "%s", text);
}

static void fail(relocate *rl, int status, const json_node *at, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void fail(relocate *rl, int status, const json_node *at, const char *fmt, ...)
{
    char text[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    engine_report(rl->c, SEV_ERROR, status == EXIT_USAGE ? "relocate-usage" : "relocate-refused", at, "%s", text);
    if (rl->status == EXIT_OK || status == EXIT_USAGE)
        rl->status = status;
}

/* "would set" in a dry run, "set" otherwise (and "would add" / "added", ...). */
static const char *did(const relocate *rl, const char *now, const char *past)
{
    static char text[40];
    snprintf(text, sizeof text, "%s%s", rl->c->dry_run ? "would " : "", rl->c->dry_run ? now : past);
    return text;
}

static char *path_of(const relocate *rl, const json_node *n)
{
    buf b = BUF_INIT;
    jp_path(rl->c->doc->root, n, &b);
    return buf_detach(&b, NULL);
}

static char *q(const char *s, size_t n)
{
    return quote_dup(s, n, 120);
}

/* Replaces string node n by text, with a note naming where. */
static void set_string(relocate *rl, json_node *n, const char *text, const char *why)
{
    if (n->type == JSON_STRING && n->n == strlen(text) && !memcmp(n->p, text, n->n))
        return;
    char *p = path_of(rl, n), *v = q(text, strlen(text));
    note(rl, n, "%s %s to '%s'%s", did(rl, "set", "set"), p, v, why);
    free(p), free(v);
    json_set_string(rl->c->doc, n, text, strlen(text));
    engine_count_change(rl->c);
}

/* The node holding the literal value v stands for (v itself, a parameter's default or the
 * value a deployment passes, a variable), as a changeable node; NULL when none. */
static json_node *holder(relocate *rl, const json_node *scope, const json_node *v, const char **how)
{
    const json_node *lit = arm_resolve(rl->ix, scope, v);
    if (!lit || (lit->type == JSON_STRING && arm_is_expression(lit->p, lit->n)))
        return NULL;
    const char *from = arm_resolved_from(v, lit);
    *how = !*from ? "" : !strcmp(from, "variable") ? " (a variable)" : " (a parameter's value)";
    return (json_node *)lit;
}

/* ---------------------------------------------------------------- collecting */

static void on_resource(void *ctx, json_node *res, json_node *parent)
{
    relocate *rl = ctx;
    const char *hub = rl->hub_type, *dps = rl->dps_type, *grp = rl->group_type;
    placed p = {res, parent, rl->tmpl, rl->scope};
    placed **list = NULL;
    size_t *n = NULL;
    if (arm_resource_is(res, parent, hub))
        list = &rl->hubs, n = &rl->nhubs;
    else if (arm_resource_is(res, parent, dps))
        list = &rl->dps, n = &rl->ndps;
    else if (arm_resource_is(res, parent, grp))
        list = &rl->groups, n = &rl->ngroups;
    if (!list)
        return;
    *list = xrealloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = p;
}

static void on_template(void *ctx, const arm_template *t)
{
    relocate *rl = ctx;
    rl->scope = t->scope;
    rl->tmpl = t->tmpl;
    arm_each_resource(t->tmpl, on_resource, rl);
}

/* The hub's name as known offline, or NULL. */
static const json_node *hub_name(relocate *rl, const placed *h)
{
    return arm_resolve_text(rl->ix, h->scope, arm_member(h->res, "name"));
}

/* ---------------------------------------------------------------- --location */

static void set_location_at(relocate *rl, const json_node *scope, json_node *loc, const char *region, const char *what)
{
    if (!loc) {
        note(rl, NULL, "%s has no location: nothing to change", what);
        return;
    }
    const char *how;
    json_node *h = holder(rl, scope, loc, &how);
    if (h && h->type == JSON_STRING) {
        char why[200];
        snprintf(why, sizeof why, " (%s)%s", what, how);
        set_string(rl, h, region, why);
        return;
    }
    char *p = path_of(rl, loc);
    if (loc->type == JSON_STRING && loc->n > 16 && ascii_ieq(loc->p, "[resourceGroup()", 16))
        note(rl, loc, "%s (%s) follows the target resource group's location: left as it is", p, what);
    else
        note(rl, loc, "%s (%s) is an expression whose value is not known offline: left as it is; check it", p, what);
    free(p);
}

static void relocate_location(relocate *rl, const char *region)
{
    arm_regions regions;
    bool have = arm_regions_load(&regions, rl->args);
    if (!engine_is_true(rl->c->e, "allow-unknown-region") && have && !arm_region_known(&regions, region, strlen(region))) {
        char *v = q(region, strlen(region));
        fail(rl, EXIT_USAGE, NULL, "--location '%s' is not a known Azure region (rules/azure-regions.txt); "
                                   "--allow-unknown-region accepts it", v);
        free(v);
    }
    arm_regions_free(&regions);
    if (rl->status == EXIT_USAGE)
        return;
    for (size_t i = 0; i < rl->nhubs; i++)
        set_location_at(rl, rl->hubs[i].scope, arm_member(rl->hubs[i].res, "location"), region, "the hub's location");
    /* A linked DPS names the hub by connection string, and says where the hub is. */
    for (size_t d = 0; d < rl->ndps; d++) {
        json_node *links = arm_member(arm_member(rl->dps[d].res, "properties"), "iotHubs");
        for (json_node *l = links && links->type == JSON_ARRAY ? json_first(links) : NULL; l; l = l->next) {
            json_node *cs = arm_member(l, "connectionString");
            bool ours = false;
            for (size_t i = 0; i < rl->nhubs && cs && cs->type == JSON_STRING; i++) {
                const json_node *name = hub_name(rl, &rl->hubs[i]);
                buf host = BUF_INIT;
                if (name)
                    buf_printf(&host, "HostName=%.*s.azure-devices.net", (int)name->n, (const char *)name->p);
                for (size_t k = 0; name && k + host.len <= cs->n && !ours; k++)
                    ours = ascii_ieq((const char *)cs->p + k, host.data, host.len);
                buf_free(&host);
            }
            if (ours)
                set_location_at(rl, rl->dps[d].scope, arm_member(l, "location"), region, "a linked DPS's location of the hub");
        }
    }
}

/* ---------------------------------------------------------------- --name */

/* Compiled patterns by their text: every string of the document is tried against the
 * same few, and compiling each anew would cost more than matching. */
static struct {
    char *text;
    rx *re;
} compiled[16];

static rx *pattern_rx(const char *pattern)
{
    size_t i = 0;
    for (; i < sizeof compiled / sizeof *compiled && compiled[i].text; i++)
        if (!strcmp(compiled[i].text, pattern))
            return compiled[i].re;
    rx_error err;
    rx *re = rx_compile(pattern, strlen(pattern), 0, &err);
    if (!re)
        return NULL;
    if (i == sizeof compiled / sizeof *compiled) {
        /* full (many OLD=NEW pairs): the last slot is reused; no caller keeps a pattern */
        i--;
        free(compiled[i].text);
        rx_free(compiled[i].re);
    }
    compiled[i].text = xstrdup(pattern);
    compiled[i].re = re;
    return re;
}

static void free_patterns(void)
{
    for (size_t i = 0; i < sizeof compiled / sizeof *compiled && compiled[i].text; i++) {
        free(compiled[i].text);
        rx_free(compiled[i].re);
        compiled[i].text = NULL;
    }
}

/* Notes a change at n ("changed $['a'] (why)") and counts it. */
static void said(relocate *rl, const json_node *n, const char *now, const char *past, const char *what, const char *why)
{
    char *p = path_of(rl, n);
    note(rl, n, "%s %s%s%s", did(rl, now, past), what, p, why);
    free(p);
    engine_count_change(rl->c);
}

/* pattern -> repl applied to s[0..n) into out; true when that changed the text. */
static bool replaced(const char *pattern, const char *s, size_t n, const char *repl, buf *out)
{
    rx_error err;
    rx *re = pattern_rx(pattern);
    return re && rx_replace(re, s, n, repl, strlen(repl), out, &err) > 0 && (out->len != n || memcmp(out->data, s, n));
}

/* Replaces pattern (with OLD in it) by repl in string node n; returns true when it did. */
static bool rewrite(relocate *rl, json_node *n, const char *pattern, const char *repl, const char *why)
{
    buf out = BUF_INIT;
    bool changed = replaced(pattern, n->p, n->n, repl, &out);
    if (changed) {
        said(rl, n, "change", "changed", "", why);
        json_set_string(rl->c->doc, n, out.data, out.len);
    }
    buf_free(&out);
    return changed;
}

typedef struct rename_ctx {
    relocate *rl;
    const char *old, *new_name;
    const json_node *skip;
    const char *hub_type;
    /* the patterns every string is tried against, made once (rename_patterns) */
    char whole[400], quoted[400], id_args[400], id_joined[400], host[400], mention[400], repl[200];
} rename_ctx;

static void rename_patterns(rename_ctx *r)
{
    const char *o = r->old, *t = r->hub_type;
    /* a dependsOn entry naming the hub ("HUB"), or a child's name / dependsOn ("HUB/...") */
    snprintf(r->whole, sizeof r->whole, "(?i)^\\Q%s\\E(?=$|/)", o);
    snprintf(r->quoted, sizeof r->quoted, "(?i)(?<=')\\Q%s\\E(?=/)", o);
    /* resourceId('Microsoft.Devices/IotHubs', 'HUB'), concat('Microsoft.Devices/Iothubs/',
     * 'HUB'), and the type and name written as one: Microsoft.Devices/IotHubs/HUB */
    snprintf(r->id_args, sizeof r->id_args, "(?i)(\\Q%s\\E/?'\\s*,\\s*')\\Q%s\\E(?=')", t, o);
    snprintf(r->id_joined, sizeof r->id_joined, "(?i)(\\Q%s/\\E)\\Q%s\\E(?=$|/|')", t, o);
    /* a DPS's link: HostName=HUB.azure-devices.net (SharedAccessKeyName=iothubroutes_HUB
     * names a policy of the endpoint's namespace, not the hub: it stays) */
    snprintf(r->host, sizeof r->host, "(?i)(HostName=)\\Q%s\\E(?=\\.azure-devices\\.net)", o);
    /* what still mentions the old name is said, never guessed at */
    snprintf(r->mention, sizeof r->mention, "(?i)(?<![A-Za-z0-9_-])\\Q%s\\E(?![A-Za-z0-9-])", o);
    snprintf(r->repl, sizeof r->repl, "${1}%s", r->new_name);
}

static bool in_depends_on(const json_node *n)
{
    return n->parent && n->parent->type == JSON_ARRAY && n->parent->key && ascii_same(n->parent->key, n->parent->key_len, "dependsOn", 9);
}

/* A name member of a resource under the hub's type ("HUB/events/GROUP", "HUB/cert"). */
static bool child_name(const rename_ctx *r, const json_node *n)
{
    if (!n->key || !ascii_same(n->key, n->key_len, "name", 4) || !n->parent)
        return false;
    json_node *type = arm_member(n->parent, "type");
    size_t tl = strlen(r->hub_type);
    return type && type->type == JSON_STRING && type->n > tl + 1 && ascii_ieq(type->p, r->hub_type, tl) &&
           ((const char *)type->p)[tl] == '/';
}

static void rename_in(rename_ctx *r, json_node *n)
{
    if (n->type == JSON_ARRAY || n->type == JSON_OBJECT) {
        for (json_node *k = json_first(n); k; k = k->next)
            rename_in(r, k);
        return;
    }
    if (n->type != JSON_STRING || n == r->skip)
        return;
    relocate *rl = r->rl;
    if (in_depends_on(n) || child_name(r, n)) {
        if (rewrite(rl, n, r->whole, r->new_name, " (the hub's name in a name or dependency)"))
            return;
        rewrite(rl, n, r->quoted, r->new_name, " (the hub's name in a name or dependency)");
    }
    rewrite(rl, n, r->id_args, r->repl, " (the hub's resource id)");
    rewrite(rl, n, r->id_joined, r->repl, " (the hub's resource id)");
    rewrite(rl, n, r->host, r->repl, " (the hub's name in a DPS's link to it)");
    rx *re = pattern_rx(r->mention);
    if (re && rx_match(re, n->p, n->n) == RX_MATCH) {
        char *p = path_of(rl, n), *qo = q(r->old, strlen(r->old));
        note(rl, n, "%s still mentions '%s': not changed (check it)", p, qo);
        free(p), free(qo);
    }
}

static void relocate_name(relocate *rl, const char *new_name)
{
    char pat[256];
    rx_error err;
    engine_arg_text(rl->c, "hub-name", pat, sizeof pat);
    rx *re = rx_compile(pat, strlen(pat), 0, &err);
    bool ok = re && rx_match(re, new_name, strlen(new_name)) == RX_MATCH;
    rx_free(re);
    char *v = q(new_name, strlen(new_name));
    if (!ok) {
        fail(rl, EXIT_USAGE, NULL, "--name '%s' is not a valid IoT hub name: 3-50 letters, digits and '-', not all "
                                   "digits, not starting or ending with '-'", v);
        free(v);
        return;
    }
    free(v);
    if (rl->nhubs != 1) {
        fail(rl, EXIT_FINDINGS, NULL, "--name renames one hub: the template has %zu", rl->nhubs);
        return;
    }
    placed *h = &rl->hubs[0];
    json_node *name = arm_member(h->res, "name");
    const char *how;
    json_node *lit = name ? holder(rl, h->scope, name, &how) : NULL;
    if (!lit || lit->type != JSON_STRING) {
        fail(rl, EXIT_FINDINGS, name, "the hub's name is built by an expression whose value is not known offline: "
                                      "rename it by hand (nothing was guessed)");
        return;
    }
    char *old = xstrndup(lit->p, lit->n);
    if (ascii_same(old, strlen(old), new_name, strlen(new_name))) {
        free(old);
        return;
    }
    char why[120];
    snprintf(why, sizeof why, " (the hub's name)%s", how);
    set_string(rl, lit, new_name, why);
    rename_ctx r = {.rl = rl, .old = old, .new_name = new_name, .skip = lit, .hub_type = rl->hub_type};
    rename_patterns(&r);
    rename_in(&r, rl->c->doc->root);
    free(old);
}

/* ---------------------------------------------------------------- --sku, --capacity */

static void set_number(relocate *rl, json_node *n, long v, const char *why)
{
    char text[32];
    int len = snprintf(text, sizeof text, "%ld", v);
    if (n->type == JSON_NUMBER && n->n == (uint32_t)len && !memcmp(n->p, text, (size_t)len))
        return;
    char *p = path_of(rl, n);
    note(rl, n, "%s %s to %s%s", did(rl, "set", "set"), p, text, why);
    free(p);
    json_node *v2 = json_new_number(rl->c->doc, text, (size_t)len);
    bool root = n == rl->c->doc->root;
    json_replace(n, v2);
    if (root)
        rl->c->doc->root = v2;
    engine_count_change(rl->c);
}

/* Adds member name = number v to object obj. */
static void add_number(relocate *rl, json_node *obj, const char *name, long v, const char *why)
{
    char text[32];
    int len = snprintf(text, sizeof text, "%ld", v);
    char *p = path_of(rl, obj);
    note(rl, obj, "%s %s['%s'] = %s%s", did(rl, "add", "added"), p, name, text, why);
    free(p);
    json_append(rl->c->doc, obj, name, strlen(name), json_new_number(rl->c->doc, text, (size_t)len));
    engine_count_change(rl->c);
}

static void relocate_sku(relocate *rl, const char *sku_in, const char *capacity)
{
    char sku[8];
    size_t k = 0;
    for (; sku_in[k] && k + 1 < sizeof sku; k++)
        sku[k] = (char)toupper((unsigned char)sku_in[k]);
    sku[k] = '\0';
    json_node *skus = json_get(rl->args, "skus", 4);
    json_node *info = *sku ? json_get(skus, sku, strlen(sku)) : NULL;
    long units = -1;
    if (*capacity)
        units = strtol(capacity, NULL, 10);
    for (size_t i = 0; i < rl->nhubs; i++) {
        placed *h = &rl->hubs[i];
        json_node *s = arm_member(h->res, "sku");
        if (!s || s->type != JSON_OBJECT) {
            fail(rl, EXIT_FINDINGS, s ? s : h->res, "the hub's sku is %s: change it by hand",
                 s ? "an expression" : "missing");
            continue;
        }
        const char *how;
        json_node *name = arm_member(s, "name");
        json_node *nh = name ? holder(rl, h->scope, name, &how) : NULL;
        if (!info) {    /* --capacity alone: the hub's own SKU */
            char cur[8] = "";
            if (nh && nh->type == JSON_STRING && nh->n < sizeof cur)
                snprintf(cur, sizeof cur, "%.*s", (int)nh->n, (const char *)nh->p);
            for (char *c = cur; *c; c++)
                *c = (char)toupper((unsigned char)*c);
            info = *cur ? json_get(skus, cur, strlen(cur)) : NULL;
            snprintf(sku, sizeof sku, "%s", cur);
        } else if (!nh || nh->type != JSON_STRING) {
            fail(rl, EXIT_FINDINGS, name ? name : s, "the hub's sku.name is an expression whose value is not known "
                                                     "offline: change it by hand");
            continue;
        }
        /* The units must fit the SKU before anything changes. */
        json_node *max0 = arm_member(info, "units");
        long limit = max0 && max0->type == JSON_NUMBER ? strtol(max0->p, NULL, 10) : 0;
        json_node *cap0 = arm_member(s, "capacity");
        if (units >= 0 && limit && (units < 1 || units > limit)) {
            fail(rl, EXIT_USAGE, cap0 ? cap0 : s, "--capacity %ld is not allowed for %s: %s%ld units", units, sku,
                 limit == 1 ? "exactly " : "1 to ", limit);
            continue;
        }
        if (units < 0 && cap0 && limit) {
            const json_node *cv = arm_resolve(rl->ix, h->scope, cap0);
            long now = cv && cv->type == JSON_NUMBER ? strtol(cv->p, NULL, 10) : 0;
            if (now > limit) {
                fail(rl, EXIT_FINDINGS, cap0, "the hub has %ld units, more than %s allows (%ld): give --capacity", now,
                     sku, limit);
                continue;
            }
        }
        if (*sku_in) {
            char why[120];
            snprintf(why, sizeof why, " (the hub's SKU)%s", how);
            set_string(rl, nh, sku, why);
        }
        json_node *tier = arm_member(info, "tier");
        /* tier follows the name, or goes when it cannot */
        json_node *t = arm_member(s, "tier");
        if (t && tier && *sku_in) {
            json_node *th = holder(rl, h->scope, t, &how);
            if (th && th->type == JSON_STRING) {
                char tt[32];
                snprintf(tt, sizeof tt, "%.*s", (int)tier->n, (const char *)tier->p);
                set_string(rl, th, tt, " (the tier of the new SKU)");
            } else {
                char *p = path_of(rl, t);
                note(rl, t, "%s %s: an expression that would not follow the new SKU (Azure derives the tier)",
                     did(rl, "remove", "removed"), p);
                free(p);
                json_remove(t);
                engine_count_change(rl->c);
            }
        }
        json_node *cap = arm_member(s, "capacity");
        if (units >= 0) {
            json_node *ch = cap ? holder(rl, h->scope, cap, &how) : NULL;
            if (ch && ch->type == JSON_NUMBER)
                set_number(rl, ch, units, " (the hub's units)");
            else if (!cap)
                add_number(rl, s, "capacity", units, " (the hub's units)");
            else
                fail(rl, EXIT_FINDINGS, cap, "the hub's sku.capacity is an expression: change it by hand");
        }
    }
}

/* ---------------------------------------------------------------- --partitions */

/* Member name of obj, made an empty object when absent. */
static json_node *object_member(relocate *rl, json_node *obj, const char *name)
{
    json_node *m = arm_member(obj, name);
    if (m)
        return m->type == JSON_OBJECT ? m : NULL;
    m = json_new(rl->c->doc, JSON_OBJECT);
    json_append(rl->c->doc, obj, name, strlen(name), m);
    return m;
}

static void relocate_partitions(relocate *rl, const char *count)
{
    long n = strtol(count, NULL, 10);
    json_node *bounds = json_get(rl->args, "partitions", 10);
    json_node *lo = arm_member(bounds, "min"), *hi = arm_member(bounds, "max");
    long min = lo ? strtol(lo->p, NULL, 10) : 2, max = hi ? strtol(hi->p, NULL, 10) : 32;
    if (n < min || n > max) {
        fail(rl, EXIT_USAGE, NULL, "--partitions %ld is outside %ld to %ld", n, min, max);
        return;
    }
    for (size_t i = 0; i < rl->nhubs; i++) {
        placed *h = &rl->hubs[i];
        json_node *props = arm_member(h->res, "properties");
        json_node *events = NULL;
        if (props && props->type == JSON_OBJECT) {
            json_node *ehe = arm_member(props, "eventHubEndpoints");
            json_node *ev = ehe && ehe->type == JSON_OBJECT ? arm_member(ehe, "events") : NULL;
            if (ev && ev->type == JSON_OBJECT)
                events = ev;
        }
        json_node *pc = events ? arm_member(events, "partitionCount") : NULL;
        const char *how;
        json_node *ph = pc ? holder(rl, h->scope, pc, &how) : NULL;
        if (ph && ph->type == JSON_NUMBER) {
            set_number(rl, ph, n, " (the hub's device-to-cloud partitions)");
        } else if (pc) {
            fail(rl, EXIT_FINDINGS, pc, "the hub's partitionCount is an expression: change it by hand");
        } else if (props && props->type == JSON_OBJECT) {
            json_node *ehe = object_member(rl, props, "eventHubEndpoints");
            json_node *ev = ehe ? object_member(rl, ehe, "events") : NULL;
            if (ev)
                add_number(rl, ev, "partitionCount", n, " (the hub's device-to-cloud partitions)");
        }
    }
}

/* ---------------------------------------------------------------- moved endpoint resources */

/* Applies pattern -> repl to every string and member name under n (an endpoint, the file
 * upload storage, the hub's identity). */
static void rewrite_under(relocate *rl, json_node *n, const char *pattern, const char *repl, const char *why)
{
    if (n->type == JSON_STRING) {
        rewrite(rl, n, pattern, repl, why);
        return;
    }
    if (n->type != JSON_ARRAY && n->type != JSON_OBJECT)
        return;
    for (json_node *k = json_first(n); k; k = k->next) {
        if (n->type == JSON_OBJECT) {
            buf out = BUF_INIT;
            if (replaced(pattern, k->key, k->key_len, repl, &out)) {
                said(rl, k, "rename", "renamed", "the member name ", why);
                json_rename(rl->c->doc, k, out.data, out.len);
            }
            buf_free(&out);
        }
        rewrite_under(rl, k, pattern, repl, why);
    }
}

/* An OLD=NEW value: letters, digits and "._()-" (Azure names of groups, accounts,
 * namespaces, entities; subscription ids). */
static bool pair_of(relocate *rl, const char *flag, const char *s, size_t n, char *old, char *new_value, size_t cap)
{
    const char *eq = memchr(s, '=', n);
    bool ok = eq && eq > s && (size_t)(eq - s) < cap && n - (size_t)(eq - s) - 1 < cap && eq + 1 < s + n;
    for (size_t i = 0; ok && i < n; i++)
        ok = s + i == eq || isalnum((unsigned char)s[i]) || strchr("._()-", s[i]);
    if (!ok) {
        char *v = q(s, n);
        fail(rl, EXIT_USAGE, NULL, "--%s '%s' must be OLD=NEW (letters, digits, '.', '_', '(', ')', '-')", flag, v);
        free(v);
        return false;
    }
    snprintf(old, cap, "%.*s", (int)(eq - s), s);
    snprintf(new_value, cap, "%.*s", (int)(n - (size_t)(eq - s) - 1), eq + 1);
    return true;
}

/* Calls fn on every endpoint, the file upload storage and the hub's identity. */
static void each_moved_part(relocate *rl, void (*fn)(relocate *, json_node *, const char *, const char *),
                            const char *old, const char *new_value)
{
    for (size_t i = 0; i < rl->nhubs; i++) {
        json_node *props = arm_member(rl->hubs[i].res, "properties");
        json_node *eps = arm_member(arm_member(props, "routing"), "endpoints");
        for (json_node *arr = eps && eps->type == JSON_OBJECT ? json_first(eps) : NULL; arr; arr = arr->next)
            for (json_node *e = arr->type == JSON_ARRAY ? json_first(arr) : NULL; e; e = e->next)
                if (e->type == JSON_OBJECT)
                    fn(rl, e, old, new_value);
        json_node *se = arm_member(props, "storageEndpoints");
        if (se && se->type == JSON_OBJECT)
            fn(rl, se, old, new_value);
        json_node *id = arm_member(rl->hubs[i].res, "identity");
        if (id && id->type == JSON_OBJECT)
            fn(rl, id, old, new_value);
    }
}

static void member_equal(relocate *rl, json_node *obj, const char *member, const char *old, const char *new_value,
                         const char *why)
{
    json_node *m = arm_member(obj, member);
    if (m && m->type == JSON_STRING && ascii_same(m->p, m->n, old, strlen(old)))
        set_string(rl, m, new_value, why);
}

/* A resource that moved to another resource group or subscription: the endpoint's own
 * member naming it, and that segment of every resource id under the part. */
static void move_segment(relocate *rl, json_node *part, const char *member, const char *segment, const char *what,
                         const char *old, const char *new_value)
{
    member_equal(rl, part, member, old, new_value, " (the endpoint's resource moved)");
    char pat[256], rep[160], why[80];
    snprintf(pat, sizeof pat, "(?i)(/%s/)\\Q%s\\E(?=/|$)", segment, old);
    snprintf(rep, sizeof rep, "${1}%s", new_value);
    snprintf(why, sizeof why, " (a resource id: its %s moved)", what);
    rewrite_under(rl, part, pat, rep, why);
}

static void move_group(relocate *rl, json_node *part, const char *old, const char *new_value)
{
    move_segment(rl, part, "resourceGroup", "resourceGroups", "resource group", old, new_value);
}

static void move_subscription(relocate *rl, json_node *part, const char *old, const char *new_value)
{
    move_segment(rl, part, "subscriptionId", "subscriptions", "subscription", old, new_value);
}

static void rename_resource(relocate *rl, json_node *part, const char *old, const char *new_value)
{
    char pat[256], rep[160];
    snprintf(rep, sizeof rep, "${1}%s", new_value);
    /* hosts: sb://NS.servicebus.windows.net[:5671]/, https://ACCT.blob.core.windows.net/,
     * https://ACCOUNT.documents.azure.com:443/, and a storage AccountName= */
    snprintf(pat, sizeof pat,
             "(?i)(sb://|https://)\\Q%s\\E(?=\\.(servicebus\\.windows\\.net|blob\\.core\\.windows\\.net|documents\\.azure\\.com)"
             "(:[0-9]+)?(/|$|;))",
             old);
    rewrite_under(rl, part, pat, rep, " (the endpoint's resource was renamed)");
    snprintf(pat, sizeof pat, "(?i)(AccountName=)\\Q%s\\E(?=;|$)", old);
    rewrite_under(rl, part, pat, rep, " (the endpoint's resource was renamed)");
    /* entities and containers */
    snprintf(pat, sizeof pat, "(?i)(EntityPath=)\\Q%s\\E(?=;|$)", old);
    rewrite_under(rl, part, pat, rep, " (the endpoint's entity was renamed)");
    member_equal(rl, part, "entityPath", old, new_value, " (the endpoint's entity was renamed)");
    member_equal(rl, part, "containerName", old, new_value, " (the endpoint's container was renamed)");
    /* a resource id ending in the old name (a user-assigned identity renamed) */
    snprintf(pat, sizeof pat, "(?i)(^/subscriptions/.*/providers/[^/]+/[^/]+/)\\Q%s\\E$", old);
    rewrite_under(rl, part, pat, rep, " (a resource id: the resource was renamed)");
}

static void relocate_moves(relocate *rl, const char *flag, const char *list,
                           void (*fn)(relocate *, json_node *, const char *, const char *))
{
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char old[128], new_value[128];
        if (pair_of(rl, flag, p, n, old, new_value, sizeof old))
            each_moved_part(rl, fn, old, new_value);
        p += n + (comma ? 1 : 0);
    }
}

/* ---------------------------------------------------------------- --add-consumer-group */

/* A consumer group's name, as arm_consumer_group_name finds it. */
static bool group_name(relocate *rl, const placed *g, const char **s, size_t *n)
{
    const json_node *at;
    return arm_consumer_group_name(rl->ix, g->scope, g->res, s, n, &at);
}

static void add_group(relocate *rl, placed *h, const char *name)
{
    json_node *hn = arm_member(h->res, "name");
    json_node *api = arm_member(h->res, "apiVersion");
    json_node *resources = arm_member(h->tmpl, "resources");
    if (!hn || hn->type != JSON_STRING || !resources) {
        fail(rl, EXIT_FINDINGS, h->res, "the hub's name is not a string: add consumer group '%s' by hand", name);
        return;
    }
    const char *type = rl->group_type;
    buf t = BUF_INIT, esc = BUF_INIT;
    /* The name and dependency as the hub's own name is written: a literal, or the
     * expression inside its brackets. */
    bool expr = arm_is_expression(hn->p, hn->n);
    buf_add(&esc, (const char *)hn->p + expr, hn->n - 2 * expr);
    buf_printf(&t, "{\"type\": \"%s\", \"apiVersion\": \"%.*s\", ", type,
               api && api->type == JSON_STRING && !arm_is_expression(api->p, api->n) ? (int)api->n : 10,
               api && api->type == JSON_STRING && !arm_is_expression(api->p, api->n) ? (const char *)api->p : "2023-06-30");
    if (expr)
        buf_printf(&t, "\"name\": \"[concat(%s, '/events/%s')]\", ", esc.data, name);
    else
        buf_printf(&t, "\"name\": \"%s/events/%s\", ", esc.data, name);
    buf_printf(&t, "\"properties\": {\"name\": \"%s\"}, \"dependsOn\": [", name);
    if (resources->type == JSON_OBJECT && h->res->key)   /* languageVersion 2.0: the symbolic name */
        buf_printf(&t, "\"%.*s\"", (int)h->res->key_len, h->res->key);
    else if (expr)
        buf_printf(&t, "\"[resourceId('%s', %s)]\"", rl->hub_type, esc.data);
    else
        buf_printf(&t, "\"[resourceId('%s', '%s')]\"", rl->hub_type, esc.data);
    buf_puts(&t, "]}");
    json_error err;
    json_doc *made = json_parse(t.data, t.len, NULL, &err);
    if (!made) {
        fail(rl, EXIT_FINDINGS, hn, "the hub's name cannot be written into a new resource: add consumer group '%s' "
                                    "by hand", name);
    } else {
        json_node *res = json_clone(rl->c->doc, made->root);
        char *p = path_of(rl, resources);
        note(rl, resources, "%s the consumer group '%s' of the hub to %s (consumer groups are not exported)",
             did(rl, "add", "added"), name, p);
        free(p);
        if (resources->type == JSON_OBJECT) {
            buf key = BUF_INIT;
            buf_printf(&key, "consumerGroup_%s", name);
            for (char *c = key.data; *c; c++)
                if (!isalnum((unsigned char)*c) && *c != '_')
                    *c = '_';
            json_append(rl->c->doc, resources, key.data, key.len, res);
            buf_free(&key);
        } else {
            json_append(rl->c->doc, resources, NULL, 0, res);
        }
        engine_count_change(rl->c);
        json_doc_free(made);
    }
    buf_free(&t);
    buf_free(&esc);
}

static void relocate_groups(relocate *rl, const char *list)
{
    if (rl->nhubs != 1) {
        fail(rl, EXIT_FINDINGS, NULL, "--add-consumer-group adds to one hub: the template has %zu", rl->nhubs);
        return;
    }
    char pat[128];
    rx_error err;
    engine_arg_text(rl->c, "consumer-group-name", pat, sizeof pat);
    rx *re = rx_compile(pat, strlen(pat), 0, &err);
    json_node *limit = json_get(rl->args, "consumer-groups-per-hub", 23);
    long most = limit && limit->type == JSON_NUMBER ? strtol(limit->p, NULL, 10) : 20;
    size_t have = rl->ngroups;
    for (const char *p = list; *p;) {
        const char *comma = strchr(p, ',');
        size_t n = comma ? (size_t)(comma - p) : strlen(p);
        char *name = xstrndup(p, n), *v = q(p, n);
        bool dup = false;
        for (size_t i = 0; i < rl->ngroups && !dup; i++) {
            const char *s;
            size_t sn;
            dup = group_name(rl, &rl->groups[i], &s, &sn) && ascii_same(s, sn, p, n);
        }
        for (const char *o = list; o < p && !dup; ) {   /* given twice */
            const char *c2 = strchr(o, ',');
            size_t on = c2 ? (size_t)(c2 - o) : strlen(o);
            dup = ascii_same(o, on, p, n);
            o += on + 1;
        }
        if (!re || rx_match(re, p, n) != RX_MATCH)
            fail(rl, EXIT_USAGE, NULL, "--add-consumer-group '%s': names are 1 to 50 letters, digits, '-', '.' and '_'", v);
        else if (dup)
            fail(rl, EXIT_USAGE, NULL, "--add-consumer-group '%s': the hub has that consumer group already (names "
                                       "compared ignoring case)",
                 v);
        else if ((long)++have > most)
            fail(rl, EXIT_USAGE, NULL, "--add-consumer-group '%s': a hub may have at most %ld consumer groups", v, most);
        else if (rl->status == EXIT_OK)
            add_group(rl, &rl->hubs[0], name);
        free(name), free(v);
        p += n + (comma ? 1 : 0);
    }
    rx_free(re);
}

/* ---------------------------------------------------------------- the built-in */

static const char *var(const relocate *rl, const char *name)
{
    const char *v = engine_get(rl->c->e, name);
    return v ? v : "";
}

static int relocate_builtin(engine_call *c)
{
    relocate rl = {.c = c, .args = c->args, .ix = arm_names_new()};
    engine_arg_text(c, "hub-type", rl.hub_type, sizeof rl.hub_type);
    engine_arg_text(c, "dps-type", rl.dps_type, sizeof rl.dps_type);
    engine_arg_text(c, "consumer-group-type", rl.group_type, sizeof rl.group_type);
    arm_each_template(c->node, on_template, &rl);
    if (!rl.nhubs)
        fail(&rl, EXIT_FINDINGS, NULL, "the template has no IoT hub (%s)", rl.hub_type);
    /* The name first: consumer groups added below use the new one. */
    if (rl.status == EXIT_OK && *var(&rl, "name"))
        relocate_name(&rl, var(&rl, "name"));
    if (rl.status == EXIT_OK && *var(&rl, "location"))
        relocate_location(&rl, var(&rl, "location"));
    if (rl.status == EXIT_OK && (*var(&rl, "sku") || *var(&rl, "capacity")))
        relocate_sku(&rl, var(&rl, "sku"), var(&rl, "capacity"));
    if (rl.status == EXIT_OK && *var(&rl, "partitions"))
        relocate_partitions(&rl, var(&rl, "partitions"));
    if (rl.status == EXIT_OK && *var(&rl, "resource-group"))
        relocate_moves(&rl, "resource-group", var(&rl, "resource-group"), move_group);
    if (rl.status == EXIT_OK && *var(&rl, "subscription"))
        relocate_moves(&rl, "subscription", var(&rl, "subscription"), move_subscription);
    if (rl.status == EXIT_OK && *var(&rl, "rename-resource"))
        relocate_moves(&rl, "rename-resource", var(&rl, "rename-resource"), rename_resource);
    if (rl.status == EXIT_OK && *var(&rl, "add-consumer-group"))
        relocate_groups(&rl, var(&rl, "add-consumer-group"));
    free(rl.hubs), free(rl.dps), free(rl.groups);
    arm_names_free(rl.ix);
    free_patterns();
    return rl.status;
}

static const tool_flag flags[] = {
    {.long_name = "location", .arg_name = "REGION", .help = "the new region", .var = "location"},
    {.long_name = "allow-unknown-region", .help = "accept a region not in the known list", .var = "allow-unknown-region",
     .value = "true"},
    {.long_name = "name", .arg_name = "NEWHUB", .help = "the new hub name (hub names are global)", .var = "name"},
    {.long_name = "sku", .arg_name = "NAME", .help = "the new SKU: F1, B1-B3, S1-S3", .var = "sku"},
    {.long_name = "capacity", .arg_name = "N", .help = "the new number of units", .var = "capacity"},
    {.long_name = "partitions", .arg_name = "N", .help = "the device-to-cloud partition count", .var = "partitions"},
    {.long_name = "resource-group", .arg_name = "OLD=NEW", .help = "endpoint resources moved to another resource group",
     .var = "resource-group", .repeatable = true},
    {.long_name = "subscription", .arg_name = "OLD=NEW", .help = "endpoint resources moved to another subscription",
     .var = "subscription", .repeatable = true},
    {.long_name = "rename-resource", .arg_name = "OLD=NEW", .help = "an endpoint's resource, entity or container renamed",
     .var = "rename-resource", .repeatable = true},
    {.long_name = "add-consumer-group", .arg_name = "NAME", .help = "add a consumer group to the hub (repeatable)",
     .var = "add-consumer-group", .repeatable = true},
    {0},
};

static const diag_rule relocate_rules[] = {
    {"relocate", "a value was changed to move the hub, or could not be", "Every change is listed; what cannot be changed offline is said, never guessed."},
    {"relocate-usage", "an option's value is not one Azure accepts", "Fix the option: a known region, a valid hub name, units and partitions within the SKU's limits."},
    {"relocate-refused", "the template cannot be changed as asked", "The message says what to change by hand."},
    {0, 0, 0},
};

static const engine_builtin builtins[] = {
    {"relocate", relocate_builtin, NULL,
     "{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"hub-type\", \"dps-type\", "
     "\"consumer-group-type\", \"hub-name\", \"regions\", \"skus\", \"partitions\", \"consumer-group-name\", "
     "\"consumer-groups-per-hub\"], \"properties\": {\"hub-type\": {\"type\": \"string\", \"maxLength\": 120}, "
     "\"dps-type\": {\"type\": \"string\", \"maxLength\": 120}, \"consumer-group-type\": {\"type\": \"string\", "
     "\"maxLength\": 120}, \"hub-name\": {\"type\": \"string\", \"maxLength\": 250}, \"regions\": {\"type\": \"string\", "
     "\"pattern\": \"^rules/\"}, \"skus\": {\"type\": \"object\", \"additionalProperties\": {\"type\": \"object\", "
     "\"required\": [\"tier\", \"units\"], \"properties\": {\"tier\": {\"type\": \"string\", \"maxLength\": 30}, "
     "\"units\": {\"type\": \"integer\", \"minimum\": 1}}}}, \"partitions\": {\"type\": \"object\", \"required\": "
     "[\"min\", \"max\"], \"properties\": {\"min\": {\"type\": \"integer\"}, \"max\": {\"type\": \"integer\"}}}, "
     "\"consumer-group-name\": {\"type\": \"string\", \"maxLength\": 120}, \"consumer-groups-per-hub\": {\"type\": "
     "\"integer\", \"minimum\": 1}}}",
     NULL, relocate_rules},
    {0},
};

static const tool_spec tmpl_relocate = {
    .prog = "tmpl-relocate",
    .synopsis = "[--location REGION] [--name NEWHUB] [--sku NAME] [--capacity N] [--partitions N] "
                "[--resource-group OLD=NEW] [--subscription OLD=NEW] [--rename-resource OLD=NEW] "
                "[--add-consumer-group NAME]... [-o FILE | -i] [-n] [FILE]",
    .summary = "Move an IoT hub template to a new region, name, SKU or partition count.",
    .mode = TOOL_FILTER,
    .flags = flags,
    .builtins = builtins,
};

TOOL_MAIN(tmpl_relocate)
