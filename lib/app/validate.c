/* The shared validator: syntax, schema, check rules and built-ins, per config kind. */
#include "app/validate.h"
#include "base/ascii.h"
#include "json/json_parse.h"
#include "domain/arm.h"
#include "rules/embedded.h"
#include "rules/engine.h"
#include "base/exitcodes.h"
#include "base/io.h"
#include "json/json_dup.h"
#include "domain/mender.h"
#include "domain/mender_checks.h"
#include "base/oom.h"
#include "base/pos.h"
#include "base/quote.h"
#include "query/schema.h"
#include "query/yamltree.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------------------------------------------------------------- kinds */

static bool is_mender_name(const char *file)
{
    const char *base = strrchr(file, '/');
    base = base ? base + 1 : file;
    return !strcmp(base, "mender.conf");
}

static bool looks_arm(const json_doc *doc, const char *file)
{
    (void)file;
    const json_node *root = doc ? doc->root : NULL;
    json_node *sch = root && root->type == JSON_OBJECT ? json_get(root, "$schema", 7) : NULL;
    /* deploymentTemplate.json#, and subscriptionDeploymentTemplate.json#,
     * managementGroupDeploymentTemplate.json#, tenantDeploymentTemplate.json# (the schemas
     * of azure-resource-manager-schemas/schemas/2018-05-01 and 2019-08-01), in any case. */
    static const char mark[] = "deploymenttemplate.json";
    for (size_t i = 0; sch && sch->type == JSON_STRING && i + sizeof mark - 1 <= sch->n; i++)
        if (ascii_ieq((const char *)sch->p + i, mark, sizeof mark - 1))
            return true;
    return false;
}

static bool looks_mender(const json_doc *doc, const char *file)
{
    if (is_mender_name(file))
        return true;
    const json_node *root = doc ? doc->root : NULL;
    return root && root->type == JSON_OBJECT &&
           (json_get_icase(root, "ServerURL", 9) || json_get_icase(root, "Servers", 7) ||
            json_get_icase(root, "TenantToken", 11));
}

/* Everything the validator knows about a kind, in one place: adding a kind is an entry
 * here, its schema under rules/schemas/ and its rules in rules/config-validate.yaml. */
typedef struct kind_info {
    const char *name;           /* as --kind spells it */
    const char *schema;         /* the compiled-in schema, or NULL */
    bool (*detect)(const json_doc *doc, const char *file);  /* auto: the first that says yes */
    bool by_file_name;          /* detect() decides from the file name alone (unparsable files) */
    bool own_duplicates;        /* its checks report repeated names (json-duplicate-key is off) */
    bool fallback;              /* --fallback FILE: a client's merged view of two files */
} kind_info;

static const kind_info kinds[] = {
    [KIND_AUTO] = {"auto", NULL, NULL, false, false, false},
    [KIND_JSON] = {"json", NULL, NULL, false, false, false},
    [KIND_ARM] = {"arm-template", "rules/schemas/arm-template.yaml", looks_arm, false, false, false},
    [KIND_MENDER] = {"mender-conf", "rules/schemas/mender-conf.yaml", looks_mender, true, true, true},
};
#define NKINDS (sizeof kinds / sizeof *kinds)

int config_kind_parse(const char *s)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (!strcmp(s, kinds[i].name))
            return (int)i;
    return -1;
}

const char *config_kind_name(config_kind k)
{
    return kinds[k].name;
}

bool config_kind_has_fallback(config_kind k)
{
    return kinds[k].fallback;
}

static config_kind detect(const json_doc *doc, const char *file)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (kinds[i].detect && kinds[i].detect(doc, file))
            return (config_kind)i;
    return KIND_JSON;
}

/* The kind of a file that does not parse: what its name says, else plain JSON. */
static config_kind detect_by_name(const char *file)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (kinds[i].by_file_name && kinds[i].detect(NULL, file))
            return (config_kind)i;
    return KIND_JSON;
}

/* A schema with the document (YAML or JSON tree) it lives in. */
typedef struct loaded_schema {
    char *name;
    char *text;
    json_doc *doc;
    schema *s;
} loaded_schema;

struct validator {
    engine *checks;
    loaded_schema schemas[NKINDS];      /* each kind's, loaded on first use */
    loaded_schema custom;
    diag_rule *catalog;                 /* validator_catalog's answer */
    size_t ncatalog;
    char **texts;                       /* the catalog's strings from schemas, owned */
    size_t ntexts;
    bool has_custom;
    bool custom_checks;                 /* -r gave check rules of the user's own */
    const char *stage;
    diag_list *load_errors;             /* where a failing lazy load reports */
};

const engine_builtin *validator_builtins(size_t *n)
{
    static engine_builtin all[2];
    all[0] = mender_checks_builtin;
    all[1] = arm_checks_builtin;
    *n = 2;
    return all;
}

/* The rules behind the syntax checks, for SARIF. */
static const diag_rule syntax_rules[] = {
    {"json-syntax", "the file is not strict JSON (RFC 8259)", "Fix the syntax at the reported position; comments, trailing commas, single quotes and unquoted names are not JSON."},
    {"json-bom", "the file starts with a UTF-8 byte order mark", "Save the file as UTF-8 without a BOM; RFC 8259 forbids adding one, and the Mender client refuses it."},
    {"json-empty", "the file is empty", "A config must hold one JSON value."},
    {"json-trailing", "content follows the JSON value", "Remove what follows the end of the top-level value."},
    {"json-depth", "nesting is deeper than the parser allows", "No config needs this depth."},
    {"json-encoding", "the file is not valid UTF-8", "Re-encode the file as UTF-8."},
    {"json-duplicate-key", "an object repeats a member name", "Keep one member per name: readers disagree on which duplicate wins."},
    {"io-read", "the file cannot be read", "Check the path and its permissions."},
};

/* Loads a schema from YAML or JSON text; positions is false for the compiled-in JSON form
 * of a YAML file, whose offsets would mean nothing to a reader. */
static bool load_schema(loaded_schema *ls, const char *name, const char *text, size_t len, bool yaml, bool positions,
                        diag_list *d)
{
    ls->name = xstrdup(name);
    ls->text = xmalloc(len + 1);
    memcpy(ls->text, text, len);
    ls->text[len] = '\0';
    if (yaml) {
        yamltree_error yerr;
        ls->doc = yamltree_load(ls->text, len, &yerr);
        if (!ls->doc) {
            diag_add(d, SEV_ERROR, "schema-file", name, yerr.offset, yerr.offset, "YAML: %s", yerr.msg);
            diag_resolve(d, d->n - 1, ls->text, len);
            return false;
        }
    } else {
        json_error jerr;
        ls->doc = json_parse(ls->text, len, NULL, &jerr);
        if (!ls->doc) {
            diag_add(d, SEV_ERROR, "schema-file", name, jerr.offset, jerr.offset, "%s", jerr.msg);
            diag_resolve(d, d->n - 1, positions ? ls->text : NULL, len);
            return false;
        }
    }
    schema_opts so = {true, true};
    schema_error serr;
    ls->s = schema_compile(ls->doc->root, &so, &serr);
    if (!ls->s) {
        size_t at = serr.at ? json_report_offset(ls->doc, serr.at) : 0;
        if (serr.at && serr.at->start != JSON_NOPOS && !(serr.at->flags & JF_SYNTH) && !serr.at->key)
            at = serr.at->start;
        diag_add(d, SEV_ERROR, "schema-file", name, at, at, "%s", serr.msg);
        diag_resolve(d, d->n - 1, positions ? ls->text : NULL, len);
        return false;
    }
    return true;
}

static void free_schema(loaded_schema *ls)
{
    if (!ls->name)
        return;
    schema_free(ls->s);
    json_doc_free(ls->doc);
    free(ls->text);
    free(ls->name);
    memset(ls, 0, sizeof *ls);
}

static bool load_embedded_schema(loaded_schema *ls, const char *path, diag_list *d)
{
    const embedded_file *f = embedded_find(path);
    if (!f) {
        diag_add(d, SEV_ERROR, "schema-file", path, (size_t)-1, (size_t)-1, "schema missing from this build");
        return false;
    }
    char name[300];
    snprintf(name, sizeof name, "builtin:%s", path);
    return load_schema(ls, name, f->data, f->len, !f->json, !f->json, d);
}

validator *validator_new(const validate_opts *o, diag_list *d, int *status)
{
    validator *v = xcalloc(1, sizeof *v);
    v->stage = o->stage ? o->stage : "review";
    *status = EXIT_OK;
    v->load_errors = d;
    if (o->schema_path) {
        io_input in;
        int err = io_input_open(&in, o->schema_path);
        if (err) {
            diag_add(d, SEV_ERROR, "io-read", o->schema_path, (size_t)-1, (size_t)-1, "cannot read schema: %s",
                     strerror(err));
            *status = EXIT_IO;
        } else {
            size_t n = strlen(o->schema_path);
            bool json = n > 5 && !strcmp(o->schema_path + n - 5, ".json");
            if (!load_schema(&v->custom, o->schema_path, in.data, in.len, !json, true, d))
                *status = EXIT_BADRULES;
            v->has_custom = true;
        }
        io_input_close(&in);
    }
    v->checks = engine_new("config-validate");
    for (size_t i = 0; i < o->nchecks; i++)
        v->custom_checks |= strcmp(o->checks[i], "@default") != 0;
    size_t nb;
    const engine_builtin *b = validator_builtins(&nb);
    engine_add_builtins(v->checks, b, nb);
    if (*status == EXIT_OK)
        *status = engine_load(v->checks, o->checks, o->nchecks, d);
    if (*status == EXIT_OK && engine_get(v->checks, "stage"))
        *status = engine_set(v->checks, "stage", 5, v->stage, "--stage", d);
    if (*status == EXIT_OK && o->client && engine_get(v->checks, "client"))
        *status = engine_set(v->checks, "client", 6, o->client, "--client", d);
    if (*status == EXIT_OK)
        *status = engine_prepare(v->checks, d);
    if (*status != EXIT_OK) {
        validator_free(v);
        return NULL;
    }
    return v;
}

void validator_set_var(validator *v, const char *name, const char *value)
{
    if (v && engine_get(v->checks, name))
        engine_put(v->checks, name, value);
}

void validator_set_stage(validator *v, const char *stage)
{
    if (!v || !strcmp(v->stage, stage))
        return;
    v->stage = !strcmp(stage, "deploy") ? "deploy" : "review";
    if (engine_get(v->checks, "stage"))
        engine_put(v->checks, "stage", v->stage);
}

void validator_free(validator *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < NKINDS; i++)
        free_schema(&v->schemas[i]);
    if (v->has_custom)
        free_schema(&v->custom);
    engine_free(v->checks);
    for (size_t i = 0; i < v->ntexts; i++)
        free(v->texts[i]);
    free(v->texts);
    free(v->catalog);
    free(v);
}

/* Adds to v's catalog what the x-rules of a loaded schema say its rule ids mean. */
static void add_schema_rules(validator *v, const loaded_schema *ls)
{
    json_node *rules = ls->doc && ls->doc->root->type == JSON_OBJECT ? json_get(ls->doc->root, "x-rules", 7) : NULL;
    for (json_node *r = rules && rules->type == JSON_OBJECT ? json_first(rules) : NULL; r; r = r->next) {
        json_node *sum = json_get(r, "summary", 7), *help = json_get(r, "help", 4);
        v->catalog = xrealloc(v->catalog, (v->ncatalog + 1) * sizeof *v->catalog);
        v->texts = xrealloc(v->texts, (v->ntexts + 3) * sizeof *v->texts);
        char *id = xstrndup(r->key, r->key_len);
        char *s = sum && sum->type == JSON_STRING ? xstrndup(sum->p, sum->n) : NULL;
        char *h = help && help->type == JSON_STRING ? xstrndup(help->p, help->n) : NULL;
        v->texts[v->ntexts++] = id, v->texts[v->ntexts++] = s, v->texts[v->ntexts++] = h;
        v->catalog[v->ncatalog++] = (diag_rule){id, s, h};
    }
}

const diag_rule *validator_catalog(validator *v, size_t *n)
{
    /* The syntax rules first, then every check rule, then the schemas' rules (those
     * loaded: the kinds checked); rule ids without an entry get their id as description
     * from the SARIF writer. */
    size_t ncheck;
    const diag_rule *checks = engine_catalog(v->checks, &ncheck);
    size_t nsyn = sizeof syntax_rules / sizeof *syntax_rules;
    v->ncatalog = 0;
    v->catalog = xrealloc(v->catalog, (nsyn + ncheck + 1) * sizeof *v->catalog);
    memcpy(v->catalog, syntax_rules, sizeof syntax_rules);
    memcpy(v->catalog + nsyn, checks, ncheck * sizeof *checks);
    v->ncatalog = nsyn + ncheck;
    for (size_t i = 0; i < NKINDS; i++)
        add_schema_rules(v, &v->schemas[i]);
    if (v->has_custom)
        add_schema_rules(v, &v->custom);
    *n = v->ncatalog;
    return v->catalog;
}

/* ---------------------------------------------------------------- checks */

typedef struct dup_ctx {
    const json_doc *doc;
    const char *file;
    diag_list *d;
    size_t shown, more;     /* findings listed, and repeats past the cap */
} dup_ctx;

/* At most this many repeated names are listed per file: each message names the first
 * spelling's position, and a file repeating one name 100,000 times needs no more lines. */
#define MAX_DUP_FINDINGS 100

/* Says how many repeats were not listed. */
static void report_dup_rest(dup_ctx *c)
{
    if (c->more)
        diag_add(c->d, SEV_WARNING, "json-duplicate-key", c->file, (size_t)-1, (size_t)-1,
                 "%zu more repeated member names are not listed", c->more);
}

static void report_dup_at(void *ctx, size_t at, size_t first_at, const char *key, size_t key_len)
{
    dup_ctx *c = ctx;
    if (c->shown == MAX_DUP_FINDINGS) {
        c->more++;
        return;
    }
    c->shown++;
    buf name = BUF_INIT;
    quote_name(&name, key, key_len, 64);
    pos fp = pos_of(c->doc->src, c->doc->src_len, first_at);
    diag_add(c->d, SEV_WARNING, "json-duplicate-key", c->file, at, at,
             "duplicate member name '%s' (first at line %zu, column %zu; JSON readers disagree on which wins)",
             name.data ? name.data : "", fp.line, fp.col);
    buf_free(&name);
}

static void report_dup(void *ctx, const json_node *dup, const json_node *first)
{
    dup_ctx *c = ctx;
    report_dup_at(ctx, json_key_offset(c->doc, dup), json_key_offset(c->doc, first), dup->key, dup->key_len);
}

/* The built-in schema for a kind, loaded the first time it is needed (a tool that only
 * writes mender.conf never parses the ARM schema). NULL if it cannot be loaded. */
static const loaded_schema *kind_schema(validator *v, config_kind kind)
{
    const char *path = kinds[kind].schema;
    if (!path)
        return NULL;
    loaded_schema *ls = &v->schemas[kind];
    if (!ls->s && !ls->name) {
        if (!load_embedded_schema(ls, path, v->load_errors) && !ls->name)
            ls->name = xstrdup(path);   /* remember the failure: do not try again */
    }
    return ls->s ? ls : NULL;
}

static void schema_findings(const loaded_schema *ls, const json_doc *doc, const char *file, diag_list *d)
{
    if (!ls)
        return;
    schema_result r = {0};
    schema_validate(ls->s, doc->root, &r);
    for (size_t i = 0; i < r.n; i++) {
        const schema_violation *x = &r.v[i];
        /* Several failed keywords of one schema object with one x-message say one thing. */
        if (i && r.v[i - 1].instance == x->instance && r.v[i - 1].where == x->where &&
            !strcmp(r.v[i - 1].message, x->message))
            continue;
        char rule_id[96];
        snprintf(rule_id, sizeof rule_id, "%.*s", (int)(x->rule_len < 90 ? x->rule_len : 90), x->rule);
        size_t at = json_report_offset(doc, x->instance);
        /* Name the member the finding is about, so a message reads on its own. */
        buf where = BUF_INIT;
        const json_node *n = x->instance;
        if (n->key && n->parent && n->parent->type == JSON_OBJECT && strcmp(x->keyword, "required") &&
            strcmp(x->keyword, "additionalProperties")) {
            quote_into(&where, n->key, n->key_len, 60);
            diag_add(d, x->sev, rule_id, file, at, at, "'%s': %s", where.data, x->message);
        } else {
            diag_add(d, x->sev, rule_id, file, at, at, "%s", x->message);
        }
        buf_free(&where);
    }
    schema_result_free(&r);
}

config_kind validator_check_doc(validator *v, json_doc *doc, const char *file, config_kind kind, diag_list *d)
{
    size_t from = d->n;
    if (kind == KIND_AUTO)
        kind = detect(doc, file);
    if (!kinds[kind].own_duplicates) {
        dup_ctx c = {doc, file, d, 0, 0};
        json_find_duplicates(doc->root, false, report_dup, &c);
        report_dup_rest(&c);
    }
    if (v) {
        schema_findings(v->has_custom ? &v->custom : kind_schema(v, kind), doc, file, d);
        engine_put(v->checks, "kind", config_kind_name(kind));
        engine_run(v->checks, doc, file, false, d);
    }
    if (doc->src)
        diag_resolve(d, from, doc->src, doc->src_len);
    diag_dedupe(d, from);   /* two checks, or one reaching a node twice, say a thing once */
    return kind;
}

/* True when no kind but plain JSON can be detected in src: the text names no ARM template
 * schema and none of the options that mark a mender.conf (in any case), holds no \u escape
 * that could spell them, and the file is not named mender.conf. One pass over the text
 * instead of a tree: a large plain JSON file costs its own size in memory, not ten. */
static bool plainly_json(const char *src, size_t len, const char *file)
{
    if (is_mender_name(file))
        return false;
    static const char *const marks[] = {"deploymenttemplate.json", "serverurl", "servers", "tenanttoken"};
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)ascii_lower((unsigned char)src[i]);
        if (c == '\\' && i + 1 < len && src[i + 1] == 'u')
            return false;
        if (c != 'd' && c != 's' && c != 't')
            continue;
        for (size_t m = 0; m < sizeof marks / sizeof *marks; m++) {
            size_t n = strlen(marks[m]);
            if (marks[m][0] == (char)c && i + n <= len && ascii_ieq(src + i, marks[m], n))
                return false;
        }
    }
    return true;
}

config_kind validator_check_buffer(validator *v, const char *src, size_t len, const char *file, config_kind kind,
                                   diag_list *d)
{
    size_t from = d->n;
    json_error err;
    bool stream = !(v && (v->has_custom || v->custom_checks));  /* no rule of the user's needs a tree */
    if (kind == KIND_AUTO && stream && plainly_json(src, len, file))
        kind = KIND_JSON;   /* detect() could only say json: stream it, build no tree */
    if (kind == KIND_JSON && stream) {
        /* Nothing needs a tree: check syntax and repeated names while streaming. */
        json_doc view = {.src = src, .src_len = len};
        dup_ctx c = {&view, file, d, 0, 0};
        json_parse_opts po = {.check_only = true, .on_duplicate = report_dup_at, .ctx = &c};
        json_doc *ok = json_parse(src, len, &po, &err);
        if (!ok)
            diag_add(d, SEV_ERROR, err.rule, file, err.offset, err.offset, "%s", err.msg);
        report_dup_rest(&c);
        json_doc_free(ok);
        diag_resolve(d, from, src, len);
        diag_sort(d, from);     /* the stream finds inner repeats first: report in file order */
        return kind;
    }
    json_doc *doc = json_parse(src, len, NULL, &err);
    config_kind k;
    if (!doc && !strcmp(err.rule, "json-bom")) {
        /* The 4.x client's parser skips a byte order mark (nlohmann's lexer does), so for
         * it a mender.conf with one loads: a warning. The 3.x client's encoding/json
         * refuses it, as RFC 8259 allows: an error, as for every other kind. */
        json_parse_opts po = {0};
        po.allow_bom = true;
        json_doc *bom = json_parse(src, len, &po, &err);
        config_kind bk = kind != KIND_AUTO ? kind : bom ? detect(bom, file) : KIND_JSON;
        if (bom && bk == KIND_MENDER && v && !strcmp(engine_get(v->checks, "client"), "4")) {
            diag_add(d, SEV_WARNING, "json-bom", file, 0, 0,
                     "byte order mark (U+FEFF) at the start: the 4.x client skips it, the 3.x client refuses the file "
                     "and RFC 8259 forbids it; save the file without it");
            diag_resolve(d, d->n - 1, src, len);
            k = validator_check_doc(v, bom, file, bk, d);
            json_doc_free(bom);
            return k;
        }
        json_doc_free(bom);
        doc = NULL;
        err.rule = "json-bom";
        snprintf(err.msg, sizeof err.msg, "%s",
                 bk == KIND_MENDER ? "byte order mark (U+FEFF) at start of input: the 3.x client refuses the file (and "
                                     "RFC 8259 forbids it)"
                                   : "byte order mark (U+FEFF) at start of input is not allowed in JSON");
        err.offset = 0;
    }
    if (!doc) {
        k = kind != KIND_AUTO ? kind : detect_by_name(file);
        diag_add(d, SEV_ERROR, err.rule, file, err.offset, err.offset, "%s", err.msg);
        diag_resolve(d, from, src, len);
        return k;
    }
    k = validator_check_doc(v, doc, file, kind, d);
    json_doc_free(doc);
    return k;
}

/* ---------------------------------------------------------------- two mender files */

/* Copies n into doc keeping its text and its position, shifted by shift bytes. */
static json_node *clone_keep(json_doc *doc, const json_doc *from, const json_node *n, size_t shift)
{
    json_node *c = arena_alloc(&doc->mem, sizeof *c);
    *c = *n;
    c->parent = c->next = c->prev = NULL;
    c->flags = 0;
    c->marks = JM_NAMES_BLOOM;
    c->start = n->start + shift;
    if (n->type == JSON_ARRAY || n->type == JSON_OBJECT) {
        c->p = NULL;
        c->n = 0;
        for (const json_node *k = json_first(n); k; k = k->next) {
            json_node *ck = clone_keep(doc, from, k, shift);
            json_append(doc, c, k->key, k->key_len, ck);
            if (k->key)
                json_set_key_offset(doc, ck, json_key_offset(from, k) + shift);
            ck->flags &= (uint8_t)~(JF_MOVED | JF_KEY_NEW);
        }
        c->flags = 0;
    }
    return c;
}

/* The 4.x client loads each file on its own (conf.cpp:233-243): a ServerURL in the
 * fallback file and Servers in the main file never meet in one file, and Servers wins
 * (config_parser.cpp:271-314), so the merged view's "ServerURL next to Servers" does not
 * apply; the other way round it does (the main file stops loading at its ServerURL). The
 * 3.x client merges both files into one struct and refuses either way (conf/config.go:
 * 145-197). */
static void drop_accepted_split(validator *v, const json_doc *merged, size_t fb_len, size_t from, diag_list *d)
{
    if (strcmp(engine_get(v->checks, "client"), "4"))
        return;
    const json_node *url = NULL, *servers = NULL;
    for (const json_node *m = json_first(merged->root); m; m = m->next) {
        if (m->key_len == 9 && ascii_ieq(m->key, "ServerURL", 9))
            url = m;
        if (m->key_len == 7 && ascii_ieq(m->key, "Servers", 7))
            servers = m;
    }
    if (!url || !servers || json_key_offset(merged, url) >= fb_len || json_key_offset(merged, servers) < fb_len)
        return;
    size_t keep = from;
    for (size_t i = from; i < d->n; i++) {
        if (!strcmp(d->v[i].rule, "mender-serverurl-with-servers")) {
            d->count[d->v[i].sev]--;
            free(d->v[i].rule), free(d->v[i].message), free(d->v[i].file);
            continue;
        }
        d->v[keep++] = d->v[i];
    }
    d->n = keep;
}

void validator_check_mender_pair(validator *v, const char *fb_src, size_t fb_len, const char *fb_name,
                                 const char *main_src, size_t main_len, const char *main_name, diag_list *d)
{
    json_error err;
    json_doc *fb = json_parse(fb_src, fb_len, NULL, &err);
    if (!fb) {
        diag_add(d, SEV_ERROR, err.rule, fb_name, err.offset, err.offset, "%s", err.msg);
        diag_resolve(d, d->n - 1, fb_src, fb_len);
    }
    json_doc *mn = json_parse(main_src, main_len, NULL, &err);
    if (!mn) {
        diag_add(d, SEV_ERROR, err.rule, main_name, err.offset, err.offset, "%s", err.msg);
        diag_resolve(d, d->n - 1, main_src, main_len);
    }
    if (fb && mn && fb->root->type == JSON_OBJECT && mn->root->type == JSON_OBJECT) {
        /* One text holds both files, so that every node keeps a position: the fallback's
         * bytes first, then the main file's. */
        char *both = xmalloc(fb_len + main_len + 1);
        memcpy(both, fb_src, fb_len);
        memcpy(both + fb_len, main_src, main_len);
        both[fb_len + main_len] = '\0';
        json_doc *merged = json_doc_new();
        merged->src = both;
        merged->src_len = fb_len + main_len;
        merged->root = json_new(merged, JSON_OBJECT);
        merged->root->start = 0;
        merged->root->flags = 0;
        for (const json_node *m = json_first(fb->root); m; m = m->next) {
            if (json_get_icase(mn->root, m->key, m->key_len))
                continue;   /* the main file's value wins */
            json_node *c = clone_keep(merged, fb, m, 0);
            json_append(merged, merged->root, m->key, m->key_len, c);
            json_set_key_offset(merged, c, json_key_offset(fb, m));
        }
        for (const json_node *m = json_first(mn->root); m; m = m->next) {
            json_node *c = clone_keep(merged, mn, m, fb_len);
            json_append(merged, merged->root, m->key, m->key_len, c);
            json_set_key_offset(merged, c, json_key_offset(mn, m) + fb_len);
        }
        merged->src_split = fb_len;
        size_t from = d->n;
        /* Every member of both files is in the merged view (but fallback ones the main
         * file overrides, which the client never reads), so each file's repeated names
         * are found there too. */
        if (v) {
            schema_findings(kind_schema(v, KIND_MENDER), merged, main_name, d);
            engine_put(v->checks, "kind", "mender-conf");
            engine_put(v->checks, "fallback-file", fb_name);
            engine_run(v->checks, merged, main_name, false, d);
            engine_put(v->checks, "fallback-file", "");
            drop_accepted_split(v, merged, fb_len, from, d);
        }
        if (v && !strcmp(engine_get(v->checks, "client"), "3")) {
            /* The 3.x client unmarshals the whole fallback file, the options the main file
             * overrides included (conf/config.go:145-181): its errors count on their own. */
            diag_list alone = {0};
            validator_check_doc(v, fb, fb_name, KIND_MENDER, &alone);
            for (size_t i = 0; i < alone.n; i++)
                if (alone.v[i].sev == SEV_ERROR && strcmp(alone.v[i].rule, "mender-no-server"))
                    diag_copy(d, &alone.v[i], "");
            diag_free(&alone);
        }
        /* Give each finding back to the file its node came from. */
        for (size_t i = from; i < d->n; i++) {
            finding *f = &d->v[i];
            if (f->start == (size_t)-1)
                continue;
            if (f->start < fb_len) {
                free(f->file);
                f->file = xstrdup(fb_name);
                pos p = pos_of(fb_src, fb_len, f->start);
                f->line = p.line, f->col = p.col;
            } else {
                f->start -= fb_len;
                pos p = pos_of(main_src, main_len, f->start);
                f->line = p.line, f->col = p.col;
            }
        }
        diag_dedupe(d, from);   /* a fallback error seen in both views is said once */
        json_doc_free(merged);
        free(both);
    } else if (fb && mn) {
        if (fb->root->type != JSON_OBJECT)
            validator_check_doc(v, fb, fb_name, KIND_MENDER, d);
        if (mn->root->type != JSON_OBJECT)
            validator_check_doc(v, mn, main_name, KIND_MENDER, d);
    }
    json_doc_free(fb);
    json_doc_free(mn);
}
