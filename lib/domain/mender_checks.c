/* The checks of mender.conf that need code. Upstream references are to
 * mendersoftware/mender at dc6ff6e for the C++ client (4.x) and at tag 3.5.3 for the Go
 * client (3.x); README.md, "config-validate", lists each verdict with its client. */
#include "domain/mender_checks.h"
#include "base/ascii.h"
#include "base/buf.h"
#include "base/exitcodes.h"
#include "base/oom.h"
#include "base/pos.h"
#include "base/quote.h"
#include "domain/mender.h"
#include "json/json_dup.h"
#include "json/json_num.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct checks {
    engine_call *c;
    mender_client client;
    bool deploy;
    size_t dups, more_dups;     /* repeated names listed, and past the cap */
} checks;

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

/* The entry of names (a list of strings) equal to key[0..len) ignoring case, or NULL. */
static const json_node *find_name(const json_node *names, const char *key, size_t len)
{
    for (const json_node *k = json_first(names); k; k = k->next)
        if (k->type == JSON_STRING && k->n == len && ascii_ieq(k->p, key, len))
            return k;
    return NULL;
}

/* Unknown names get the nearest known one when it is near enough to be a typo. */
static void report_unknown(checks *x, const json_node *m, const json_node *known, const char *rule_id, const char *where)
{
    size_t best = 99;
    const json_node *near = NULL;
    for (const json_node *k = json_first(known); k; k = k->next) {
        size_t dist = k->type == JSON_STRING ? edit_distance(k->p, k->n, m->key, m->key_len) : 99;
        /* An abbreviation ("Cert" for "Certificate") is as near as a typo. */
        if (k->type == JSON_STRING && m->key_len >= 3 && m->key_len < k->n && ascii_ieq(k->p, m->key, m->key_len))
            dist = 1;
        if (dist < best)
            best = dist, near = k;
    }
    buf q = BUF_INIT;
    quote_name(&q, m->key, m->key_len, 60);
    char hint[120] = "";
    if (near && best <= 3)
        snprintf(hint, sizeof hint, " (did you mean '%.*s'?)", (int)near->n, (const char *)near->p);
    if (where[0])
        engine_report(x->c, SEV_WARNING, rule_id, m, "unknown member '%s'%s: the client ignores it%s", q.data ? q.data : "",
                      hint, where);
    else
        engine_report(x->c, SEV_WARNING, rule_id, m, "unknown option '%s'%s", q.data ? q.data : "", hint);
    buf_free(&q);
}

/* Option names: known (exact, other case) or unknown; obsolete for this client. */
static void check_names(checks *x, const json_node *root, const json_node *args)
{
    const json_node *known = json_get(args, "known", 5);
    const json_node *obsolete = json_get(json_get(args, "obsolete", 8), x->client == MENDER_CLIENT_3 ? "3" : "4", 1);
    for (const json_node *m = json_first(root); m; m = m->next) {
        const json_node *k = find_name(known, m->key, m->key_len);
        if (!k) {
            report_unknown(x, m, known, "mender-unknown-option", "");
            continue;
        }
        const json_node *old = find_name(obsolete, m->key, m->key_len);
        if (old)
            engine_report(x->c, SEV_NOTE, "mender-obsolete-option", m, "option '%.*s' is not read by the %s client",
                          (int)old->n, (const char *)old->p, x->client == MENDER_CLIENT_3 ? "3.x" : "4.x");
        if (!memcmp(k->p, m->key, k->n))
            continue;
        buf q = BUF_INIT;
        quote_name(&q, m->key, m->key_len, 60);
        if (k->n == 11 && !memcmp(k->p, "RootfsPart", 10))
            /* support/modules/rootfs-image:58-60 reads them with jq '.RootfsPartA', which
             * matches names exactly. */
            engine_report(x->c, SEV_WARNING, "mender-rootfs-part-case", m,
                          "option '%s' must be spelled '%.*s': the rootfs-image update module reads it with a "
                          "case-sensitive jq and would not find it",
                          q.data, (int)k->n, (const char *)k->p);
        else
            engine_report(x->c, SEV_WARNING, "mender-option-case", m,
                          "option '%s' is spelled '%.*s' (the client matches names ignoring case, readers of the file "
                          "may not)",
                          q.data, (int)k->n, (const char *)k->p);
        buf_free(&q);
    }
}

/* Members of nested objects (HttpsClient, Security, Connectivity): the clients read only
 * the ones they know (C++: config_parser.cpp:317-373; Go: client/client.go:608-635), so
 * a misspelt one silently turns its setting off. */
static void check_members(checks *x, const json_node *root, const json_node *args)
{
    const json_node *members = json_get(args, "members", 7);
    for (const json_node *m = json_first(root); m; m = m->next) {
        if (m->type != JSON_OBJECT)
            continue;
        const json_node *list = NULL;
        for (const json_node *o = json_first(members); o && !list; o = o->next)
            if (o->key_len == m->key_len && ascii_ieq(o->key, m->key, m->key_len))
                list = o;
        if (!list)
            continue;
        char where[96];
        snprintf(where, sizeof where, " in %.*s, so that setting is off", (int)list->key_len, list->key);
        for (const json_node *k = json_first(m); k; k = k->next) {
            const json_node *known = find_name(list, k->key, k->key_len);
            if (!known)
                report_unknown(x, k, list, "mender-unknown-member", where);
            else if (memcmp(known->p, k->key, known->n))
                engine_report(x->c, SEV_WARNING, "mender-option-case", k,
                              "member '%.*s' of %.*s is spelled '%.*s' (the clients match names ignoring case, "
                              "readers of the file may not)",
                              (int)(k->key_len < 60 ? k->key_len : 60), k->key, (int)list->key_len, list->key,
                              (int)known->n, (const char *)known->p);
        }
    }
}

/* Integer options as each client reads them. The C++ client takes Get<int>()
 * (config_parser.cpp:145-223): nlohmann converts any JSON number (a fraction is truncated),
 * refuses strings and booleans, and json.hpp:147-170 refuses what does not fit an int; a
 * refused value is skipped and the default kept. The Go client unmarshals into int fields
 * (conf/config.go:33-104, :280-297): a fraction, an exponent, a string or a boolean makes
 * it refuse the whole file. */
static void check_integer(checks *x, const json_node *m)
{
    const char *name = m->key;
    int nl = (int)(m->key_len < 60 ? m->key_len : 60);
    bool go = x->client == MENDER_CLIENT_3;
    if (m->type == JSON_NULL)
        return;     /* both clients treat null as not set */
    if (m->type != JSON_NUMBER) {
        engine_report(x->c, SEV_ERROR, "mender-integer", m,
                      go ? "%.*s must be a JSON integer: the 3.x client refuses this config"
                         : "%.*s must be a JSON integer: the 4.x client ignores this value and uses the default",
                      nl, name);
        return;
    }
    long long v;
    bool plain = true;     /* written without fraction or exponent */
    for (size_t i = 0; i < m->n && plain; i++)
        plain = (((const char *)m->p)[i] >= '0' && ((const char *)m->p)[i] <= '9') || ((const char *)m->p)[i] == '-';
    if (plain) {
        if (!json_num_to_int(m->p, m->n, -2147483648LL, 2147483647LL, &v))
            engine_report(x->c, SEV_ERROR, "mender-integer-range", m,
                          go ? "%.*s is out of range (-2147483648 to 2147483647): the 3.x client refuses it on 32-bit "
                               "devices"
                             : "%.*s is out of range (-2147483648 to 2147483647): the 4.x client ignores it and uses "
                               "the default",
                          nl, name);
        return;
    }
    double d = json_num_to_double(m->p, m->n);
    if (go) {
        engine_report(x->c, SEV_ERROR, "mender-integer", m,
                      "%.*s is written '%.*s': the 3.x client refuses this config (write a plain integer)", nl, name,
                      (int)(m->n < 40 ? m->n : 40), (const char *)m->p);
    } else if (!(d >= -2147483648.0 && d < 2147483648.0)) {
        engine_report(x->c, SEV_ERROR, "mender-integer-range", m,
                      "%.*s is out of range (-2147483648 to 2147483647): the 4.x client ignores it and uses the default",
                      nl, name);
    } else {
        engine_report(x->c, SEV_WARNING, "mender-integer-form", m,
                      "%.*s is written '%.*s': the 4.x client reads %lld%s, the 3.x client refuses the config (write "
                      "%lld)",
                      nl, name, (int)(m->n < 40 ? m->n : 40), (const char *)m->p, (long long)trunc(d),
                      d != trunc(d) ? " (the fraction dropped)" : "", (long long)trunc(d));
    }
}

static void check_integers(checks *x, const json_node *root, const json_node *args)
{
    const json_node *ints = json_get(args, "integers", 8);
    const json_node *obsolete = json_get(json_get(args, "obsolete", 8), x->client == MENDER_CLIENT_3 ? "3" : "4", 1);
    for (const json_node *m = json_first(root); m; m = m->next)
        if (find_name(ints, m->key, m->key_len) && !find_name(obsolete, m->key, m->key_len))
            check_integer(x, m);    /* an option this client does not read cannot break it */
    if (x->client != MENDER_CLIENT_3)
        return;     /* the 4.x client reads no integer inside an object */
    /* Integer members of objects only the 3.x client reads (Connectivity). */
    const json_node *nested = json_get(args, "member-integers", 15);
    for (const json_node *m = json_first(root); m; m = m->next)
        for (const json_node *o = json_first(nested); o && m->type == JSON_OBJECT; o = o->next)
            if (o->key_len == m->key_len && ascii_ieq(o->key, m->key, m->key_len))
                for (const json_node *k = json_first(m); k; k = k->next)
                    if (find_name(o, k->key, k->key_len))
                        check_integer(x, k);
}

/* Repeated option names, ignoring case: both clients keep the last one (the C++ client's
 * JSON map is case-insensitive, json.hpp:52-78; Go's encoding/json matches names ignoring
 * case). A warning: the file works, but not as a reader of the first spelling thinks. */
static void report_icase_dup(void *ctx, const json_node *dup, const json_node *first)
{
    checks *x = ctx;
    engine_call *c = x->c;
    if (dup->parent != c->node)
        return;     /* nested objects: only their last member counts too, but rarely matters */
    if (x->dups == 100) {   /* listed: the first 100, each naming a position */
        x->more_dups++;
        return;
    }
    x->dups++;
    pos p = pos_of_split(c->doc->src, c->doc->src_len, c->doc->src_split, json_report_offset(c->doc, first));
    buf a = BUF_INIT, b = BUF_INIT;
    quote_name(&a, dup->key, dup->key_len, 60);
    quote_name(&b, first->key, first->key_len, 60);
    engine_report(c, SEV_WARNING, "mender-duplicate-option", dup,
                  "option '%s' repeats '%s' (line %zu, column %zu) ignoring case: both clients read only the last one",
                  a.data ? a.data : "", b.data ? b.data : "", p.line, p.col);
    buf_free(&a);
    buf_free(&b);
}

/* Where a node is, for a message: "line L, column C", with the file named when the
 * document joins two files (--fallback) and the node is in the other one. */
static void where_is(checks *x, const json_node *n, const json_node *from, buf *dst)
{
    const json_doc *doc = x->c->doc;
    size_t off = json_report_offset(doc, n), here = json_report_offset(doc, from);
    pos p = pos_of_split(doc->src, doc->src_len, doc->src_split, off);
    const char *other = engine_get(x->c->e, "fallback-file");
    bool split = doc->src_split && other && *other;
    if (split && (off < doc->src_split) != (here < doc->src_split))
        buf_printf(dst, "%s:%zu:%zu", off < doc->src_split ? other : x->c->file, p.line, p.col);
    else
        buf_printf(dst, "line %zu, column %zu", p.line, p.col);
}

/* A top-level ServerURL beside Servers; top and servers are the last spellings, the ones
 * the clients read. The C++ client reads Servers (any value marks it used), then a string
 * ServerURL makes LoadFile fail (config_parser.cpp:271-314): the servers stay, but the
 * file stops loading there and HttpsClient, Security and RetryDownloadCount are lost (a
 * partial load, conf.cpp:321-322). The Go client refuses a non-empty ServerURL beside a
 * non-null Servers (conf/config.go:184-197). */
static void serverurl_beside_servers(checks *x, const json_node *top, const json_node *servers)
{
    if (!top || top->type != JSON_STRING || !servers)
        return;
    if (x->client == MENDER_CLIENT_4)
        engine_report(x->c, SEV_ERROR, "mender-serverurl-with-servers", top,
                      "top-level ServerURL next to Servers: the 4.x client uses Servers but stops reading the file at "
                      "ServerURL, whatever its value (\"\" included), so HttpsClient, Security and RetryDownloadCount "
                      "are ignored; delete the key");
    else if (top->n && servers->type != JSON_NULL)
        engine_report(x->c, SEV_ERROR, "mender-serverurl-with-servers-3", top,
                      "top-level ServerURL next to Servers: the 3.x client refuses this config (Both Servers AND "
                      "ServerURL given); delete the key");
}

/* The servers (C++: config_parser.cpp:271-314 reads Servers, then ServerURL; auth.cpp
 * tries them in order and stops at one it cannot use. Go: conf/config.go:184-205). */
static void check_servers(checks *x, const json_node *root)
{
    engine_call *c = x->c;
    json_node *servers = NULL, *top = NULL;
    for (json_node *m = json_first(root); m; m = m->next) {
        if (m->key_len == 7 && ascii_ieq(m->key, "Servers", 7))
            servers = m;
        if (m->key_len == 9 && ascii_ieq(m->key, "ServerURL", 9))
            top = m;
    }
    serverurl_beside_servers(x, top, servers);
    const json_node *urls[64];
    size_t nurls = 0, usable = 0;
    const json_node *empty_before = NULL;
    if (servers && servers->type == JSON_ARRAY) {
        for (json_node *e = json_first(servers); e; e = e->next) {
            if (e->type != JSON_OBJECT)
                continue;   /* the schema says so */
            json_node *u = NULL;
            for (json_node *k = json_first(e); k; k = k->next)
                if (k->key_len == 9 && ascii_ieq(k->key, "ServerURL", 9))
                    u = k;
            if (!u || u->type == JSON_NULL) {
                /* C++ skips the entry (config_parser.cpp:280-281); Go keeps it without a URL
                 * and warns (conf/config.go:199-205). */
                engine_report(c, SEV_WARNING, "mender-servers-entry", u ? u : e,
                              "Servers entry without a ServerURL: the client skips it");
                continue;
            }
            if (u->type != JSON_STRING)
                continue;   /* the schema says so */
            if (!u->n) {
                if (!empty_before)
                    empty_before = u;
                continue;
            }
            if (empty_before) {
                buf q = BUF_INIT;
                mender_url_quote(&q, u->p, u->n, 80);
                if (x->client == MENDER_CLIENT_4)
                    engine_report(c, SEV_ERROR, "mender-empty-server", empty_before,
                                  "empty server URL before '%s': the 4.x client tries it first, cannot use it and stops "
                                  "authenticating, so '%s' is never tried",
                                  q.data, q.data);
                else
                    engine_report(c, SEV_WARNING, "mender-empty-server", empty_before,
                                  "empty server URL before '%s' (the 3.x client warns about it; the 4.x client stops "
                                  "at it and never tries '%s')",
                                  q.data, q.data);
                buf_free(&q);
                empty_before = NULL;
            }
            if (nurls < sizeof urls / sizeof *urls)
                urls[nurls++] = u;
        }
        if (empty_before)
            engine_report(c, SEV_WARNING, "mender-empty-server", empty_before, "empty server URL");
    } else if (top && top->type == JSON_STRING) {
        if (top->n && nurls < sizeof urls / sizeof *urls)
            urls[nurls++] = top;
        else if (!top->n)
            engine_report(c, SEV_WARNING, "mender-empty-server", top, "empty server URL");
    }
    for (size_t i = 0; i < nurls; i++) {
        const json_node *u = urls[i];
        buf q = BUF_INIT;
        mender_url_quote(&q, u->p, u->n, 80);
        const char *why = mender_url_problem(u->p, u->n, true, x->client);
        if (why) {
            engine_report(c, SEV_ERROR, "mender-server-url", u, "server URL '%s' %s", q.data, why);
        } else {
            usable++;
            for (size_t k = 0; k < i; k++)
                if (mender_same_server(urls[k]->p, urls[k]->n, u->p, u->n)) {
                    buf at = BUF_INIT;
                    where_is(x, urls[k], u, &at);
                    engine_report(c, SEV_WARNING, "mender-duplicate-server", u,
                                  "the same server as %s (after removing a trailing '/' and case of scheme and host)",
                                  at.data);
                    buf_free(&at);
                    break;
                }
        }
        buf_free(&q);
    }
    if (!usable) {
        /* A fragment (a layer's files/mender.conf, /data/mender/mender.conf, a standalone
         * config) has no server by design: only a config about to be deployed must. */
        bool fragment = !servers && !top;
        engine_report(c, x->deploy ? SEV_ERROR : SEV_WARNING, "mender-no-server", root,
                      fragment ? "no server (no ServerURL, no Servers): fine for a fragment merged into another "
                                 "config, which --fallback FILE checks together with it; a device needs one"
                               : "no usable server: set ServerURL, or Servers with at least one ServerURL");
    }
}

static int run_checks(engine_call *c)
{
    const json_node *root = c->node;
    if (!root || root->type != JSON_OBJECT)
        return EXIT_OK;
    const char *stage = engine_get(c->e, "stage");
    checks x = {c, mender_client_of(c->e), stage && !strcmp(stage, "deploy"), 0, 0};
    json_find_duplicates(root, true, report_icase_dup, &x);
    if (x.more_dups)
        engine_report(c, SEV_WARNING, "mender-duplicate-option", NULL, "%zu more repeated options are not listed",
                      x.more_dups);
    check_names(&x, root, c->args);
    check_members(&x, root, c->args);
    check_integers(&x, root, c->args);
    check_servers(&x, root);
    return EXIT_OK;
}

static const diag_rule rules[] = {
    {"mender-serverurl-with-servers", "a top-level ServerURL next to Servers (4.x client)",
     "The 4.x client reads Servers, then stops loading the file at a string ServerURL beside it (config_parser.cpp:298-308), so HttpsClient, Security and RetryDownloadCount are ignored. Delete the ServerURL key (menderconf-dual does)."},
    {"mender-serverurl-with-servers-3", "a top-level ServerURL next to Servers (3.x client)",
     "The 3.x client refuses a config with a non-empty ServerURL beside Servers (conf/config.go:191-197). Delete the ServerURL key (menderconf-dual does)."},
    {"mender-duplicate-option", "an option repeated under another spelling", "Both clients read only the last one; keep one spelling."},
    {"mender-unknown-option", "an option no Mender client reads", "Check the spelling against the Mender documentation."},
    {"mender-unknown-member", "a member of HttpsClient, Security, Connectivity or DBus no client reads", "The setting is silently off: check the spelling."},
    {"mender-option-case", "an option in non-canonical case", "The clients match names ignoring case, readers of the file may not: use the documented spelling."},
    {"mender-rootfs-part-case", "RootfsPartA/B in another spelling", "The rootfs-image update module reads them with a case-sensitive jq: spell them RootfsPartA and RootfsPartB."},
    {"mender-obsolete-option", "an option this client generation does not read", "Remove it, or keep it for the other generation."},
    {"mender-integer", "an integer option the client ignores or refuses", "Write a plain JSON integer between -2147483648 and 2147483647."},
    {"mender-integer-range", "an integer option outside int32", "The 4.x client ignores it; a 32-bit 3.x client refuses the file."},
    {"mender-integer-form", "an integer option written with a fraction or exponent", "The 4.x client converts it, the 3.x client refuses the file: write a plain integer."},
    {"mender-servers-entry", "a Servers entry without ServerURL", "The client skips it; remove it."},
    {"mender-empty-server", "an empty server URL", "Before a usable server it stops the 4.x client's authentication; remove it."},
    {"mender-server-url", "a server URL the client cannot use", "Use an absolute http(s) URL with a lower-case scheme, no user name or password and a valid port."},
    {"mender-duplicate-server", "the same server twice", "Remove the repeated entry."},
    {"mender-no-server", "no usable server", "A device needs a server: set ServerURL or Servers (a fragment merged at build time can be checked with --fallback)."},
    {0, 0, 0},
};

const engine_builtin mender_checks_builtin = {
    "mender-checks", run_checks, NULL,
    "{\"type\": \"object\", \"additionalProperties\": false,"
    " \"required\": [\"known\", \"obsolete\", \"integers\", \"members\", \"member-integers\"],"
    " \"$defs\": {\"names\": {\"type\": \"array\", \"items\": {\"type\": \"string\"}}},"
    " \"properties\": {\"known\": {\"$ref\": \"#/$defs/names\", \"minItems\": 1},"
    " \"obsolete\": {\"type\": \"object\", \"additionalProperties\": false, \"required\": [\"3\", \"4\"],"
    "   \"properties\": {\"3\": {\"$ref\": \"#/$defs/names\"}, \"4\": {\"$ref\": \"#/$defs/names\"}}},"
    " \"integers\": {\"$ref\": \"#/$defs/names\"},"
    " \"members\": {\"type\": \"object\", \"additionalProperties\": {\"$ref\": \"#/$defs/names\"}},"
    " \"member-integers\": {\"type\": \"object\", \"additionalProperties\": {\"$ref\": \"#/$defs/names\"}}}}",
    NULL,
    rules,
};
