/* menderconf-dual: step 1 of a Mender server move; see menderconf-dual(1). */
#include "../lib/mender.h"
#include "../lib/tool.h"

int main(int argc, char **argv)
{
    /* Each option is a variable of rules/menderconf-dual.yaml. */
    static const tool_flag flags[] = {
        {"new", "URL", "the new server (required)", "new", NULL},
        {"old", "URL", "the current server (default: the config's own)", "old", NULL},
        {"allow-http", NULL, "accept an http:// new server", "allow-http", "true"},
        {0},
    };
    static const engine_builtin builtins[] = {{"mender-dual-check", mender_dual_check, NULL}};
    /* What this tool is there to fix, or reports better itself: */
    static const char *const tolerated[] = {"mender-serverurl-with-servers", "mender-no-server", NULL};
    tool_spec t = {
        .prog = "menderconf-dual",
        .synopsis = "--new URL [--old URL] [--allow-http] [-o FILE | -i] [-n] [FILE]",
        .summary = "Write a mender.conf whose Servers hold the old then the new server, with no top-level ServerURL.",
        .flags = flags,
        .builtins = builtins,
        .nbuiltins = 1,
        .out_kind = KIND_MENDER,
        .in_kind = KIND_MENDER,
        .in_tolerated = tolerated,
    };
    return tool_main(&t, argc, argv);
}
