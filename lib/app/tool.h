/* Layer app (lib/app/): the programs' shared front and back ends (options, the
 * validator, the tool pipeline, reports); the only layer that prints.
 * lib/ is base < json < query < rules < domain < app; a layer includes and links only
 * itself and the layers below it (README.md, "Layout and design"; make check runs
 * tests/check-layers.sh). */
/* tool: the pipeline every filter and report tool shares: options, rules, input, the
 * input's check, the engine, the result's check, the report and the document's output.
 * A tool's main() fills a tool_spec and hands it to tool_main (TOOL_MAIN below). */
#ifndef TK_TOOL_H
#define TK_TOOL_H
#include "app/cli.h"
#include "base/diag.h"
#include "base/buf.h"
#include "rules/engine.h"

/* A tool option that sets a rule variable: with an argument (value NULL) to the argument,
 * as a flag to value. The build checks that the tool's rule file declares var. */
typedef struct tool_flag {
    const char *long_name, *arg_name, *help;
    const char *var;
    const char *value;
    bool needs_target;              /* only with -o FILE, -i or -n (it changes the document) */
    bool repeatable;                /* may be given again: the values are joined with ',' */
} tool_flag;

/* The shapes a tool can have; all share one pipeline and one report sink.
 *   TOOL_FILTER  writes the document (stdout, -o FILE or -i); with --check (when the
 *                spec offers it) it writes nothing and exits 1 when it would change
 *                its input.
 *   TOOL_REPORT  writes its findings (text, json or sarif) to stdout; the document only
 *                when -o FILE or -i asks for it (after rules that edit, such as a fix). */
typedef enum tool_mode { TOOL_FILTER, TOOL_REPORT } tool_mode;

typedef struct tool_spec {
    const char *prog, *synopsis, *summary;
    tool_mode mode;
    const tool_flag *flags;         /* the tool's own options, ended by a NULL long_name */
    const engine_builtin *builtins; /* what its rules may call; NULL-named entries end it */
    bool rules_required;            /* the tool has no rules of its own: -r is needed */
    bool check_option;              /* a filter that offers --check */
    bool narrate;                   /* every change is listed on standard error (a summary) */
    bool private_output;            /* -o/-i files get mode 0600 (or less): they hold secrets */
    /* Optional, report tools: what the tool found besides findings (its built-ins kept it
     * while the rules ran), appended to dst as text printed before the findings (format
     * text) or as members of the JSON report (format json); nothing for other formats. */
    void (*describe)(const engine *e, out_format format, buf *dst);
    /* Optional: writes the tool's other outputs (endpoint-audit's --notes FILE) once the
     * run has succeeded, before the document is put in place; returns 0, or an errno with
     * *path set to the file it could not write (then nothing is put in place). */
    int (*write_extra)(const engine *e, const char **path);
    /* What its input and output must be comes from its rule file ("input:", "output:");
     * a tool without one has its output checked as plain JSON. */
} tool_spec;

/* Runs the whole pipeline and returns the exit code (lib/base/exitcodes.h). The document
 * is written (stdout, -o FILE or -i, atomically) only when the code is EXIT_OK, and only
 * after the report has been written. */
int tool_main(const tool_spec *t, int argc, char **argv);

/* The main() of a tool whose spec is the static const tool_spec NAME, NAME being the
 * tool's name with '_' for '-'. When the build compiles a tool only to check its rule
 * file against its spec (TK_SPEC_ONLY), there is no main() and the spec is exported as
 * tool_spec_NAME instead. */
#ifdef TK_SPEC_ONLY
#define TOOL_MAIN(spec) const tool_spec *const tool_spec_##spec = &(spec);
#else
#define TOOL_MAIN(spec)                                                                                         \
    int main(int argc, char **argv)                                                                             \
    {                                                                                                           \
        return tool_main(&(spec), argc, argv);                                                                  \
    }
#endif

/* Returns the number of builtins in a NULL-name-ended table (NULL: 0). */
size_t tool_builtin_count(const engine_builtin *b);

#endif
