/* tmpl: ${name} substitution in rule text, with each value escaped for where it lands. */
#ifndef TK_TMPL_H
#define TK_TMPL_H
#include "base/buf.h"
#include <stdbool.h>
#include <stddef.h>

typedef enum tmpl_escape {
    ESC_NONE,           /* the value as it is (messages, set values) */
    ESC_JSONPATH,       /* inside a JSONPath string literal: quotes and backslashes escaped */
    ESC_REGEX,          /* inside a PCRE2 pattern: matches the value literally */
    ESC_REPLACEMENT     /* inside a PCRE2 replacement: '$' doubled */
} tmpl_escape;

/* Finds the value of variable name[0..len); returns NULL when there is none. */
typedef const char *(*tmpl_lookup)(void *ctx, const char *name, size_t len, size_t *value_len);

/* Appends s[0..len) to out with every ${name} replaced through lookup and escaped per esc.
 * Only ${identifier} forms are variables (letters, digits, '_', '-', '.'; not starting with a
 * digit), so PCRE2's $1 and ${1} pass through. Returns true, or false with the offset of the
 * unknown variable in *bad_at. */
bool tmpl_expand(const char *s, size_t len, tmpl_lookup lookup, void *ctx, tmpl_escape esc, buf *out,
                 size_t *bad_at);

/* Returns true when s[0..len) holds at least one ${identifier} whose name starts with prefix. */
bool tmpl_uses(const char *s, size_t len, const char *prefix);

/* Returns where in s[0..len), a JSONPath query, a ${...} stands outside any string
 * literal (its value would become query syntax), or (size_t)-1 when none does. */
size_t tmpl_unquoted_var(const char *s, size_t len);

#endif
