/* uri: RFC 3986 reference resolution, for JSON Schema $id and $ref. */
#ifndef TK_URI_H
#define TK_URI_H
#include "base/buf.h"

/* Appends to out the target URI of reference ref resolved against base (RFC 3986 5.2),
 * fragment included. base may be empty (the reference is then taken as it is). */
void uri_resolve(const char *base, const char *ref, buf *out);

/* Splits uri at '#': appends the part before it to out and returns a pointer to the
 * fragment after '#' inside uri (the empty string when there is none). */
const char *uri_split_fragment(const char *uri, buf *out);

#endif
