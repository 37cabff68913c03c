/* menderconf-dual: step 1 of a Mender server move; see menderconf-dual(1). What it does
 * to the config is rules/menderconf-dual.yaml; this file holds its options and the one
 * check a rule cannot express. */
#include "app/tool.h"
#include "base/ascii.h"
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

/* The last member of obj named name ignoring case (the one the clients read), or NULL. */
static json_node *option(const json_node *obj, const char *name)
{
    size_t n = strlen(name);
    json_node *found = NULL;
    for (json_node *m = obj && obj->type == JSON_OBJECT ? json_first(obj) : NULL; m; m = m->next)
        if (m->key_len == n && ascii_ieq(m->key, name, n))
            found = m;
    return found;
}

/* The built-in "mender-dual-check". The servers a device uses are the config's Servers
 * when it has them (the C++ client reads Servers first and stops at a ServerURL beside
 * them: mendersoftware/mender src/client_shared/config_parser/config_parser.cpp:271-314;
 * the Go client refuses both, conf/config.go:191-197 at 3.5.3), else its ServerURL. The
 * first of them is the old server, and stays first: a device keeps reaching its current
 * server until the final step. Sets variable old (when not given) and mode: "create"
 * (Servers made from the old and new server), "append" (the new server added after the
 * one Servers entry, which keeps its other members) or "keep" (already dual). Refuses
 * (EXIT_USAGE for a bad --new or --old, EXIT_FINDINGS otherwise) a config with no current
 * server, an --old that is not the config's own server unless --force, a new server equal
 * to the old one, a different second server, or more than two. */
static int dual_check(engine_call *c)
{
    const json_node *root = c->node;
    const char *new_url, *old_url = engine_get(c->e, "old");
    old_url = old_url ? old_url : "";
    buf q = BUF_INIT;
    if (!mender_url_variable(c, "new", engine_is_true(c->e, "allow-http"), &new_url, &q))
        return EXIT_USAGE;
    mender_server *sv;
    size_t n = mender_usable_servers(root, &sv);
    int status = EXIT_OK;
    json_node *servers = option(root, "Servers"), *top = option(root, "ServerURL");
    bool has_array = servers && servers->type == JSON_ARRAY;
    size_t entries = has_array ? json_count(servers) : 0;
    const char *mode = entries == 1 ? "append" : "create";
    bool forced = false;    /* --force --old: Servers is made anew from --old and --new */
    if (*old_url) {
        buf o = BUF_INIT;
        mender_url_quote(&o, old_url, strlen(old_url), 100);
        const char *why = mender_url_problem(old_url, strlen(old_url), true, mender_client_of(c->e));
        if (why) {
            engine_report(c, SEV_ERROR, "mender-old-url", NULL, "--old '%s' %s", o.data, why);
            status = EXIT_USAGE;
        } else if (n && !mender_same_server(old_url, strlen(old_url), sv[0].node->p, sv[0].node->n)) {
            buf cur = BUF_INIT;
            mender_url_quote(&cur, sv[0].node->p, sv[0].node->n, 100);
            if (!engine_is_true(c->e, "force")) {
                engine_report(c, SEV_ERROR, "mender-old-not-current", sv[0].node,
                              "--old '%s' is not the server this config uses ('%s'): the device would stop reaching "
                              "it; leave --old out, or add --force to replace it",
                              o.data, cur.data);
                status = EXIT_FINDINGS;
            } else {
                engine_report(c, SEV_NOTE, "mender-old-not-current", sv[0].node,
                              "--force: '%s' replaced by --old '%s'", cur.data, o.data);
                mode = "create";
                forced = true;
            }
            buf_free(&cur);
        }
        buf_free(&o);
        if (status != EXIT_OK)
            goto out;
    } else {
        if (!n) {
            engine_report(c, SEV_ERROR, "mender-no-current-server", root,
                          "the config has no current server (no ServerURL, no Servers entry): give it with --old");
            status = EXIT_FINDINGS;
            goto out;
        }
        put_string_var(c->e, "old", sv[0].node);
        old_url = engine_get(c->e, "old");
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
    if (entries == 2 && !forced) {
        json_node *second = option(json_at(servers, 1), "ServerURL");
        if (second && second->type == JSON_STRING) {
            if (!mender_same_server(second->p, second->n, new_url, strlen(new_url))) {
                buf s2 = BUF_INIT;
                mender_url_quote(&s2, second->p, second->n, 100);
                engine_report(c, SEV_ERROR, "mender-other-second-server", second,
                              "Servers already holds a different second server '%s' (not '%s')", s2.data, q.data);
                buf_free(&s2);
                status = EXIT_FINDINGS;
                goto out;
            }
            /* Already dual: keep the config's own spelling of the new server. */
            put_string_var(c->e, "new", second);
            mode = "keep";
        }
    }
    if (has_array && top && top->type == JSON_STRING && top->n) {
        /* What the device loses, said out loud: a ServerURL beside Servers is one no client
         * uses (the 4.x client stops loading the file there, the 3.x client refuses it). */
        buf t = BUF_INIT;
        mender_url_quote(&t, top->p, top->n, 100);
        engine_report(c, SEV_NOTE, "mender-stray-serverurl", top,
                      "%s the top-level ServerURL '%s': the client uses Servers, and a ServerURL beside them makes the "
                      "4.x client ignore the rest of the file (the 3.x client refuses it)",
                      c->dry_run ? "would remove" : "removed", t.data);
        buf_free(&t);
    }
    engine_put(c->e, "mode", mode);
out:
    buf_free(&q);
    free(sv);
    return status;
}

/* Each option is a variable of rules/menderconf-dual.yaml. */
static const tool_flag flags[] = {
    {"new", "URL", "the new server (required)", "new", NULL, false, false},
    {"old", "URL", "the current server (default: the config's own)", "old", NULL, false, false},
    {"allow-http", NULL, "accept an http:// new server", "allow-http", "true", false, false},
    {"force", NULL, "replace the config's own server with --old", "force", "true", false, false},
    {"client", "GEN", "Mender client generation to check for: 4 (C++, default) or 3 (Go)", "client", NULL, false, false},
    {0},
};

/* What the rule ids dual_check reports mean (SARIF). */
static const diag_rule dual_rules[] = {
    {"mender-new-url", "--new is not a URL the client can use", "Give an absolute https URL with a lower-case scheme, no user name or password and a valid port (http with --allow-http)."},
    {"mender-old-url", "--old is not a server URL", "Give the current server as an absolute http(s) URL."},
    {"mender-old-not-current", "--old is not the server the config uses", "Leave --old out to keep the config's own server first, or add --force to replace it."},
    {"mender-no-current-server", "the config has no server to keep", "Give the current server with --old."},
    {"mender-new-is-old", "the new server is the current one", "Nothing to move: check --new."},
    {"mender-too-many-servers", "Servers holds more than two servers", "The two-server form has exactly the old and the new server; edit Servers by hand."},
    {"mender-other-second-server", "Servers already holds a different second server", "Remove the other server first, or move to it instead."},
    {"mender-stray-serverurl", "a top-level ServerURL beside Servers was removed", "No client uses it: the C++ client stops loading the file there, the Go client refuses it."},
    {0, 0, 0},
};

static const engine_builtin builtins[] = {
    {"mender-dual-check", dual_check, NULL, NULL, NULL, dual_rules},
    MENDER_DROP_SHADOWED_BUILTIN,
    {0},
};

static const tool_spec menderconf_dual = {
    .prog = "menderconf-dual",
    .synopsis = "--new URL [--old URL [--force]] [--allow-http] [--client 4|3] [-o FILE | -i] [-n] [FILE]",
    .summary = "Write a mender.conf whose Servers hold the old then the new server, with no top-level ServerURL.",
    .mode = TOOL_FILTER,
    .flags = flags,
    .builtins = builtins,
};

TOOL_MAIN(menderconf_dual)
