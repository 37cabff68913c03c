/* tmpl-inject-keys: puts the keys an export masked back into an ARM template, from a key
 * file or the environment; see tmpl-inject-keys(1). Which endpoints hold keys, and where,
 * is rules/tmpl-inject-keys.yaml's args; this file is the one built-in that reads the keys
 * (a rule must never see them: it could print them) and puts them in place. */
#include "app/tool.h"
#include "base/ascii.h"
#include "base/exitcodes.h"
#include "base/io.h"
#include "base/oom.h"
#include "base/pos.h"
#include "base/quote.h"
#include "domain/arm_walk.h"
#include "domain/armexpr.h"
#include "query/yamltree.h"
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* One key the user gave: from the key file (node and position there) or the environment. */
typedef struct given {
    char *name;             /* endpoint name, or "$fileUpload" */
    const json_node *value; /* key file: a string, or {primaryKey, secondaryKey} */
    char *env_value;        /* environment: the string */
    size_t at;              /* key file: byte offset of the entry */
    bool used;
} given;

typedef struct inject {
    engine_call *c;
    arm_names *ix;
    const json_node *scope;
    const char *hub_type;
    const char *mask;
    given *g;
    size_t ng;
    const char *keys_name;  /* the key file's name, for messages */
    const char *keys_text;
    size_t keys_len;
    const char *env_prefix;
    bool allow_missing;
    size_t missing, errors;
} inject;

/* ---------------------------------------------------------------- the keys given */

static void key_file_problem(inject *k, severity sev, size_t at, const char *fmt, const char *what)
{
    diag_add(k->c->d, sev, "key-file", k->keys_name, at, at, fmt, what);
    diag_resolve(k->c->d, k->c->d->n - 1, k->keys_text, k->keys_len);
    if (sev == SEV_ERROR)
        k->errors++;
}

/* A key must be text that fits in a connection string: no ';' inside a bare key, no
 * control characters (the value itself is never shown). */
static bool usable_text(const char *s, size_t n)
{
    if (!n)
        return false;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
            return false;
    return true;
}

static int load_key_file(inject *k, const char *path, json_doc **doc, char **text)
{
    buf b = BUF_INIT;
    int err = io_read_all(path, &b);
    k->keys_name = path;
    if (err) {
        diag_add(k->c->d, SEV_ERROR, "io-read", path, (size_t)-1, (size_t)-1, "cannot read the key file: %s", strerror(err));
        buf_free(&b);
        return EXIT_IO;
    }
    struct stat st;
    if (stat(path, &st) == 0 && (st.st_mode & 077))
        diag_add(k->c->d, SEV_WARNING, "key-file-mode", path, (size_t)-1, (size_t)-1,
                 "the key file is readable by group or others (mode %04o): chmod 600 it",
                 (unsigned)(st.st_mode & 07777));
    *text = buf_detach(&b, &k->keys_len);
    k->keys_text = *text;
    yamltree_error yerr;
    *doc = yamltree_load(*text, k->keys_len, &yerr);
    if (!*doc) {
        /* the parser's message names a position and a problem, never a value */
        diag_add(k->c->d, SEV_ERROR, "key-file", path, yerr.offset, yerr.offset, "not YAML or JSON: %s", yerr.msg);
        diag_resolve(k->c->d, k->c->d->n - 1, *text, k->keys_len);
        return EXIT_USAGE;
    }
    if ((*doc)->root->type != JSON_OBJECT) {
        key_file_problem(k, SEV_ERROR, (*doc)->root->start, "%s", "the key file must map endpoint names to keys");
        return EXIT_USAGE;
    }
    for (const json_node *m = json_first((*doc)->root); m; m = m->next) {
        buf q = BUF_INIT;
        quote_name(&q, m->key, m->key_len, 60);
        bool ok = m->type == JSON_STRING ? usable_text(m->p, m->n) : m->type == JSON_OBJECT;
        for (const json_node *f = m->type == JSON_OBJECT ? json_first(m) : NULL; f && ok; f = f->next)
            ok = (ascii_same(f->key, f->key_len, "primaryKey", 10) || ascii_same(f->key, f->key_len, "secondaryKey", 12)) &&
                 f->type == JSON_STRING && usable_text(f->p, f->n);
        if (!ok)
            key_file_problem(k, SEV_ERROR, m->start,
                             "the entry for '%s' must be a key or connection string (text without control "
                             "characters), or {primaryKey, secondaryKey}",
                             q.data);
        buf_free(&q);
        k->g = xrealloc(k->g, (k->ng + 1) * sizeof *k->g);
        k->g[k->ng++] = (given){xstrndup(m->key, m->key_len), m, NULL, m->start, false};
    }
    return k->errors ? EXIT_USAGE : EXIT_OK;
}

/* The environment variable for an endpoint: PREFIX_NAME, the name upper-cased with '-' and
 * '.' as '_' ("$fileUpload": PREFIX_FILEUPLOAD). */
static const char *from_env(inject *k, const char *name, size_t n)
{
    if (!k->env_prefix || !*k->env_prefix)
        return NULL;
    buf v = BUF_INIT;
    buf_printf(&v, "%s_", k->env_prefix);
    if (ascii_same(name, n, "$fileUpload", 11)) {
        buf_puts(&v, "FILEUPLOAD");
    } else {
        for (size_t i = 0; i < n; i++)
            buf_putc(&v, name[i] == '-' || name[i] == '.' ? '_' : (char)toupper((unsigned char)name[i]));
    }
    const char *value = getenv(v.data);
    buf_free(&v);
    return value && *value ? value : NULL;
}

/* What was given for an endpoint: the key file's entry first, else the environment. */
static given *given_for(inject *k, const char *name, size_t n)
{
    for (size_t i = 0; i < k->ng; i++)
        if (ascii_same(k->g[i].name, strlen(k->g[i].name), name, n)) {
            k->g[i].used = true;
            return &k->g[i];
        }
    const char *env = from_env(k, name, n);
    if (!env)
        return NULL;
    k->g = xrealloc(k->g, (k->ng + 1) * sizeof *k->g);
    k->g[k->ng] = (given){xstrndup(name, n), NULL, xstrdup(env), (size_t)-1, true};
    return &k->g[k->ng++];
}

static const char *given_text(const given *g, size_t *n)
{
    if (g->env_value) {
        *n = strlen(g->env_value);
        return g->env_value;
    }
    if (g->value && g->value->type == JSON_STRING) {
        *n = g->value->n;
        return g->value->p;
    }
    *n = 0;
    return NULL;
}

/* ---------------------------------------------------------------- connection strings */

/* The value of field name (ignoring case) in a connection string "A=x;B=y", or NULL. */
static const char *field(const char *s, size_t n, const char *name, size_t *len)
{
    size_t nl = strlen(name);
    for (size_t i = 0; i < n;) {
        size_t end = i;
        while (end < n && s[end] != ';')
            end++;
        if (end - i > nl && ascii_ieq(s + i, name, nl) && s[i + nl] == '=') {
            *len = end - i - nl - 1;
            return s + i + nl + 1;
        }
        i = end + 1;
    }
    return NULL;
}

/* A full connection string (not a bare key): it names where it connects. */
static bool is_connection_string(const char *s, size_t n)
{
    size_t l;
    return field(s, n, "Endpoint", &l) || field(s, n, "AccountName", &l) || field(s, n, "AccountEndpoint", &l);
}

/* The host a connection string or URI names: sb://HOST:5671/, https://HOST/, or the
 * account name of a storage connection string; lower-cased into dst. */
static void host_of(const char *s, size_t n, buf *dst)
{
    size_t l;
    const char *v = field(s, n, "Endpoint", &l);
    if (!v)
        v = field(s, n, "AccountEndpoint", &l);
    if (!v) {
        v = field(s, n, "AccountName", &l);
        if (v) {
            for (size_t i = 0; i < l; i++)
                buf_putc(dst, (char)ascii_lower((unsigned char)v[i]));
            return;
        }
        v = s, l = n;   /* a URI itself (endpointUri) */
    }
    const char *p = v, *end = v + l;
    const char *scheme = memchr(p, ':', (size_t)(end - p));
    if (scheme && scheme + 2 < end && scheme[1] == '/' && scheme[2] == '/')
        p = scheme + 3;
    while (p < end && *p != ':' && *p != '/')
        buf_putc(dst, (char)ascii_lower((unsigned char)*p++));
    /* a storage host names its account first: acct.blob.core.windows.net -> acct */
    char *dot = strstr(dst->data ? dst->data : "", ".blob.");
    if (dot)
        dst->len = (size_t)(dot - dst->data), dst->data[dst->len] = '\0';
}

/* Where the masked key sits in a connection string: the "****" after SharedAccessKey= or
 * AccountKey=, as the export writes it; NULL when there is none. */
static const char *masked_at(const char *s, size_t n, const char *mask)
{
    static const char *const names[] = {"SharedAccessKey", "AccountKey", NULL};
    for (const char *const *f = names; *f; f++) {
        size_t l;
        const char *v = field(s, n, *f, &l);
        if (v && l == strlen(mask) && !memcmp(v, mask, l))
            return v;
    }
    return NULL;
}

/* ---------------------------------------------------------------- endpoints */

static void say_put(inject *k, const json_node *at, const char *what, const char *name, const given *g)
{
    engine_report(k->c, SEV_NOTE, "inject-key", at, "%s the key of %s '%s' (from %s)",
                  k->c->dry_run ? "would put back" : "put back", what, name,
                  g->env_value ? "the environment" : k->keys_name);
    engine_count_change(k->c);
}

/* A full connection string must connect where the endpoint does: same host, same entity. */
static bool same_target(inject *k, const json_node *ep, const json_node *cs, const char *key, size_t kn,
                        const char *name)
{
    buf a = BUF_INIT, b = BUF_INIT;
    host_of(cs->p, cs->n, &a);
    host_of(key, kn, &b);
    bool ok = a.len && b.len && !strcmp(a.data, b.data);
    size_t l1 = 0, l2 = 0;
    const char *e1 = field(cs->p, cs->n, "EntityPath", &l1), *e2 = field(key, kn, "EntityPath", &l2);
    json_node *ent = arm_member(ep, "entityPath");
    if (!e1 && ent && ent->type == JSON_STRING)
        e1 = ent->p, l1 = ent->n;
    bool entity_ok = !e1 || !e2 || ascii_same(e1, l1, e2, l2);
    if (!ok) {
        buf q1 = BUF_INIT, q2 = BUF_INIT;
        quote_into(&q1, a.data ? a.data : "", a.len, 80);
        quote_into(&q2, b.data ? b.data : "", b.len, 80);
        engine_report(k->c, SEV_ERROR, "inject-wrong-target", cs,
                      "the connection string given for '%s' connects to '%s' but the endpoint to '%s': refused", name,
                      q2.data, q1.data);
        buf_free(&q1), buf_free(&q2);
        k->errors++;
    } else if (!entity_ok) {
        buf q1 = BUF_INIT, q2 = BUF_INIT;
        quote_into(&q1, e1, l1, 80);
        quote_into(&q2, e2, l2, 80);
        engine_report(k->c, SEV_ERROR, "inject-wrong-target", cs,
                      "the connection string given for '%s' names entity '%s' but the endpoint '%s': refused", name,
                      q2.data, q1.data);
        buf_free(&q1), buf_free(&q2);
        k->errors++;
    }
    buf_free(&a), buf_free(&b);
    return ok && entity_ok;
}

/* Puts key (a bare key or a full connection string) into connection string node cs. */
static void put_in_connection_string(inject *k, json_node *ep, json_node *cs, const given *g, const char *what,
                                     const char *name)
{
    size_t kn;
    const char *key = given_text(g, &kn);
    if (!key)
        return;
    if (is_connection_string(key, kn)) {
        if (!same_target(k, ep, cs, key, kn, name))
            return;
        json_set_string(k->c->doc, cs, key, kn);
        say_put(k, cs, what, name, g);
        return;
    }
    if (memchr(key, ';', kn)) {
        engine_report(k->c, SEV_ERROR, "inject-bad-key", cs,
                      "the key given for '%s' holds ';' but is no connection string: refused", name);
        k->errors++;
        return;
    }
    const char *at = masked_at(cs->p, cs->n, k->mask);
    size_t before = (size_t)(at - (const char *)cs->p), mlen = strlen(k->mask);
    buf v = BUF_INIT;
    buf_add(&v, cs->p, before);
    buf_add(&v, key, kn);
    buf_add(&v, (const char *)cs->p + before + mlen, cs->n - before - mlen);
    json_set_string(k->c->doc, cs, v.data, v.len);
    buf_free(&v);
    say_put(k, cs, what, name, g);
}

/* Cosmos DB endpoints hold primaryKey/secondaryKey: a string given goes into every masked
 * one, an object into the ones it names. */
static void put_in_key_fields(inject *k, json_node *ep, const given *g, const char *name)
{
    for (int i = 0; i < 2; i++) {
        const char *fname = i ? "secondaryKey" : "primaryKey";
        json_node *f = arm_member(ep, fname);
        if (!f || !arm_string_is(f, k->mask))
            continue;
        const char *key = NULL;
        size_t kn = 0;
        if (g->value && g->value->type == JSON_OBJECT) {
            json_node *v = arm_member(g->value, fname);
            if (v && v->type == JSON_STRING)
                key = v->p, kn = v->n;
        } else {
            key = given_text(g, &kn);
            size_t l;
            const char *ak = key ? field(key, kn, "AccountKey", &l) : NULL;
            if (key && is_connection_string(key, kn)) {
                /* AccountEndpoint=https://x.documents.azure.com:443/;AccountKey=K; */
                json_node *uri = arm_member(ep, "endpointUri");
                buf a = BUF_INIT, b = BUF_INIT;
                if (uri && uri->type == JSON_STRING)
                    host_of(uri->p, uri->n, &a);
                host_of(key, kn, &b);
                bool ok = ak && a.len && b.len && !strcmp(a.data, b.data);
                if (!ok) {
                    engine_report(k->c, SEV_ERROR, "inject-wrong-target", f,
                                  "the connection string given for '%s' is not for this Cosmos DB account: refused", name);
                    k->errors++;
                }
                buf_free(&a), buf_free(&b);
                if (!ok)
                    return;
                key = ak, kn = l;
            }
        }
        if (!key)
            continue;
        json_set_string(k->c->doc, f, key, kn);
        say_put(k, f, "endpoint", name, g);
    }
}

/* The state of an endpoint's key: masked where a key belongs. */
static bool holds_mask(const inject *k, const json_node *ep)
{
    json_node *cs = arm_member(ep, "connectionString");
    if (cs && cs->type == JSON_STRING && !arm_is_expression(cs->p, cs->n) && masked_at(cs->p, cs->n, k->mask))
        return true;
    return arm_string_is(arm_member(ep, "primaryKey"), k->mask) || arm_string_is(arm_member(ep, "secondaryKey"), k->mask);
}

static void still_masked(inject *k, const json_node *at, const char *what, const char *name)
{
    k->missing++;
    engine_report(k->c, k->allow_missing ? SEV_WARNING : SEV_ERROR, "inject-missing", at,
                  "%s '%s' still holds a masked key: no key was given for it (--keys, --keys-env)%s", what, name,
                  k->allow_missing ? "; left masked (--allow-missing)" : "");
}

static void inject_endpoint(inject *k, json_node *ep)
{
    json_node *name = arm_member(ep, "name");
    const json_node *lit = arm_resolve_text(k->ix, k->scope, name);
    if (!lit)
        return;     /* a name no one knows offline: no key can be meant for it */
    buf q = BUF_INIT;
    quote_into(&q, lit->p, lit->n, 80);
    bool identity = arm_string_is(arm_member(ep, "authenticationType"), "identitybased");
    given *g = given_for(k, lit->p, lit->n);
    if (identity) {
        if (g && (g->value || g->env_value) && g->at != (size_t)-1) {
            engine_report(k->c, SEV_ERROR, "inject-identity-endpoint", ep,
                          "a key was given for endpoint '%s', which authenticates with a managed identity: refused",
                          q.data);
            k->errors++;
        }
        buf_free(&q);
        return;
    }
    if (!holds_mask(k, ep)) {
        buf_free(&q);
        return;
    }
    if (!g) {
        still_masked(k, ep, "endpoint", q.data);
        buf_free(&q);
        return;
    }
    json_node *cs = arm_member(ep, "connectionString");
    if (cs && cs->type == JSON_STRING && !arm_is_expression(cs->p, cs->n) && masked_at(cs->p, cs->n, k->mask))
        put_in_connection_string(k, ep, cs, g, "endpoint", q.data);
    else
        put_in_key_fields(k, ep, g, q.data);
    buf_free(&q);
}

static void inject_file_upload(inject *k, json_node *hub)
{
    json_node *se = arm_member(arm_member(hub, "properties"), "storageEndpoints");
    json_node *def = se && se->type == JSON_OBJECT ? json_get(se, "$default", 8) : NULL;
    json_node *cs = arm_member(def, "connectionString");
    if (!cs || cs->type != JSON_STRING || arm_is_expression(cs->p, cs->n) || !masked_at(cs->p, cs->n, k->mask))
        return;
    if (arm_string_is(arm_member(def, "authenticationType"), "identitybased"))
        return;
    given *g = given_for(k, "$fileUpload", 11);
    if (!g)
        still_masked(k, def, "the file upload storage", "$default");
    else
        put_in_connection_string(k, def, cs, g, "the file upload storage", "$default");
}

static void on_resource(void *ctx, json_node *res, json_node *parent)
{
    inject *k = ctx;
    if (!arm_resource_is(res, parent, k->hub_type))
        return;
    json_node *eps = arm_member(arm_member(arm_member(res, "properties"), "routing"), "endpoints");
    for (json_node *arr = eps && eps->type == JSON_OBJECT ? json_first(eps) : NULL; arr; arr = arr->next)
        for (json_node *e = arr->type == JSON_ARRAY ? json_first(arr) : NULL; e; e = e->next)
            if (e->type == JSON_OBJECT)
                inject_endpoint(k, e);
    inject_file_upload(k, res);
}

static void on_template(void *ctx, const arm_template *t)
{
    inject *k = ctx;
    k->scope = t->scope;
    arm_each_resource(t->tmpl, on_resource, k);
}

static int inject_builtin(engine_call *c)
{
    char hub_type[128], mask_text[16];
    engine_arg_text(c, "hub-type", hub_type, sizeof hub_type);
    engine_arg_text(c, "mask", mask_text, sizeof mask_text);
    inject k = {.c = c, .ix = arm_names_new(), .hub_type = hub_type, .mask = mask_text};
    k.env_prefix = engine_get(c->e, "keys-env");
    k.allow_missing = engine_is_true(c->e, "allow-missing");
    const char *path = engine_get(c->e, "keys");
    json_doc *keys = NULL;
    char *text = NULL;
    int status = EXIT_OK;
    if ((!path || !*path) && (!k.env_prefix || !*k.env_prefix)) {
        diag_add(c->d, SEV_ERROR, "usage", "", (size_t)-1, (size_t)-1, "give the keys: --keys FILE or --keys-env PREFIX");
        status = EXIT_USAGE;
    } else if (path && *path) {
        status = load_key_file(&k, path, &keys, &text);
    }
    if (status == EXIT_OK) {
        arm_each_template(c->node, on_template, &k);
        for (size_t i = 0; i < k.ng; i++)
            if (!k.g[i].used && k.g[i].at != (size_t)-1) {
                buf q = BUF_INIT;
                quote_name(&q, k.g[i].name, strlen(k.g[i].name), 60);
                key_file_problem(&k, SEV_WARNING, k.g[i].at,
                                 "'%s' matches no key-based endpoint holding a masked key in the template", q.data);
                buf_free(&q);
            }
        if (k.errors || (k.missing && !k.allow_missing))
            status = EXIT_FINDINGS;
    }
    for (size_t i = 0; i < k.ng; i++) {
        free(k.g[i].name);
        free(k.g[i].env_value);
    }
    free(k.g);
    json_doc_free(keys);
    free(text);
    arm_names_free(k.ix);
    return status;
}

static const tool_flag flags[] = {
    {"keys", "FILE", "the keys, YAML or JSON: endpoint name -> key or connection string ($fileUpload: file upload)",
     "keys", NULL, false, false},
    {"keys-env", "PREFIX", "take each key from the environment variable PREFIX_ENDPOINTNAME", "keys-env", NULL, false, false},
    {"allow-missing", NULL, "write the template even when some keys stay masked", "allow-missing", "true", false, false},
    {0},
};

static const diag_rule inject_rules[] = {
    {"inject-key", "a masked key was put back", "The key itself is never shown."},
    {"inject-missing", "a key-based endpoint still holds a masked key", "Give its key in the key file (by endpoint name) or the environment, or pass --allow-missing."},
    {"inject-identity-endpoint", "a key was given for an endpoint that authenticates with a managed identity", "Identity-based endpoints take no key; remove the entry."},
    {"inject-wrong-target", "a connection string names another host or entity than the endpoint", "Give the connection string of the endpoint's own namespace, account and entity, or only its key."},
    {"inject-bad-key", "a key holds ';' but is no connection string", "Give the key alone, or the whole connection string."},
    {"key-file", "the key file is malformed, or an entry matches no endpoint", "Map endpoint names to keys or connection strings; $fileUpload names the file upload storage."},
    {"key-file-mode", "the key file is readable by group or others", "chmod 600 the key file."},
    {0, 0, 0},
};

static const engine_builtin builtins[] = {
    {"inject-keys", inject_builtin, NULL,
     "{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"hub-type\", \"mask\"], \"properties\": "
     "{\"hub-type\": {\"type\": \"string\", \"minLength\": 1, \"maxLength\": 120}, \"mask\": {\"type\": \"string\", "
     "\"minLength\": 1, \"maxLength\": 15}}}",
     NULL, inject_rules},
    {0},
};

static const tool_spec tmpl_inject_keys = {
    .prog = "tmpl-inject-keys",
    .synopsis = "(--keys FILE | --keys-env PREFIX) [--allow-missing] [-o FILE | -i] [-n] [FILE]",
    .summary = "Put the masked routing endpoint keys of an ARM template back, from a key file or the environment.",
    .mode = TOOL_FILTER,
    .flags = flags,
    .builtins = builtins,
    .private_output = true,
};

TOOL_MAIN(tmpl_inject_keys)
