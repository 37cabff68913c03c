/* libFuzzer harness: the four IoT Hub template tools, tmpl-apply, the two Mender config
 * filters and menderconf-artifact on arbitrary input, each run as its main() runs it.
 * For any input:
 *   - no tool crashes, hangs or trips ASan/UBSan (PCRE2 is linked as a shared library
 *     here, so an over-read inside pcre2_match shows too);
 *   - a tool that exits 0 wrote a document the validator accepts as its kind (what the
 *     tool's output contract tolerates aside);
 *   - the filters (all but endpoint-audit) are idempotent: run again on their own
 *     output, they exit 0 and write it byte for byte (tmpl-apply with the bundled review
 *     scrub rules, testdata/samples/review-scrub.yaml);
 *   - menderconf-artifact exits 0, 1 or 5, writes its Artifact exactly when it exits 0,
 *     packs the input byte for byte with a manifest naming its SHA-256, and leaves no
 *     scratch file. mender-artifact itself is stood in for by a script that concatenates
 *     the payload files (the real one costs a Go program's start per input; the golden
 *     and module tests run it).
 * The tools come from their files under tools/, compiled with TK_SPEC_ONLY (their specs,
 * or menderconf-artifact's whole program, without main()).
 * Build and run: make fuzz FUZZ_SECONDS=N (from the top of the source tree). */
#include "app/tool.h"
#include "app/validate.h"
#include "base/buf.h"
#include "base/diag.h"
#include "base/io.h"
#include "base/sha256.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern const tool_spec *const tool_spec_endpoint_audit;
extern const tool_spec *const tool_spec_tmpl_scrub;
extern const tool_spec *const tool_spec_tmpl_relocate;
extern const tool_spec *const tool_spec_tmpl_inject_keys;
extern const tool_spec *const tool_spec_menderconf_dual;
extern const tool_spec *const tool_spec_menderconf_final;
extern const tool_spec *const tool_spec_tmpl_apply;
extern int (*const menderconf_artifact_main)(int, char **);

static char dir[64], in_path[96], out_path[96], again_path[96], bin_dir[96], fake_path[128], artifact_path[96],
    scratch_dir[96];

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clean_up(void)
{
    unlink(in_path), unlink(out_path), unlink(again_path), unlink(fake_path), unlink(artifact_path);
    rmdir(bin_dir), rmdir(scratch_dir), rmdir(dir);
}

static void write_file(const char *path, const void *p, size_t n);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc, (void)argv;
    snprintf(dir, sizeof dir, "/tmp/tmplkit-fuzz.XXXXXX");
    if (!mkdtemp(dir))
        abort();
    snprintf(in_path, sizeof in_path, "%s/in.json", dir);
    snprintf(out_path, sizeof out_path, "%s/out.json", dir);
    snprintf(again_path, sizeof again_path, "%s/again.json", dir);
    snprintf(bin_dir, sizeof bin_dir, "%s/bin", dir);
    snprintf(fake_path, sizeof fake_path, "%s/mender-artifact", bin_dir);
    snprintf(artifact_path, sizeof artifact_path, "%s/out.mender", dir);
    snprintf(scratch_dir, sizeof scratch_dir, "%s/scratch", dir);
    atexit(clean_up);
    if (mkdir(bin_dir, 0755) || mkdir(scratch_dir, 0700))
        abort();
    static const char fake[] = "#!/bin/sh\n"
                               "# mender-artifact write ... -f FILE... -o OUT: the payload files, in order, into OUT\n"
                               "out= files=\n"
                               "while [ $# -gt 0 ]; do\n"
                               "    case $1 in -o) out=$2; shift ;; -f) files=\"$files $2\"; shift ;; esac\n"
                               "    shift\n"
                               "done\n"
                               "cat $files > \"$out\"\n";
    write_file(fake_path, fake, sizeof fake - 1);
    chmod(fake_path, 0755);
    const char *path = getenv("PATH");
    buf p = BUF_INIT;
    buf_printf(&p, "%s:%s", bin_dir, path ? path : "/usr/bin:/bin");
    setenv("PATH", p.data, 1);
    setenv("TMPDIR", scratch_dir, 1);
    buf_free(&p);
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

/* menderconf-artifact on the input as a config (and as the config it may replace). */
static void check_artifact(const uint8_t *data, size_t size)
{
    char *argv[] = {"menderconf-artifact", "-q", "--config", in_path, "-t", "dev", "-N", "r1", "--expect-current",
                    in_path, "-o", artifact_path, NULL};
    unlink(artifact_path);
    int saved = dup(2), null = open("/dev/null", O_WRONLY);
    dup2(null, 2);
    close(null);
    int rc = menderconf_artifact_main((int)(sizeof argv / sizeof *argv) - 1, argv);
    dup2(saved, 2);
    close(saved);
    bool written = access(artifact_path, F_OK) == 0;
    if ((rc != 0 && rc != 1 && rc != 5) || written != (rc == 0)) {
        fprintf(stderr, "menderconf-artifact: exit %d, Artifact %s\n", rc, written ? "written" : "not written");
        abort();
    }
    DIR *d = opendir(scratch_dir);
    for (struct dirent *e; d && (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
            fprintf(stderr, "menderconf-artifact left %s in its scratch space\n", e->d_name);
            abort();
        }
    if (d)
        closedir(d);
    if (!written)
        return;
    /* the stand-in packed mender.conf, then the manifest */
    buf b = BUF_INIT;
    if (io_read_all(artifact_path, &b))
        abort();
    sha256 h;
    char hex[65], line[80];
    sha256_init(&h);
    sha256_add(&h, data, size);
    sha256_hex(&h, hex);
    snprintf(line, sizeof line, "\nsha256 %s\n", hex);
    if (b.len < size || (size && memcmp(b.data, data, size)) || !strstr(b.data + size, line)) {
        fprintf(stderr, "menderconf-artifact did not pack the input byte for byte with its checksum\n");
        abort();
    }
    buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    write_file(in_path, data, size);
    static const char *const audit[] = {"--fix", NULL};
    static const char *const scrub[] = {NULL};
    static const char *const relocate[] = {"--location", "westeurope", "--partitions", "4", "--sku", "S1", NULL};
    static const char *const inject[] = {"--keys-env", "TMPLKIT_FUZZ", "--allow-missing", NULL};
    static const char *const mender[] = {"--new", "https://eu.hosted.mender.io", NULL};
    static const char *const apply[] = {"-r", "testdata/samples/review-scrub.yaml", NULL};
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
        {tool_spec_tmpl_apply, apply, KIND_JSON, true},   /* its rule file names no kind */
    };
    for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
        if (run(runs[i].spec, runs[i].args, in_path, out_path) != 0 || access(out_path, F_OK) != 0)
            continue;
        check_valid(out_path, runs[i].kind);
        if (runs[i].filter)
            check_idempotent(runs[i].spec, runs[i].args);
    }
    check_artifact(data, size);
    return 0;
}
