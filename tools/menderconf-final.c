/* menderconf-final: the last step of a Mender server move; see menderconf-final(1). */
#include "../lib/exitcodes.h"
#include "../lib/mender.h"
#include "../lib/tool.h"
#include <string.h>

enum { OPT_NEW = 1, OPT_SERVERS_ARRAY, OPT_FORCE };

typedef struct flags {
    const char *new_url;
    bool servers_array, force;
} flags;

static int handle(void *ctx, int id, const char *arg)
{
    flags *f = ctx;
    if (id == OPT_NEW)
        f->new_url = arg;
    else if (id == OPT_SERVERS_ARRAY)
        f->servers_array = true;
    else if (id == OPT_FORCE)
        f->force = true;
    return 0;
}

/* The flags are the rule file's variables new, servers-array and force. */
static int bind(void *ctx, engine *e, diag_list *d)
{
    flags *f = ctx;
    int rc = EXIT_OK;
    if (f->new_url)
        rc = engine_set(e, "new", 3, f->new_url, "--new", d);
    if (rc == EXIT_OK && f->servers_array)
        rc = engine_set(e, "servers-array", 13, "true", "--servers-array", d);
    if (rc == EXIT_OK && f->force)
        rc = engine_set(e, "force", 5, "true", "--force", d);
    return rc;
}

int main(int argc, char **argv)
{
    static const cli_option options[] = {
        {"new", 0, "URL", "the new server (required)", OPT_NEW},
        {"servers-array", 0, NULL, "keep a one-entry Servers array instead of ServerURL", OPT_SERVERS_ARRAY},
        {"force", 0, NULL, "go on when the new server is not in the config", OPT_FORCE},
        {0},
    };
    static const engine_builtin builtins[] = {{"mender-final-check", mender_final_check, NULL}};
    /* What this tool is there to fix, or reports better itself: */
    static const char *const tolerated[] = {"mender-serverurl-with-servers", "mender-no-server", NULL};
    flags f = {NULL, false, false};
    tool_spec t = {
        .prog = "menderconf-final",
        .synopsis = "--new URL [--servers-array] [--force] [-o FILE | -i] [-n] [FILE]",
        .summary = "Write a mender.conf that names only the new server.",
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
