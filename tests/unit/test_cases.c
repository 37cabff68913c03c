/* Runs the data-driven engine cases in tests/engine/, every file NAME.test: rule semantics tested without
 * writing C. A file holds cases separated by blank lines; '#' starts a comment line. A
 * case is lines of "KEY: VALUE":
 *
 *   rule: {select: "$.b", do: remove}     a rule as a YAML flow mapping (repeatable; the
 *                                          id r1, r2... is added)
 *   vars: {x: {default: "1"}}             the rule file's vars (optional)
 *   set: NAME=VALUE                        a variable, as -D gives it (repeatable)
 *   input: {"a": 1, "b": 2}                the document (one line)
 *   output: {"a": 1}                       the document the run must write, byte for byte
 *   error: 4 TEXT                          instead of output: the exit code, and TEXT in
 *                                          the first error's message
 *   finding: warning r2 MESSAGE            a finding the run must report (repeatable; the
 *                                          findings must be exactly those listed, in order)
 *
 * Prints one line per failing case (file:line) and the summary line. */
#include "base/buf.h"
#include "json/json_parse.h"
#include "base/exitcodes.h"
#include "base/io.h"
#include "json/json_write.h"
#include "rules/engine.h"
#include "unit.h"
#include <dirent.h>
#include <stdlib.h>

typedef struct test_case {
    const char *file;
    size_t line;
    buf rules, vars, input, output, error;
    char *sets[16];
    size_t nsets;
    char *findings[32];
    size_t nfindings;
    size_t nrules;
    bool has_output;
} test_case;

static void fail(const test_case *t, const char *what, const char *got)
{
    unit_failed++;
    fprintf(stderr, "%s:%zu: %s%s%s\n", t->file, t->line, what, got ? ": " : "", got ? got : "");
}

static void run_case(test_case *t)
{
    buf text = BUF_INIT;
    buf_printf(&text, "tool: any\nversion: 1\nvars: %s\nrules:\n%s", t->vars.len ? t->vars.data : "{}",
               t->rules.data ? t->rules.data : "");
    engine *e = engine_new("t");
    diag_list d = {0};
    int rc = engine_load_text(e, "case.yaml", text.data, text.len, &d);
    for (size_t i = 0; i < t->nsets && rc == EXIT_OK; i++) {
        char *eq = strchr(t->sets[i], '=');
        rc = eq ? engine_set(e, t->sets[i], (size_t)(eq - t->sets[i]), eq + 1, "-D", &d) : EXIT_USAGE;
    }
    if (rc == EXIT_OK)
        rc = engine_prepare(e, &d);
    json_doc *doc = NULL;
    buf got = BUF_INIT;
    if (rc == EXIT_OK) {
        json_error jerr;
        doc = json_parse(t->input.data ? t->input.data : "", t->input.len, NULL, &jerr);
        if (!doc) {
            fail(t, "input is not JSON", jerr.msg);
            goto done;
        }
        json_style st;
        json_style_detect(doc, &st);
        rc = engine_run(e, doc, "case.json", false, &d);
        if (rc == EXIT_OK && d.count[SEV_ERROR])
            rc = EXIT_FINDINGS;
        out o;
        out_init_mem(&o, &got);
        json_write(doc, NULL, &st, &o);
        out_flush(&o);
    }
    const finding *first_error = NULL;
    for (size_t i = 0; i < d.n && !first_error; i++)
        if (d.v[i].sev == SEV_ERROR)
            first_error = &d.v[i];
    if (t->error.len) {
        char *space = strchr(t->error.data, ' ');
        int want = atoi(t->error.data);
        if (rc != want) {
            char g[64];
            snprintf(g, sizeof g, "exit %d, want %d", rc, want);
            fail(t, "wrong exit", g);
        } else if (space && (!first_error || !strstr(first_error->message, space + 1))) {
            fail(t, "the first error does not say it", first_error ? first_error->message : "(no error)");
        } else {
            unit_passed++;
        }
    } else if (rc != EXIT_OK) {
        fail(t, "the run failed", first_error ? first_error->message : "(no message)");
    } else if (t->has_output && (!got.data || strcmp(got.data, t->output.data ? t->output.data : ""))) {
        fail(t, "output differs", got.data);
    } else {
        unit_passed++;
    }
    if (t->nfindings || !t->error.len) {
        /* Findings must be exactly those listed (an error case lists them only if it wants). */
        size_t shown = 0;
        for (size_t i = 0; i < d.n; i++) {
            char line[800];
            snprintf(line, sizeof line, "%s %s %s", severity_name(d.v[i].sev), d.v[i].rule, d.v[i].message);
            if (shown >= t->nfindings || strcmp(line, t->findings[shown])) {
                if (!t->error.len || d.v[i].sev != SEV_ERROR)
                    fail(t, "unexpected finding", line);
                continue;
            }
            shown++;
        }
        if (shown < t->nfindings)
            fail(t, "finding not reported", t->findings[shown]);
    }
done:
    buf_free(&got);
    json_doc_free(doc);
    engine_free(e);
    diag_free(&d);
    buf_free(&text);
}

static void reset(test_case *t)
{
    buf_free(&t->rules), buf_free(&t->vars), buf_free(&t->input), buf_free(&t->output), buf_free(&t->error);
    for (size_t i = 0; i < t->nsets; i++)
        free(t->sets[i]);
    for (size_t i = 0; i < t->nfindings; i++)
        free(t->findings[i]);
    const char *file = t->file;
    memset(t, 0, sizeof *t);
    t->file = file;
}

static void run_file(const char *path)
{
    buf b = BUF_INIT;
    if (io_read_all(path, &b)) {
        unit_failed++;
        fprintf(stderr, "%s: cannot read\n", path);
        return;
    }
    test_case t = {.file = path};
    size_t lineno = 0;
    bool open_case = false;
    for (char *p = b.data; p && *p;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        lineno++;
        if (*p == '\0') {
            if (open_case)
                run_case(&t), reset(&t);
            open_case = false;
        } else if (*p != '#') {
            if (!open_case)
                t.line = lineno, open_case = true;
            char *colon = strstr(p, ": ");
            const char *v = colon ? colon + 2 : "";
            size_t klen = colon ? (size_t)(colon - p) : strlen(p);
            if (klen == 4 && !memcmp(p, "rule", 4)) {
                const char *brace = strchr(v, '{');
                buf_printf(&t.rules, "  - {id: r%zu, %s\n", ++t.nrules, brace ? brace + 1 : v);
            } else if (klen == 4 && !memcmp(p, "vars", 4)) {
                buf_puts(&t.vars, v);
            } else if (klen == 3 && !memcmp(p, "set", 3) && t.nsets < 16) {
                t.sets[t.nsets++] = strdup(v);
            } else if (klen == 5 && !memcmp(p, "input", 5)) {
                buf_puts(&t.input, v);
            } else if (klen == 6 && !memcmp(p, "output", 6)) {
                buf_puts(&t.output, v);
                t.has_output = true;
            } else if (klen == 5 && !memcmp(p, "error", 5)) {
                buf_puts(&t.error, v);
            } else if (klen == 7 && !memcmp(p, "finding", 7) && t.nfindings < 32) {
                t.findings[t.nfindings++] = strdup(v);
            } else {
                unit_failed++;
                fprintf(stderr, "%s:%zu: unknown line (rule, vars, set, input, output, error, finding)\n", path,
                        lineno);
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    if (open_case)
        run_case(&t);
    reset(&t);
    buf_free(&b);
}

int main(void)
{
    DIR *dir = opendir("tests/engine");
    if (!dir) {
        fprintf(stderr, "tests/engine: cannot open (run from the source tree)\n");
        return 1;
    }
    char *names[256];
    size_t n = 0;
    for (struct dirent *de; (de = readdir(dir)) && n < 256;) {
        size_t len = strlen(de->d_name);
        if (len > 5 && !strcmp(de->d_name + len - 5, ".test"))
            names[n++] = strdup(de->d_name);
    }
    closedir(dir);
    for (size_t i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "tests/engine/%s", names[i]);
        run_file(path);
        free(names[i]);
    }
    if (!n) {
        unit_failed++;
        fprintf(stderr, "tests/engine: no .test files\n");
    }
    return unit_summary("engine cases");
}
