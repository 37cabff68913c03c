/* Runs json-patch-tests (tests.json, spec_tests.json): each record's patch applied to its
 * doc must give "expected", or fail when it has "error"; "disabled" records are skipped.
 * Prints "jsonpatch: N passed, N failed". */
#include "base/io.h"
#include "json/json.h"
#include "json/json_parse.h"
#include "query/jsonpatch.h"
#include <stdio.h>
#include <string.h>

static int run_file(const char *path, int *passed, int *failed)
{
    io_input in;
    if (io_input_open(&in, path)) {
        perror(path);
        return -1;
    }
    json_error err;
    json_doc *suite = json_parse(in.data, in.len, NULL, &err);
    if (!suite) {
        fprintf(stderr, "%s: %s\n", path, err.msg);
        return -1;
    }
    int i = 0;
    for (json_node *t = json_first(suite->root); t; t = t->next, i++) {
        json_node *disabled = json_get(t, "disabled", 8);
        if (disabled && disabled->type == JSON_TRUE)
            continue;
        json_doc *doc = json_doc_new();
        json_node *target = json_clone(doc, json_get(t, "doc", 3));
        /* Give the target a parent so a whole-document replacement has a place to go. */
        json_node *holder = json_new(doc, JSON_ARRAY);
        json_append(doc, holder, NULL, 0, target);
        jpatch_error perr;
        int rc = jpatch_apply(doc, &target, json_get(t, "patch", 5), &perr);
        json_node *expected = json_get(t, "expected", 8), *error = json_get(t, "error", 5);
        int ok;
        if (error)
            ok = rc < 0;
        else
            ok = rc == 0 && (!expected || json_equal(target, expected));
        if (!ok) {
            size_t clen = 0;
            json_node *c = json_get(t, "comment", 7);
            const char *comment = c ? json_text(c, &clen) : "";
            printf("FAIL %s #%d %.*s: %s\n", path, i, (int)clen, comment, rc < 0 ? perr.msg : "wrong result");
        }
        ok ? (*passed)++ : (*failed)++;
        json_doc_free(doc);
    }
    json_doc_free(suite);
    io_input_close(&in);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: conf_jsonpatch DIR\n");
        return 2;
    }
    int passed = 0, failed = 0;
    char path[4096];
    const char *files[] = {"tests.json", "spec_tests.json"};
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "%s/%s", argv[1], files[i]);
        if (run_file(path, &passed, &failed) < 0)
            failed++;
    }
    printf("jsonpatch: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
