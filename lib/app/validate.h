/* validate: the shared validator. config-validate is its command line, and every other
 * tool runs it on its own output before writing: syntax, the kind's schema (rules/schemas/),
 * the check rules (rules/config-validate.yaml) and their built-ins. */
#ifndef TK_VALIDATE_H
#define TK_VALIDATE_H
#include "base/diag.h"
#include "json/json.h"
#include "rules/engine.h"
#include <stdbool.h>

typedef enum config_kind { KIND_AUTO, KIND_JSON, KIND_ARM, KIND_MENDER } config_kind;

typedef struct validate_opts {
    config_kind kind;
    const char *stage;              /* "review" (default) or "deploy" */
    const char *schema_path;        /* --schema FILE: checks every file against it instead */
    const char *client;             /* --client: the Mender client generation, "4" or "3"; NULL: 4 */
    const char *const *checks;      /* -r FILE... ("@default" = the built-in checks); none = default */
    size_t nchecks;
} validate_opts;

typedef struct validator validator;

/* Returns the kind named s (auto, json, arm-template, mender-conf), or -1. */
int config_kind_parse(const char *s);

/* Returns the name of a kind as --kind spells it. */
const char *config_kind_name(config_kind k);

/* Returns true when a kind can be checked as a client's view of two files (--fallback). */
bool config_kind_has_fallback(config_kind k);

/* Returns the built-ins the validator's check rules (rules/config-validate.yaml) may call,
 * *n set to their count. */
const engine_builtin *validator_builtins(size_t *n);

/* Loads the schemas and check rules. Returns NULL with findings in d and *status set to
 * EXIT_BADRULES, EXIT_USAGE or EXIT_IO when something cannot be loaded. */
validator *validator_new(const validate_opts *o, diag_list *d, int *status);

/* Sets a variable of the check rules (rules/config-validate.yaml), when they declare it. */
void validator_set_var(validator *v, const char *name, const char *value);

/* Sets the stage (review or deploy) the next checks are made at. */
void validator_set_stage(validator *v, const char *stage);

/* Frees a validator; NULL is allowed. */
void validator_free(validator *v);

/* Checks a parsed document as kind (KIND_AUTO: decided from its $schema or keys and the
 * file name); adds findings under the name file, positions resolved against doc->src.
 * Returns the kind used. */
config_kind validator_check_doc(validator *v, json_doc *doc, const char *file, config_kind kind, diag_list *d);

/* Parses src[0..len) (a syntax error is a finding) and checks it as kind (KIND_AUTO:
 * detected). Plain JSON without a --schema is checked in one streaming pass, with no tree.
 * Returns the kind used. */
config_kind validator_check_buffer(validator *v, const char *src, size_t len, const char *file, config_kind kind,
                                   diag_list *d);

/* Checks the view a Mender client gets from two files: fallback (read first) overridden
 * key by key by main, each also checked for what concerns one file alone. Findings name
 * the file each node came from. */
void validator_check_mender_pair(validator *v, const char *fb_src, size_t fb_len, const char *fb_name,
                                 const char *main_src, size_t main_len, const char *main_name, diag_list *d);

/* Returns the metadata of every rule the validator can report (for SARIF). */
const diag_rule *validator_catalog(validator *v, size_t *n);

#endif
