/* menderconf-artifact: a mender.conf as a Mender Artifact for the menderconf update
 * module (rules/modules/menderconf), the module itself, and an Artifact that installs the
 * module; see menderconf-artifact(1). Artifacts are written by the real mender-artifact
 * (Debian package mender-artifact): this tool prepares and checks the payload. */
#include "app/cli.h"
#include "app/report.h"
#include "app/validate.h"
#include "base/buf.h"
#include "base/exitcodes.h"
#include "base/io.h"
#include "base/oom.h"
#include "base/quote.h"
#include "base/sha256.h"
#include "rules/embedded.h"
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *prog = "menderconf-artifact";

/* Where the module goes on a device (the client's v3 modules directory). */
#define MODULES_DIR "/usr/share/mender/modules/v3"

enum { OPT_CONFIG = 1, OPT_DEVICE_TYPE, OPT_NAME, OPT_EXPECT, OPT_TARGET, OPT_KEY, OPT_MODULE, OPT_MODULE_ARTIFACT,
       OPT_CLIENT };

static const cli_option options[] = {
    {"config", 0, "FILE", "the mender.conf to deliver (checked as the client will load it)", OPT_CONFIG},
    {"device-type", 't', "TYPE", "a device type the Artifact is for (repeatable)", OPT_DEVICE_TYPE},
    {"name", 'N', "NAME", "the Artifact name", OPT_NAME},
    {"expect-current", 0, "FILE", "install only over a config identical to FILE (repeatable)", OPT_EXPECT},
    {"target", 0, "PATH", "the file to replace on the device (default /etc/mender/mender.conf)", OPT_TARGET},
    {"signing-key", 'k', "KEY", "sign the Artifact with KEY (mender-artifact -k)", OPT_KEY},
    {"client", 0, "GEN", "Mender client generation the config must load in: 4 (C++, default) or 3 (Go)", OPT_CLIENT},
    {"module", 0, NULL, "write the update module itself into the directory -o names", OPT_MODULE},
    {"module-artifact", 0, NULL, "write an Artifact that installs the update module", OPT_MODULE_ARTIFACT},
    {0},
};

typedef struct settings {
    const char *config, *name, *target, *key, *client;
    const char *types[32];
    size_t ntypes;
    const char *expect[32];
    size_t nexpect;
    bool module, module_artifact;
} settings;

static int handle(void *ctx, int id, const char *arg)
{
    settings *s = ctx;
    switch (id) {
    case OPT_CONFIG: s->config = arg; return 0;
    case OPT_NAME: s->name = arg; return 0;
    case OPT_TARGET:
        if (arg[0] != '/')
            return cli_usage_error(prog, "--target must be an absolute path, not '%s'", arg);
        s->target = arg;
        return 0;
    case OPT_KEY: s->key = arg; return 0;
    case OPT_MODULE: s->module = true; return 0;
    case OPT_MODULE_ARTIFACT: s->module_artifact = true; return 0;
    case OPT_CLIENT:
        if (strcmp(arg, "4") && strcmp(arg, "3"))
            return cli_usage_error(prog, "--client must be 4 or 3, not '%s'", arg);
        s->client = arg;
        return 0;
    case OPT_DEVICE_TYPE:
        if (s->ntypes == sizeof s->types / sizeof *s->types)
            return cli_usage_error(prog, "at most %zu --device-type", sizeof s->types / sizeof *s->types);
        s->types[s->ntypes++] = arg;
        return 0;
    case OPT_EXPECT:
        if (s->nexpect == sizeof s->expect / sizeof *s->expect)
            return cli_usage_error(prog, "at most %zu --expect-current", sizeof s->expect / sizeof *s->expect);
        s->expect[s->nexpect++] = arg;
        return 0;
    }
    return 0;
}

/* Writes data to path (created mode 0644, or mode) in one go; returns 0 or an errno. */
static int write_file(const char *path, const char *data, size_t len, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
    if (fd < 0)
        return errno;
    size_t done = 0;
    while (done < len) {
        ssize_t w = write(fd, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            int e = errno;
            close(fd);
            return e;
        }
        done += (size_t)w;
    }
    if (fchmod(fd, mode) || close(fd))
        return errno;
    return 0;
}

static void hash_hex(const char *data, size_t len, char hex[65])
{
    sha256 s;
    sha256_init(&s);
    sha256_add(&s, data, len);
    sha256_hex(&s, hex);
}

/* Finds program on PATH; true when it can be run. */
static bool on_path(const char *program)
{
    const char *path = getenv("PATH");
    buf b = BUF_INIT;
    for (const char *p = path ? path : ""; *p;) {
        const char *colon = strchr(p, ':');
        size_t n = colon ? (size_t)(colon - p) : strlen(p);
        buf_clear(&b);
        buf_printf(&b, "%.*s/%s", (int)n, p, program);
        if (n && access(b.data, X_OK) == 0) {
            buf_free(&b);
            return true;
        }
        p += n + (colon != NULL);
    }
    buf_free(&b);
    return false;
}

/* Runs argv (argv[0] found on PATH) with stdout sent to stderr, so our own stdout stays
 * free, and TMPDIR set to tmpdir, so its own temporary files are where a signal ending this
 * program removes them; returns its exit status, or -1 when it could not be started. */
static int run(char *const argv[], const char *tmpdir)
{
    size_t n = 0;
    while (environ[n])
        n++;
    char **env = xcalloc(n + 2, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "TMPDIR=", 7))
            env[k++] = environ[i];
    buf t = BUF_INIT;
    buf_printf(&t, "TMPDIR=%s", tmpdir);
    env[k++] = t.data;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, 2, 1);
    pid_t pid;
    int e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    buf_free(&t);
    free(env);
    if (e)
        return -1;
    io_child(pid);   /* a signal that ends this program ends the child first */
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            io_child(0);
            return -1;
        }
    io_child(0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
}

/* Says on standard error that FILE could not be read or written (what) and why (e), its
 * name quoted as every name from outside is, since it reaches a terminal. */
static void file_error(const char *file, const char *what, int e)
{
    buf name = BUF_INIT;
    quote_controls(&name, file, strlen(file));
    fprintf(stderr, "%s: %s: error: cannot %s: %s\n", prog, name.data, what, strerror(e));
    buf_free(&name);
}

/* Writes out with mender-artifact from the payload files in dir: a module-image of type
 * type; returns an exit code. The Artifact appears complete at out or not at all. */
static int write_artifact(const settings *s, const char *type, const char *name, const char *dir,
                          const char *const *files, size_t nfiles, const char *out_path)
{
    if (!on_path("mender-artifact")) {
        fprintf(stderr, "%s: error: mender-artifact is not installed (Debian package mender-artifact): no Artifact "
                        "written\n", prog);
        return EXIT_IO;
    }
    /* mender-artifact writes into the scratch directory; the Artifact is then copied to
     * out_path as every output is written (all or nothing, /dev/stdout as a stream, the
     * replaced file's mode kept), which out_path.tmp-PID renamed would not give. */
    buf tmp = BUF_INIT;
    buf_printf(&tmp, "%s/artifact.mender", dir);
    char **argv = xcalloc(16 + 2 * s->ntypes + 2 * nfiles, sizeof *argv);
    size_t n = 0;
    argv[n++] = "mender-artifact";
    argv[n++] = "write";
    argv[n++] = "module-image";
    argv[n++] = "-T";
    argv[n++] = (char *)type;
    argv[n++] = "-n";
    argv[n++] = (char *)name;
    for (size_t i = 0; i < s->ntypes; i++) {
        argv[n++] = "-t";
        argv[n++] = (char *)s->types[i];
    }
    buf *paths = xcalloc(nfiles, sizeof *paths);
    for (size_t i = 0; i < nfiles; i++) {
        buf_printf(&paths[i], "%s/%s", dir, files[i]);
        argv[n++] = "-f";
        argv[n++] = paths[i].data;
    }
    if (s->key) {
        argv[n++] = "-k";
        argv[n++] = (char *)s->key;
    }
    argv[n++] = "-o";
    argv[n++] = tmp.data;
    int rc = run(argv, dir);
    int status = EXIT_OK;
    if (rc != 0) {
        fprintf(stderr, "%s: error: mender-artifact %s (exit %d): no Artifact written\n", prog,
                rc < 0 ? "could not be started" : "failed", rc);
        status = EXIT_IO;
    } else {
        buf artifact = BUF_INIT;
        int e = io_read_all(tmp.data, &artifact);
        if (e)
            file_error(tmp.data, "read", e);
        else if ((e = io_write_atomic(out_path, artifact.data, artifact.len)))
            file_error(out_path, "write", e);
        if (e)
            status = EXIT_IO;
        buf_free(&artifact);
    }
    unlink(tmp.data);
    for (size_t i = 0; i < nfiles; i++)
        buf_free(&paths[i]);
    free(paths);
    free(argv);
    buf_free(&tmp);
    return status;
}

/* The module text compiled into this binary (the build guarantees it: see RULE_FILES). */
static const embedded_file *module_text(void)
{
    const embedded_file *m = embedded_find("rules/modules/menderconf");
    if (!m) {
        fprintf(stderr, "%s: error: this build carries no update module\n", prog);
        exit(EXIT_IO);
    }
    return m;
}

/* --module -o DIR: the update module, as DIR/menderconf (mode 0755, written atomically). */
static int write_module(const char *dir)
{
    const embedded_file *m = module_text();
    buf path = BUF_INIT, tmp = BUF_INIT;
    buf_printf(&path, "%s/menderconf", dir);
    buf_printf(&tmp, "%s/.menderconf.tmp-%ld", dir, (long)getpid());
    io_leftover(tmp.data);
    int e = write_file(tmp.data, m->data, m->len, 0755);
    if (!e && rename(tmp.data, path.data))
        e = errno;
    if (e) {
        unlink(tmp.data);
        file_error(path.data, "write", e);
    }
    io_forget(tmp.data);
    buf_free(&path);
    buf_free(&tmp);
    return e ? EXIT_IO : EXIT_OK;
}

/* Makes a private scratch directory for the payload files; NULL (after a message) when
 * it cannot. */
static char *scratch_dir(void)
{
    const char *base = getenv("TMPDIR");
    buf b = BUF_INIT;
    buf_printf(&b, "%s/menderconf-artifact.XXXXXX", base && *base ? base : "/tmp");
    char *dir = buf_detach(&b, NULL);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "%s: error: cannot create a scratch directory: %s\n", prog, strerror(errno));
        free(dir);
        return NULL;
    }
    io_leftover(dir);
    return dir;
}

/* Removes the scratch directory with everything in it: the payload, and whatever
 * mender-artifact left there (its TMPDIR) if it failed. */
static void remove_scratch(char *dir)
{
    io_remove_dir(dir);
    io_forget(dir);
    free(dir);
}

/* --module-artifact: an Artifact for the single-file module that puts the menderconf
 * module into the client's modules directory. */
static int write_module_artifact(const settings *s, const char *out_path)
{
    char *dir = scratch_dir();
    if (!dir)
        return EXIT_IO;
    static const char *const files[] = {"menderconf", "dest_dir", "filename", "permissions"};
    const embedded_file *m = module_text();
    buf p = BUF_INIT;
    int e = 0;
    const char *contents[] = {m->data, MODULES_DIR, "menderconf", "755"};
    size_t lens[] = {m->len, strlen(MODULES_DIR), 10, 3};
    for (size_t i = 0; i < 4 && !e; i++) {
        buf_clear(&p);
        buf_printf(&p, "%s/%s", dir, files[i]);
        e = write_file(p.data, contents[i], lens[i], i ? 0644 : 0755);
    }
    buf_free(&p);
    int status = EXIT_IO;
    if (e)
        fprintf(stderr, "%s: error: cannot write the payload: %s\n", prog, strerror(e));
    else
        status = write_artifact(s, "single-file", s->name ? s->name : "menderconf-module-" TMPLKIT_VERSION, dir,
                                files, 4, out_path);
    remove_scratch(dir);
    return status;
}

/* The default: the config as an Artifact for the menderconf module. */
static int write_config_artifact(const settings *s, const char *out_path, const cli_common *c)
{
    io_input in;
    /* Read, not mapped: the bytes checked are the bytes packed, whatever happens to the
     * file meanwhile. */
    int e = io_input_read(&in, s->config);
    if (e) {
        file_error(s->config, "read", e);
        return EXIT_IO;
    }
    /* The config must load in the client it is for, as a deployed config (a server). */
    diag_list d = {0};
    int status = EXIT_OK;
    validate_opts vo = {KIND_MENDER, "deploy", NULL, s->client, NULL, 0};
    validator *v = validator_new(&vo, &d, &status);
    if (v)
        validator_check_buffer(v, in.data, in.len, s->config, KIND_MENDER, &d);
    if (status == EXIT_OK && d.count[SEV_ERROR]) {
        diag_add(&d, SEV_ERROR, "artifact-config", s->config, (size_t)-1, (size_t)-1,
                 "not a config the client would load as it is: no Artifact written");
        status = EXIT_FINDINGS;
    }
    validator_free(v);
    char want[65];
    hash_hex(in.data, in.len, want);
    buf manifest = BUF_INIT;
    buf_printf(&manifest, "target %s\nsha256 %s\n", s->target ? s->target : "/etc/mender/mender.conf", want);
    for (size_t i = 0; i < s->nexpect && status == EXIT_OK; i++) {
        buf cur = BUF_INIT;
        if ((e = io_read_all(s->expect[i], &cur))) {
            diag_add(&d, SEV_ERROR, "io-read", s->expect[i], (size_t)-1, (size_t)-1, "cannot read: %s", strerror(e));
            status = EXIT_IO;
        } else {
            char h[65];
            hash_hex(cur.data ? cur.data : "", cur.len, h);
            buf_printf(&manifest, "expect %s\n", h);
        }
        buf_free(&cur);
    }
    report_opts ro = {prog, c->format, c->quiet, NULL, 0, NULL, NULL, 0, NULL};
    if (d.n)
        report_write_fd(&d, &ro, 2);
    diag_free(&d);
    static const char *const files[] = {"mender.conf", "manifest"};
    if (status == EXIT_OK) {
        char *dir = scratch_dir();
        if (!dir) {
            status = EXIT_IO;
        } else {
            buf p = BUF_INIT;
            buf_printf(&p, "%s/mender.conf", dir);
            e = write_file(p.data, in.data, in.len, 0600);
            buf_clear(&p);
            buf_printf(&p, "%s/manifest", dir);
            if (!e)
                e = write_file(p.data, manifest.data, manifest.len, 0644);
            buf_free(&p);
            if (e) {
                fprintf(stderr, "%s: error: cannot write the payload: %s\n", prog, strerror(e));
                status = EXIT_IO;
            } else {
                status = write_artifact(s, "menderconf", s->name, dir, files, 2, out_path);
            }
            remove_scratch(dir);
        }
    }
    buf_free(&manifest);
    io_input_close(&in);
    return status;
}

/* The whole program: parses argv, writes what it asks for, returns the exit code. */
static int artifact_main(int argc, char **argv)
{
    settings s = {0};
    cli_spec spec = {prog,
                     "--config FILE --device-type TYPE... --name NAME -o FILE.mender [--expect-current FILE...] "
                     "[--target PATH] [--signing-key KEY] [--client 4|3]\n"
                     "       menderconf-artifact --module -o DIR\n"
                     "       menderconf-artifact --module-artifact --device-type TYPE... [--name NAME] -o FILE.mender",
                     "Deliver a mender.conf as a Mender Artifact, with the update module that installs it.",
                     CO_OUTPUT | CO_FORMAT | CO_QUIET, options, handle, &s,
                     "0 written, 1 the config would not load (nothing written), 2 usage, 5 I/O error, "
                     "mender-artifact missing or failed"};
    cli_common c;
    int r = cli_parse(&spec, argc, argv, &c);
    if (r >= 0) {
        cli_free(&c);
        return r;
    }
    int status;
    if (c.noperands)
        status = (cli_usage_error(prog, "no operands: name the config with --config"), EXIT_USAGE);
    else if (!c.output)
        status = (cli_usage_error(prog, "-o is required"), EXIT_USAGE);
    else if (s.module + s.module_artifact + (s.config != NULL) != 1)
        status = (cli_usage_error(prog, "give exactly one of --config FILE, --module, --module-artifact"), EXIT_USAGE);
    else if (!s.module && !s.ntypes)
        status = (cli_usage_error(prog, "--device-type TYPE is required"), EXIT_USAGE);
    else if (s.config && !s.name)
        status = (cli_usage_error(prog, "--name NAME is required"), EXIT_USAGE);
    else if (s.module)
        status = write_module(c.output);
    else if (s.module_artifact)
        status = write_module_artifact(&s, c.output);
    else
        status = write_config_artifact(&s, c.output, &c);
    cli_free(&c);
    return status;
}

/* Built without main() (TK_SPEC_ONLY, as the other tools are for their specs), the program
 * is exported for the fuzzer, which runs it whole. */
#ifdef TK_SPEC_ONLY
int (*const menderconf_artifact_main)(int, char **) = artifact_main;
#else
int main(int argc, char **argv)
{
    return artifact_main(argc, argv);
}
#endif
