/* mender: what tmplkit knows about mender.conf beyond its schema and rule files: where
 * the server URLs are, how two URLs compare, and the checks that need code. */
#ifndef TK_MENDER_H
#define TK_MENDER_H
#include "buf.h"
#include "engine.h"
#include "tool.h"
#include "json.h"
#include <stdbool.h>

typedef struct mender_server {
    json_node *node;        /* the ServerURL string (or other value) node */
    json_node *entry;       /* its Servers entry, or NULL for the top-level ServerURL */
} mender_server;

/* Lists the server URL nodes of a config in the order the client tries them: the
 * top-level ServerURL (any case), then each Servers entry's ServerURL (any case; the last
 * one where a name repeats). Entries without one are listed with node NULL. Returns the
 * count; *out is malloc'd (free it). */
size_t mender_servers(const json_node *root, mender_server **list);

/* Appends url in the form two URLs are compared in: scheme and host lower-cased, trailing
 * '/' removed. */
void mender_url_normalize(const char *url, size_t len, buf *dst);

/* Returns NULL when url is an absolute http or https URL with a host (https only when
 * allow_http is false), or why it is not, worded to follow "URL 'x' ". */
const char *mender_url_problem(const char *url, size_t len, bool allow_http);

/* The built-in "mender-checks" for config-validate: duplicate names ignoring case,
 * unknown and non-canonical names (args: {known: [...], obsolete: [...]}), server URLs
 * (absolute http(s) with a host, duplicates and empties after normalisation, at least one
 * usable server). */
int mender_builtin_checks(engine_call *c);

/* The built-in "mender-dual-check" of menderconf-dual: sets variable old to the config's
 * current server when it is empty, and refuses (EXIT_USAGE for a bad --new, EXIT_FINDINGS
 * otherwise) a config with no current server, a new server equal to the old one, or a
 * different second server already in Servers. */
int mender_dual_check(engine_call *c);

/* The built-in "mender-final-check" of menderconf-final: refuses (EXIT_FINDINGS) when the
 * new server is not among the config's servers and variable force is not "true"; keeps a
 * one-entry Servers array as it is (sets servers-array to "true"). */
int mender_final_check(engine_call *c);

/* Runs a mender.conf filter through the tool pipeline: input and result checked as
 * mender-conf (tolerating on input what the Mender filters exist to fix), flags as rule
 * variables, builtin registered for the tool's rules. Returns the exit code. */
int mender_tool_main(const char *prog, const char *synopsis, const char *summary, const tool_flag *flags,
                     const engine_builtin *builtin, int argc, char **argv);

#endif
