/* rules: loads and checks a YAML rule file (README.md "Rule files" is the reference):
 * the tool it is for, its version, its variables and its ordered rules. Unknown keys are
 * errors, and every error points at FILE:LINE:COL in the YAML. */
#ifndef TK_RULES_H
#define TK_RULES_H
#include "base/diag.h"
#include "json/json.h"
#include "query/jsonpath.h"
#include "query/rx.h"
#include <stdbool.h>

typedef enum action_kind {
    ACT_REMOVE, ACT_SET, ACT_RENAME, ACT_REPLACE, ACT_PATCH, ACT_REPORT, ACT_BUILTIN
} action_kind;

/* A string from the rule file and the byte offset of its first character there. */
typedef struct rule_text {
    const char *s;          /* NULL when absent */
    size_t len;
    size_t at;
} rule_text;

typedef struct rule_step rule_step;
struct rule_step {
    size_t at;                      /* offset of the step in the YAML */
    rule_text select;               /* JSONPath, may hold ${...} */
    rule_text where_name;           /* PCRE2 searched in the member name */
    rule_text where_value;          /* PCRE2 searched in a string value */
    unsigned where_types;           /* bit per json_type, 0 for any */
    bool when_empty;                /* fire once when the selection is empty (report only) */
    bool secret;                    /* never show values this step writes */
    action_kind action;
    const json_node *value;         /* set: the value (YAML tree) */
    rule_text member;               /* set: the member to create or replace in each selected object */
    rule_text rename_to;
    rule_text pattern, with;        /* replace */
    const json_node *patch;         /* patch: the operations */
    severity sev;                   /* report */
    rule_text message;              /* report */
    rule_text builtin;              /* builtin: its name */
    const json_node *args;          /* builtin: its arguments (YAML tree) or NULL */
    rule_step *then;                /* follow-up steps for each selected node */
    size_t nthen;
    /* Filled when the engine prepares the rules (compiled-in files: on first use): */
    bool prepared;
    jp_query *query;                /* NULL while the select depends on the node (${node...}) */
    rx *rx_name, *rx_value, *rx_pattern;
    char *with_text;                /* replacement with variables expanded */
    size_t with_len;
};

typedef struct rule_when {
    rule_text var, value;           /* the rule runs only when variable var equals value */
} rule_when;

typedef struct rule {
    rule_text id, summary, help;
    rule_when *when;                /* all must hold */
    size_t nwhen;
    rule_step step;
} rule;

typedef struct rule_var {
    rule_text name, def, pattern, description;
    bool required;
    rx *rx;                         /* compiled pattern, filled by the engine */
} rule_var;

/* What a tool's input or output must be, as its rule file declares it ("input:" and
 * "output:"): a document the shared validator accepts as kind at stage, but for errors
 * whose rule ids are in tolerate (an input: what the tool exists to fix; an output: what a
 * later tool of the pipeline deals with); the
 * variables in pass (such as client) are set in the validator's checks too. */
typedef struct rule_contract {
    bool declared;
    rule_text kind, stage;
    rule_text *tolerate;
    size_t ntolerate;
    rule_text *pass;                /* the tool's variables handed to the validator's checks */
    size_t npass;
} rule_contract;

/* For a compiled-in file: the YAML line and column of each node of its stored JSON form,
 * in the order of json_offset (written by tools/embed.c). */
typedef struct rule_line_table {
    const unsigned *v;              /* triples: json_offset, line, column */
    size_t n;                       /* number of triples */
} rule_line_table;

typedef struct rule_file {
    char *name;                     /* display name (path, or "builtin:TOOL") */
    char *text;                     /* owned copy of the YAML */
    size_t len;
    json_doc *yaml;
    rule_text tool, description;
    long version;
    rule_var *vars;
    size_t nvars;
    rule *rules;
    size_t nrules;
    rule_contract input, output;
    bool compiled_in;               /* a built-in file stored as JSON ... */
    rule_line_table lines;          /* ... whose YAML positions are kept here */
} rule_file;

/* Loads a rule file from text[0..len) (copied), named name in messages: YAML, or with
 * compiled_in the JSON form tools/embed.c stores, whose positions map back to the YAML
 * through lines (may be empty: no positions). On error adds findings (rule id
 * "rule-file") to d and returns NULL. */
rule_file *rules_load(const char *name, const char *text, size_t len, bool compiled_in, rule_line_table lines,
                      diag_list *d);

/* Gives findings [from, d->n), which point into f's text, their line and column in the
 * YAML they came from (through the line table for a compiled-in file). */
void rules_locate(const rule_file *f, diag_list *d, size_t from);

/* Frees a rule file and what the engine compiled into it; NULL is allowed. */
void rules_free(rule_file *f);

#endif
