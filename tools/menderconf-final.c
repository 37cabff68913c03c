/* menderconf-final: the last step of a Mender server move; see menderconf-final(1). What
 * it does to the config is rules/menderconf-final.yaml; this file holds its options and
 * the one check a rule cannot express. */
#include "app/tool.h"
#include "base/exitcodes.h"
#include "domain/mender.h"
#include <stdlib.h>
#include <string.h>

/* The built-in "mender-final-check": refuses (EXIT_FINDINGS) when the new server is not
 * among the config's servers and variable force is not "true"; keeps a one-entry Servers
 * array as it is (sets servers-array to "true"). */
static int final_check(engine_call *c)
{
    const json_node *root = c->node;
    const char *new_url;
    buf q = BUF_INIT;
    int status = EXIT_OK;
    if (!mender_url_variable(c, "new", true, &new_url, &q))
        return EXIT_USAGE;
    mender_server *sv;
    size_t n = mender_usable_servers(root, &sv);
    bool found = false;
    for (size_t i = 0; i < n && !found; i++)
        found = mender_same_server(sv[i].node->p, sv[i].node->n, new_url, strlen(new_url));
    if (!found && !engine_is_true(c->e, "force")) {
        engine_report(c, SEV_ERROR, "mender-new-not-listed", root,
                      "the new server '%s' is not among the config's servers: run menderconf-dual first (or --force)",
                      q.data);
        status = EXIT_FINDINGS;
    }
    json_node *servers = json_get_icase(root, "Servers", 7);
    if (servers && servers->type == JSON_ARRAY && json_count(servers) == 1 && !json_get_icase(root, "ServerURL", 9))
        engine_put(c->e, "servers-array", "true");  /* the input's own style */
    buf_free(&q);
    free(sv);
    return status;
}

/* Each option is a variable of rules/menderconf-final.yaml. */
static const tool_flag flags[] = {
    {"new", "URL", "the new server (required)", "new", NULL, false, false},
    {"servers-array", NULL, "keep a one-entry Servers array instead of ServerURL", "servers-array", "true", false, false},
    {"force", NULL, "go on when the new server is not in the config", "force", "true", false, false},
    {"client", "GEN", "Mender client generation to check for: 4 (C++, default) or 3 (Go)", "client", NULL, false, false},
    {0},
};

/* What the rule ids final_check reports mean (SARIF). */
static const diag_rule final_rules[] = {
    {"mender-new-url", "--new is not a URL the client can use", "Give an absolute https URL with a lower-case scheme, no user name or password and a valid port."},
    {"mender-new-not-listed", "the new server is not among the config's servers", "Run menderconf-dual first, so that devices already know the new server, or add --force."},
    {0, 0, 0},
};

static const engine_builtin builtins[] = {
    {"mender-final-check", final_check, NULL, NULL, NULL, final_rules},
    MENDER_DROP_SHADOWED_BUILTIN,
    {0},
};

static const tool_spec menderconf_final = {
    .prog = "menderconf-final",
    .synopsis = "--new URL [--servers-array] [--force] [--client 4|3] [-o FILE | -i] [-n] [FILE]",
    .summary = "Write a mender.conf that names only the new server.",
    .mode = TOOL_FILTER,
    .flags = flags,
    .builtins = builtins,
};

TOOL_MAIN(menderconf_final)
