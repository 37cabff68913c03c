/* Runs jsonpath-compliance-test-suite's cts.json: invalid selectors must not compile;
 * valid ones must select the expected values (any of the listed orders) with the expected
 * normalized paths. Prints "jsonpath: N passed, N failed". */
#include "base/io.h"
#include "json/json.h"
#include "json/json_parse.h"
#include "query/jsonpath.h"
#include <stdio.h>
#include <string.h>

/* Do the nodes in got equal the values of the array want, in order? */
static int same_values(const jp_list *got, const json_node *want)
{
    if (!want || want->type != JSON_ARRAY || json_count(want) != got->n)
        return 0;
    size_t i = 0;
    for (json_node *w = json_first(want); w; w = w->next, i++)
        if (!json_equal(got->v[i], w))
            return 0;
    return 1;
}

static int same_paths(const json_node *root, const jp_list *got, const json_node *want)
{
    if (!want)
        return 1;
    if (want->type != JSON_ARRAY || json_count(want) != got->n)
        return 0;
    size_t i = 0;
    int ok = 1;
    for (json_node *w = json_first(want); w && ok; w = w->next, i++) {
        buf b = BUF_INIT;
        jp_path(root, got->v[i], &b);
        size_t len;
        const char *s = json_text(w, &len);
        ok = b.len == len && !memcmp(b.data, s, len);
        buf_free(&b);
    }
    return ok;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: conf_jsonpath CTS.JSON\n");
        return 2;
    }
    io_input in;
    if (io_input_open(&in, argv[1])) {
        perror(argv[1]);
        return 2;
    }
    json_error err;
    json_doc *suite = json_parse(in.data, in.len, NULL, &err);
    if (!suite) {
        fprintf(stderr, "%s: %s\n", argv[1], err.msg);
        return 2;
    }
    int passed = 0, failed = 0;
    for (json_node *t = json_first(json_get(suite->root, "tests", 5)); t; t = t->next) {
        size_t nlen, slen;
        const char *name = json_text(json_get(t, "name", 4), &nlen);
        const char *sel = json_text(json_get(t, "selector", 8), &slen);
        json_node *invalid = json_get(t, "invalid_selector", 16);
        jp_error jerr;
        jp_query *q = jp_compile(sel, slen, &jerr);
        int ok;
        if (invalid && invalid->type == JSON_TRUE) {
            ok = q == NULL;
            if (!ok)
                printf("FAIL %.*s: %.*s accepted\n", (int)nlen, name, (int)slen, sel);
        } else if (!q) {
            ok = 0;
            printf("FAIL %.*s: %.*s rejected: %s at %zu\n", (int)nlen, name, (int)slen, sel, jerr.msg, jerr.offset);
        } else {
            jp_list got = {0};
            json_node *doc = json_get(t, "document", 8);
            jp_eval(q, doc, &got);
            json_node *result = json_get(t, "result", 6), *results = json_get(t, "results", 7);
            if (result) {
                ok = same_values(&got, result) && same_paths(doc, &got, json_get(t, "result_paths", 12));
            } else {
                ok = 0;
                json_node *paths = json_first(json_get(t, "results_paths", 13));
                for (json_node *r = json_first(results); r && !ok; r = r->next, paths = paths ? paths->next : NULL)
                    ok = same_values(&got, r) && same_paths(doc, &got, paths);
            }
            if (!ok)
                printf("FAIL %.*s: %.*s selected %zu nodes\n", (int)nlen, name, (int)slen, sel, got.n);
            jp_list_free(&got);
        }
        jp_free(q);
        ok ? passed++ : failed++;
    }
    json_doc_free(suite);
    io_input_close(&in);
    printf("jsonpath: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
