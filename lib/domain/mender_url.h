/* mender_url: server URLs as the Mender clients read them: which ones a client can use,
 * how two of them compare, and how to show one without its password. */
#ifndef TK_MENDER_URL_H
#define TK_MENDER_URL_H
#include "base/buf.h"
#include <stdbool.h>
#include <stddef.h>

/* The client generation a verdict is about: 4 is the C++ client (mender 4.x, 5.x), 3 the
 * Go client (mender 3.x, last tag 3.5.3). */
typedef enum mender_client { MENDER_CLIENT_3 = 3, MENDER_CLIENT_4 = 4 } mender_client;

/* Returns NULL when url is a server URL that client can use (absolute http or https with
 * a host; https only unless allow_http), or why it is not, worded to follow "URL 'x' ". */
const char *mender_url_problem(const char *url, size_t len, bool allow_http, mender_client client);

/* Appends url quoted for a message (at most max bytes shown), with any user name and
 * password replaced by "***" so that no password reaches a message. */
void mender_url_quote(buf *dst, const char *url, size_t len, size_t max);

/* Returns true when two server URLs name the same server: compared without trailing '/'
 * and ignoring the case of scheme and host. */
bool mender_same_server(const char *a, size_t an, const char *b, size_t bn);

#endif
