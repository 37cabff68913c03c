#include "diag.h"
#include "json_write.h"
#include "oom.h"
#include "pos.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOPOS ((size_t)-1)

finding *diag_add(diag_list *d, severity sev, const char *rule, const char *file, size_t start, size_t end,
                  const char *fmt, ...)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->v = xrealloc(d->v, d->cap * sizeof *d->v);
    }
    finding *f = &d->v[d->n++];
    f->sev = sev;
    f->rule = xstrdup(rule ? rule : "");
    f->file = xstrdup(file ? file : "");
    f->start = start;
    f->end = end;
    f->line = f->col = 0;
    buf m = BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n >= 0 && (size_t)n >= sizeof small) {
        buf_reserve(&m, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(m.data, (size_t)n + 1, fmt, ap);
        va_end(ap);
        m.len = (size_t)n;
        f->message = buf_detach(&m, NULL);
    } else {
        f->message = xstrdup(n >= 0 ? small : "");
    }
    d->count[sev]++;
    return f;
}

finding *diag_copy(diag_list *d, const finding *f, const char *prefix)
{
    finding *g = diag_add(d, f->sev, f->rule, f->file, f->start, f->end, "%s%s", prefix, f->message);
    g->line = f->line;
    g->col = f->col;
    return g;
}

void diag_resolve(diag_list *d, size_t from, const char *src, size_t len)
{
    for (size_t i = from; i < d->n; i++) {
        finding *f = &d->v[i];
        if (f->start == NOPOS || !src)
            continue;
        pos p = pos_of(src, len, f->start);
        f->line = p.line;
        f->col = p.col;
    }
}

void diag_free(diag_list *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].rule);
        free(d->v[i].message);
        free(d->v[i].file);
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}

const char *severity_name(severity s)
{
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

void diag_render_one(const finding *f, const char *prog, out *o)
{
    char num[64];
    out_puts(o, prog);
    out_puts(o, ": ");
    if (*f->file) {
        out_puts(o, f->file);
        if (f->line) {
            snprintf(num, sizeof num, ":%zu:%zu", f->line, f->col);
            out_puts(o, num);
        }
        out_puts(o, ": ");
    }
    out_puts(o, severity_name(f->sev));
    out_puts(o, ": ");
    out_puts(o, f->message);
    if (*f->rule) {
        out_puts(o, " [");
        out_puts(o, f->rule);
        out_putc(o, ']');
    }
    out_putc(o, '\n');
}

void diag_render_text(const diag_list *d, const char *prog, out *o)
{
    for (size_t i = 0; i < d->n; i++)
        diag_render_one(&d->v[i], prog, o);
}

static void put_str(out *o, const char *s)
{
    json_write_string(o, s, strlen(s));
}

void diag_render_json(const diag_list *d, const char *tool, const char *extra_json, out *o)
{
    char num[96];
    out_puts(o, "{\n  \"tool\": ");
    put_str(o, tool);
    out_puts(o, ",\n  \"findings\": [");
    for (size_t i = 0; i < d->n; i++) {
        const finding *f = &d->v[i];
        out_puts(o, i ? ",\n    {" : "\n    {");
        out_puts(o, "\"file\": ");
        put_str(o, f->file);
        if (f->line) {
            snprintf(num, sizeof num, ", \"line\": %zu, \"column\": %zu, \"offset\": %zu", f->line, f->col, f->start);
            out_puts(o, num);
        }
        out_puts(o, ", \"severity\": ");
        put_str(o, severity_name(f->sev));
        out_puts(o, ", \"rule\": ");
        put_str(o, f->rule);
        out_puts(o, ", \"message\": ");
        put_str(o, f->message);
        out_putc(o, '}');
    }
    out_puts(o, d->n ? "\n  ],\n" : "],\n");
    if (extra_json && *extra_json) {
        out_puts(o, "  ");
        out_puts(o, extra_json);
        out_puts(o, ",\n");
    }
    snprintf(num, sizeof num, "  \"summary\": {\"errors\": %zu, \"warnings\": %zu, \"notes\": %zu}\n}\n",
             d->count[SEV_ERROR], d->count[SEV_WARNING], d->count[SEV_NOTE]);
    out_puts(o, num);
}

/* Writes a relative file path as a URI reference: unreserved bytes kept, others %XX. */
static void put_uri(out *o, const char *path)
{
    buf b = BUF_INIT;
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~/", *p))
            buf_putc(&b, (char)*p);
        else
            buf_printf(&b, "%%%02X", *p);
    }
    json_write_string(o, b.data ? b.data : "", b.len);
    buf_free(&b);
}

static const diag_rule *find_rule(const diag_rule *cat, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(cat[i].id, id))
            return &cat[i];
    return NULL;
}

static const char *sarif_level(severity s)
{
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

void diag_render_sarif(const diag_list *d, const char *tool, const char *version, const diag_rule *catalog,
                       size_t ncatalog, out *o)
{
    /* The rules array lists each rule id once, in order of first use; results refer to
     * it by ruleIndex. */
    const char **ids = xcalloc(d->n + 1, sizeof *ids);
    size_t nids = 0;
    size_t *index = xcalloc(d->n + 1, sizeof *index);
    for (size_t i = 0; i < d->n; i++) {
        size_t k;
        for (k = 0; k < nids; k++)
            if (!strcmp(ids[k], d->v[i].rule))
                break;
        if (k == nids)
            ids[nids++] = d->v[i].rule;
        index[i] = k;
    }
    char num[128];
    out_puts(o, "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n"
                "  \"version\": \"2.1.0\",\n  \"runs\": [\n    {\n      \"tool\": {\n"
                "        \"driver\": {\n          \"name\": ");
    put_str(o, tool);
    out_puts(o, ",\n          \"version\": ");
    put_str(o, version);
    out_puts(o, ",\n          \"rules\": [");
    for (size_t k = 0; k < nids; k++) {
        const diag_rule *r = find_rule(catalog, ncatalog, ids[k]);
        out_puts(o, k ? ",\n            {" : "\n            {");
        out_puts(o, "\"id\": ");
        put_str(o, ids[k]);
        out_puts(o, ", \"shortDescription\": {\"text\": ");
        put_str(o, r && r->summary ? r->summary : ids[k]);
        out_puts(o, "}, \"help\": {\"text\": ");
        put_str(o, r && r->help ? r->help : r && r->summary ? r->summary : ids[k]);
        out_puts(o, "}}");
    }
    out_puts(o, nids ? "\n          ]\n" : "]\n");
    out_puts(o, "        }\n      },\n      \"columnKind\": \"unicodeCodePoints\",\n      \"results\": [");
    for (size_t i = 0; i < d->n; i++) {
        const finding *f = &d->v[i];
        out_puts(o, i ? ",\n        {" : "\n        {");
        out_puts(o, "\"ruleId\": ");
        put_str(o, f->rule);
        snprintf(num, sizeof num, ", \"ruleIndex\": %zu, \"level\": \"%s\", \"message\": {\"text\": ", index[i],
                 sarif_level(f->sev));
        out_puts(o, num);
        put_str(o, f->message);
        out_puts(o, "}, \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": ");
        put_uri(o, *f->file ? f->file : "stdin");
        out_puts(o, "}");
        /* Code scanning wants a region on every result: a file-level finding points at 1:1. */
        snprintf(num, sizeof num, ", \"region\": {\"startLine\": %zu, \"startColumn\": %zu}",
                 f->line ? f->line : 1, f->line ? f->col : 1);
        out_puts(o, num);
        out_puts(o, "}}]}");
    }
    out_puts(o, d->n ? "\n      ]\n    }\n  ]\n}\n" : "]\n    }\n  ]\n}\n");
    free(ids);
    free(index);
}
