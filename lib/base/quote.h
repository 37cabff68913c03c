/* quote: makes input text safe to show inside a message. */
#ifndef TK_QUOTE_H
#define TK_QUOTE_H
#include "base/buf.h"
#include <stddef.h>

/* Appends s[0..len) to b with control characters, quotes and backslashes escaped
 * (\n, \t, \x1b, ...) and invalid UTF-8 shown as \xNN; at most max visible bytes,
 * then "...". The result never breaks a line or a terminal. */
void quote_into(buf *b, const char *s, size_t len, size_t max);

/* quote_into, as a new string the caller frees. */
char *quote_dup(const char *s, size_t len, size_t max);

/* Appends s[0..len) with only what would act on a terminal made visible: control
 * characters (C0, DEL, C1), line and paragraph separators and invalid UTF-8 become \n,
 * \x1b, \u009b, \xff; everything else, backslashes and quotes included, is kept. */
void quote_controls(buf *b, const char *s, size_t len);

/* quote_into for a member name, except that a name shaped like a key or token (24
 * characters or more of base64 or hex letters, digits or + / = among them) shows its first 4 characters and its
 * length only: a key pasted as a name must not reach a message. */
void quote_name(buf *b, const char *s, size_t len, size_t max);

/* quote_into, with the user name and password of every URL in s shown as "***". */
void quote_masking_userinfo(buf *b, const char *s, size_t len, size_t max);

#endif
