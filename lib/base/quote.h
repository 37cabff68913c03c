/* quote: makes input text safe to show inside a message. */
#ifndef TK_QUOTE_H
#define TK_QUOTE_H
#include "base/buf.h"
#include <stddef.h>

/* Appends s[0..len) to b with control characters, quotes and backslashes escaped
 * (\n, \t, \x1b, ...) and invalid UTF-8 shown as \xNN; at most max visible bytes,
 * then "...". The result never breaks a line or a terminal. */
void quote_into(buf *b, const char *s, size_t len, size_t max);

#endif
