/* Server URLs as the clients parse them. The C++ client (4.x) splits a URL itself in
 * BreakDownUrl (mendersoftware/mender src/common/http/http.cpp:98-173, at dc6ff6e): the
 * scheme is what precedes "://" and is compared case-sensitively with "http" and "https"
 * (:154-163), a user name or password is refused (:121-128), a port must be a number that
 * fits (:146-151). A URL it cannot split stops authentication before any next server is
 * tried (src/mender-auth/api/auth/auth.cpp:154 and :238-240). The Go client (3.x) parses
 * with net/url, which lower-cases the scheme and accepts user information. */
#include "domain/mender_url.h"
#include "base/ascii.h"
#include "base/quote.h"
#include <string.h>

/* Where the authority (after "://") ends: at the path, query or fragment. */
static size_t authority_end(const char *url, size_t len, size_t from)
{
    size_t h = from;
    while (h < len && url[h] != '/' && url[h] != '?' && url[h] != '#')
        h++;
    return h;
}

/* Where "://" starts, or len. */
static size_t scheme_end(const char *url, size_t len)
{
    for (size_t i = 0; i + 2 < len; i++)
        if (url[i] == ':' && url[i + 1] == '/' && url[i + 2] == '/')
            return i;
    return len;
}

const char *mender_url_problem(const char *url, size_t len, bool allow_http, mender_client client)
{
    size_t se = scheme_end(url, len);
    bool https = se == 5 && ascii_ieq(url, "https", 5), http = se == 4 && ascii_ieq(url, "http", 4);
    if (!https && !http)
        return allow_http ? "is not an absolute http(s) URL" : "is not an absolute https URL";
    if (client == MENDER_CLIENT_4 && memcmp(url, https ? "https" : "http", se))
        return "has a scheme in upper case: the 4.x client compares it case-sensitively and cannot use the URL "
               "(write it in lower case)";
    if (http && !allow_http)
        return "uses http:// (use https, or allow http explicitly)";
    size_t host = se + 3, end = authority_end(url, len, host);
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)url[i] <= ' ' || url[i] == '\\')
            return "holds a space, a control character or a backslash";
    const char *at = NULL;
    for (size_t i = host; i < end; i++)
        if (url[i] == '@')
            at = url + i;
    if (at) {
        if (client == MENDER_CLIENT_4)
            return "holds a user name or password: the 4.x client refuses such URLs";
        host = (size_t)(at - url) + 1;
    }
    const char *colon = memchr(url + host, ':', end - host);
    size_t host_end = colon ? (size_t)(colon - url) : end;
    if (host_end == host)
        return "has no host";
    if (colon) {
        size_t digits = end - host_end - 1;
        unsigned long port = 0;
        bool ok = digits > 0 && digits <= 5;
        for (size_t i = host_end + 1; i < end && ok; i++) {
            ok = url[i] >= '0' && url[i] <= '9';
            port = port * 10 + (unsigned long)(url[i] - '0');
        }
        if (!ok || port == 0 || port > 65535)
            return "has an invalid port (a number from 1 to 65535)";
    }
    return NULL;
}

void mender_url_quote(buf *dst, const char *url, size_t len, size_t max)
{
    size_t se = scheme_end(url, len);
    size_t host = se < len ? se + 3 : len, end = authority_end(url, len, host);
    const char *at = NULL;
    for (size_t i = host; i < end; i++)
        if (url[i] == '@')
            at = url + i;
    if (!at) {
        quote_into(dst, url, len, max);
    } else {
        quote_into(dst, url, host, max);
        buf_puts(dst, "***");
        quote_into(dst, at, len - (size_t)(at - url), max > host ? max - host : 0);
    }
    if (!dst->data)
        buf_reserve(dst, 0), dst->data[0] = '\0';
}

/* Appends url in the form two URLs are compared in: scheme and host lower-cased, trailing
 * '/' removed. */
static void normalize(const char *url, size_t len, buf *dst)
{
    while (len && url[len - 1] == '/')
        len--;
    size_t se = scheme_end(url, len);
    /* Scheme and authority are case-insensitive; the path is not. */
    size_t host_end = se < len ? authority_end(url, len, se + 3) : 0;
    for (size_t i = 0; i < len; i++)
        buf_putc(dst, i < host_end ? (char)ascii_lower((unsigned char)url[i]) : url[i]);
    if (!dst->data)
        buf_reserve(dst, 0), dst->data[0] = '\0';
}

bool mender_same_server(const char *a, size_t an, const char *b, size_t bn)
{
    buf x = BUF_INIT, y = BUF_INIT;
    normalize(a, an, &x);
    normalize(b, bn, &y);
    bool same = !strcmp(x.data, y.data);
    buf_free(&x);
    buf_free(&y);
    return same;
}
