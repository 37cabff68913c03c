#include "app/cli.h"
#include "base/exitcodes.h"
#include "base/oom.h"
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

/* The common options, in the order --help lists them. */
static const struct common_def {
    unsigned bit;
    const char *long_name;
    char short_name;
    const char *arg_name;
    const char *help;
    int id;
} commons[] = {
    {CO_OUTPUT, "output", 'o', "FILE", "write the result to FILE (atomically) instead of stdout", -1},
    {CO_INPLACE, "in-place", 'i', NULL, "replace the input file with the result (atomically)", -2},
    {CO_RULES, "rules", 'r', "FILE", "load rules from FILE (repeatable)", -3},
    {CO_SET, "set", 'D', "NAME=VALUE", "set a rule variable (repeatable)", -4},
    {CO_FORMAT, "format", 0, "FMT", "diagnostics as text, json, sarif or github (workflow commands)", -5},
    {CO_INDENT, "indent", 0, "N", "indent output with N spaces (default: the input's style)", -6},
    {CO_INDENT, "tab", 0, NULL, "indent output with tabs", -7},
    {CO_INDENT, "compact", 0, NULL, "write output on one line", -8},
    {CO_QUIET, "quiet", 'q', NULL, "print errors only", -9},
    {CO_DRYRUN, "dry-run", 'n', NULL, "print what would change; write no document", -10},
    {CO_DRYRUN, "explain", 0, NULL, "same as --dry-run", -10},
};
#define NCOMMON (sizeof commons / sizeof commons[0])

int cli_usage_error(const char *prog, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: error: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry '%s --help' for more information.\n", prog);
    return -1;
}

bool cli_number(const char *s, long long lo, long long hi, long long *out)
{
    if (!s || !*s)
        return false;
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || *end || v < lo || v > hi || (*s != '-' && (*s < '0' || *s > '9')))
        return false;
    *out = v;
    return true;
}

static void print_opt(const char *long_name, char short_name, const char *arg, const char *help)
{
    char left[64];
    if (short_name && long_name)
        snprintf(left, sizeof left, "-%c, --%s%s%s", short_name, long_name, arg ? " " : "", arg ? arg : "");
    else if (long_name)
        snprintf(left, sizeof left, "    --%s%s%s", long_name, arg ? " " : "", arg ? arg : "");
    else
        snprintf(left, sizeof left, "-%c%s%s", short_name, arg ? " " : "", arg ? arg : "");
    /* At least two spaces between an option and its help, also when the option is long:
     * the completion generator (tools/completion.sh) reads the column by them. */
    printf("  %-26s %s%s\n", left, strlen(left) >= 26 ? " " : "", help);
}

static void print_help(const cli_spec *s)
{
    printf("usage: %s %s\n%s\n\noptions:\n", s->prog, s->synopsis, s->summary);
    for (const cli_option *o = s->options; o && o->id; o++)
        print_opt(o->long_name, o->short_name, o->arg_name, o->help);
    for (size_t i = 0; i < NCOMMON; i++)
        if (s->common & commons[i].bit)
            print_opt(commons[i].long_name, commons[i].short_name, commons[i].arg_name, commons[i].help);
    print_opt("help", 'h', NULL, "show this help and exit");
    print_opt("version", 0, NULL, "show the version and exit");
    printf("\nexit status: %s\n"
           "See %s(1).\n",
           s->exits ? s->exits : "0 ok, 1 findings or refusal, 2 usage, 3 bad input, 4 bad rules, 5 I/O error", s->prog);
}

/* One option the parser can match: either a common one or the tool's. */
typedef struct match {
    int id;
    const char *arg_name;
    const char *long_name;
} match;

static bool find_long(const cli_spec *s, const char *name, size_t len, match *m)
{
    for (const cli_option *o = s->options; o && o->id; o++)
        if (o->long_name && strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
            return *m = (match){o->id, o->arg_name, o->long_name}, true;
    for (size_t i = 0; i < NCOMMON; i++)
        if ((s->common & commons[i].bit) && strlen(commons[i].long_name) == len &&
            !strncmp(commons[i].long_name, name, len))
            return *m = (match){commons[i].id, commons[i].arg_name, commons[i].long_name}, true;
    if (len == 4 && !strncmp(name, "help", 4))
        return *m = (match){-100, NULL, "help"}, true;
    if (len == 7 && !strncmp(name, "version", 7))
        return *m = (match){-101, NULL, "version"}, true;
    return false;
}

static bool find_short(const cli_spec *s, char c, match *m)
{
    for (const cli_option *o = s->options; o && o->id; o++)
        if (o->short_name == c)
            return *m = (match){o->id, o->arg_name, o->long_name}, true;
    for (size_t i = 0; i < NCOMMON; i++)
        if ((s->common & commons[i].bit) && commons[i].short_name == c)
            return *m = (match){commons[i].id, commons[i].arg_name, commons[i].long_name}, true;
    if (c == 'h')
        return *m = (match){-100, NULL, "help"}, true;
    return false;
}

/* The exit code after --help or --version: EXIT_IO when standard output could not take
 * the text (> /dev/full), else EXIT_OK. */
static int printed(void)
{
    return fflush(stdout) != 0 || ferror(stdout) ? EXIT_IO : EXIT_OK;
}

/* Applies one matched option; returns -1 to go on, or an exit code. */
static int apply(const cli_spec *s, cli_common *c, const match *m, const char *arg)
{
    const char *p = s->prog;
    long long n;
    switch (m->id) {
    case -100: print_help(s); return printed();
    case -101: printf("%s (tmplkit) %s\n", p, TMPLKIT_VERSION); return printed();
    case -1:
        if (!*arg)
            return cli_usage_error(p, "-o needs a file name"), EXIT_USAGE;
        c->output = arg;
        return -1;
    case -2: c->in_place = true; return -1;
    case -3:
        c->rules = xrealloc(c->rules, (c->nrules + 1) * sizeof *c->rules);
        c->rules[c->nrules++] = arg;
        return -1;
    case -4: {
        const char *eq = strchr(arg, '=');
        if (!eq || eq == arg)
            return cli_usage_error(p, "--set wants NAME=VALUE, got '%s'", arg), EXIT_USAGE;
        c->vars = xrealloc(c->vars, (c->nvars + 1) * sizeof *c->vars);
        c->vars[c->nvars++] = (cli_var){arg, (size_t)(eq - arg), eq + 1};
        return -1;
    }
    case -5:
        if (!strcmp(arg, "text"))
            c->format = FMT_TEXT;
        else if (!strcmp(arg, "json"))
            c->format = FMT_JSON;
        else if (!strcmp(arg, "sarif"))
            c->format = FMT_SARIF;
        else if (!strcmp(arg, "github"))
            c->format = FMT_GITHUB;
        else
            return cli_usage_error(p, "--format must be text, json, sarif or github, not '%s'", arg), EXIT_USAGE;
        return -1;
    case -6:
        if (!cli_number(arg, 0, 16, &n))
            return cli_usage_error(p, "--indent wants a number from 0 to 16, not '%s'", arg), EXIT_USAGE;
        c->indent_set = true, c->indent = (unsigned)n, c->tab = false;
        return -1;
    case -7: c->indent_set = true, c->tab = true, c->indent = 0; return -1;
    case -8: c->indent_set = true, c->tab = false, c->indent = 0; return -1;
    case -9: c->quiet = true; return -1;
    case -10: c->dry_run = true; return -1;
    default:
        return s->handle && s->handle(s->ctx, m->id, arg) == 0 ? -1 : EXIT_USAGE;
    }
}

/* A program started with standard input, output or error closed would get them back from
 * its next open(): a temporary output file could become "stdout". Each closed one is
 * occupied by /dev/null opened read-only, so writing to it still fails (EBADF), as with
 * a closed descriptor, and nothing lands in the wrong file. */
static void occupy_closed_std_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && errno == EBADF) {
            int n = open("/dev/null", O_RDONLY);
            if (n >= 0 && n != fd) {
                dup2(n, fd);
                close(n);
            }
        }
}

int cli_parse(const cli_spec *s, int argc, char **argv, cli_common *c)
{
    occupy_closed_std_fds();
    memset(c, 0, sizeof *c);
    c->operands = xcalloc((size_t)argc + 1, sizeof *c->operands);
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (options_done || a[0] != '-' || !a[1]) {
            c->operands[c->noperands++] = a;
            continue;
        }
        if (!strcmp(a, "--")) {
            options_done = true;
            continue;
        }
        match m;
        int r;
        if (a[1] == '-') {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            if (!find_long(s, name, len, &m))
                return cli_usage_error(s->prog, "unknown option '--%.*s'", (int)len, name), EXIT_USAGE;
            const char *arg = NULL;
            if (m.arg_name) {
                if (eq)
                    arg = eq + 1;
                else if (i + 1 < argc)
                    arg = argv[++i];
                else
                    return cli_usage_error(s->prog, "option '--%s' needs %s", m.long_name, m.arg_name), EXIT_USAGE;
            } else if (eq) {
                return cli_usage_error(s->prog, "option '--%s' takes no value", m.long_name), EXIT_USAGE;
            }
            if ((r = apply(s, c, &m, arg)) >= 0)
                return r;
            continue;
        }
        for (const char *f = a + 1; *f; f++) {
            if (!find_short(s, *f, &m))
                return cli_usage_error(s->prog, "unknown option '-%c'", *f), EXIT_USAGE;
            const char *arg = NULL;
            if (m.arg_name) {
                if (f[1])
                    arg = f + 1;
                else if (i + 1 < argc)
                    arg = argv[++i];
                else
                    return cli_usage_error(s->prog, "option '-%c' needs %s", *f, m.arg_name), EXIT_USAGE;
            }
            if ((r = apply(s, c, &m, arg)) >= 0)
                return r;
            if (arg)
                break;
        }
    }
    if (c->in_place && c->output)
        return cli_usage_error(s->prog, "-i and -o exclude each other"), EXIT_USAGE;
    return -1;
}

void cli_free(cli_common *c)
{
    free(c->rules);
    free(c->vars);
    free(c->operands);
    memset(c, 0, sizeof *c);
}
