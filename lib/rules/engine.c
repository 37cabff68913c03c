/* The rule engine: variables, compilation, and the select-filter-act loop. */
#include "rules/engine.h"
#include "json/json_parse.h"
#include "rules/embedded.h"
#include "base/exitcodes.h"
#include "base/io.h"
#include "json/json_write.h"
#include "query/jsonpatch.h"
#include "query/schema.h"
#include "base/oom.h"
#include "base/quote.h"
#include "base/utf8.h"
#include "query/tmpl.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct var {
    char *name;
    char *value;            /* NULL when unset */
    bool declared, required;
    const rule_var **decls; /* every declaration (patterns must all hold) */
    size_t ndecls;
    const char *how;        /* where the value came from, for messages */
    const rule_file *file;  /* first declaring file, for positions */
} var;

struct engine {
    char *tool;
    rule_file **files;
    size_t nfiles;
    var *vars;
    size_t nvars;
    engine_builtin *builtins;
    size_t nbuiltins;
    diag_rule *catalog;
    size_t ncatalog, catalog_cap;
    size_t changes;
    bool narrate;           /* engine_narrate */
    rule_file *own;         /* the tool's own rule file, loaded for its contracts only */
    bool large;             /* the document is large: JIT-compile patterns */
};

/* The state of one run, handed to template lookups and actions. */
typedef struct run {
    engine *e;
    json_doc *doc;
    const char *file;
    diag_list *d;
    bool dry_run;
    bool narrate;           /* changes are listed as notes (engine_narrate) */
    const rule_file *rf;
    const rule *rule;
    json_node *node;        /* current node for ${node...}, ${key}, ${path} */
    bool missing;           /* a ${node.X} had no value */
    buf scratch;
    const char *with_cache; /* replace: the expanded replacement, when it does not name the node */
    size_t with_cache_len;
    buf work;               /* act(): reused for messages and replacement results */
    jp_path_cache paths;    /* dry-run paths: the index of the element named last; zeroed
                               by every edit that inserts or removes elements */
} run;

void engine_report(engine_call *c, severity sev, const char *rule_id, const json_node *at, const char *fmt, ...)
{
    /* A finding about no node (a bad --new) is about the command, not a place in the file. */
    size_t off = at ? json_report_offset(c->doc, at) : (size_t)-1;
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(c->d, sev, rule_id, c->file, off, off, fmt, ap);
    va_end(ap);
}

engine *engine_new(const char *tool)
{
    engine *e = xcalloc(1, sizeof *e);
    e->tool = xstrdup(tool);
    return e;
}

void engine_free(engine *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->nfiles; i++)
        rules_free(e->files[i]);
    free(e->files);
    for (size_t i = 0; i < e->nvars; i++) {
        free(e->vars[i].name);
        free(e->vars[i].value);
        free(e->vars[i].decls);
    }
    free(e->vars);
    free(e->builtins);
    for (size_t i = 0; i < e->ncatalog; i++) {
        free((char *)e->catalog[i].id);
        free((char *)e->catalog[i].summary);
        free((char *)e->catalog[i].help);
    }
    free(e->catalog);
    rules_free(e->own);
    free(e->tool);
    free(e);
}

static var *find_var(const engine *e, const char *name, size_t len)
{
    for (size_t i = 0; i < e->nvars; i++)
        if (strlen(e->vars[i].name) == len && !memcmp(e->vars[i].name, name, len))
            return &e->vars[i];
    return NULL;
}

static var *add_var(engine *e, const char *name, size_t len)
{
    var *v = find_var(e, name, len);
    if (v)
        return v;
    e->vars = xrealloc(e->vars, (e->nvars + 1) * sizeof *e->vars);
    v = &e->vars[e->nvars++];
    memset(v, 0, sizeof *v);
    v->name = xmalloc(len + 1);
    memcpy(v->name, name, len);
    v->name[len] = '\0';
    return v;
}

static char *dup_text(const rule_text *t)
{
    char *s = xmalloc(t->len + 1);
    memcpy(s, t->s, t->len);
    s[t->len] = '\0';
    return s;
}

/* A new entry at the end of the catalog (grown geometrically: files with 40,000 rules). */
static diag_rule *catalog_slot(engine *e)
{
    if (e->ncatalog == e->catalog_cap)
        e->catalog = xrealloc(e->catalog, (e->catalog_cap = e->catalog_cap ? 2 * e->catalog_cap : 16) *
                                              sizeof *e->catalog);
    return &e->catalog[e->ncatalog++];
}

/* Registers a loaded file: its variables and its rules' metadata. */
static int adopt(engine *e, rule_file *f, diag_list *d)
{
    size_t tl = strlen(e->tool);
    if (!((f->tool.len == tl && !memcmp(f->tool.s, e->tool, tl)) || (f->tool.len == 3 && !memcmp(f->tool.s, "any", 3)))) {
        size_t at = f->tool.at;
        diag_add(d, SEV_ERROR, "rule-file", f->name, at, at, "this rule file is for '%.*s', not %s (say 'tool: any' to share it)",
                 (int)f->tool.len, f->tool.s, e->tool);
        rules_locate(f, d, d->n - 1);
        rules_free(f);
        return EXIT_BADRULES;
    }
    e->files = xrealloc(e->files, (e->nfiles + 1) * sizeof *e->files);
    e->files[e->nfiles++] = f;
    for (size_t i = 0; i < f->nvars; i++) {
        const rule_var *rv = &f->vars[i];
        var *v = add_var(e, rv->name.s, rv->name.len);
        if (!v->declared)
            v->file = f;
        v->declared = true;
        v->required |= rv->required;
        if (rv->def.s && !v->value)
            v->value = dup_text(&rv->def), v->how = "default";
        v->decls = xrealloc(v->decls, (v->ndecls + 1) * sizeof *v->decls);
        v->decls[v->ndecls++] = rv;
    }
    for (size_t i = 0; i < f->nrules; i++) {
        const rule *r = &f->rules[i];
        diag_rule *c = catalog_slot(e);
        c->id = dup_text(&r->id);
        c->summary = r->summary.s ? dup_text(&r->summary) : NULL;
        c->help = r->help.s ? dup_text(&r->help) : NULL;
    }
    return EXIT_OK;
}

static int load_file(engine *e, const char *name, const char *text, size_t len, bool compiled_in,
                     rule_line_table lines, diag_list *d)
{
    rule_file *f = rules_load(name, text, len, compiled_in, lines, d);
    if (!f)
        return EXIT_BADRULES;
    return adopt(e, f, d);
}

int engine_load_text(engine *e, const char *name, const char *text, size_t len, diag_list *d)
{
    rule_file *f = rules_load(name, text, len, false, (rule_line_table){0}, d);
    if (!f)
        return EXIT_BADRULES;
    return adopt(e, f, d);
}

int engine_load(engine *e, const char *const *paths, size_t n, diag_list *d)
{
    static const char *const deflt[] = {"@default"};
    if (!n)
        paths = deflt, n = 1;
    int worst = EXIT_OK;
    for (size_t i = 0; i < n; i++) {
        int rc;
        if (!strcmp(paths[i], "@default")) {
            char path[256];
            snprintf(path, sizeof path, "rules/%s.yaml", e->tool);
            const embedded_file *ef = embedded_find(path);
            if (!ef) {
                diag_add(d, SEV_ERROR, "rule-file", "", (size_t)-1, (size_t)-1, "no built-in rules for %s", e->tool);
                rc = EXIT_BADRULES;
            } else {
                char name[300];
                snprintf(name, sizeof name, "builtin:%s", path);
                rc = load_file(e, name, ef->data, ef->len, ef->json, (rule_line_table){ef->lines, ef->nlines}, d);
            }
        } else {
            io_input in;
            int err = io_input_open(&in, paths[i]);
            if (err) {
                diag_add(d, SEV_ERROR, "io-read", paths[i], (size_t)-1, (size_t)-1, "cannot read rule file: %s",
                         strerror(err));
                rc = EXIT_IO;
            } else {
                rc = engine_load_text(e, paths[i], in.data, in.len, d);
            }
            io_input_close(&in);
        }
        if (rc != EXIT_OK && (worst == EXIT_OK || rc == EXIT_IO))
            worst = rc;
    }
    return worst;
}

void engine_add_builtins(engine *e, const engine_builtin *b, size_t n)
{
    if (!n)
        return;
    e->builtins = xrealloc(e->builtins, (e->nbuiltins + n) * sizeof *e->builtins);
    memcpy(e->builtins + e->nbuiltins, b, n * sizeof *b);
    e->nbuiltins += n;
    for (size_t i = 0; i < n; i++)
        for (const diag_rule *r = b[i].rules; r && r->id; r++) {
            diag_rule *c = catalog_slot(e);
            c->id = xstrdup(r->id);
            c->summary = r->summary ? xstrdup(r->summary) : NULL;
            c->help = r->help ? xstrdup(r->help) : NULL;
        }
}

int engine_set(engine *e, const char *name, size_t len, const char *value, const char *how, diag_list *d)
{
    var *v = find_var(e, name, len);
    if (!v || !v->declared) {
        buf q = BUF_INIT;
        quote_into(&q, name, len, 64);
        diag_add(d, SEV_ERROR, "", "", (size_t)-1, (size_t)-1, "unknown variable '%s' (%s): the rules declare no such variable",
                 q.data ? q.data : "", how);
        buf_free(&q);
        return EXIT_USAGE;
    }
    if (utf8_check(value, strlen(value)) != strlen(value)) {
        /* Values go into documents and patterns that are UTF-8 by contract (PCRE2 runs
         * without re-checking): refuse them where they enter. */
        diag_add(d, SEV_ERROR, "", "", (size_t)-1, (size_t)-1, "the value of variable '%s' (%s) is not valid UTF-8",
                 v->name, how);
        return EXIT_USAGE;
    }
    free(v->value);
    v->value = xstrdup(value);
    v->how = how;
    return EXIT_OK;
}

const char *engine_get(const engine *e, const char *name)
{
    var *v = find_var(e, name, strlen(name));
    return v ? v->value : NULL;
}

char *engine_arg_text(const engine_call *c, const char *name, char *dst, size_t cap)
{
    const json_node *v = json_get(c->args, name, strlen(name));
    bool text = v && v->type == JSON_STRING;
    snprintf(dst, cap, "%.*s", text ? (int)v->n : 0, text ? (const char *)v->p : "");
    return dst;
}

void engine_put(engine *e, const char *name, const char *value)
{
    var *v = add_var(e, name, strlen(name));
    free(v->value);
    v->value = xstrdup(value);
    v->how = "rules";
}

const diag_rule *engine_catalog(engine *e, size_t *n)
{
    *n = e->ncatalog;
    return e->catalog;
}

void engine_narrate(engine *e, bool on)
{
    e->narrate = on;
}

void engine_count_change(engine_call *c)
{
    c->e->changes++;
}

size_t engine_changes(const engine *e)
{
    return e->changes;
}

rule_file *const *engine_files(const engine *e, size_t *n)
{
    *n = e->nfiles;
    return e->files;
}

bool engine_missing(const engine *e, const char *name)
{
    const var *v = find_var(e, name, strlen(name));
    return v && v->required && !v->value;
}

bool engine_is_true(const engine *e, const char *name)
{
    const char *v = engine_get(e, name);
    return v && !strcmp(v, "true");
}

void engine_contracts(engine *e, const rule_contract **input, const rule_contract **output)
{
    static const rule_contract none;
    char path[256], name[300];
    snprintf(path, sizeof path, "rules/%s.yaml", e->tool);
    snprintf(name, sizeof name, "builtin:%s", path);
    const rule_file *own = e->own;
    for (size_t i = 0; i < e->nfiles && !own; i++)
        if (!strcmp(e->files[i]->name, name))
            own = e->files[i];
    const embedded_file *ef = own ? NULL : embedded_find(path);
    if (ef) {
        /* -r replaced the tool's rules, not what the tool is for. */
        diag_list ignored = {0};
        own = e->own = rules_load(name, ef->data, ef->len, ef->json, (rule_line_table){ef->lines, ef->nlines}, &ignored);
        diag_free(&ignored);
    }
    *input = own ? &own->input : &none;
    *output = own ? &own->output : &none;
}

/* ---------------------------------------------------------------- templates */

/* Writes a scalar node's value as text; containers are written as compact JSON. */
static void node_text(const json_node *n, buf *dst)
{
    switch ((json_type)n->type) {
    case JSON_NULL: buf_puts(dst, "null"); return;
    case JSON_TRUE: buf_puts(dst, "true"); return;
    case JSON_FALSE: buf_puts(dst, "false"); return;
    case JSON_NUMBER:
    case JSON_STRING: buf_add(dst, n->p, n->n); return;
    default: {
        out *o = xmalloc(sizeof *o);
        out_init_mem(o, dst);
        json_style st;
        json_style_fixed(&st, 0, false);
        json_write(NULL, n, &st, o);
        out_flush(o);
        free(o);
    }
    }
}

static const char *lookup(void *ctx, const char *name, size_t len, size_t *vlen)
{
    run *r = ctx;
    buf_clear(&r->scratch);
    if (len >= 4 && !memcmp(name, "node", 4) && (len == 4 || name[4] == '.')) {
        json_node *n = r->node;
        /* ${node.a.b} walks members a then b. */
        const char *p = name + 4, *end = name + len;
        while (n && p < end) {
            const char *seg = ++p;
            while (p < end && *p != '.')
                p++;
            n = json_get(n, seg, (size_t)(p - seg));
        }
        if (!n) {
            r->missing = true;
            *vlen = 0;
            return "";
        }
        node_text(n, &r->scratch);
    } else if (len == 3 && !memcmp(name, "key", 3)) {
        if (!r->node || !r->node->key) {
            r->missing = true;
            *vlen = 0;
            return "";
        }
        buf_add(&r->scratch, r->node->key, r->node->key_len);
    } else if (len == 4 && !memcmp(name, "path", 4)) {
        if (r->node)
            jp_path(r->doc ? r->doc->root : NULL, r->node, &r->scratch);
        else
            buf_putc(&r->scratch, '$');
    } else {
        var *v = find_var(r->e, name, len);
        if (!v)
            return NULL;
        *vlen = v->value ? strlen(v->value) : 0;
        return v->value ? v->value : "";
    }
    if (!r->scratch.data)
        buf_reserve(&r->scratch, 0), r->scratch.data[0] = '\0';
    *vlen = r->scratch.len;
    return r->scratch.data;
}

/* Expands t into out; on an unknown variable adds a finding and returns false. */
static bool expand(run *r, const rule_text *t, tmpl_escape esc, buf *dst)
{
    size_t bad;
    buf_clear(dst);
    if (tmpl_expand(t->s, t->len, lookup, r, esc, dst, &bad)) {
        if (!dst->data)
            buf_reserve(dst, 0), dst->data[0] = '\0';
        return true;
    }
    size_t n = 0;
    while (bad + 2 + n < t->len && t->s[bad + 2 + n] != '}')
        n++;
    diag_add(r->d, SEV_ERROR, "rule-file", r->rf->name, t->at + bad, t->at + bad,
             "unknown variable '%.*s' (not declared under vars; built in: node, node.NAME, key, path)", (int)n,
             t->s + bad + 2);
    rules_locate(r->rf, r->d, r->d->n - 1);
    return false;
}

/* ---------------------------------------------------------------- compilation */

static bool has_vars(const rule_text *t)
{
    return t->s && tmpl_uses(t->s, t->len, "");
}

static bool rule_error(run *r, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Adds an error at offset at of the current rule file; returns false. */
static bool rule_error(run *r, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(r->d, SEV_ERROR, "rule-file", r->rf->name, at, at, fmt, ap);
    va_end(ap);
    rules_locate(r->rf, r->d, r->d->n - 1);
    return false;
}

/* Compiles a query from t with the current variables; NULL after a finding. */
static jp_query *compile_query(run *r, const rule_text *t)
{
    buf q = BUF_INIT;
    jp_query *query = NULL;
    size_t bare = tmpl_unquoted_var(t->s, t->len);
    if (bare != (size_t)-1) {
        rule_error(r, t->at + bare,
                   "${...} outside a string literal: its value would become query syntax (write '${...}' inside quotes)");
        return NULL;
    }
    if (expand(r, t, ESC_JSONPATH, &q)) {
        jp_error err;
        query = jp_compile(q.data, q.len, &err);
        if (!query) {
            size_t off = err.offset <= t->len ? err.offset : t->len;
            diag_add(r->d, SEV_ERROR, "rule-file", r->rf->name, t->at + off, t->at + off, "JSONPath: %s", err.msg);
            rules_locate(r->rf, r->d, r->d->n - 1);
        }
    }
    buf_free(&q);
    return query;
}

static rx *compile_regex(run *r, const rule_text *t, unsigned flags)
{
    buf q = BUF_INIT;
    rx *re = NULL;
    if (expand(r, t, ESC_REGEX, &q)) {
        rx_error err;
        re = rx_compile(q.data, q.len, flags, &err);
        if (!re) {
            size_t off = err.offset <= t->len ? err.offset : t->len;
            diag_add(r->d, SEV_ERROR, "rule-file", r->rf->name, t->at + off, t->at + off,
                     "regular expression: %s (at offset %zu)", err.msg, err.offset);
            rules_locate(r->rf, r->d, r->d->n - 1);
        }
        if (re && r->e->large)
            rx_jit(re);
    }
    buf_free(&q);
    return re;
}

static bool find_builtin(const engine *e, const rule_text *t, const engine_builtin **found)
{
    for (size_t i = 0; i < e->nbuiltins; i++)
        if (strlen(e->builtins[i].name) == t->len && !memcmp(e->builtins[i].name, t->s, t->len))
            return *found = &e->builtins[i], true;
    return false;
}

/* Where a message about node n of the current rule file points. */
static size_t rule_node_at(const run *r, const json_node *n)
{
    return n->start != JSON_NOPOS && !(n->flags & JF_SYNTH) ? n->start : json_report_offset(r->rf->yaml, n);
}

/* Checks a rule's args against what built-in b declares it takes. */
static bool check_builtin_args(run *r, const rule_step *st, const engine_builtin *b)
{
    if (!b->args_schema) {
        if (st->args)
            return rule_error(r, rule_node_at(r, st->args), "built-in '%s' takes no args", b->name);
        return true;
    }
    json_error jerr;
    json_doc *sdoc = json_parse(b->args_schema, strlen(b->args_schema), NULL, &jerr);
    schema_opts so = {true, true};
    schema_error serr;
    schema *sc = sdoc ? schema_compile(sdoc->root, &so, &serr) : NULL;
    if (!sc) {
        /* A defect of the program, not of the rule file: say so plainly. */
        json_doc_free(sdoc);
        return rule_error(r, st->builtin.at, "built-in '%s' declares arguments this build cannot read", b->name);
    }
    static const json_node none = {.type = JSON_NULL, .start = JSON_NOPOS};
    const json_node *args = st->args ? st->args : &none;
    schema_result res = {0};
    bool ok = schema_validate(sc, args, &res);
    for (size_t i = 0; i < res.n; i++) {
        const json_node *at = res.v[i].instance;
        buf where = BUF_INIT;
        if (at->key && at != args)
            quote_into(&where, at->key, at->key_len, 60);
        rule_error(r, at == &none ? st->builtin.at : rule_node_at(r, at), "args of built-in '%s'%s%s%s: %s", b->name,
                   where.data ? " ('" : "", where.data ? where.data : "", where.data ? "')" : "", res.v[i].message);
        buf_free(&where);
    }
    schema_result_free(&res);
    schema_free(sc);
    json_doc_free(sdoc);
    if (ok && b->check_args) {
        const json_node *at = args;
        const char *why = b->check_args(st->args, &at);
        if (why)
            ok = rule_error(r, at && at != &none ? rule_node_at(r, at) : st->builtin.at, "args of built-in '%s': %s",
                            b->name, why);
    }
    return ok;
}

/* Compiles pattern t; keeps it in *slot when it names no variable (one that does is
 * compiled again when it runs, with the values of then). False after a finding. */
static bool prepare_regex(run *r, const rule_text *t, rx **slot)
{
    rx *re = compile_regex(r, t, 0);
    if (re && has_vars(t))
        rx_free(re);
    else
        *slot = re;
    return re != NULL;
}

/* Checks that every ${...} in the strings of a rule's value (set, patch) names a variable. */
static bool check_value_templates(run *r, const json_node *v, buf *tmp)
{
    bool ok = true;
    if (v->type == JSON_STRING && tmpl_uses(v->p, v->n, "")) {
        size_t at = rule_node_at(r, v);
        char q = at < r->rf->len ? r->rf->text[at] : 0;
        rule_text t = {v->p, v->n, at + (q == '"' || q == '\'')};
        ok = expand(r, &t, ESC_NONE, tmp);
    }
    if (v->type == JSON_ARRAY || v->type == JSON_OBJECT)
        for (const json_node *k = json_first(v); k; k = k->next)
            ok &= check_value_templates(r, k, tmp);
    return ok;
}

/* Compiles what does not depend on the node; checks the rest compiles with present values. */
static bool prepare_step(run *r, rule_step *st)
{
    bool ok = true;
    st->prepared = true;
    jp_query *q = compile_query(r, &st->select);
    if (!q)
        ok = false;
    else if (has_vars(&st->select))
        jp_free(q);
    else
        st->query = q;
    if (st->where_name.s)
        ok &= prepare_regex(r, &st->where_name, &st->rx_name);
    if (st->where_value.s)
        ok &= prepare_regex(r, &st->where_value, &st->rx_value);
    if (st->action == ACT_REPLACE) {
        ok &= prepare_regex(r, &st->pattern, &st->rx_pattern);
        buf w = BUF_INIT;
        ok &= expand(r, &st->with, ESC_REPLACEMENT, &w);
        buf_free(&w);
    }
    buf tmp = BUF_INIT;
    if (st->action == ACT_REPORT)
        ok &= expand(r, &st->message, ESC_NONE, &tmp);
    if (st->action == ACT_RENAME)
        ok &= expand(r, &st->rename_to, ESC_NONE, &tmp);
    if (st->member.s)
        ok &= expand(r, &st->member, ESC_NONE, &tmp);
    if (st->action == ACT_SET && st->value)
        ok &= check_value_templates(r, st->value, &tmp);
    if (st->action == ACT_PATCH && st->patch)
        ok &= check_value_templates(r, st->patch, &tmp);
    buf_free(&tmp);
    const engine_builtin *b;
    if (st->action == ACT_BUILTIN && !find_builtin(r->e, &st->builtin, &b)) {
        char name[80];
        snprintf(name, sizeof name, "%.*s", (int)(st->builtin.len < 64 ? st->builtin.len : 64), st->builtin.s);
        ok = rule_error(r, st->builtin.at, "unknown built-in '%s' (this tool has none of that name)", name);
    } else if (st->action == ACT_BUILTIN && !r->rf->compiled_in) {
        /* Compiled-in files were checked when the project was built. */
        ok &= check_builtin_args(r, st, b);
    }
    for (size_t i = 0; i < st->nthen; i++)
        ok &= prepare_step(r, &st->then[i]);
    return ok;
}

int engine_prepare(engine *e, diag_list *d)
{
    int status = EXIT_OK;
    for (size_t i = 0; i < e->nvars; i++) {
        var *v = &e->vars[i];
        if (!v->value && v->required) {
            const rule_var *rv = v->decls[0];
            diag_add(d, SEV_ERROR, "", "", (size_t)-1, (size_t)-1, "missing value for variable '%s'%s%.*s (set it with -D %s=VALUE)",
                     v->name, rv->description.s ? ": " : "", (int)rv->description.len,
                     rv->description.s ? rv->description.s : "", v->name);
            status = EXIT_USAGE;
            continue;
        }
        for (size_t k = 0; k < v->ndecls; k++) {
            rule_var *rv = (rule_var *)v->decls[k];
            if (!rv->pattern.s)
                continue;
            if (!rv->rx) {
                rx_error err;
                rv->rx = rx_compile(rv->pattern.s, rv->pattern.len, RX_ANCHORED, &err);
                if (!rv->rx) {
                    const rule_file *f = v->file;
                    diag_add(d, SEV_ERROR, "rule-file", f->name, rv->pattern.at + err.offset, rv->pattern.at + err.offset,
                             "regular expression: %s (at offset %zu)", err.msg, err.offset);
                    rules_locate(f, d, d->n - 1);
                    status = EXIT_BADRULES;
                    continue;
                }
            }
            const char *val = v->value ? v->value : "";
            if (rx_match(rv->rx, val, strlen(val)) != RX_MATCH) {
                buf q = BUF_INIT;
                quote_into(&q, val, strlen(val), 80);
                diag_add(d, SEV_ERROR, "", "", (size_t)-1, (size_t)-1, "invalid value '%s' for variable '%s' (%s): must match %.*s",
                         q.data ? q.data : "", v->name, v->how ? v->how : "default", (int)rv->pattern.len, rv->pattern.s);
                buf_free(&q);
                if (status == EXIT_OK)
                    status = EXIT_USAGE;
            }
        }
    }
    if (status != EXIT_OK)
        return status;
    for (size_t i = 0; i < e->nfiles; i++) {
        run r = {.e = e, .d = d, .rf = e->files[i]};
        for (size_t k = 0; k < e->files[i]->nrules; k++) {
            r.rule = &e->files[i]->rules[k];
            for (size_t w = 0; w < r.rule->nwhen; w++) {
                const rule_text *v = &r.rule->when[w].var;
                if (!find_var(e, v->s, v->len)) {
                    char name[80];
                    snprintf(name, sizeof name, "%.*s", (int)(v->len < 64 ? v->len : 64), v->s);
                    status = EXIT_BADRULES;
                    rule_error(&r, v->at, "'when' names the unknown variable '%s'", name);
                }
            }
            /* The compiled-in rules are tested with the build: each is compiled the first
             * time it runs, so a tool pays only for the rules it uses. */
            if (!e->files[i]->compiled_in && !prepare_step(&r, &e->files[i]->rules[k].step))
                status = EXIT_BADRULES;
        }
        buf_free(&r.scratch);
    }
    return status;
}

int engine_compile(engine *e, diag_list *d)
{
    int status = EXIT_OK;
    for (size_t i = 0; i < e->nvars; i++) {
        var *v = &e->vars[i];
        for (size_t k = 0; k < v->ndecls; k++) {
            rule_var *rv = (rule_var *)v->decls[k];
            rx_error err;
            if (!rv->pattern.s || rv->rx || (rv->rx = rx_compile(rv->pattern.s, rv->pattern.len, RX_ANCHORED, &err)))
                continue;
            const rule_file *f = v->file;
            diag_add(d, SEV_ERROR, "rule-file", f->name, rv->pattern.at + err.offset, rv->pattern.at + err.offset,
                     "regular expression: %s (at offset %zu)", err.msg, err.offset);
            rules_locate(f, d, d->n - 1);
            status = EXIT_BADRULES;
        }
    }
    for (size_t i = 0; i < e->nfiles; i++) {
        rule_file *f = e->files[i];
        run r = {.e = e, .d = d, .rf = f};
        for (size_t k = 0; k < f->nrules; k++) {
            r.rule = &f->rules[k];
            for (size_t w = 0; w < r.rule->nwhen; w++) {
                const rule_text *v = &r.rule->when[w].var;
                if (!find_var(e, v->s, v->len)) {
                    status = EXIT_BADRULES;
                    rule_error(&r, v->at, "'when' names the unknown variable '%.*s'", (int)(v->len < 64 ? v->len : 64),
                               v->s);
                }
            }
            if (!f->rules[k].step.prepared && !prepare_step(&r, &f->rules[k].step))
                status = EXIT_BADRULES;
        }
        buf_free(&r.scratch);
    }
    return status;
}

/* ---------------------------------------------------------------- running */

static void finding_at(run *r, severity sev, const json_node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Adds a finding of the current rule at node n of the document. */
static void finding_at(run *r, severity sev, const json_node *n, const char *fmt, ...)
{
    size_t at = n ? json_report_offset(r->doc, n) : 0;
    char id[128];
    snprintf(id, sizeof id, "%.*s", (int)r->rule->id.len, r->rule->id.s);
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(r->d, sev, id, r->file, at, at, fmt, ap);
    va_end(ap);
}

static void path_of(run *r, const json_node *n, buf *dst)
{
    buf_clear(dst);
    jp_path_cached(r->doc->root, n, dst, &r->paths);
}

/* Copies a rule's YAML value into the document, expanding ${...} in its strings. */
static json_node *value_for(run *r, const json_node *tmpl, bool *ok)
{
    json_node *v = json_clone(r->doc, tmpl);
    if (v->type == JSON_STRING && tmpl_uses(v->p, v->n, "")) {
        buf text = BUF_INIT;
        rule_text t = {v->p, v->n, json_report_offset(r->rf->yaml, tmpl)};
        if (expand(r, &t, ESC_NONE, &text))
            json_set_string(r->doc, v, text.data, text.len);
        else
            *ok = false;
        buf_free(&text);
        v->flags |= JF_SYNTH;
    } else if (v->type == JSON_ARRAY || v->type == JSON_OBJECT) {
        json_node *k = json_first(v);
        for (const json_node *t = json_first(tmpl); t; t = t->next) {
            json_node *next = k->next;
            if (t->type == JSON_STRING || t->type == JSON_ARRAY || t->type == JSON_OBJECT) {
                json_node *e = value_for(r, t, ok);
                if (!json_equal(e, k))
                    json_replace(k, e);
            }
            k = next;
        }
    }
    return v;
}

static void show_value(const json_node *v, buf *dst)
{
    buf raw = BUF_INIT;
    node_text(v, &raw);
    if (v->type == JSON_STRING)
        buf_putc(dst, '\'');
    quote_masking_userinfo(dst, raw.data ? raw.data : "", raw.len, 60);
    if (v->type == JSON_STRING)
        buf_putc(dst, '\'');
    buf_free(&raw);
}

/* One action on node n: each gets the path of n (filled for dry runs) and a scratch
 * buffer for its messages; each returns EXIT_OK or the code that stops the run. */
typedef int (*action_fn)(run *r, const rule_step *st, json_node *n, buf *path, buf *msg);

/* How many levels n sits below the root. */
static size_t depth_of(const json_node *n)
{
    size_t d = 0;
    for (; n->parent; n = n->parent)
        d++;
    return d;
}

/* How many levels value spans (a scalar: 0); values come from YAML, at most 256 deep. */
static size_t value_depth(const json_node *v)
{
    size_t deepest = 0;
    if (v->type == JSON_ARRAY || v->type == JSON_OBJECT)
        for (const json_node *k = json_first(v); k; k = k->next) {
            size_t d = 1 + value_depth(k);
            if (d > deepest)
                deepest = d;
        }
    return deepest;
}

/* An edit may not make the document deeper than the parser accepts: the tools could not
 * read their own output, and every recursive walk would be unbounded. */
static bool too_deep(run *r, const json_node *at, size_t levels_below)
{
    if (depth_of(at) + levels_below < JSON_DEFAULT_MAX_DEPTH)
        return false;
    finding_at(r, SEV_ERROR, at, "this edit would make the document deeper than %u levels", JSON_DEFAULT_MAX_DEPTH);
    return true;
}

static int act_remove(run *r, const rule_step *st, json_node *n, buf *path, buf *msg)
{
    (void)st, (void)msg;
    if (!n->parent) {
        finding_at(r, SEV_ERROR, n, "a rule cannot remove the whole document");
        return EXIT_BADRULES;
    }
    if (r->dry_run || r->narrate)
        finding_at(r, SEV_NOTE, n, "%s %s", r->dry_run ? "would remove" : "removed", path->data);
    json_remove(n);
    memset(&r->paths, 0, sizeof r->paths);
    r->e->changes++;
    return EXIT_OK;
}

static int act_set(run *r, const rule_step *st, json_node *n, buf *path, buf *msg)
{
    if (too_deep(r, n, value_depth(st->value) + (st->member.s != NULL)))
        return EXIT_BADRULES;
    bool ok = true;
    json_node *v = value_for(r, st->value, &ok);
    if (!ok)
        return EXIT_BADRULES;
    json_node *target = n;
    buf member = BUF_INIT;
    if (st->member.s) {
        if (n->type != JSON_OBJECT)
            return EXIT_OK;
        expand(r, &st->member, ESC_NONE, &member);
        target = json_get(n, member.data, member.len);
    }
    if (target && json_equal(target, v)) {
        buf_free(&member);
        return EXIT_OK;     /* already so: leave the bytes alone */
    }
    if (r->dry_run || r->narrate) {
        if (st->secret)
            buf_puts(msg, "(secret)");
        else
            show_value(v, msg);
        if (target)
            path_of(r, target, path);
        else
            buf_printf(path, "['%s']", member.data);
        if (target)
            finding_at(r, SEV_NOTE, target, "%s %s to %s", r->dry_run ? "would set" : "set", path->data, msg->data);
        else
            finding_at(r, SEV_NOTE, n, "%s %s = %s", r->dry_run ? "would add" : "added", path->data, msg->data);
    }
    if (!target) {
        json_append(r->doc, n, member.data, member.len, v);
    } else {
        json_replace(target, v);
        if (target == r->doc->root)
            r->doc->root = v;
        if (r->paths.node == target)
            r->paths.node = v;  /* the replacement holds the same index */
    }
    buf_free(&member);
    r->e->changes++;
    return EXIT_OK;
}

static int act_rename(run *r, const rule_step *st, json_node *n, buf *path, buf *msg)
{
    if (!n->parent || n->parent->type != JSON_OBJECT)
        return EXIT_OK;
    expand(r, &st->rename_to, ESC_NONE, msg);
    if (n->key_len == msg->len && !memcmp(n->key, msg->data, msg->len))
        return EXIT_OK;
    if (r->dry_run || r->narrate) {
        buf q = BUF_INIT;
        quote_into(&q, msg->data, msg->len, 60);
        finding_at(r, SEV_NOTE, n, "%s %s to '%s'", r->dry_run ? "would rename" : "renamed", path->data, q.data);
        buf_free(&q);
    }
    json_rename(r->doc, n, msg->data, msg->len);
    r->e->changes++;
    return EXIT_OK;
}

static int act_replace(run *r, const rule_step *st, json_node *n, buf *path, buf *msg)
{
    if (n->type != JSON_STRING)
        return EXIT_OK;
    rx *re = st->rx_pattern ? st->rx_pattern : compile_regex(r, &st->pattern, 0);
    if (!re)
        return EXIT_BADRULES;
    /* The replacement is expanded once per step unless it names the node. */
    buf with = BUF_INIT;
    const char *wtext = r->with_cache;
    size_t wlen = r->with_cache_len;
    if (!wtext) {
        expand(r, &st->with, ESC_REPLACEMENT, &with);
        wtext = with.data, wlen = with.len;
    }
    int status = EXIT_OK;
    rx_error err;
    long count = rx_replace(re, n->p, n->n, wtext, wlen, msg, &err);
    if (count == RX_LIMIT) {
        finding_at(r, SEV_ERROR, n, "regular expression '%s' hit its match limit here", rx_source(re));
        status = EXIT_BADRULES;
    } else if (count < 0) {
        finding_at(r, SEV_ERROR, n, "bad replacement text: %s", err.msg);
        status = EXIT_BADRULES;
    } else if (count > 0 && (msg->len != n->n || memcmp(msg->data, n->p, n->n))) {
        if (r->dry_run || r->narrate)
            finding_at(r, SEV_NOTE, n, "%s text in %s (%ld match%s)", r->dry_run ? "would replace" : "replaced",
                       path->data, count, count == 1 ? "" : "es");
        json_set_string(r->doc, n, msg->data, msg->len);
        r->e->changes++;
    }
    if (re != st->rx_pattern)
        rx_free(re);
    buf_free(&with);
    return status;
}

static int act_patch(run *r, const rule_step *st, json_node *n, buf *path, buf *msg)
{
    (void)msg;
    /* The deepest an operation can reach: its pointer's segments and its value's levels. */
    size_t reach = 0;
    for (const json_node *op = json_first(st->patch); op; op = op->next) {
        const json_node *p = json_get(op, "path", 4), *v = json_get(op, "value", 5);
        size_t segs = 0;
        for (size_t i = 0; p && p->type == JSON_STRING && i < p->n; i++)
            segs += ((const char *)p->p)[i] == '/';
        size_t d = segs + (v ? value_depth(v) : 0);
        reach = d > reach ? d : reach;
    }
    if (too_deep(r, n, reach))
        return EXIT_BADRULES;
    bool ok = true;
    json_doc *tmp = json_doc_new();
    json_doc *keep = r->doc;
    r->doc = tmp;
    json_node *ops = value_for(r, st->patch, &ok);
    r->doc = keep;
    int status = EXIT_OK;
    if (ok) {
        json_node *target = n;
        bool was_root = n == r->doc->root;
        jpatch_error err;
        memset(&r->paths, 0, sizeof r->paths);
        if (jpatch_apply(r->doc, &target, ops, &err) < 0) {
            finding_at(r, SEV_ERROR, n, "patch operation %zu failed: %s", err.op_index + 1, err.msg);
            status = EXIT_BADRULES;
        } else {
            if (was_root)
                r->doc->root = target;
            if (r->dry_run || r->narrate)
                finding_at(r, SEV_NOTE, target, "%s %zu patch operations at %s", r->dry_run ? "would apply" : "applied",
                           json_count(ops), path->data);
            r->e->changes++;
        }
    } else {
        status = EXIT_BADRULES;
    }
    json_doc_free(tmp);
    return status;
}

static int act_report(run *r, const rule_step *st, json_node *n, buf *path, buf *msg)
{
    (void)path;
    expand(r, &st->message, ESC_NONE, msg);
    finding_at(r, st->sev, n, "%s", msg->data);
    return EXIT_OK;
}

static int act_builtin(run *r, const rule_step *st, json_node *n, buf *path, buf *msg)
{
    (void)path, (void)msg;
    const engine_builtin *b = NULL;
    find_builtin(r->e, &st->builtin, &b);
    engine_call c = {r->e, r->doc, n, st->args, r->rule, r->file, r->d, r->dry_run, b->ctx};
    return b->fn(&c);
}

/* Indexed by action_kind. */
static const action_fn actions[] = {
    [ACT_REMOVE] = act_remove, [ACT_SET] = act_set,         [ACT_RENAME] = act_rename,
    [ACT_REPLACE] = act_replace, [ACT_PATCH] = act_patch,   [ACT_REPORT] = act_report,
    [ACT_BUILTIN] = act_builtin,
};

/* True when n is still part of the document: an earlier action of the same rule may have
 * removed an ancestor of a node the rule selected ($..x selects x inside x). */
static bool attached(const run *r, const json_node *n)
{
    while (n->parent)
        n = n->parent;
    return n == r->doc->root;
}

/* The most memory the edits of one run may take beside the input: a rule that copies the
 * document into itself forty times (patch copy) would otherwise fill the machine. */
static bool too_large(run *r, const json_node *n)
{
    size_t limit = 16 * r->doc->src_len + ((size_t)256 << 20);
    if (r->doc->mem.total <= limit)
        return false;
    finding_at(r, SEV_ERROR, n, "the rules make the document larger than %zu MiB: stopped", limit >> 20);
    return true;
}

static int act(run *r, const rule_step *st, json_node *n, unsigned long detachments_at_selection)
{
    /* Nothing was unlinked since the query ran: every node it found is in place. */
    if (json_detachments() != detachments_at_selection && !attached(r, n))
        return EXIT_OK;     /* gone with its ancestor: nothing to do, nothing to report */
    buf path = BUF_INIT, msg = r->work;
    buf_clear(&msg);
    if (r->dry_run || r->narrate)
        path_of(r, n, &path);
    int status = actions[st->action](r, st, n, &path, &msg);
    if (status == EXIT_OK && too_large(r, n))
        status = EXIT_BADRULES;
    buf_free(&path);
    r->work = msg;     /* keep the memory for the next node */
    return status;
}

static bool where_holds(run *r, const rule_step *st, const json_node *n, rx *name_re, rx *value_re, int *status)
{
    if (st->where_types && !(st->where_types & (1u << n->type)))
        return false;
    rx *re = NULL;
    int m = RX_MATCH;
    if (name_re) {
        if (!n->key || !n->parent || n->parent->type != JSON_OBJECT)
            return false;
        m = rx_match(re = name_re, n->key, n->key_len);
    }
    if (m == RX_MATCH && value_re) {
        if (n->type != JSON_STRING)
            return false;
        m = rx_match(re = value_re, n->p, n->n);
    }
    if (m == RX_LIMIT) {
        finding_at(r, SEV_ERROR, n, "regular expression '%s' hit its match limit on this value (it backtracks catastrophically: make it more "
                   "specific)",
                   rx_source(re));
        *status = EXIT_BADRULES;
    }
    return m == RX_MATCH;
}

#define SELECTED_MARK JM_USER

/* where_holds for jp_eval_keep: the where of one step, tested as the query finds nodes. */
typedef struct where_ctx {
    run *r;
    const rule_step *st;
    rx *name_re, *value_re;
    int *status;
} where_ctx;

static bool where_keep(void *ctx, json_node *n)
{
    where_ctx *w = ctx;
    return *w->status == EXIT_OK && where_holds(w->r, w->st, n, w->name_re, w->value_re, w->status);
}

static int run_step(run *r, const rule_step *st, json_node *current)
{
    if (!st->prepared && !prepare_step(r, (rule_step *)st))
        return EXIT_BADRULES;
    json_node *saved = r->node;
    r->node = current;
    r->missing = false;
    int status = EXIT_OK;
    jp_query *q = st->query;
    rx *name_re = st->rx_name, *value_re = st->rx_value;
    if (!q) {
        q = compile_query(r, &st->select);
        if (!q) {
            r->node = saved;
            return EXIT_BADRULES;
        }
    }
    if (st->where_name.s && !name_re)
        name_re = compile_regex(r, &st->where_name, 0);
    if (st->where_value.s && !value_re)
        value_re = compile_regex(r, &st->where_value, 0);
    bool skip = r->missing;     /* a follow-up whose ${node.X} has no value selects nothing */
    jp_list sel = {0};
    if ((st->where_name.s && !name_re) || (st->where_value.s && !value_re)) {
        status = EXIT_BADRULES;
    } else if (!skip) {
        /* where is tested while the query runs: only the nodes it keeps are listed */
        where_ctx wc = {r, st, name_re, value_re, &status};
        bool filtered = st->where_name.s || st->where_value.s || st->where_types;
        int rc = filtered ? jp_eval_keep(q, r->doc->root, where_keep, &wc, &sel) : jp_eval(q, r->doc->root, &sel);
        if (rc == JP_TOO_MANY)
            finding_at(r, SEV_ERROR, current, "'%s' would select more than %u nodes at one step", jp_source(q),
                       JP_MAX_NODES);
        else if (rc < 0)
            finding_at(r, SEV_ERROR, current, "a regular expression in '%s' hit its match limit", jp_source(q));
        if (rc < 0)
            status = EXIT_BADRULES;
    }
    unsigned long detachments_at_selection = json_detachments();
    /* Filter with where, and drop repeats (a node selected twice is acted on once). */
    size_t kept = 0;
    for (size_t i = 0; i < sel.n && status == EXIT_OK; i++) {
        json_node *n = sel.v[i];
        if (n->marks & SELECTED_MARK)
            continue;
        n->marks |= SELECTED_MARK;
        sel.v[kept++] = n;
    }
    for (size_t i = 0; i < kept; i++)
        sel.v[i]->marks &= (uint16_t)~SELECTED_MARK;
    if (status != EXIT_OK) {
        /* where_holds() or the query said why */
    } else if (!kept && st->when_empty) {
        status = act(r, st, r->doc->root, json_detachments());
    } else if (!st->when_empty) {
        buf with = BUF_INIT;
        const char *saved_with = r->with_cache;
        size_t saved_len = r->with_cache_len;
        r->with_cache = NULL;
        if (st->action == ACT_REPLACE && !tmpl_uses(st->with.s, st->with.len, "node") &&
            !tmpl_uses(st->with.s, st->with.len, "key") && !tmpl_uses(st->with.s, st->with.len, "path") &&
            expand(r, &st->with, ESC_REPLACEMENT, &with)) {
            r->with_cache = with.data;
            r->with_cache_len = with.len;
        }
        for (size_t i = 0; i < kept && status == EXIT_OK; i++) {
            json_node *n = sel.v[i];
            r->node = n;
            status = act(r, st, n, detachments_at_selection);
            for (size_t k = 0; k < st->nthen && status == EXIT_OK; k++)
                status = run_step(r, &st->then[k], n);
            r->node = current;
        }
        r->with_cache = saved_with;
        r->with_cache_len = saved_len;
        buf_free(&with);
    }
    jp_list_free(&sel);
    if (q != st->query)
        jp_free(q);
    if (name_re != st->rx_name)
        rx_free(name_re);
    if (value_re != st->rx_value)
        rx_free(value_re);
    r->node = saved;
    return status;
}

static bool when_holds(const engine *e, const rule *ru)
{
    for (size_t i = 0; i < ru->nwhen; i++) {
        const var *v = find_var(e, ru->when[i].var.s, ru->when[i].var.len);
        const char *val = v && v->value ? v->value : "";
        if (strlen(val) != ru->when[i].value.len || memcmp(val, ru->when[i].value.s, ru->when[i].value.len))
            return false;
    }
    return true;
}

int engine_run(engine *e, json_doc *doc, const char *file, bool dry_run, diag_list *d)
{
    e->changes = 0;
    bool large = doc->src_len > (1u << 20);
    if (large && !e->large) {
        e->large = true;
        for (size_t i = 0; i < e->nfiles; i++)
            for (size_t k = 0; k < e->files[i]->nrules; k++) {
                rule_step *st = &e->files[i]->rules[k].step;
                rx_jit(st->rx_name);
                rx_jit(st->rx_value);
                rx_jit(st->rx_pattern);
            }
    }
    run r = {.e = e, .doc = doc, .file = file, .d = d, .dry_run = dry_run, .narrate = e->narrate};
    int status = EXIT_OK;
    for (size_t i = 0; i < e->nfiles && status == EXIT_OK; i++) {
        r.rf = e->files[i];
        for (size_t k = 0; k < r.rf->nrules && status == EXIT_OK; k++) {
            r.rule = &r.rf->rules[k];
            if (when_holds(e, r.rule))
                status = run_step(&r, &r.rule->step, NULL);
        }
    }
    buf_free(&r.scratch);
    buf_free(&r.work);
    return status;
}
