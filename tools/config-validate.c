/* config-validate: checks JSON configs (ARM templates, mender.conf, plain JSON) before
 * they ship; see config-validate(1). */
#include "base/buf.h"
#include "app/cli.h"
#include "base/diag.h"
#include "app/report.h"
#include "base/exitcodes.h"
#include "base/io.h"
#include "json/json_write.h"
#include "base/oom.h"
#include "base/quote.h"
#include "app/tool.h"
#include "app/validate.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *prog = "config-validate";

enum { OPT_KIND = 1, OPT_SCHEMA, OPT_STAGE, OPT_FALLBACK, OPT_CLIENT, OPT_VERBOSE };

static const cli_option options[] = {
    {"kind", 0, "KIND", "check as auto (default), json, arm-template or mender-conf", OPT_KIND},
    {"schema", 0, "FILE", "check against this JSON Schema (YAML or .json) instead", OPT_SCHEMA},
    {"stage", 0, "STAGE", "review (default: no secrets) or deploy (no masked keys)", OPT_STAGE},
    {"fallback", 0, "FILE", "mender.conf read before FILE (the client's merged view)", OPT_FALLBACK},
    {"client", 0, "GEN", "Mender client generation verdicts follow: 4 (C++, default) or 3 (Go)", OPT_CLIENT},
    {"verbose", 'v', NULL, "say which kind each file was checked as", OPT_VERBOSE},
    {0},
};

typedef struct settings {
    validate_opts vo;
    const char *fallback;
    bool verbose;
} settings;

static int handle(void *ctx, int id, const char *arg)
{
    settings *s = ctx;
    switch (id) {
    case OPT_KIND: {
        int k = config_kind_parse(arg);
        if (k < 0)
            return cli_usage_error(prog, "--kind must be auto, json, arm-template or mender-conf, not '%s'", arg);
        s->vo.kind = (config_kind)k;
        return 0;
    }
    case OPT_SCHEMA: s->vo.schema_path = arg; return 0;
    case OPT_STAGE:
        if (strcmp(arg, "review") && strcmp(arg, "deploy"))
            return cli_usage_error(prog, "--stage must be review or deploy, not '%s'", arg);
        s->vo.stage = arg;
        return 0;
    case OPT_FALLBACK: s->fallback = arg; return 0;
    case OPT_CLIENT:
        if (strcmp(arg, "4") && strcmp(arg, "3"))
            return cli_usage_error(prog, "--client must be 4 (the C++ client) or 3 (the Go client), not '%s'", arg);
        s->vo.client = arg;
        return 0;
    case OPT_VERBOSE: s->verbose = true; return 0;
    }
    return 0;
}

/* The "files" member of the JSON report: each file and the kind it was checked as. */
static void files_json(buf *b, char **names, const config_kind *kinds, size_t n)
{
    buf_puts(b, "\"files\": [");
    for (size_t i = 0; i < n; i++) {
        buf_puts(b, i ? ", " : "");
        buf one = BUF_INIT;
        out *o = xmalloc(sizeof *o);
        out_init_mem(o, &one);
        buf safe = BUF_INIT;    /* a file name need not be UTF-8: keep the report JSON */
        quote_controls(&safe, names[i], strlen(names[i]));
        json_write_string(o, safe.data, safe.len);
        buf_free(&safe);
        out_flush(o);
        free(o);
        buf_printf(b, "{\"file\": %s, \"kind\": \"%s\"}", one.data, config_kind_name(kinds[i]));
        buf_free(&one);
    }
    buf_puts(b, "]");
}

int main(int argc, char **argv)
{
    settings s = {{KIND_AUTO, "review", NULL, NULL, NULL, 0}, NULL, false};
    cli_spec spec = {prog, "[--kind KIND] [--schema FILE] [-r CHECKS] [--stage STAGE] [--fallback FILE] [--client 4|3] [--format FMT] [-o FILE] [-q] [-v] [FILE...]",
                     "Check JSON configs: strict syntax, the kind's schema and its checks.",
                     CO_FORMAT | CO_QUIET | CO_RULES | CO_OUTPUT, options, handle, &s,
                     "0 no file has an error, 1 a file has an error (syntax included), 2 usage, 4 a schema or check "
                     "rule file is malformed, 5 I/O error"};
    cli_common c;
    int r = cli_parse(&spec, argc, argv, &c);
    if (r >= 0) {
        cli_free(&c);
        return r;
    }
    static char stdin_name[] = "-";
    char *stdin_only[] = {stdin_name};
    char **files = c.noperands ? c.operands : stdin_only;
    size_t nfiles = c.noperands ? c.noperands : 1;
    diag_list d = {0};
    int status = EXIT_OK;
    if (s.fallback && (nfiles != 1 || (s.vo.kind != KIND_AUTO && !config_kind_has_fallback(s.vo.kind)))) {
        cli_usage_error(prog, "--fallback goes with one mender.conf");
        cli_free(&c);
        return EXIT_USAGE;
    }
    s.vo.checks = c.rules;
    s.vo.nchecks = c.nrules;
    validator *v = validator_new(&s.vo, &d, &status);
    config_kind *kinds = xcalloc(nfiles, sizeof *kinds);
    char **names = xcalloc(nfiles, sizeof *names);
    char **headers = xcalloc(nfiles, sizeof *headers);
    report_group *groups = xcalloc(nfiles, sizeof *groups);
    report_opts ro = {prog, c.format, c.quiet, NULL, 0, NULL, NULL, 0, NULL};
    bool io_failed = false;
    /* A gate in a pipeline ("... | config-validate --stage deploy - > deploy.json"): with
     * "-" as the one file and the report on standard error, a document that passes is
     * copied to standard output, byte for byte. */
    bool gate = nfiles == 1 && c.noperands == 1 && !strcmp(files[0], "-") && c.format == FMT_TEXT && !c.output;
    io_input passed = {0};     /* the gate's input, kept open until it is copied out */
    bool keep = false;
    for (size_t i = 0; v && status == EXIT_OK && i < nfiles; i++) {
        const char *path = files[i];
        names[i] = io_is_stdin(path) ? "<stdin>" : (char *)path;
        size_t from = d.n;
        io_input in;
        int e = io_input_open(&in, path);
        if (e) {
            diag_add(&d, SEV_ERROR, "io-read", names[i], (size_t)-1, (size_t)-1, "cannot read: %s", strerror(e));
            io_failed = true;
            kinds[i] = s.vo.kind == KIND_AUTO ? KIND_JSON : s.vo.kind;
        } else if (s.fallback) {
            io_input fb;
            e = io_input_open(&fb, s.fallback);
            if (e) {
                diag_add(&d, SEV_ERROR, "io-read", s.fallback, (size_t)-1, (size_t)-1, "cannot read: %s", strerror(e));
                io_failed = true;
            } else {
                validator_check_mender_pair(v, fb.data, fb.len, s.fallback, in.data, in.len, names[i], &d);
            }
            io_input_close(&fb);
            kinds[i] = KIND_MENDER;
        } else {
            kinds[i] = validator_check_buffer(v, in.data, in.len, names[i], s.vo.kind, &d);
            keep = gate;
        }
        if (keep)
            passed = in;
        else
            io_input_close(&in);
        /* Say which kind applied, so the rules behind the findings make sense (-q: only
         * with -v). */
        if (s.verbose || d.n > from) {
            /* (only then: a clean file costs no allocation, pre-commit passes hundreds) */
            buf h = BUF_INIT;
            quote_controls(&h, names[i], strlen(names[i]));   /* a file name reaches a terminal */
            buf_printf(&h, ": checked as %s", config_kind_name(kinds[i]));
            headers[i] = buf_detach(&h, NULL);
        }
        groups[i] = (report_group){s.verbose || !c.quiet ? headers[i] : NULL, from, d.n - from, s.verbose};
        if (c.format == FMT_TEXT && !c.output && (s.verbose || d.n > from)) {
            /* Text goes out file by file, as each is checked. */
            diag_list one = {d.v + from, d.n - from, d.n - from, {0}};
            report_opts ro1 = ro;
            report_group g1 = {groups[i].header, 0, one.n, groups[i].always};
            ro1.groups = &g1, ro1.ngroups = 1;
            report_write_fd(&one, &ro1, 2);
        }
    }
    if (status != EXIT_OK) {
        report_opts errs = {prog, FMT_TEXT, false, NULL, 0, NULL, NULL, 0, NULL};
        report_write_fd(&d, &errs, 2);
    } else {
        buf extra = BUF_INIT;
        if (c.format == FMT_JSON)
            files_json(&extra, names, kinds, nfiles);
        ro.extra_json = extra.data;
        ro.catalog = v ? validator_catalog(v, &ro.ncatalog) : NULL;
        ro.groups = groups, ro.ngroups = nfiles;
        int werr = 0;
        if (c.output)
            werr = report_write_file(&d, &ro, c.output);
        else if (c.format != FMT_TEXT)
            werr = report_write_fd(&d, &ro, 1);
        buf_free(&extra);
        if (werr) {
            if (c.output) {
                buf name = BUF_INIT;
                quote_controls(&name, c.output, strlen(c.output));   /* a file name reaches a terminal */
                fprintf(stderr, "%s: %s: error: cannot write: %s [io-write]\n", prog, name.data, strerror(werr));
                buf_free(&name);
            } else {
                fprintf(stderr, "%s: error: cannot write the report: %s [io-write]\n", prog, strerror(werr));
            }
            status = EXIT_IO;
        } else {
            status = io_failed ? EXIT_IO : d.count[SEV_ERROR] ? EXIT_FINDINGS : EXIT_OK;
        }
        if (keep && status == EXIT_OK && passed.len) {
            out *o = xmalloc(sizeof *o);
            out_init_fd(o, 1);
            out_write(o, passed.data, passed.len);
            int e = out_flush(o);
            free(o);
            if (e) {
                fprintf(stderr, "%s: error: cannot write output: %s [io-write]\n", prog, strerror(e));
                status = EXIT_IO;
            }
        }
    }
    if (keep)
        io_input_close(&passed);
    for (size_t i = 0; i < nfiles; i++)
        free(headers[i]);
    free(headers);
    free(groups);
    free(kinds);
    free(names);
    validator_free(v);
    diag_free(&d);
    cli_free(&c);
    return status;
}
