/* menderconf-dual: step 1 of a Mender server move; see menderconf-dual(1). What it does
 * to the config is rules/menderconf-dual.yaml; this file holds its options and the one
 * check a rule cannot express. */
#include "app/tool.h"
#include "base/exitcodes.h"
#include "base/oom.h"
#include "base/quote.h"
#include "domain/mender.h"
#include <stdlib.h>
#include <string.h>

/* Sets rule variable name to n's string value. */
static void put_string_var(engine *e, const char *name, const json_node *n)
{
    char *text = xmalloc(n->n + 1);
    memcpy(text, n->p, n->n);
    text[n->n] = '\0';
    engine_put(e, name, text);
    free(text);
}

/* The built-in "mender-dual-check": sets variable old to the config's current server when
 * it is empty, and refuses (EXIT_USAGE for a bad --new, EXIT_FINDINGS otherwise) a config
 * with no current server, a new server equal to the old one, or a different second server
 * already in Servers. */
static int dual_check(engine_call *c)
{
    const json_node *root = c->node;
    const char *new_url, *old_url = engine_get(c->e, "old");
    old_url = old_url ? old_url : "";
    buf q = BUF_INIT;
    if (!mender_url_variable(c, "new", engine_is_true(c->e, "allow-http"), &new_url, &q))
        return EXIT_USAGE;
    const char *why;
    mender_server *sv;
    size_t n = mender_usable_servers(root, &sv);
    int status = EXIT_OK;
    json_node *servers = json_get_icase(root, "Servers", 7);
    size_t entries = servers && servers->type == JSON_ARRAY ? json_count(servers) : 0;
    if (!*old_url) {
        if (!n) {
            engine_report(c, SEV_ERROR, "mender-no-current-server", root,
                          "the config has no current server (no ServerURL, no Servers entry): give it with --old");
            status = EXIT_FINDINGS;
            goto out;
        }
        put_string_var(c->e, "old", sv[0].node);
        old_url = engine_get(c->e, "old");
    } else if ((why = mender_url_problem(old_url, strlen(old_url), true))) {
        buf o = BUF_INIT;
        quote_into(&o, old_url, strlen(old_url), 100);
        engine_report(c, SEV_ERROR, "mender-old-url", NULL, "--old '%s' %s", o.data, why);
        buf_free(&o);
        status = EXIT_USAGE;
        goto out;
    }
    if (mender_same_server(old_url, strlen(old_url), new_url, strlen(new_url))) {
        engine_report(c, SEV_ERROR, "mender-new-is-old", n ? sv[0].node : root,
                      "the new server '%s' is the current one (compared without a trailing '/' and ignoring the case "
                      "of scheme and host)",
                      q.data);
        status = EXIT_FINDINGS;
        goto out;
    }
    if (entries > 2) {
        engine_report(c, SEV_ERROR, "mender-too-many-servers", servers,
                      "Servers already holds %zu servers; the two-server form has exactly the old and the new one", entries);
        status = EXIT_FINDINGS;
        goto out;
    }
    if (entries == 2) {
        json_node *second = json_get_icase(json_at(servers, 1), "ServerURL", 9);
        if (second && second->type == JSON_STRING) {
            if (!mender_same_server(second->p, second->n, new_url, strlen(new_url))) {
                buf s = BUF_INIT;
                quote_into(&s, second->p, second->n, 100);
                engine_report(c, SEV_ERROR, "mender-other-second-server", second,
                              "Servers already holds a different second server '%s' (not '%s')", s.data, q.data);
                buf_free(&s);
                status = EXIT_FINDINGS;
                goto out;
            }
            /* Already dual: keep the config's own spelling of the new server. */
            put_string_var(c->e, "new", second);
        }
    }
out:
    buf_free(&q);
    free(sv);
    return status;
}

/* Each option is a variable of rules/menderconf-dual.yaml. */
static const tool_flag flags[] = {
    {"new", "URL", "the new server (required)", "new", NULL},
    {"old", "URL", "the current server (default: the config's own)", "old", NULL},
    {"allow-http", NULL, "accept an http:// new server", "allow-http", "true"},
    {0},
};

static const engine_builtin builtins[] = {
    {"mender-dual-check", dual_check, NULL, NULL, NULL},
    {0},
};

static const tool_spec menderconf_dual = {
    .prog = "menderconf-dual",
    .synopsis = "--new URL [--old URL] [--allow-http] [-o FILE | -i] [-n] [FILE]",
    .summary = "Write a mender.conf whose Servers hold the old then the new server, with no top-level ServerURL.",
    .mode = TOOL_FILTER,
    .flags = flags,
    .builtins = builtins,
};

TOOL_MAIN(menderconf_dual)
