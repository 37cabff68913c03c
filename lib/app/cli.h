/* cli: the one command-line parser every tool shares, with the common options. */
#ifndef TK_CLI_H
#define TK_CLI_H
#include <stdbool.h>
#include <stddef.h>

/* The version comes from the Makefile (VERSION: git describe, else its VERSION line). */
#ifndef TMPLKIT_VERSION
#define TMPLKIT_VERSION "0.1.0"
#endif

typedef enum out_format { FMT_TEXT, FMT_JSON, FMT_SARIF, FMT_GITHUB } out_format;

/* Which common options a tool accepts (bit set in cli_spec.common). */
enum cli_common_opt {
    CO_OUTPUT = 1,      /* -o FILE */
    CO_INPLACE = 2,     /* -i */
    CO_RULES = 4,       /* -r/--rules FILE (repeatable) */
    CO_SET = 8,         /* -D/--set NAME=VALUE (repeatable) */
    CO_FORMAT = 16,     /* --format text|json|sarif */
    CO_INDENT = 32,     /* --indent N, --tab, --compact */
    CO_QUIET = 64,      /* -q */
    CO_DRYRUN = 128,    /* -n/--dry-run, --explain */
    CO_ALL = 255
};

typedef struct cli_var {
    const char *name;   /* points into argv */
    size_t name_len;
    const char *value;
} cli_var;

typedef struct cli_common {
    const char *output;
    bool in_place;
    const char **rules;
    size_t nrules;
    cli_var *vars;
    size_t nvars;
    out_format format;
    bool indent_set;    /* --indent/--tab/--compact given */
    unsigned indent;
    bool tab;
    bool quiet;
    bool dry_run;
    char **operands;    /* the non-option arguments, in order */
    size_t noperands;
} cli_common;

/* A tool's own option; id is passed to the tool's handler. */
typedef struct cli_option {
    const char *long_name;  /* without "--"; may be NULL */
    char short_name;        /* 0 when none */
    const char *arg_name;   /* NULL: a flag without argument */
    const char *help;
    int id;
} cli_option;

typedef struct cli_spec {
    const char *prog;
    const char *synopsis;   /* usage line after the program name */
    const char *summary;    /* one line on what the tool does */
    unsigned common;        /* enum cli_common_opt bits */
    const cli_option *options;  /* tool options, ended by an entry with id 0 */
    /* Handles a tool option; returns 0, or -1 after cli_usage_error. */
    int (*handle)(void *ctx, int id, const char *arg);
    void *ctx;
    const char *exits;      /* the "exit status:" line of --help; NULL: the filters' codes */
} cli_spec;

/* Parses argv into *c (and the tool's own options through spec->handle). Returns -1 to go
 * on, EXIT_OK after printing --help or --version, or EXIT_USAGE after a message. */
int cli_parse(const cli_spec *spec, int argc, char **argv, cli_common *c);

/* Prints "PROG: error: MESSAGE" and the --help hint on stderr; returns -1. */
int cli_usage_error(const char *prog, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parses a decimal integer in [lo, hi] strtonum-style; returns false when s is not one. */
bool cli_number(const char *s, long long lo, long long hi, long long *out);

/* Frees what cli_parse allocated. */
void cli_free(cli_common *c);

#endif
