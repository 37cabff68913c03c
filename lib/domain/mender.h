/* Layer domain (lib/domain/): what tmplkit knows of Mender configs and ARM templates
 * beyond rules and schemas (built-ins shared by tools); uses rules and below.
 * lib/ is base < json < query < rules < domain < app; a layer includes and links only
 * itself and the layers below it (README.md, "Layout and design"; make check runs
 * tests/check-layers.sh). */
/* mender: a mender.conf as the clients read it: which servers they use, the client
 * generation a run is about, and the built-ins the Mender filters share. */
#ifndef TK_MENDER_H
#define TK_MENDER_H
#include "base/buf.h"
#include "domain/mender_url.h"
#include "json/json.h"
#include "rules/engine.h"
#include <stdbool.h>

typedef struct mender_server {
    json_node *node;        /* the ServerURL string node */
    json_node *entry;       /* its Servers entry, or NULL for the top-level ServerURL */
} mender_server;

/* Lists the usable servers (non-empty string URLs) the client uses, in the order it
 * tries them: the entries of Servers when the config has a Servers array (both clients
 * then ignore, or refuse, a top-level ServerURL), else the top-level ServerURL. Option
 * and member names are matched ignoring case, the last spelling winning, as both clients
 * do. Returns the count; *list is malloc'd (free it). */
size_t mender_usable_servers(const json_node *root, mender_server **list);

/* Returns the client generation rule variable "client" names (4 unless it says 3). */
mender_client mender_client_of(const engine *e);

/* Reads rule variable var (a server URL given as --VAR) into *url and its quoted form
 * (password masked) into q, for messages. When the client cannot use it, reports that
 * (rule mender-new-url, naming --VAR) and returns false. */
bool mender_url_variable(engine_call *c, const char *var, bool allow_http, const char **url, buf *q);

/* The built-in "mender-drop-shadowed": removes every member of the selected object whose
 * name a later member repeats ignoring case (the clients read the last one), so a filter
 * edits the value the client uses and leaves no other spelling behind. */
int mender_drop_shadowed(engine_call *c);

/* What the rule id it reports means (for SARIF). */
extern const diag_rule mender_drop_shadowed_rules[];

/* Its entry in a tool's table of built-ins. */
#define MENDER_DROP_SHADOWED_BUILTIN {"mender-drop-shadowed", mender_drop_shadowed, NULL, NULL, NULL, mender_drop_shadowed_rules}

#endif
