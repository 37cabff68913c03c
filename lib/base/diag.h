/* diag: findings (severity, rule id, message, file, byte span) and where they point;
 * lib/app/report.h renders them. */
#ifndef TK_DIAG_H
#define TK_DIAG_H
#include <stdarg.h>
#include <stddef.h>

typedef enum severity { SEV_NOTE, SEV_WARNING, SEV_ERROR } severity;

typedef struct finding {
    severity sev;
    char *rule;             /* stable rule id, owned */
    char *message;          /* owned; never holds a secret's value */
    char *file;             /* display name, owned */
    size_t start, end;      /* byte span, or JSON_NOPOS-like (size_t)-1 when the finding has none */
    size_t line, col;       /* 1-based once resolved; 0 when unknown */
} finding;

typedef struct diag_list {
    finding *v;
    size_t n, cap;
    size_t count[3];        /* findings per severity */
} diag_list;

/* Metadata of a rule for SARIF: id, one-line description and help text (static strings). */
typedef struct diag_rule {
    const char *id, *summary, *help;
} diag_rule;

/* Adds a finding (message printf-formatted) and returns it; position unresolved. */
finding *diag_add(diag_list *d, severity sev, const char *rule, const char *file, size_t start, size_t end,
                  const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* Orders findings [from, d->n) by their byte offset (findings without one last), keeping
 * the order of equal ones. */
void diag_sort(diag_list *d, size_t from);

/* diag_add with the arguments as a va_list. */
finding *diag_vadd(diag_list *d, severity sev, const char *rule, const char *file, size_t start, size_t end,
                   const char *fmt, va_list ap) __attribute__((format(printf, 7, 0)));

/* Adds a copy of finding f (position included) whose message starts with prefix. */
finding *diag_copy(diag_list *d, const finding *f, const char *prefix);

/* Computes line and column of findings [from, d->n) from the source they point into;
 * findings already placed (line set, e.g. in a rule file) keep their position. */
void diag_resolve(diag_list *d, size_t from, const char *src, size_t len);

/* Removes from findings [from, d->n) each one identical to an earlier one of that range
 * (same severity, rule, file, position and message), keeping the order of the rest. */
void diag_dedupe(diag_list *d, size_t from);

/* Frees every finding; the list is empty and reusable. */
void diag_free(diag_list *d);

/* Returns the word for a severity: "error", "warning" or "note". */
const char *severity_name(severity s);

#endif
