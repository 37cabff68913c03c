#include "query/uri.h"
#include "base/oom.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct parts {
    const char *scheme, *auth, *path, *query, *frag;
    size_t scheme_len, auth_len, path_len, query_len, frag_len;
    bool has_scheme, has_auth, has_query, has_frag;
} parts;

static void split(const char *s, parts *p)
{
    memset(p, 0, sizeof *p);
    const char *c = s;
    /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":" */
    if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z')) {
        const char *e = c;
        while ((*e >= 'a' && *e <= 'z') || (*e >= 'A' && *e <= 'Z') || (*e >= '0' && *e <= '9') || *e == '+' ||
               *e == '-' || *e == '.')
            e++;
        if (*e == ':') {
            p->has_scheme = true;
            p->scheme = c;
            p->scheme_len = (size_t)(e - c);
            c = e + 1;
        }
    }
    if (c[0] == '/' && c[1] == '/') {
        c += 2;
        p->has_auth = true;
        p->auth = c;
        while (*c && *c != '/' && *c != '?' && *c != '#')
            c++;
        p->auth_len = (size_t)(c - p->auth);
    }
    p->path = c;
    while (*c && *c != '?' && *c != '#')
        c++;
    p->path_len = (size_t)(c - p->path);
    if (*c == '?') {
        p->has_query = true;
        p->query = ++c;
        while (*c && *c != '#')
            c++;
        p->query_len = (size_t)(c - p->query);
    }
    if (*c == '#') {
        p->has_frag = true;
        p->frag = c + 1;
        p->frag_len = strlen(c + 1);
    }
}

/* RFC 3986 5.2.4. */
static void remove_dots(const char *in, size_t n, buf *out)
{
    char *s = xmalloc(n + 1);
    memcpy(s, in, n);
    s[n] = '\0';
    buf res = BUF_INIT;
    char *p = s;
    while (*p) {
        if (!strncmp(p, "../", 3))
            p += 3;
        else if (!strncmp(p, "./", 2))
            p += 2;
        else if (!strncmp(p, "/./", 3))
            p += 2;
        else if (!strcmp(p, "/."))
            p[1] = '\0';
        else if (!strncmp(p, "/../", 4) || !strcmp(p, "/..")) {
            if (!strcmp(p, "/.."))
                p[1] = '\0', p[2] = '\0';
            else
                p += 3;
            /* drop the last segment of the result */
            while (res.len && res.data[res.len - 1] != '/')
                res.len--;
            if (res.len)
                res.len--;
            if (res.data)
                res.data[res.len] = '\0';
        } else if (!strcmp(p, ".") || !strcmp(p, "..")) {
            break;
        } else {
            char *e = p + (*p == '/');
            while (*e && *e != '/')
                e++;
            buf_add(&res, p, (size_t)(e - p));
            p = e;
        }
    }
    buf_add(out, res.data ? res.data : "", res.len);
    buf_free(&res);
    free(s);
}

void uri_resolve(const char *base, const char *ref, buf *out)
{
    parts r, b;
    split(ref, &r);
    split(base ? base : "", &b);
    buf path = BUF_INIT;
    const char *scheme = NULL, *auth = NULL, *query = NULL;
    size_t scheme_len = 0, auth_len = 0, query_len = 0;
    bool has_auth = false, has_query = false;
    if (r.has_scheme) {
        scheme = r.scheme;
        scheme_len = r.scheme_len;
        has_auth = r.has_auth;
        auth = r.auth;
        auth_len = r.auth_len;
        remove_dots(r.path, r.path_len, &path);
        has_query = r.has_query, query = r.query, query_len = r.query_len;
    } else {
        scheme = b.scheme;
        scheme_len = b.has_scheme ? b.scheme_len : 0;
        if (r.has_auth) {
            has_auth = true;
            auth = r.auth;
            auth_len = r.auth_len;
            remove_dots(r.path, r.path_len, &path);
            has_query = r.has_query, query = r.query, query_len = r.query_len;
        } else {
            has_auth = b.has_auth, auth = b.auth, auth_len = b.auth_len;
            if (!r.path_len) {
                buf_add(&path, b.path, b.path_len);
                if (r.has_query)
                    has_query = true, query = r.query, query_len = r.query_len;
                else
                    has_query = b.has_query, query = b.query, query_len = b.query_len;
            } else {
                if (r.path[0] == '/') {
                    remove_dots(r.path, r.path_len, &path);
                } else {
                    /* merge: base path up to its last '/', then the reference */
                    buf merged = BUF_INIT;
                    if (b.has_auth && !b.path_len) {
                        buf_putc(&merged, '/');
                    } else {
                        size_t k = b.path_len;
                        while (k && b.path[k - 1] != '/')
                            k--;
                        buf_add(&merged, b.path, k);
                    }
                    buf_add(&merged, r.path, r.path_len);
                    remove_dots(merged.data, merged.len, &path);
                    buf_free(&merged);
                }
                has_query = r.has_query, query = r.query, query_len = r.query_len;
            }
        }
    }
    if (scheme_len) {
        buf_add(out, scheme, scheme_len);
        buf_putc(out, ':');
    }
    if (has_auth) {
        buf_puts(out, "//");
        buf_add(out, auth, auth_len);
    }
    buf_add(out, path.data ? path.data : "", path.len);
    if (has_query) {
        buf_putc(out, '?');
        buf_add(out, query, query_len);
    }
    if (r.has_frag) {
        buf_putc(out, '#');
        buf_add(out, r.frag, r.frag_len);
    }
    if (!out->data)
        buf_reserve(out, 0), out->data[0] = '\0';
    buf_free(&path);
}

const char *uri_split_fragment(const char *uri, buf *out)
{
    const char *h = strchr(uri, '#');
    size_t n = h ? (size_t)(h - uri) : strlen(uri);
    buf_add(out, uri, n);
    if (!out->data)
        buf_reserve(out, 0), out->data[0] = '\0';
    return h ? h + 1 : "";
}
