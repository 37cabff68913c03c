#include "tool.h"
#include "exitcodes.h"
#include "io.h"
#include "json_write.h"
#include "oom.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tool_print(const diag_list *d, const char *prog, out_format fmt, bool quiet, const diag_rule *catalog,
               size_t ncatalog, int fd)
{
    out *o = xmalloc(sizeof *o);
    out_init_fd(o, fd);
    diag_list shown = *d;
    diag_list kept = {0};
    if (quiet) {
        /* -q: only errors; build a filtered view that shares the findings. */
        kept.v = xcalloc(d->n + 1, sizeof *kept.v);
        for (size_t i = 0; i < d->n; i++)
            if (d->v[i].sev == SEV_ERROR)
                kept.v[kept.n++] = d->v[i];
        kept.count[SEV_ERROR] = kept.n;
        shown = kept;
    }
    if (fmt == FMT_JSON)
        diag_render_json(&shown, prog, NULL, o);
    else if (fmt == FMT_SARIF)
        diag_render_sarif(&shown, prog, TMPLKIT_VERSION, catalog, ncatalog, o);
    else
        diag_render_text(&shown, prog, o);
    int e = out_flush(o);
    free(o);
    free(kept.v);
    return e;
}

/* Writes the document where the options say; returns EXIT_OK or EXIT_IO (with a message). */
static int write_result(const cli_common *c, const char *input, json_doc *doc, const json_style *source_style,
                        diag_list *d)
{
    json_style st = *source_style;
    if (c->indent_set)
        json_style_fixed(&st, c->indent, c->tab);
    const char *target = c->in_place ? input : c->output;
    io_atomic a;
    int fd = 1, err = 0;
    if (target) {
        err = io_atomic_open(&a, target);
        if (err) {
            diag_add(d, SEV_ERROR, "io-write", target, (size_t)-1, (size_t)-1, "cannot write: %s", strerror(err));
            return EXIT_IO;
        }
        fd = a.fd;
    }
    out *o = xmalloc(sizeof *o);
    out_init_fd(o, fd);
    json_write(doc, NULL, &st, o);
    err = out_flush(o);
    free(o);
    if (target) {
        if (err)
            io_atomic_abort(&a);
        else
            err = io_atomic_commit(&a);
    }
    if (err) {
        diag_add(d, SEV_ERROR, "io-write", target ? target : "", (size_t)-1, (size_t)-1, "cannot write output: %s",
                 strerror(err));
        return EXIT_IO;
    }
    return EXIT_OK;
}

/* The values the tool's flags were given, in the order of tool_spec.flags. */
typedef struct flag_values {
    const tool_flag *flags;
    const char **value;
} flag_values;

static int record_flag(void *ctx, int id, const char *arg)
{
    flag_values *fv = ctx;
    const tool_flag *f = &fv->flags[id - 1];
    fv->value[id - 1] = f->value ? f->value : arg;
    return 0;
}

/* Each given flag sets its rule variable, named after the flag in messages. */
static int bind_flags(const flag_values *fv, engine *e, diag_list *d)
{
    for (size_t i = 0; fv->flags && fv->flags[i].long_name; i++) {
        if (!fv->value[i])
            continue;
        char how[80];
        snprintf(how, sizeof how, "--%s", fv->flags[i].long_name);
        int rc = engine_set(e, fv->flags[i].var, strlen(fv->flags[i].var), fv->value[i], how, d);
        if (rc != EXIT_OK)
            return rc;
    }
    return EXIT_OK;
}

int tool_main(const tool_spec *t, int argc, char **argv)
{
    size_t nflags = 0;
    while (t->flags && t->flags[nflags].long_name)
        nflags++;
    cli_option *opts = xcalloc(nflags + 1, sizeof *opts);
    for (size_t i = 0; i < nflags; i++)
        opts[i] = (cli_option){t->flags[i].long_name, 0, t->flags[i].arg_name, t->flags[i].help, (int)i + 1};
    flag_values fv = {t->flags, xcalloc(nflags + 1, sizeof(const char *))};
    cli_spec spec = {t->prog, t->synopsis, t->summary, CO_ALL, opts, record_flag, &fv};
    cli_common c;
    int status = cli_parse(&spec, argc, argv, &c);
    if (status >= 0) {
        cli_free(&c);
        free(opts);
        free(fv.value);
        return status;
    }
    status = EXIT_OK;
    diag_list d = {0};
    engine *e = engine_new(t->prog);
    json_doc *doc = NULL;
    io_input in = {0};
    const char *input = c.noperands ? c.operands[0] : NULL;
    const char *name = io_is_stdin(input) ? "<stdin>" : input;
    if (c.noperands > 1) {
        cli_usage_error(t->prog, "one input file at most (got %zu)", c.noperands);
        status = EXIT_USAGE;
        goto done;
    }
    if (c.in_place && io_is_stdin(input)) {
        cli_usage_error(t->prog, "-i needs an input file, not standard input");
        status = EXIT_USAGE;
        goto done;
    }
    if (t->rules_required && !c.nrules) {
        cli_usage_error(t->prog, "no rules: give at least one -r FILE");
        status = EXIT_USAGE;
        goto done;
    }
    engine_add_builtins(e, t->builtins, t->nbuiltins);
    status = engine_load(e, c.rules, c.nrules, &d);
    if (status == EXIT_OK)
        status = bind_flags(&fv, e, &d);
    for (size_t i = 0; i < c.nvars && status == EXIT_OK; i++)
        status = engine_set(e, c.vars[i].name, c.vars[i].name_len, c.vars[i].value, "-D", &d);
    if (status == EXIT_OK)
        status = engine_prepare(e, &d);
    if (status != EXIT_OK)
        goto done;

    int err = io_input_open(&in, input);
    if (err) {
        diag_add(&d, SEV_ERROR, "io-read", name, (size_t)-1, (size_t)-1, "cannot read: %s", strerror(err));
        status = EXIT_IO;
        goto done;
    }
    json_error jerr;
    doc = json_parse(in.data, in.len, NULL, &jerr);
    if (!doc) {
        diag_add(&d, SEV_ERROR, jerr.rule, name, jerr.offset, jerr.offset, "%s", jerr.msg);
        diag_resolve(&d, d.n - 1, in.data, in.len);
        status = EXIT_BADINPUT;
        goto done;
    }
    /* The style is read before any edit changes what it is read from. */
    json_style style;
    json_style_detect(doc, &style);
    size_t from = d.n;
    validator *v = NULL;
    validate_opts vo = {t->out_kind, t->out_stage, NULL, NULL, 0};
    if (t->in_kind != KIND_AUTO || t->out_kind != KIND_AUTO) {
        int vstatus;
        v = validator_new(&vo, &d, &vstatus);
        if (!v) {
            status = vstatus;
            goto done;
        }
    }
    if (t->in_kind != KIND_AUTO) {
        /* Refuse input that is not the kind the tool is for; what the tool is there to
         * fix may be tolerated. */
        diag_list in_d = {0};
        validator_check_doc(v, doc, name, t->in_kind, &in_d);
        for (size_t i = 0; i < in_d.n; i++) {
            finding *f = &in_d.v[i];
            bool tolerated = f->sev != SEV_ERROR;
            for (const char *const *r = t->in_tolerated; r && *r && !tolerated; r++)
                tolerated = !strcmp(*r, f->rule);
            if (tolerated)
                continue;
            char prefix[64];
            snprintf(prefix, sizeof prefix, "input is not a valid %s: ", config_kind_name(t->in_kind));
            diag_copy(&d, f, prefix);
            status = EXIT_BADINPUT;
        }
        diag_free(&in_d);
        if (status != EXIT_OK) {
            validator_free(v);
            goto done;
        }
    }
    status = engine_run(e, doc, name, c.dry_run, &d);
    if (status == EXIT_OK && d.count[SEV_ERROR])
        status = EXIT_FINDINGS;
    if (status == EXIT_OK && !c.dry_run) {
        /* The shared validator sees the result before anything is written. Positions of
         * its findings point into the input; edited nodes at their nearest unedited
         * ancestor. */
        diag_list out_d = {0};
        validator_check_doc(v, doc, name, t->out_kind, &out_d);
        for (size_t i = 0; i < out_d.n; i++) {
            /* Notes about the result repeat what the input already said: keep the rest. */
            finding *f = &out_d.v[i];
            if (f->sev == SEV_NOTE)
                continue;
            diag_copy(&d, f, f->sev == SEV_ERROR ? "result would be invalid: " : "result: ");
        }
        diag_free(&out_d);
        if (d.count[SEV_ERROR])
            status = EXIT_FINDINGS;
    }
    validator_free(v);
    diag_resolve(&d, from, in.data, in.len);
    if (status == EXIT_OK && !c.dry_run)
        status = write_result(&c, input, doc, &style, &d);

done:;
    size_t ncat;
    const diag_rule *cat = engine_catalog(e, &ncat);
    /* Structured reports go to stdout unless the document does. */
    bool doc_on_stdout = !c.dry_run && !c.output && !c.in_place && status == EXIT_OK;
    int fd = c.format != FMT_TEXT && !doc_on_stdout ? 1 : 2;
    if (d.n || c.format != FMT_TEXT)
        if (tool_print(&d, t->prog, c.format, c.quiet, cat, ncat, fd) && fd == 1 && status == EXIT_OK)
            status = EXIT_IO;
    json_doc_free(doc);
    io_input_close(&in);
    engine_free(e);
    diag_free(&d);
    cli_free(&c);
    free(opts);
    free(fv.value);
    return status;
}
