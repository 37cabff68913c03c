/* tool: the pipeline every filter shares: options, rules, input, engine, validation of the
 * result, atomic output, diagnostics and the exit code. A tool's main() fills a tool_spec. */
#ifndef TK_TOOL_H
#define TK_TOOL_H
#include "cli.h"
#include "diag.h"
#include "engine.h"
#include "validate.h"

/* A tool option that sets a rule variable: with an argument (value NULL) to the argument,
 * as a flag to value. */
typedef struct tool_flag {
    const char *long_name, *arg_name, *help;
    const char *var;
    const char *value;
} tool_flag;

typedef struct tool_spec {
    const char *prog, *synopsis, *summary;
    const tool_flag *flags;         /* the tool's own options, ended by a NULL long_name */
    const engine_builtin *builtins;
    size_t nbuiltins;
    config_kind out_kind;           /* the shared validator checks the result as this kind */
    const char *out_stage;          /* ... at this stage (NULL: review) */
    bool rules_required;            /* the tool has no rules of its own: -r is needed */
    /* When in_kind is set, the input must pass the shared validator as that kind (errors
     * other than the rule ids in in_tolerated make the tool exit EXIT_BADINPUT). */
    config_kind in_kind;
    const char *const *in_tolerated;
} tool_spec;

/* Runs the whole pipeline and returns the exit code (lib/exitcodes.h). The document is
 * written (stdout, -o FILE or -i, atomically) only when the code is EXIT_OK. */
int tool_main(const tool_spec *t, int argc, char **argv);

/* Writes findings in the chosen format to fd, text lines prefixed with prog; -q keeps
 * errors only. Returns 0 or an errno. */
int tool_print(const diag_list *d, const char *prog, out_format fmt, bool quiet, const diag_rule *catalog,
               size_t ncatalog, int fd);

#endif
