/* Unit tests of the tool pipeline's modes (filter, --check, report) and of positions in
 * compiled-in rule files: tool_main is run in-process with its standard output and
 * error sent to files. */
#include "app/tool.h"
#include "base/buf.h"
#include "base/exitcodes.h"
#include "base/io.h"
#include "rules/embedded.h"
#include "rules/rules.h"
#include "unit.h"
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

static char dir[] = "/tmp/tmplkit-unit-tool.XXXXXX";

static void write_file(const char *name, const char *text)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
}

/* Returns the whole file, malloc'd ("" when missing: NULL never). */
static char *read_back(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    buf b = BUF_INIT;
    if (io_read_all(path, &b) || !b.data)
        return calloc(1, 1);
    return buf_detach(&b, NULL);
}

/* Runs tool_main(spec, args...) with stdout and stderr captured into out.txt / err.txt. */
static int run(const tool_spec *t, int argc, char **argv)
{
    char out[256], err[256];
    snprintf(out, sizeof out, "%s/out.txt", dir);
    snprintf(err, sizeof err, "%s/err.txt", dir);
    fflush(stdout);
    fflush(stderr);
    int save1 = dup(1), save2 = dup(2);
    int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600), fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fo, 1);
    dup2(fe, 2);
    int rc = tool_main(t, argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(save1, 1);
    dup2(save2, 2);
    close(fo), close(fe), close(save1), close(save2);
    return rc;
}

static const char rules_text[] = "tool: any\nversion: 1\nrules:\n"
                                 "  - id: no-b\n    summary: b goes\n    select: \"$.b\"\n    do: remove\n"
                                 "  - id: say-a\n    select: \"$.a\"\n    do: {report: {severity: warning, message: \"a is ${node}\"}}\n";

static void test_report_mode(void)
{
    static const tool_spec report = {.prog = "t-report", .summary = "s", .synopsis = "s", .mode = TOOL_REPORT,
                                     .rules_required = true};
    char rpath[256], in[256], outp[256];
    snprintf(rpath, sizeof rpath, "%s/r.yaml", dir);
    snprintf(in, sizeof in, "%s/in.json", dir);
    snprintf(outp, sizeof outp, "%s/fixed.json", dir);
    write_file("r.yaml", rules_text);
    write_file("in.json", "{\"a\": 1, \"b\": 2}\n");
    char *argv1[] = {"t-report", "-r", rpath, in, NULL};
    CHECK(run(&report, 4, argv1) == EXIT_OK);
    char *o = read_back("out.txt"), *e = read_back("err.txt");
    /* The report, not the document, is on standard output. */
    CHECK(strstr(o, "t-report: ") && strstr(o, ":1:2: warning: a is 1 [say-a]"));
    if (!strstr(o, ":1:2: warning"))
        fprintf(stderr, "stdout was [%s]\n", o);
    CHECK(!strstr(o, "\"a\""));
    CHECK_STR(e, "");
    free(o), free(e);

    /* -o FILE writes the edited document there, the report still to stdout. */
    char *argv2[] = {"t-report", "-r", rpath, "-o", outp, in, NULL};
    CHECK(run(&report, 6, argv2) == EXIT_OK);
    char *fixed = read_back("fixed.json");
    o = read_back("out.txt");
    CHECK_STR(fixed, "{\"a\": 1}\n");
    CHECK(strstr(o, "warning: a is 1") != NULL);
    free(fixed), free(o);

    /* --format json: the same findings as JSON on stdout. */
    char *argv3[] = {"t-report", "-r", rpath, "--format", "json", in, NULL};
    CHECK(run(&report, 6, argv3) == EXIT_OK);
    o = read_back("out.txt");
    CHECK(strstr(o, "\"rule\": \"say-a\"") != NULL && strstr(o, "\"warnings\": 1") != NULL);
    free(o);

    /* A report tool has no --check. */
    char *argv4[] = {"t-report", "--check", "-r", rpath, in, NULL};
    CHECK(run(&report, 5, argv4) == EXIT_USAGE);
}

static void test_check_mode(void)
{
    static const tool_spec filter = {.prog = "t-filter", .summary = "s", .synopsis = "s", .mode = TOOL_FILTER,
                                      .rules_required = true, .check_option = true};
    char rpath[256], in[256], clean[256];
    snprintf(rpath, sizeof rpath, "%s/r.yaml", dir);
    snprintf(in, sizeof in, "%s/in.json", dir);
    snprintf(clean, sizeof clean, "%s/clean.json", dir);
    write_file("r.yaml", rules_text);
    write_file("in.json", "{\"a\": 1, \"b\": 2}\n");
    write_file("clean.json", "{\"a\": 1}\n");
    char *argv1[] = {"t-filter", "--check", "-r", rpath, in, NULL};
    CHECK(run(&filter, 5, argv1) == EXIT_FINDINGS);
    char *o = read_back("out.txt"), *e = read_back("err.txt"), *i = read_back("in.json");
    CHECK_STR(o, "");   /* nothing written */
    CHECK(strstr(e, "note: would remove $['b'] [no-b]") != NULL);
    CHECK(strstr(e, "error: t-filter would change this document (1 change;") != NULL);
    CHECK_STR(i, "{\"a\": 1, \"b\": 2}\n");
    free(o), free(e), free(i);
    char *argv2[] = {"t-filter", "--check", "-r", rpath, clean, NULL};
    CHECK(run(&filter, 5, argv2) == EXIT_OK);
    o = read_back("out.txt");
    CHECK_STR(o, "");
    free(o);
    /* --check writes nothing, so it refuses -o. */
    char *argv3[] = {"t-filter", "--check", "-o", clean, "-r", rpath, in, NULL};
    CHECK(run(&filter, 7, argv3) == EXIT_USAGE);
    /* Without --check the document goes to stdout. */
    char *argv4[] = {"t-filter", "-r", rpath, in, NULL};
    CHECK(run(&filter, 4, argv4) == EXIT_OK);
    o = read_back("out.txt");
    CHECK_STR(o, "{\"a\": 1}\n");
    free(o);
}

/* Returns where needle starts in s[0..n), or NULL. */
static const char *find_in(const char *s, size_t n, const char *needle)
{
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= n; i++)
        if (!memcmp(s + i, needle, k))
            return s + i;
    return NULL;
}

/* A finding in a compiled-in rule file points at its line and column in the YAML. */
static void test_compiled_in_positions(void)
{
    const embedded_file *ef = embedded_find("rules/menderconf-dual.yaml");
    CHECK(ef && ef->json && ef->nlines > 0);
    if (!ef)
        return;
    diag_list d = {0};
    rule_file *f = rules_load("builtin:rules/menderconf-dual.yaml", ef->data, ef->len, true,
                              (rule_line_table){ef->lines, ef->nlines}, &d);
    CHECK(f != NULL);
    if (!f)
        return;
    /* Find the YAML line of the rule "dual-servers" and its select, by reading the source. */
    buf yaml = BUF_INIT;
    CHECK(io_read_all("rules/menderconf-dual.yaml", &yaml) == 0);
    size_t want_line = 0, want_col = 0, line = 1;
    bool in_rule = false;
    for (const char *p = yaml.data, *end = yaml.data + yaml.len; p && p < end; line++) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        if (find_in(p, n, "id: dual-servers"))
            in_rule = true;
        const char *sel = in_rule && !want_line ? find_in(p, n, "select: \"") : NULL;
        if (sel)
            want_line = line, want_col = (size_t)(sel - p) + 10;
        p = nl ? nl + 1 : NULL;
    }
    buf_free(&yaml);
    const rule *dual = NULL;
    for (size_t i = 0; i < f->nrules; i++)
        if (f->rules[i].id.len == 12 && !memcmp(f->rules[i].id.s, "dual-servers", 12))
            dual = &f->rules[i];
    CHECK(dual != NULL);
    if (dual) {
        /* An error at the second character of its select text. */
        size_t at = dual->step.select.at + 1;
        diag_add(&d, SEV_ERROR, "rule-file", f->name, at, at, "x");
        rules_locate(f, &d, d.n - 1);
        CHECK(d.v[d.n - 1].line == want_line && want_line > 0);
        CHECK(d.v[d.n - 1].col == want_col + 1);
    }
    rules_free(f);
    diag_free(&d);
}

int main(void)
{
    if (!mkdtemp(dir))
        return 1;
    test_report_mode();
    test_check_mode();
    test_compiled_in_positions();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd)) {
        /* a scratch directory left behind is not a failure of the tool */
    }
    return unit_summary("unit tool");
}
