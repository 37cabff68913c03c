/* libFuzzer harness: the four IoT Hub template tools and the two Mender config filters on
 * arbitrary input, each with its compiled-in rules, run as their main() runs them
 * (tool_main). For any input:
 *   - no tool crashes, hangs or trips ASan/UBSan (PCRE2 is linked as a shared library
 *     here, so an over-read inside pcre2_match shows too);
 *   - a tool that exits 0 wrote a document the validator accepts as its kind (what the
 *     tool's output contract tolerates aside);
 *   - the filters (all but endpoint-audit) are idempotent: run again on their own
 *     output, they exit 0 and write it byte for byte.
 * The tools come from their files under tools/, compiled with TK_SPEC_ONLY (their specs,
 * no main()).
 * Build and run: make fuzz FUZZ_SECONDS=N. */
#include "app/tool.h"
#include "app/validate.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/io.h"
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const tool_spec *const tool_spec_endpoint_audit;
extern const tool_spec *const tool_spec_tmpl_scrub;
extern const tool_spec *const tool_spec_tmpl_relocate;
extern const tool_spec *const tool_spec_tmpl_inject_keys;
extern const tool_spec *const tool_spec_menderconf_dual;
extern const tool_spec *const tool_spec_menderconf_final;

static char dir[64], in_path[96], out_path[96], again_path[96];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clean_up(void)
{
    unlink(in_path), unlink(out_path), unlink(again_path);
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(dir, sizeof dir, "/tmp/tmplkit-fuzz.XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(in_path, sizeof in_path, "%s/in.json", dir);
    snprintf(out_path, sizeof out_path, "%s/out.json", dir);
    snprintf(again_path, sizeof again_path, "%s/again.json", dir);
    atexit(clean_up);
    /* The tools report on stdout and stderr: keep libFuzzer's own output readable. */
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    close(null);
    return 0;
}

static void write_file(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(p, 1, n, f) != n || fclose(f) != 0)
        abort();
}

static int run(const tool_spec *t, const char *const *args, const char *input, const char *output)
{
    char *argv[16];
    int argc = 0;
    argv[argc++] = (char *)t->prog;
    for (; *args; args++)
        argv[argc++] = (char *)*args;
    argv[argc++] = "-q";
    argv[argc++] = "-o";
    argv[argc++] = (char *)output;
    argv[argc++] = (char *)input;
    argv[argc] = NULL;
    unlink(output);
    /* stderr only while the tool runs: libFuzzer reports on it */
    int saved = dup(2), null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    close(null);
    int rc = tool_main(t, argc, argv);
    dup2(saved, 2);
    close(saved);
    return rc;
}

/* The document the tool wrote passes the validator at review, but for the rule ids its
 * output contract leaves to a later tool (keys, and a region --allow-unknown-region
 * accepted; none of the runs here asks for one). */
static void check_valid(const char *path, config_kind kind)
{
    buf b = BUF_INIT;
    if (io_read_all(path, &b))
        abort();
    diag_list d = {0};
    int status = 0;
    validate_opts vo = {kind, "review", NULL, NULL, NULL, 0};
    validator *v = validator_new(&vo, &d, &status);
    validator_check_buffer(v, b.data, b.len, "out.json", kind, &d);
    for (size_t i = 0; i < d.n; i++) {
        const char *r = d.v[i].rule;
        if (d.v[i].sev == SEV_ERROR && strcmp(r, "arm-plaintext-key") && strcmp(r, "arm-plaintext-sas") &&
            strcmp(r, "arm-plaintext-cosmos-key") && strcmp(r, "arm-key-shaped-string") &&
            strcmp(r, "arm-masked-key-deploy") && strcmp(r, "mender-no-server")) {
            fprintf(stderr, "a tool wrote a document the validator rejects: [%s] %s\n", r, d.v[i].message);
            abort();
        }
    }
    validator_free(v);
    diag_free(&d);
    buf_free(&b);
}

static bool same_file(const char *a, const char *b)
{
    buf x = BUF_INIT, y = BUF_INIT;
    bool same = !io_read_all(a, &x) && !io_read_all(b, &y) && x.len == y.len && !memcmp(x.data, y.data, x.len);
    buf_free(&x), buf_free(&y);
    return same;
}

/* A filter run on its own output changes nothing. */
static void check_idempotent(const tool_spec *t, const char *const *args)
{
    int rc = run(t, args, out_path, again_path);
    if (rc != 0 || !same_file(out_path, again_path)) {
        fprintf(stderr, "%s is not idempotent (second run: exit %d)\n", t->prog, rc);
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_file(in_path, data, size);
    static const char *const audit[] = {"--fix", NULL};
    static const char *const scrub[] = {NULL};
    static const char *const relocate[] = {"--location", "westeurope", "--partitions", "4", "--sku", "S1", NULL};
    static const char *const inject[] = {"--keys-env", "TMPLKIT_FUZZ", "--allow-missing", NULL};
    static const char *const mender[] = {"--new", "https://eu.hosted.mender.io", NULL};
    /* each tool, the kind of what it writes, and whether it is a filter (idempotent) */
    const struct {
        const tool_spec *spec;
        const char *const *args;
        config_kind kind;
        bool filter;
    } runs[] = {
        {tool_spec_endpoint_audit, audit, KIND_ARM, false},
        {tool_spec_tmpl_scrub, scrub, KIND_ARM, true},
        {tool_spec_tmpl_relocate, relocate, KIND_ARM, true},
        {tool_spec_tmpl_inject_keys, inject, KIND_ARM, true},
        {tool_spec_menderconf_dual, mender, KIND_MENDER, true},
        {tool_spec_menderconf_final, mender, KIND_MENDER, true},
    };
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        if (run(runs[i].spec, runs[i].args, in_path, out_path) != 0 || access(out_path, F_OK) != 0)
            continue;
        check_valid(out_path, runs[i].kind);
        if (runs[i].filter)
            check_idempotent(runs[i].spec, runs[i].args);
    }
    return 0;
}
