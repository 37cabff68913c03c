/* menderconf-dual: step 1 of a Mender server move; see menderconf-dual(1). */
#include "../lib/exitcodes.h"
#include "../lib/mender.h"
#include "../lib/tool.h"
#include <string.h>

enum { OPT_NEW = 1, OPT_OLD, OPT_ALLOW_HTTP };

typedef struct flags {
    const char *new_url, *old_url;
    bool allow_http;
} flags;

static int handle(void *ctx, int id, const char *arg)
{
    flags *f = ctx;
    if (id == OPT_NEW)
        f->new_url = arg;
    else if (id == OPT_OLD)
        f->old_url = arg;
    else if (id == OPT_ALLOW_HTTP)
        f->allow_http = true;
    return 0;
}

/* The flags are the rule file's variables new, old and allow-http. */
static int bind(void *ctx, engine *e, diag_list *d)
{
    flags *f = ctx;
    int rc = EXIT_OK;
    if (f->new_url)
        rc = engine_set(e, "new", 3, f->new_url, "--new", d);
    if (rc == EXIT_OK && f->old_url)
        rc = engine_set(e, "old", 3, f->old_url, "--old", d);
    if (rc == EXIT_OK && f->allow_http)
        rc = engine_set(e, "allow-http", 10, "true", "--allow-http", d);
    return rc;
}

int main(int argc, char **argv)
{
    static const cli_option options[] = {
        {"new", 0, "URL", "the new server (required)", OPT_NEW},
        {"old", 0, "URL", "the current server (default: the config's own)", OPT_OLD},
        {"allow-http", 0, NULL, "accept an http:// new server", OPT_ALLOW_HTTP},
        {0},
    };
    static const engine_builtin builtins[] = {{"mender-dual-check", mender_dual_check, NULL}};
    /* What this tool is there to fix, or reports better itself: */
    static const char *const tolerated[] = {"mender-serverurl-with-servers", "mender-no-server", NULL};
    flags f = {NULL, NULL, false};
    tool_spec t = {
        .prog = "menderconf-dual",
        .synopsis = "--new URL [--old URL] [--allow-http] [-o FILE | -i] [-n] [FILE]",
        .summary = "Write a mender.conf whose Servers hold the old then the new server, with no top-level ServerURL.",
        .options = options,
        .handle = handle,
        .ctx = &f,
        .builtins = builtins,
        .nbuiltins = 1,
        .bind = bind,
        .out_kind = KIND_MENDER,
        .in_kind = KIND_MENDER,
        .in_tolerated = tolerated,
    };
    return tool_main(&t, argc, argv);
}
