/* Runs JSONTestSuite's test_parsing files through the parser: y_ accepted (and written back
 * byte-identical), n_ rejected, i_ decided as README.md documents. Prints one summary line
 * "jsontestsuite: N passed, N failed" and lists failures. */
#include "base/buf.h"
#include "base/io.h"
#include "json/json.h"
#include "json/json_parse.h"
#include "json/json_write.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The implementation-defined cases: numbers of any size are accepted (their text is kept,
 * nothing overflows) and so is 500-deep nesting (the limit is 1000); everything else in
 * i_ is a lone surrogate escape, a non-UTF-8 encoding or a byte order mark: rejected. */
static int expect_accept(const char *name)
{
    if (name[0] == 'y')
        return 1;
    if (name[0] == 'n')
        return 0;
    return !strncmp(name, "i_number_", 9) || !strcmp(name, "i_structure_500_nested_arrays.json");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: conf_jsontestsuite DIR\n");
        return 2;
    }
    DIR *dir = opendir(argv[1]);
    if (!dir) {
        perror(argv[1]);
        return 2;
    }
    char **names = NULL;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(dir))) {
        size_t l = strlen(e->d_name);
        if (l > 5 && !strcmp(e->d_name + l - 5, ".json")) {
            names = realloc(names, (n + 1) * sizeof *names);
            names[n++] = strdup(e->d_name);
        }
    }
    closedir(dir);
    qsort(names, n, sizeof *names, by_name);
    int passed = 0, failed = 0;
    for (size_t i = 0; i < n; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", argv[1], names[i]);
        buf in = BUF_INIT;
        if (io_read_all(path, &in)) {
            printf("FAIL %s: cannot read\n", names[i]);
            failed++;
            continue;
        }
        json_error err;
        json_doc *doc = json_parse(in.data, in.len, NULL, &err);
        int want = expect_accept(names[i]);
        int ok = (doc != NULL) == want;
        if (!ok)
            printf("FAIL %s: %s\n", names[i], doc ? "accepted" : err.msg);
        if (ok && doc) {
            /* Lossless: an unedited document comes back byte for byte. */
            buf w = BUF_INIT;
            out o;
            out_init_mem(&o, &w);
            json_style st;
            json_style_detect(doc, &st);
            json_write(doc, NULL, &st, &o);
            out_flush(&o);
            if (w.len != in.len || memcmp(w.data, in.data, in.len)) {
                printf("FAIL %s: written back differently\n", names[i]);
                ok = 0;
            }
            buf_free(&w);
        }
        ok ? passed++ : failed++;
        json_doc_free(doc);
        buf_free(&in);
        free(names[i]);
    }
    free(names);
    printf("jsontestsuite: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
