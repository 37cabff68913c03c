/* mender_checks: the built-in "mender-checks" of config-validate, for what the mender.conf
 * schema and check rules cannot say. What it knows of the options comes from its args in
 * rules/config-validate.yaml: known names, obsolete names per client generation, integer
 * options, the members of nested objects. Every verdict follows the client generation in
 * rule variable "client" (4: the C++ client, 3: the Go client), and rule variable "stage"
 * (a config without a server is a fragment at review, an error at deploy). */
#ifndef TK_MENDER_CHECKS_H
#define TK_MENDER_CHECKS_H
#include "rules/engine.h"

/* The built-in "mender-checks": option names (repeated ignoring case, unknown with the
 * nearest known one, non-canonical case, obsolete), nested object members, integer
 * options as each client reads them, and the servers (URLs each client can use, empty and
 * repeated entries, at least one usable server). */
extern const engine_builtin mender_checks_builtin;

#endif
