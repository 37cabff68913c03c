/* The tool pipeline, one function per phase: options, rules, input, input check, rules
 * applied, result check, then the report and the document. */
#include "app/tool.h"
#include "json/json_parse.h"
#include "app/report.h"
#include "app/validate.h"
#include "base/exitcodes.h"
#include "base/io.h"
#include "base/oom.h"
#include "base/utf8.h"
#include "query/jsonpath.h"
#include "json/json_write.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t tool_builtin_count(const engine_builtin *b)
{
    size_t n = 0;
    while (b && b[n].name)
        n++;
    return n;
}

/* Everything one run of a tool holds, phase after phase. */
typedef struct pipeline {
    const tool_spec *t;
    cli_common c;
    cli_option *opts;
    const char **flag_value;        /* per tool_spec.flags entry: the value given, or NULL */
    buf *joined;                    /* per entry: the values of a repeatable flag, joined */
    bool check;                     /* --check */
    engine *e;
    diag_list d;
    const char *input, *name;       /* the input operand, and its name in messages */
    io_input in;
    json_doc *doc;
    json_style style;
    validator *v;
    const rule_contract *in_contract, *out_contract;
    size_t from;                    /* first finding about the input document */
} pipeline;

enum { OPT_CHECK = 1000 };

/* ---------------------------------------------------------------- options */

static int record_option(void *ctx, int id, const char *arg)
{
    pipeline *p = ctx;
    if (id == OPT_CHECK) {
        p->check = true;
        return 0;
    }
    const tool_flag *f = &p->t->flags[id - 1];
    if (f->repeatable && arg) {
        buf *j = &p->joined[id - 1];
        if (j->len)
            buf_putc(j, ',');
        buf_puts(j, arg);
        p->flag_value[id - 1] = j->data;
        return 0;
    }
    p->flag_value[id - 1] = f->value ? f->value : arg;
    return 0;
}

/* Parses argv; returns -1 to go on, else the exit code. */
static int parse_options(pipeline *p, int argc, char **argv)
{
    const tool_spec *t = p->t;
    size_t nflags = 0;
    while (t->flags && t->flags[nflags].long_name)
        nflags++;
    p->opts = xcalloc(nflags + 2, sizeof *p->opts);
    for (size_t i = 0; i < nflags; i++)
        p->opts[i] = (cli_option){t->flags[i].long_name, 0, t->flags[i].arg_name, t->flags[i].help, (int)i + 1};
    if (t->mode == TOOL_FILTER && t->check_option)
        p->opts[nflags] = (cli_option){"check", 0, NULL, "write nothing; exit 1 when the input would change", OPT_CHECK};
    p->flag_value = xcalloc(nflags + 1, sizeof *p->flag_value);
    p->joined = xcalloc(nflags + 1, sizeof *p->joined);
    cli_spec spec = {t->prog, t->synopsis, t->summary, CO_ALL, p->opts, record_option, p, NULL};
    int status = cli_parse(&spec, argc, argv, &p->c);
    if (status >= 0)
        return status;
    p->input = p->c.noperands ? p->c.operands[0] : NULL;
    p->name = io_is_stdin(p->input) ? "<stdin>" : p->input;
    if (p->c.noperands > 1)
        return cli_usage_error(t->prog, "one input file at most (got %zu)", p->c.noperands), EXIT_USAGE;
    if (p->c.in_place && io_is_stdin(p->input))
        return cli_usage_error(t->prog, "-i needs an input file, not standard input"), EXIT_USAGE;
    if (t->rules_required && !p->c.nrules)
        return cli_usage_error(t->prog, "no rules: give at least one -r FILE"), EXIT_USAGE;
    if (p->check && (p->c.output || p->c.in_place || p->c.dry_run))
        return cli_usage_error(t->prog, "--check writes nothing: it goes with neither -o, -i nor -n"), EXIT_USAGE;
    for (size_t i = 0; i < nflags; i++)
        if (t->flags[i].needs_target && p->flag_value[i] && !p->c.output && !p->c.in_place && !p->c.dry_run)
            return cli_usage_error(t->prog, "--%s changes the document: give -o FILE or -i for it (or -n to see the "
                                            "changes)",
                                   t->flags[i].long_name),
                   EXIT_USAGE;
    return -1;
}

/* ---------------------------------------------------------------- rules */

/* Loads the rule files, sets the variables the flags and -D name, and compiles. */
static int load_rules(pipeline *p)
{
    const tool_spec *t = p->t;
    p->e = engine_new(t->prog);
    engine_narrate(p->e, t->narrate);
    engine_add_builtins(p->e, t->builtins, tool_builtin_count(t->builtins));
    int status = engine_load(p->e, p->c.rules, p->c.nrules, &p->d);
    for (size_t i = 0; t->flags && t->flags[i].long_name && status == EXIT_OK; i++) {
        if (!p->flag_value[i])
            continue;
        char how[80];
        snprintf(how, sizeof how, "--%s", t->flags[i].long_name);
        status = engine_set(p->e, t->flags[i].var, strlen(t->flags[i].var), p->flag_value[i], how, &p->d);
    }
    for (size_t i = 0; i < p->c.nvars && status == EXIT_OK; i++)
        status = engine_set(p->e, p->c.vars[i].name, p->c.vars[i].name_len, p->c.vars[i].value, "-D", &p->d);
    /* A required value that a flag gives is asked for by that flag's name. */
    for (size_t i = 0; t->flags && t->flags[i].long_name && status == EXIT_OK; i++)
        if (t->flags[i].arg_name && engine_missing(p->e, t->flags[i].var)) {
            cli_usage_error(t->prog, "--%s %s is required", t->flags[i].long_name, t->flags[i].arg_name);
            status = EXIT_USAGE;
        }
    if (status == EXIT_OK)
        status = engine_prepare(p->e, &p->d);
    engine_contracts(p->e, &p->in_contract, &p->out_contract);
    return status;
}

/* ---------------------------------------------------------------- input */

static int read_input(pipeline *p)
{
    /* Read, not mapped: untouched text is copied from the input when the document is
     * written, and a file changed meanwhile must not reach the output. */
    int err = io_input_read(&p->in, p->input);
    if (err) {
        diag_add(&p->d, SEV_ERROR, "io-read", p->name, (size_t)-1, (size_t)-1, "cannot read: %s", strerror(err));
        return EXIT_IO;
    }
    json_error jerr;
    /* Read into memory and kept as it is: wide arrays and objects may stay without nodes
     * until a rule or a check looks inside them (JM_PACKED). */
    json_parse_opts po = {0};
    po.pack_scalars = true;
    p->doc = json_parse(p->in.data, p->in.len, &po, &jerr);
    if (!p->doc) {
        diag_add(&p->d, SEV_ERROR, jerr.rule, p->name, jerr.offset, jerr.offset, "%s", jerr.msg);
        diag_resolve(&p->d, p->d.n - 1, p->in.data, p->in.len);
        return EXIT_BADINPUT;
    }
    /* The style is read before any edit changes what it is read from. */
    json_style_detect(p->doc, &p->style);
    p->from = p->d.n;
    return EXIT_OK;
}

/* The kind a contract names (the build checked the name), or KIND_JSON when undeclared. */
static config_kind contract_kind(const rule_contract *rc)
{
    char name[32];
    snprintf(name, sizeof name, "%.*s", rc->declared ? (int)rc->kind.len : 0, rc->declared ? rc->kind.s : "");
    int k = config_kind_parse(name);
    return k > 0 ? (config_kind)k : KIND_JSON;
}

static void contract_stage(const rule_contract *rc, char *dst, size_t cap)
{
    snprintf(dst, cap, "%.*s", rc->stage.s ? (int)rc->stage.len : 6, rc->stage.s ? rc->stage.s : "review");
}

static bool tolerated(const rule_contract *rc, const char *rule_id)
{
    for (size_t i = 0; i < rc->ntolerate; i++)
        if (strlen(rule_id) == rc->tolerate[i].len && !memcmp(rule_id, rc->tolerate[i].s, rc->tolerate[i].len))
            return true;
    return false;
}

/* Hands the variables a contract names (such as client) to the validator's checks. */
static void pass_variables(pipeline *p, const rule_contract *rc)
{
    for (size_t i = 0; p->v && i < rc->npass; i++) {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(rc->pass[i].len < 60 ? rc->pass[i].len : 60), rc->pass[i].s);
        const char *value = engine_get(p->e, name);
        if (value)
            validator_set_var(p->v, name, value);
    }
}

/* Refuses input that is not the kind the tool is for (what it exists to fix may be
 * tolerated, as its rule file says). */
static int check_input(pipeline *p)
{
    const rule_contract *rc = p->in_contract;
    if (!rc->declared)
        return EXIT_OK;
    char stage[16];
    contract_stage(rc, stage, sizeof stage);
    config_kind kind = contract_kind(rc);
    validator_set_stage(p->v, stage);
    diag_list in_d = {0};
    validator_check_doc(p->v, p->doc, p->name, kind, &in_d);
    int status = EXIT_OK;
    for (size_t i = 0; i < in_d.n; i++) {
        finding *f = &in_d.v[i];
        if (f->sev != SEV_ERROR || tolerated(rc, f->rule))
            continue;
        char prefix[64];
        snprintf(prefix, sizeof prefix, "input is not a valid %s: ", config_kind_name(kind));
        diag_copy(&p->d, f, prefix);
        status = EXIT_BADINPUT;
    }
    diag_free(&in_d);
    return status;
}

/* ---------------------------------------------------------------- rules applied */

static int apply_rules(pipeline *p)
{
    int status = engine_run(p->e, p->doc, p->name, p->c.dry_run || p->check, &p->d);
    if (status == EXIT_OK && p->d.count[SEV_ERROR])
        status = EXIT_FINDINGS;
    if (status == EXIT_OK && p->check && engine_changes(p->e)) {
        size_t n = engine_changes(p->e);
        diag_add(&p->d, SEV_ERROR, "check-changes", p->name, (size_t)-1, (size_t)-1,
                 "%s would change this document (%zu change%s; run it without --check to see the result)", p->t->prog,
                 n, n == 1 ? "" : "s");
        status = EXIT_FINDINGS;
    }
    return status;
}

/* Strings an edit made must be UTF-8 like the rest (a replacement with \\C can split a
 * character): the first one that is not is reported, and nothing is written. */
static void check_result_encoding(pipeline *p)
{
    const json_node *n = p->doc->root;
    while (n) {
        bool made = n->flags & JF_SYNTH;
        if ((made && n->type == JSON_STRING && utf8_check(n->p, n->n) != n->n) ||
            ((n->flags & JF_KEY_NEW) && utf8_check(n->key, n->key_len) != n->key_len)) {
            buf path = BUF_INIT;
            jp_path(p->doc->root, n, &path);
            diag_add(&p->d, SEV_ERROR, "json-encoding", p->name, (size_t)-1, (size_t)-1,
                     "result would be invalid: a rule wrote text that is not valid UTF-8 at %s", path.data);
            buf_free(&path);
            return;
        }
        /* Only where an edit was can text not yet checked be: every edit marks the
         * containers above it (json.c, json_touch), untouched subtrees are the input's. */
        bool edited = n->flags & (JF_SYNTH | JF_DIRTY | JF_MOVED);
        n = edited ? json_next_within(p->doc->root, n) : json_next_skipping(p->doc->root, n);
    }
}

/* The shared validator sees the result before anything is written; its findings name the
 * file without a position (positions in the result would point into text never shown). */
static int check_result(pipeline *p)
{
    check_result_encoding(p);
    char stage[16];
    contract_stage(p->out_contract, stage, sizeof stage);
    validator_set_stage(p->v, stage);
    diag_list out_d = {0};
    validator_check_doc(p->v, p->doc, p->name, contract_kind(p->out_contract), &out_d);
    for (size_t i = 0; i < out_d.n; i++) {
        /* Notes about the result repeat what the input already said: keep the rest. */
        finding *f = &out_d.v[i];
        if (f->sev == SEV_NOTE || tolerated(p->out_contract, f->rule))
            continue;
        /* The result is not the input: its findings carry no position in the input file
         * (the result was never written, or is written somewhere else). */
        finding *g = diag_copy(&p->d, f, f->sev == SEV_ERROR ? "result would be invalid: " : "result: ");
        g->start = g->end = (size_t)-1;
        g->line = g->col = 0;
    }
    diag_free(&out_d);
    return p->d.count[SEV_ERROR] ? EXIT_FINDINGS : EXIT_OK;
}

/* ---------------------------------------------------------------- output */

/* Where the document goes: a file (-o, -i), standard output, or nowhere. */
static const char *document_target(const pipeline *p)
{
    return p->c.in_place ? p->input : p->c.output;
}

static bool writes_document(const pipeline *p, int status)
{
    if (status != EXIT_OK || p->c.dry_run || p->check)
        return false;
    return p->t->mode == TOOL_FILTER || document_target(p);
}

/* Writes the document into fd; returns 0 or an errno. */
static int write_document(pipeline *p, int fd)
{
    json_style st = p->style;
    if (p->c.indent_set)
        json_style_fixed(&st, p->c.indent, p->c.tab);
    out *o = xmalloc(sizeof *o);
    out_init_fd(o, fd);
    json_write(p->doc, NULL, &st, o);
    int err = out_flush(o);
    free(o);
    return err;
}

/* Writes the document and the report. A document file is written to its temporary
 * first and put in place only after the report is out, so a report that cannot be
 * written leaves the target untouched; a document on standard output goes first, and
 * the report (on standard error) says when it could not be written. */
static int finish(pipeline *p, int status)
{
    bool doc = writes_document(p, status);
    const char *target = doc ? document_target(p) : NULL;
    bool doc_on_stdout = doc && !target;
    io_atomic a;
    bool staged = false;
    if (target) {
        int err = io_atomic_open(&a, target);
        a.private_mode = p->t->private_output;
        if (!err && (err = write_document(p, a.fd)) != 0)
            io_atomic_abort(&a);
        if (err) {
            diag_add(&p->d, SEV_ERROR, "io-write", target, (size_t)-1, (size_t)-1, "cannot write: %s", strerror(err));
            status = EXIT_IO;
        } else {
            staged = true;
        }
    } else if (doc_on_stdout) {
        int err = write_document(p, 1);
        if (err) {
            diag_add(&p->d, SEV_ERROR, "io-write", "", (size_t)-1, (size_t)-1, "cannot write output: %s", strerror(err));
            status = EXIT_IO;
        }
    }
    size_t ncat;
    const diag_rule *cat = engine_catalog(p->e, &ncat);
    buf described = BUF_INIT;
    if (p->t->describe && p->doc)
        p->t->describe(p->e, p->c.format, &described);
    report_opts ro = {p->t->prog, p->c.format, p->c.quiet, cat, ncat, NULL, NULL, 0, NULL};
    if (described.len && p->c.format == FMT_TEXT)
        ro.preamble = described.data;
    else if (described.len && p->c.format == FMT_JSON)
        ro.extra_json = described.data;
    /* Structured reports, and every report of a report tool, go to standard output
     * unless the document does. */
    bool report_on_stdout = !doc_on_stdout && (p->c.format != FMT_TEXT || p->t->mode == TOOL_REPORT);
    if (p->d.n || p->c.format != FMT_TEXT || ro.preamble) {
        int err = report_write_fd(&p->d, &ro, report_on_stdout ? 1 : 2);
        /* A report that could not be written is the failure to tell: the findings it held
         * are lost, so their exit code would mislead. */
        if (err && report_on_stdout) {
            fprintf(stderr, "%s: error: cannot write the report: %s [io-write]\n", p->t->prog, strerror(err));
            status = EXIT_IO;
        }
    }
    buf_free(&described);
    if (status == EXIT_OK && p->t->write_extra && !p->c.dry_run) {
        const char *path = "";
        int err = p->t->write_extra(p->e, &path);
        if (err) {
            fprintf(stderr, "%s: %s: error: cannot write: %s [io-write]\n", p->t->prog, path, strerror(err));
            status = EXIT_IO;
        }
    }
    if (staged) {
        int err = status == EXIT_OK ? io_atomic_commit(&a) : (io_atomic_abort(&a), 0);
        if (err) {
            fprintf(stderr, "%s: %s: error: cannot write: %s [io-write]\n", p->t->prog, target, strerror(err));
            status = EXIT_IO;
        }
    }
    return status;
}

static void free_flags(pipeline *p)
{
    for (size_t i = 0; p->joined && p->t->flags && p->t->flags[i].long_name; i++)
        buf_free(&p->joined[i]);
    free(p->joined);
    cli_free(&p->c);
    free(p->opts);
    free(p->flag_value);
}

int tool_main(const tool_spec *t, int argc, char **argv)
{
    pipeline p = {.t = t};
    int status = parse_options(&p, argc, argv);
    if (status >= 0) {
        free_flags(&p);
        return status;
    }
    status = load_rules(&p);
    if (status == EXIT_OK)
        status = read_input(&p);
    if (status == EXIT_OK) {
        validate_opts vo = {KIND_AUTO, NULL, NULL, NULL, NULL, 0};
        p.v = validator_new(&vo, &p.d, &status);
        pass_variables(&p, p.in_contract);
        pass_variables(&p, p.out_contract);
    }
    if (status == EXIT_OK)
        status = check_input(&p);
    if (status == EXIT_OK)
        status = apply_rules(&p);
    /* The result is checked when it is written: a report tool without -o or -i writes
     * none (its input was checked already). */
    if (writes_document(&p, status))
        status = check_result(&p);
    if (p.doc)
        diag_resolve(&p.d, p.from, p.in.data, p.in.len);
    diag_dedupe(&p.d, p.from);
    status = finish(&p, status);
    validator_free(p.v);
    json_doc_free(p.doc);
    io_input_close(&p.in);
    engine_free(p.e);
    diag_free(&p.d);
    free_flags(&p);
    return status;
}
