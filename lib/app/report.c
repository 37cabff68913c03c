/* report: the renderers of findings (text, JSON, SARIF). */
#include "app/report.h"
#include "base/buf.h"
#include "base/io.h"
#include "base/sha256.h"
#include "base/oom.h"
#include "base/quote.h"
#include "json/json_write.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes one finding as a "PROG: FILE:LINE:COL: SEVERITY: MESSAGE [RULE]" line. */
static void diag_render_one(const finding *f, const char *prog, out *o)
{
    /* A file name, a message or a rule id may hold text from outside (a document's value,
     * a rule file's text, a file's name): none of it reaches the terminal raw. */
    buf safe = BUF_INIT;
    char num[64];
    out_puts(o, prog);
    out_puts(o, ": ");
    if (*f->file) {
        quote_controls(&safe, f->file, strlen(f->file));
        out_puts(o, safe.data);
        if (f->line) {
            snprintf(num, sizeof num, ":%zu:%zu", f->line, f->col);
            out_puts(o, num);
        }
        out_puts(o, ": ");
    }
    out_puts(o, severity_name(f->sev));
    out_puts(o, ": ");
    buf_clear(&safe);
    quote_controls(&safe, f->message, strlen(f->message));
    out_puts(o, safe.data);
    if (*f->rule) {
        buf_clear(&safe);
        quote_controls(&safe, f->rule, strlen(f->rule));
        out_puts(o, " [");
        out_puts(o, safe.data);
        out_putc(o, ']');
    }
    out_putc(o, '\n');
    buf_free(&safe);
}

void diag_render_text(const diag_list *d, const char *prog, out *o)
{
    for (size_t i = 0; i < d->n; i++)
        diag_render_one(&d->v[i], prog, o);
}

/* Writes s as a JSON string; text from outside that is not valid UTF-8 or holds control
 * characters is made visible first (quote_controls), so the report stays valid JSON. */
static void put_str(out *o, const char *s)
{
    buf safe = BUF_INIT;
    quote_controls(&safe, s, strlen(s));
    json_write_string(o, safe.data, safe.len);
    buf_free(&safe);
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
/* Writes path as a URI reference: an absolute path as a file:// URI, a relative one as a
 * relative reference (with uriBaseId %SRCROOT% beside it); bytes outside the unreserved
 * set are percent-encoded, so any file name gives valid UTF-8 JSON. */
static void put_uri(out *o, const char *path)
{
    buf b = BUF_INIT;
    if (path[0] == '/')
        buf_puts(&b, "file://");
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

/* A stable identity of a finding across commits. */
static void fingerprint(const finding *f, char hex[65])
{
    sha256 s;
    sha256_init(&s);
    sha256_add(&s, f->rule, strlen(f->rule) + 1);
    sha256_add(&s, f->file, strlen(f->file) + 1);
    sha256_add(&s, f->message, strlen(f->message));
    sha256_hex(&s, hex);
}

/* Writes s with GitHub's workflow-command escapes: always %, CR, LF; in a property also
 * ':' and ','. */
static void put_github(out *o, const char *text, bool property)
{
    buf safe = BUF_INIT;
    quote_controls(&safe, text, strlen(text));
    for (const char *s = safe.data; *s; s++) {
        switch (*s) {
        case '%': out_puts(o, "%25"); break;
        case '\r': out_puts(o, "%0D"); break;
        case '\n': out_puts(o, "%0A"); break;
        case ':': out_puts(o, property ? "%3A" : ":"); break;
        case ',': out_puts(o, property ? "%2C" : ","); break;
        default: out_putc(o, *s);
        }
    }
    buf_free(&safe);
}

/* Writes every finding as a GitHub Actions workflow command, "::error file=F,line=L,
 * col=C,title=RULE::MESSAGE", so the run annotates the files. */
static void render_github(const diag_list *d, const report_opts *r, out *o)
{
    for (size_t i = 0; i < d->n; i++) {
        const finding *f = &d->v[i];
        if (r->quiet && f->sev != SEV_ERROR)
            continue;
        out_puts(o, f->sev == SEV_ERROR ? "::error " : f->sev == SEV_WARNING ? "::warning " : "::notice ");
        out_puts(o, "file=");
        put_github(o, *f->file ? f->file : "stdin", true);
        if (f->line) {
            char num[64];
            snprintf(num, sizeof num, ",line=%zu,col=%zu", f->line, f->col);
            out_puts(o, num);
        }
        if (*f->rule) {
            out_puts(o, ",title=");
            put_github(o, r->prog, true);
            out_puts(o, " ");
            put_github(o, f->rule, true);
        }
        out_puts(o, "::");
        put_github(o, f->message, false);
        out_putc(o, '\n');
    }
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
        out_puts(o, "}, \"fullDescription\": {\"text\": ");
        put_str(o, r && r->help ? r->help : r && r->summary ? r->summary : ids[k]);
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
        const char *file = *f->file ? f->file : "stdin";
        put_uri(o, file);
        /* A relative path is relative to the checkout's root, as code scanning expects. */
        if (file[0] != '/')
            out_puts(o, ", \"uriBaseId\": \"%SRCROOT%\"");
        out_puts(o, "}");
        /* Code scanning wants a region on every result: a file-level finding points at 1:1. */
        snprintf(num, sizeof num, ", \"region\": {\"startLine\": %zu, \"startColumn\": %zu}",
                 f->line ? f->line : 1, f->line ? f->col : 1);
        out_puts(o, num);
        out_puts(o, "}}]");
        /* The same finding keeps its fingerprint when lines move above it: rule, file and
         * message, not the position. */
        char fp[65];
        fingerprint(f, fp);
        out_puts(o, ", \"partialFingerprints\": {\"tmplkitFinding/v1\": \"");
        out_puts(o, fp);
        out_puts(o, "\"}}");
    }
    out_puts(o, d->n ? "\n      ]\n    }\n  ]\n}\n" : "]\n    }\n  ]\n}\n");
    free(ids);
    free(index);
}

/* Writes the text lines of findings [from, to) that -q keeps. */
static void render_text_range(const diag_list *d, const report_opts *r, size_t from, size_t to, out *o)
{
    for (size_t i = from; i < to; i++)
        if (!r->quiet || d->v[i].sev == SEV_ERROR)
            diag_render_one(&d->v[i], r->prog, o);
}

static bool shows_any(const diag_list *d, const report_opts *r, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (!r->quiet || d->v[i].sev == SEV_ERROR)
            return true;
    return false;
}

/* Writes the findings of d in the chosen format to o (text: headers and lines; json;
 * sarif). Errors are left in o->err. */
static void report_render(const diag_list *d, const report_opts *r, out *o)
{
    if (r->format == FMT_GITHUB) {
        render_github(d, r, o);
        return;
    }
    if (r->format != FMT_TEXT) {
        diag_list kept = {0};
        const diag_list *shown = d;
        if (r->quiet) {
            /* -q: only errors; a filtered view that shares the findings. */
            kept.v = xcalloc(d->n + 1, sizeof *kept.v);
            for (size_t i = 0; i < d->n; i++)
                if (d->v[i].sev == SEV_ERROR)
                    kept.v[kept.n++] = d->v[i];
            kept.count[SEV_ERROR] = kept.n;
            shown = &kept;
        }
        if (r->format == FMT_JSON)
            diag_render_json(shown, r->prog, r->extra_json, o);
        else
            diag_render_sarif(shown, r->prog, TMPLKIT_VERSION, r->catalog, r->ncatalog, o);
        free(kept.v);
        return;
    }
    if (r->preamble)
        out_puts(o, r->preamble);
    size_t done = 0;
    for (size_t g = 0; g < r->ngroups; g++) {
        const report_group *gr = &r->groups[g];
        render_text_range(d, r, done, gr->first, o);
        if (gr->header && (gr->always || shows_any(d, r, gr->first, gr->first + gr->n))) {
            out_puts(o, r->prog);
            out_puts(o, ": ");
            out_puts(o, gr->header);
            out_putc(o, '\n');
        }
        render_text_range(d, r, gr->first, gr->first + gr->n, o);
        done = gr->first + gr->n;
    }
    render_text_range(d, r, done, d->n, o);
}

int report_write_fd(const diag_list *d, const report_opts *r, int fd)
{
    out *o = xmalloc(sizeof *o);
    out_init_fd(o, fd);
    report_render(d, r, o);
    int e = out_flush(o);
    free(o);
    return e;
}

int report_write_file(const diag_list *d, const report_opts *r, const char *path)
{
    io_atomic a;
    int e = io_atomic_open(&a, path);
    if (e)
        return e;
    e = report_write_fd(d, r, a.fd);
    if (e) {
        io_atomic_abort(&a);
        return e;
    }
    return io_atomic_commit(&a);
}
