/* report: how findings leave a program: gcc-style text lines, plain JSON and SARIF 2.1.0. */
#ifndef TK_REPORT_H
#define TK_REPORT_H
#include "app/cli.h"
#include "base/diag.h"
#include "base/out.h"
#include <stdbool.h>

/* A run of consecutive findings that a header line introduces in text reports
 * (config-validate: "PROG: FILE: checked as KIND" before each file's findings). */
typedef struct report_group {
    const char *header;     /* the text after "PROG: ", or NULL for none */
    size_t first, n;        /* findings [first, first + n) of the list */
    bool always;            /* print the header even when the group has no finding shown */
} report_group;

/* How a program's findings leave it; one sink for every tool. */
typedef struct report_opts {
    const char *prog;
    out_format format;
    bool quiet;                     /* -q: errors only */
    const diag_rule *catalog;       /* rule metadata for SARIF */
    size_t ncatalog;
    const char *extra_json;         /* members added to the JSON report, or NULL */
    const report_group *groups;     /* text only; NULL: no header lines */
    size_t ngroups;
    const char *preamble;           /* text only: printed before the findings, or NULL */
} report_opts;

/* Writes the report to file descriptor fd; returns 0 or an errno. */
int report_write_fd(const diag_list *d, const report_opts *r, int fd);

/* Writes the report to path, replacing a regular file atomically (all or nothing);
 * returns 0 or an errno. */
int report_write_file(const diag_list *d, const report_opts *r, const char *path);

/* Writes every finding as "PROG: FILE:LINE:COL: SEVERITY: MESSAGE [RULE]" lines. */
void diag_render_text(const diag_list *d, const char *prog, out *o);

/* Writes {"tool":..,"findings":[..],"summary":{..}} with extra members from extra_json
 * (a pre-rendered JSON object body such as "\"files\":[...]", or NULL). */
void diag_render_json(const diag_list *d, const char *tool, const char *extra_json, out *o);

/* Writes a SARIF 2.1.0 log with one run: the rules of the catalog that findings use,
 * (rules missing from the catalog get their id as description), then the results. */
void diag_render_sarif(const diag_list *d, const char *tool, const char *version, const diag_rule *catalog,
                       size_t ncatalog, out *o);

#endif
