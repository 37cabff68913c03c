/* A mender.conf as the clients read it. Both clients match option names ignoring case
 * and keep the last of repeated names: the C++ client through a case-insensitive JSON map
 * (mendersoftware/mender src/common/json.hpp:52-78, at dc6ff6e), the Go client through
 * encoding/json. */
#include "domain/mender.h"
#include "base/ascii.h"
#include "base/exitcodes.h"
#include "base/oom.h"
#include "base/quote.h"
#include "json/keyset.h"
#include <stdlib.h>
#include <string.h>

/* The last member of obj named name, ignoring case (the one the clients read). */
static json_node *last_icase(const json_node *obj, const char *name)
{
    size_t n = strlen(name);
    json_node *found = NULL;
    if (obj && obj->type == JSON_OBJECT)
        for (json_node *m = json_first(obj); m; m = m->next)
            if (m->key_len == n && ascii_ieq(m->key, name, n))
                found = m;
    return found;
}

static bool usable(const json_node *u)
{
    return u && u->type == JSON_STRING && u->n > 0;
}

size_t mender_usable_servers(const json_node *root, mender_server **list)
{
    size_t n = 0, cap = 4;
    mender_server *v = xmalloc(cap * sizeof *v);
    json_node *servers = last_icase(root, "Servers"), *top = last_icase(root, "ServerURL");
    if (servers && servers->type == JSON_ARRAY) {
        for (json_node *e = json_first(servers); e; e = e->next) {
            json_node *u = last_icase(e, "ServerURL");
            if (!usable(u))
                continue;
            if (n == cap)
                v = xrealloc(v, (cap *= 2) * sizeof *v);
            v[n++] = (mender_server){u, e};
        }
    } else if (usable(top)) {
        v[n++] = (mender_server){top, NULL};
    }
    *list = v;
    return n;
}

mender_client mender_client_of(const engine *e)
{
    const char *c = engine_get(e, "client");
    return c && !strcmp(c, "3") ? MENDER_CLIENT_3 : MENDER_CLIENT_4;
}

bool mender_url_variable(engine_call *c, const char *var, bool allow_http, const char **url, buf *q)
{
    const char *u = engine_get(c->e, var);
    *url = u ? u : "";
    mender_url_quote(q, *url, strlen(*url), 100);
    const char *why = *url[0] ? mender_url_problem(*url, strlen(*url), allow_http, mender_client_of(c->e))
                              : "is empty";
    if (why) {
        engine_report(c, SEV_ERROR, "mender-new-url", NULL, "--%s '%s' %s", var, q->data, why);
        buf_free(q);
        return false;
    }
    return true;
}

int mender_drop_shadowed(engine_call *c)
{
    json_node *obj = c->node;
    if (!obj || obj->type != JSON_OBJECT)
        return EXIT_OK;
    /* From the last member back: a name already seen is repeated later, so the clients
     * never read this spelling. Linear, whatever the number of members. */
    keyset ks;
    keyset_init(&ks, true);
    keyset_push(&ks);
    json_node *first = json_first(obj);
    for (json_node *m = first ? json_last(obj) : NULL; m;) {
        json_node *prev = m == first ? NULL : m->prev;
        const keyrec *later = keyset_add(&ks, m->key, m->key_len, 0);
        if (later) {
            /* Names quoted as everywhere else: a key pasted as a name stays unshown. */
            buf name = BUF_INIT, later_name = BUF_INIT;
            quote_name(&name, m->key, m->key_len, 60);
            quote_name(&later_name, later->key, later->len, 60);
            engine_report(c, SEV_NOTE, "mender-drop-shadowed", m,
                          "%s'%s' removed: a later '%s' repeats it ignoring case, and the client reads the last one",
                          c->dry_run ? "would be " : "", name.data, later_name.data);
            buf_free(&name);
            buf_free(&later_name);
            json_remove(m);
        }
        m = prev;
    }
    keyset_free(&ks);
    return EXIT_OK;
}


const diag_rule mender_drop_shadowed_rules[] = {
    {"mender-drop-shadowed", "an option repeated later under another spelling was removed",
     "Both Mender clients read the last of options repeated ignoring case; the earlier spellings are removed so that "
     "the file says what the client reads."},
    {0, 0, 0},
};
