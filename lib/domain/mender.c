#include "domain/mender.h"
#include "base/ascii.h"
#include "base/exitcodes.h"
#include "json/json_dup.h"
#include "base/oom.h"
#include "base/pos.h"
#include "base/quote.h"
#include <stdlib.h>
#include <string.h>

/* Lists the server URL nodes of a config in the order the client tries them: the
 * top-level ServerURL, then each Servers entry's ServerURL; entries without one are
 * listed with node NULL. Returns the count; *list is malloc'd. */
static size_t mender_servers(const json_node *root, mender_server **list)
{
    size_t n = 0, cap = 4;
    mender_server *v = xmalloc(cap * sizeof *v);
    if (root && root->type == JSON_OBJECT) {
        json_node *top = json_get_icase(root, "ServerURL", 9);
        if (top)
            v[n++] = (mender_server){top, NULL};
        json_node *servers = json_get_icase(root, "Servers", 7);
        if (servers && servers->type == JSON_ARRAY)
            for (json_node *e = json_first(servers); e; e = e->next) {
                if (n == cap)
                    v = xrealloc(v, (cap *= 2) * sizeof *v);
                v[n++] = (mender_server){e->type == JSON_OBJECT ? json_get_icase(e, "ServerURL", 9) : NULL, e};
            }
    }
    *list = v;
    return n;
}

/* Appends url in the form two URLs are compared in: scheme and host lower-cased, trailing
 * '/' removed. */
static void mender_url_normalize(const char *url, size_t len, buf *dst)
{
    while (len && url[len - 1] == '/')
        len--;
    const char *sep = NULL;
    for (size_t i = 0; i + 2 < len; i++)
        if (url[i] == ':' && url[i + 1] == '/' && url[i + 2] == '/') {
            sep = url + i;
            break;
        }
    /* Lower-case up to the end of the host (scheme and authority are case-insensitive). */
    size_t host_end = len;
    if (sep) {
        const char *h = sep + 3;
        while (h < url + len && *h != '/' && *h != '?' && *h != '#')
            h++;
        host_end = (size_t)(h - url);
    } else {
        host_end = 0;
    }
    for (size_t i = 0; i < len; i++) {
        buf_putc(dst, i < host_end ? (char)ascii_lower((unsigned char)url[i]) : url[i]);
    }
    if (!dst->data)
        buf_reserve(dst, 0), dst->data[0] = '\0';
}

const char *mender_url_problem(const char *url, size_t len, bool allow_http)
{
    size_t skip;
    if (len >= 8 && ascii_ieq(url, "https://", 8))
        skip = 8;
    else if (len >= 7 && ascii_ieq(url, "http://", 7))
        skip = allow_http ? 7 : 0;
    else
        return allow_http ? "is not an absolute http(s) URL" : "is not an absolute https URL";
    if (!skip)
        return "uses http:// (use https, or allow http explicitly)";
    size_t h = skip;
    while (h < len && url[h] != '/' && url[h] != '?' && url[h] != '#')
        h++;
    if (h == skip)
        return "has no host";
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] <= ' ' || url[i] == '\\')
            return "holds a space, a control character or a backslash";
    return NULL;
}

/* The number of single-character edits that turn a into b (ignoring ASCII case), capped. */
static size_t edit_distance(const char *a, size_t an, const char *b, size_t bn)
{
    if (an > 40 || bn > 40)
        return 99;
    size_t row[41];
    for (size_t j = 0; j <= bn; j++)
        row[j] = j;
    for (size_t i = 1; i <= an; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= bn; j++) {
            unsigned char x = ascii_lower((unsigned char)a[i - 1]), y = ascii_lower((unsigned char)b[j - 1]);
            size_t cost = prev + (x != y), del = row[j] + 1, ins = row[j - 1] + 1;
            prev = row[j];
            row[j] = cost < del ? (cost < ins ? cost : ins) : (del < ins ? del : ins);
        }
    }
    return row[bn];
}

static void check_names(engine_call *c, const json_node *root, const json_node *known, const json_node *obsolete)
{
    for (const json_node *m = json_first(root); m; m = m->next) {
        const json_node *exact = NULL, *icase = NULL, *near = NULL;
        for (const json_node *k = json_first(known); k && !exact; k = k->next) {
            if (k->type != JSON_STRING || k->n != m->key_len)
                continue;
            if (!memcmp(k->p, m->key, k->n))
                exact = k;
            else if (!icase && ascii_ieq(m->key, k->p, k->n))
                icase = k;
        }
        for (const json_node *k = json_first(obsolete); k && (exact || icase); k = k->next)
            if (k->type == JSON_STRING && k->n == m->key_len && ascii_ieq(m->key, k->p, k->n))
                engine_report(c, SEV_NOTE, "mender-obsolete-option", m,
                              "option '%.*s' is no longer read by the current Mender client", (int)k->n, (const char *)k->p);
        if (exact)
            continue;
        buf q = BUF_INIT;
        quote_into(&q, m->key, m->key_len, 60);
        if (icase) {
            engine_report(c, SEV_WARNING, "mender-option-case", m,
                          "option '%s' is spelled '%.*s' (the client matches names ignoring case, readers of the file may not)",
                          q.data, (int)icase->n, (const char *)icase->p);
        } else {
            /* Unknown: suggest the nearest known name, when it is near enough to be a typo. */
            size_t best = 99;
            for (const json_node *k = json_first(known); k; k = k->next) {
                size_t dist = k->type == JSON_STRING ? edit_distance(k->p, k->n, m->key, m->key_len) : 99;
                if (dist < best)
                    best = dist, near = k;
            }
            if (near && best <= 3)
                engine_report(c, SEV_WARNING, "mender-unknown-option", m, "unknown option '%s' (did you mean '%.*s'?)",
                              q.data, (int)near->n, (const char *)near->p);
            else
                engine_report(c, SEV_WARNING, "mender-unknown-option", m, "unknown option '%s'", q.data ? q.data : "");
        }
        buf_free(&q);
    }
}

typedef struct dup_ctx {
    engine_call *c;
} dup_ctx;

static void report_icase_dup(void *ctx, const json_node *dup, const json_node *first)
{
    engine_call *c = ((dup_ctx *)ctx)->c;
    pos p = pos_of_split(c->doc->src, c->doc->src_len, c->doc->src_split, json_report_offset(c->doc, first));
    buf a = BUF_INIT, b = BUF_INIT;
    quote_into(&a, dup->key, dup->key_len, 60);
    quote_into(&b, first->key, first->key_len, 60);
    engine_report(c, SEV_ERROR, "mender-duplicate-option", dup,
                  "duplicate option '%s' (also '%s' at line %zu, column %zu): the Mender client matches names ignoring "
                  "case and keeps the last one",
                  a.data ? a.data : "", b.data ? b.data : "", p.line, p.col);
    buf_free(&a);
    buf_free(&b);
}

static void check_servers(engine_call *c, const json_node *root)
{
    mender_server *sv;
    size_t n = mender_servers(root, &sv);
    size_t usable = 0;
    buf *norm = xcalloc(n + 1, sizeof *norm);
    for (size_t i = 0; i < n; i++) {
        json_node *u = sv[i].node;
        if (!u) {
            if (sv[i].entry->type == JSON_OBJECT)   /* other shapes: the schema says so */
                engine_report(c, SEV_ERROR, "mender-servers-shape", sv[i].entry, "Servers entry without a ServerURL");
            continue;
        }
        if (u->type != JSON_STRING)
            continue;   /* the schema reports the type */
        if (u->n == 0) {
            if (sv[i].entry || json_get_icase(root, "Servers", 7) == NULL)
                engine_report(c, SEV_WARNING, "mender-empty-server", u, "empty server URL");
            continue;
        }
        const char *why = mender_url_problem(u->p, u->n, true);
        if (why) {
            buf q = BUF_INIT;
            quote_into(&q, u->p, u->n, 80);
            engine_report(c, SEV_ERROR, "mender-server-url", u, "server URL '%s' %s", q.data, why);
            buf_free(&q);
            continue;
        }
        usable++;
        mender_url_normalize(u->p, u->n, &norm[i]);
        for (size_t k = 0; k < i; k++)
            if (norm[k].data && !strcmp(norm[k].data, norm[i].data)) {
                pos p = pos_of_split(c->doc->src, c->doc->src_len, c->doc->src_split, json_report_offset(c->doc, sv[k].node));
                engine_report(c, SEV_WARNING, "mender-duplicate-server", u,
                              "the same server as line %zu, column %zu (after removing a trailing '/' and case of "
                              "scheme and host)",
                              p.line, p.col);
                break;
            }
    }
    if (!usable)
        engine_report(c, SEV_ERROR, "mender-no-server", root,
                      "no usable server: set ServerURL, or Servers with at least one ServerURL");
    for (size_t i = 0; i < n; i++)
        buf_free(&norm[i]);
    free(norm);
    free(sv);
}

static int mender_builtin_checks(engine_call *c)
{
    const json_node *root = c->node;
    if (!root || root->type != JSON_OBJECT)
        return EXIT_OK;
    dup_ctx dc = {c};
    json_find_duplicates(root, true, report_icase_dup, &dc);
    check_names(c, root, json_get(c->args, "known", 5), json_get(c->args, "obsolete", 8));
    check_servers(c, root);
    return EXIT_OK;
}

const engine_builtin mender_checks_builtin = {
    "mender-checks", mender_builtin_checks, NULL,
    "{\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"known\", \"obsolete\"],"
    " \"properties\": {\"known\": {\"type\": \"array\", \"minItems\": 1, \"items\": {\"type\": \"string\"}},"
    " \"obsolete\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}}}}",
    NULL,
};

size_t mender_usable_servers(const json_node *root, mender_server **list)
{
    mender_server *all;
    size_t n = mender_servers(root, &all), k = 0;
    for (size_t i = 0; i < n; i++)
        if (all[i].node && all[i].node->type == JSON_STRING && all[i].node->n)
            all[k++] = all[i];
    *list = all;
    return k;
}

bool mender_same_server(const char *a, size_t an, const char *b, size_t bn)
{
    buf x = BUF_INIT, y = BUF_INIT;
    mender_url_normalize(a, an, &x);
    mender_url_normalize(b, bn, &y);
    bool same = !strcmp(x.data, y.data);
    buf_free(&x);
    buf_free(&y);
    return same;
}

bool mender_url_variable(engine_call *c, const char *var, bool allow_http, const char **url, buf *q)
{
    const char *u = engine_get(c->e, var);
    *url = u ? u : "";
    quote_into(q, *url, strlen(*url), 100);
    if (!q->data)
        buf_reserve(q, 0), q->data[0] = '\0';
    const char *why = mender_url_problem(*url, strlen(*url), allow_http);
    if (why) {
        engine_report(c, SEV_ERROR, "mender-new-url", NULL, "--%s '%s' %s", var, q->data, why);
        buf_free(q);
        return false;
    }
    return true;
}
