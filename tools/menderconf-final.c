/* menderconf-final: the last step of a Mender server move; see menderconf-final(1). */
#include "../lib/mender.h"

int main(int argc, char **argv)
{
    /* Each option is a variable of rules/menderconf-final.yaml. */
    static const tool_flag flags[] = {
        {"new", "URL", "the new server (required)", "new", NULL},
        {"servers-array", NULL, "keep a one-entry Servers array instead of ServerURL", "servers-array", "true"},
        {"force", NULL, "go on when the new server is not in the config", "force", "true"},
        {0},
    };
    static const engine_builtin check = {"mender-final-check", mender_final_check, NULL};
    return mender_tool_main("menderconf-final", "--new URL [--servers-array] [--force] [-o FILE | -i] [-n] [FILE]",
                            "Write a mender.conf that names only the new server.", flags, &check, argc, argv);
}
