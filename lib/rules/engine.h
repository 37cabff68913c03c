/* Layer rules (lib/rules/): rule files and the engine that applies them; uses query,
 * json and base.
 * lib/ is base < json < query < rules < domain < app; a layer includes and links only
 * itself and the layers below it (README.md, "Layout and design"; make check runs
 * tests/check-layers.sh). */
/* engine: applies rule files to a document: select with JSONPath, filter, then edit or
 * report, rule after rule in file order (README.md "Rule files" defines the semantics). */
#ifndef TK_ENGINE_H
#define TK_ENGINE_H
#include "base/diag.h"
#include "json/json.h"
#include "rules/rules.h"
#include <stdbool.h>

typedef struct engine engine;

/* What a built-in receives for each node its rule selected. */
typedef struct engine_call {
    engine *e;
    json_doc *doc;
    json_node *node;            /* the selected node */
    const json_node *args;      /* the rule's args (a YAML tree) or NULL */
    const rule *rule;
    const char *file;           /* display name of the document */
    diag_list *d;
    bool dry_run;
    void *ctx;                  /* the built-in's own context */
} engine_call;

/* A built-in returns EXIT_OK, or an exit code that stops the run (after adding findings). */
typedef int (*engine_builtin_fn)(engine_call *c);

/* Checks what a JSON Schema cannot: sets *at (a node of args) and returns why args are
 * wrong, or returns NULL. */
typedef const char *(*engine_args_check_fn)(const json_node *args, const json_node **at);

typedef struct engine_builtin {
    const char *name;
    engine_builtin_fn fn;
    void *ctx;
    /* The arguments it takes (a rule's "args"), as JSON Schema text; NULL: it takes
     * none. A rule file is checked against it when it is loaded from YAML, and every
     * compiled-in rule file when the project builds. */
    const char *args_schema;
    engine_args_check_fn check_args;    /* optional, after the schema holds */
    const diag_rule *rules;     /* what the rule ids it reports mean (for SARIF); ends with a NULL id */
} engine_builtin;

/* Adds a finding for a built-in at node at (rule id as given, positions resolved later). */
void engine_report(engine_call *c, severity sev, const char *rule_id, const json_node *at, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* Makes an engine for tool (its rule files must say "tool: TOOL" or "tool: any"). */
engine *engine_new(const char *tool);

/* Frees the engine and every rule file it loaded. */
void engine_free(engine *e);

/* Loads rule files: each path, or "@default" for the rules built into the binary
 * (rules/TOOL.yaml); no paths at all means "@default". Returns EXIT_OK, EXIT_BADRULES or
 * EXIT_IO after adding findings to d. */
int engine_load(engine *e, const char *const *paths, size_t n, diag_list *d);

/* Loads one rule file from memory. */
int engine_load_text(engine *e, const char *name, const char *text, size_t len, diag_list *d);

/* Registers built-ins that rules may invoke with "do: {builtin: NAME}". */
void engine_add_builtins(engine *e, const engine_builtin *b, size_t n);

/* Sets variable name from the command line; how says where it came from ("-D", "--new")
 * for messages. Returns EXIT_OK, or EXIT_USAGE when no loaded file declares it. */
int engine_set(engine *e, const char *name, size_t len, const char *value, const char *how, diag_list *d);

/* Checks variables (required, pattern) and compiles every query and pattern. Returns
 * EXIT_OK, EXIT_USAGE (a variable) or EXIT_BADRULES, with findings in d. */
int engine_prepare(engine *e, diag_list *d);

/* Compiles every rule of every loaded file, compiled-in ones included, whatever the
 * variables hold (what the build checks): queries, patterns, templates, 'when' variables,
 * built-in names and arguments. Returns EXIT_OK or EXIT_BADRULES with findings in d. */
int engine_compile(engine *e, diag_list *d);

/* Sets *in and *out to what the tool's own rule file (rules/TOOL.yaml, compiled in)
 * declares its input and output to be, whichever files -r loaded; undeclared contracts
 * when it has none. */
void engine_contracts(engine *e, const rule_contract **input, const rule_contract **output);

/* Returns the loaded rule files in order, *n set to the count. */
rule_file *const *engine_files(const engine *e, size_t *n);

/* Returns true when variable name is required and has no value yet. */
bool engine_missing(const engine *e, const char *name);

/* Returns true when variable name holds "true". */
bool engine_is_true(const engine *e, const char *name);

/* Applies every rule to doc, adding reports (and, with dry_run, a note for each change)
 * to d under the name file. Returns EXIT_OK or the code of the first failure. */
int engine_run(engine *e, json_doc *doc, const char *file, bool dry_run, diag_list *d);

/* Returns the current value of a variable, or NULL when it has none. */
const char *engine_get(const engine *e, const char *name);

/* Copies the built-in's string argument name into dst (cap bytes, always NUL-terminated;
 * "" when it is absent or not a string) and returns dst. */
char *engine_arg_text(const engine_call *c, const char *name, char *dst, size_t cap);

/* Sets a variable while rules run (for built-ins that compute one). */
void engine_put(engine *e, const char *name, const char *value);

/* Returns the rule metadata of every loaded rule (for SARIF), *n set to the count. */
const diag_rule *engine_catalog(engine *e, size_t *n);

/* Returns how many changes the last run made (edits that altered the document). */
size_t engine_changes(const engine *e);

/* With on, every change a rule makes is listed as a note, as a dry run lists it ("removed
 * PATH", "set PATH to (secret)"): a tool's summary of what it did. */
void engine_narrate(engine *e, bool on);

/* A built-in that edits the document counts each change it makes (--check and dry runs
 * rely on the count). */
void engine_count_change(engine_call *c);

#endif
