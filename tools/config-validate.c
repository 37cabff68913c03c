/* config-validate: checks JSON configs before they ship; see config-validate(1). */
#include "../lib/buf.h"
#include "../lib/cli.h"
#include "../lib/diag.h"
#include "../lib/exitcodes.h"
#include "../lib/io.h"
#include "../lib/out.h"
#include "../lib/validate.h"
#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *prog = "config-validate";

enum { OPT_KIND = 1 };

static const cli_option options[] = {
    {"kind", 0, "KIND", "check as KIND: auto (default) or json", OPT_KIND},
    {0},
};

static const diag_rule catalog[] = {
    {"json-syntax", "the file is not strict JSON (RFC 8259)", "Fix the syntax at the reported position; comments, trailing commas, single quotes and unquoted names are not JSON."},
    {"json-bom", "the file starts with a UTF-8 byte order mark", "Save the file as UTF-8 without a BOM; RFC 8259 forbids adding one."},
    {"json-empty", "the file is empty", "A config must hold one JSON value."},
    {"json-trailing", "content follows the JSON value", "Remove what follows the end of the top-level value."},
    {"json-depth", "nesting is deeper than the parser allows", "Flatten the document; no config needs this depth."},
    {"json-encoding", "the file is not valid UTF-8", "Re-encode the file as UTF-8."},
    {"json-duplicate-key", "an object repeats a member name", "Keep one member per name: readers disagree on which duplicate wins."},
    {"io-read", "the file cannot be read", "Check the path and its permissions."},
};

static int handle(void *ctx, int id, const char *arg)
{
    validate_opts *o = ctx;
    if (id == OPT_KIND) {
        int k = config_kind_parse(arg);
        if (k < 0)
            return cli_usage_error(prog, "--kind must be auto or json, not '%s'", arg);
        o->kind = (config_kind)k;
    }
    return 0;
}

int main(int argc, char **argv)
{
    validate_opts vo = {KIND_AUTO};
    cli_spec spec = {prog, "[--kind KIND] [--format FMT] [-q] [FILE...]",
                     "Check JSON configs for strict syntax and duplicate member names.",
                     CO_FORMAT | CO_QUIET, options, handle, &vo};
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
    static out err_out;
    out_init_fd(&err_out, 2);
    bool io_failed = false;
    buf in = BUF_INIT;
    for (size_t i = 0; i < nfiles; i++) {
        const char *path = files[i];
        const char *name = io_is_stdin(path) ? "<stdin>" : path;
        size_t from = d.n;
        buf_clear(&in);
        int e = io_read_all(path, &in);
        if (e) {
            diag_add(&d, SEV_ERROR, "io-read", name, (size_t)-1, (size_t)-1, "cannot read: %s", strerror(e));
            io_failed = true;
        } else {
            validate_buffer(in.data, in.len, name, &vo, &d);
        }
        if (c.format == FMT_TEXT)
            for (size_t k = from; k < d.n; k++)
                if (!c.quiet || d.v[k].sev == SEV_ERROR)
                    diag_render_one(&d.v[k], prog, &err_out);
    }
    buf_free(&in);
    out_flush(&err_out);

    static out std_out;
    out_init_fd(&std_out, 1);
    if (c.format == FMT_JSON)
        diag_render_json(&d, prog, NULL, &std_out);
    else if (c.format == FMT_SARIF)
        diag_render_sarif(&d, prog, TMPLKIT_VERSION, catalog, sizeof catalog / sizeof *catalog, &std_out);
    int werr = out_flush(&std_out);
    int status = io_failed ? EXIT_IO : d.count[SEV_ERROR] ? EXIT_FINDINGS : EXIT_OK;
    if (werr) {
        fprintf(stderr, "%s: error: cannot write output: %s\n", prog, strerror(werr));
        status = EXIT_IO;
    }
    diag_free(&d);
    cli_free(&c);
    return status;
}
