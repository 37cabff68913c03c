/* menderconf-dual: step 1 of a Mender server move; see menderconf-dual(1). */
#include "../lib/mender.h"

int main(int argc, char **argv)
{
    /* Each option is a variable of rules/menderconf-dual.yaml. */
    static const tool_flag flags[] = {
        {"new", "URL", "the new server (required)", "new", NULL},
        {"old", "URL", "the current server (default: the config's own)", "old", NULL},
        {"allow-http", NULL, "accept an http:// new server", "allow-http", "true"},
        {0},
    };
    static const engine_builtin check = {"mender-dual-check", mender_dual_check, NULL};
    return mender_tool_main("menderconf-dual", "--new URL [--old URL] [--allow-http] [-o FILE | -i] [-n] [FILE]",
                            "Write a mender.conf whose Servers hold the old then the new server, with no top-level "
                            "ServerURL.",
                            flags, &check, argc, argv);
}
