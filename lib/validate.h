/* validate: the shared validator every tool runs on its own output before writing. */
#ifndef TK_VALIDATE_H
#define TK_VALIDATE_H
#include "diag.h"
#include "json.h"

typedef enum config_kind { KIND_AUTO, KIND_JSON } config_kind;

typedef struct validate_opts {
    config_kind kind;
} validate_opts;

/* Returns the kind named s ("auto", "json"), or -1 when s names none. */
int config_kind_parse(const char *s);

/* Returns the name of a kind as --kind spells it. */
const char *config_kind_name(config_kind k);

/* Checks a parsed document and adds its findings to d under the display name file;
 * returns the kind it was checked as. Positions are left for diag_resolve. */
config_kind validate_doc(const json_doc *doc, const char *file, const validate_opts *o, diag_list *d);

/* Parses src[0..len) and checks it; a syntax error becomes a finding. Resolves the
 * positions of the findings it adds. Returns the kind used. */
config_kind validate_buffer(const char *src, size_t len, const char *file, const validate_opts *o, diag_list *d);

#endif
