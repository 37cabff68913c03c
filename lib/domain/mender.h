/* Layer domain (lib/domain/): what tmplkit knows of Mender configs and ARM templates
 * beyond rules and schemas (built-ins shared by tools); uses rules and below.
 * lib/ is base < json < query < rules < domain < app; a layer includes and links only
 * itself and the layers below it (README.md, "Layout and design"; make check runs
 * tests/check-layers.sh). */
/* mender: what tmplkit knows about mender.conf beyond its schema and rule files: where
 * the server URLs are, how two URLs compare, and the checks that need code. */
#ifndef TK_MENDER_H
#define TK_MENDER_H
#include "base/buf.h"
#include "rules/engine.h"
#include "json/json.h"
#include <stdbool.h>

typedef struct mender_server {
    json_node *node;        /* the ServerURL string (or other value) node */
    json_node *entry;       /* its Servers entry, or NULL for the top-level ServerURL */
} mender_server;

/* Lists the usable servers of a config (non-empty string URLs) in the order the client
 * tries them: the top-level ServerURL (any case), then each Servers entry's ServerURL
 * (any case; the last one where a name repeats). Returns the count; *list is malloc'd
 * (free it). */
size_t mender_usable_servers(const json_node *root, mender_server **list);

/* Returns NULL when url is an absolute http or https URL with a host (https only when
 * allow_http is false), or why it is not, worded to follow "URL 'x' ". */
const char *mender_url_problem(const char *url, size_t len, bool allow_http);

/* The built-in "mender-checks" for config-validate: duplicate names ignoring case,
 * unknown and non-canonical names (args: {known: [...], obsolete: [...]}), server URLs
 * (absolute http(s) with a host, duplicates and empties after normalisation, at least one
 * usable server). */
extern const engine_builtin mender_checks_builtin;

/* Returns true when two server URLs name the same server: compared without trailing '/'
 * and ignoring the case of scheme and host. */
bool mender_same_server(const char *a, size_t an, const char *b, size_t bn);

/* Reads rule variable var (a server URL given as --VAR) into *url and its quoted form
 * into q (for messages). When it is not a usable URL, reports that (rule
 * mender-new-url) and returns false. */
bool mender_url_variable(engine_call *c, const char *var, bool allow_http, const char **url, buf *q);

#endif
