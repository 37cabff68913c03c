/* Runs the JSON-Schema-Test-Suite draft2020-12 files of every keyword tmplkit supports
 * (README.md lists them). Formats are checked as assertions only in optional/format/,
 * for the formats tmplkit asserts. Prints "jsonschema: N passed, N failed, N skipped". */
#include "base/io.h"
#include "json/json.h"
#include "json/json_parse.h"
#include "query/schema.h"
#include <stdio.h>
#include <string.h>

static const char *const files[] = {
    "additionalProperties", "allOf", "anyOf", "boolean_schema", "const", "contains", "default", "defs",
    "dependentRequired", "dependentSchemas", "enum", "exclusiveMaximum", "exclusiveMinimum", "format",
    "if-then-else", "infinite-loop-detection", "items", "maxContains", "maxItems", "maxLength", "maxProperties",
    "maximum", "minContains", "minItems", "minLength", "minProperties", "minimum", "multipleOf", "not", "oneOf",
    "pattern", "patternProperties", "prefixItems", "properties", "propertyNames", "ref", "required", "type",
    "uniqueItems", NULL};

static const char *const asserted_formats[] = {"ipv4", "ipv6", "regex", NULL};

/* Groups that need what the subset leaves out: the official meta-schema (a network fetch,
 * and $dynamicRef) or the unevaluated* keywords. README.md lists them. */
static const char *const skipped_groups[] = {
    "remote ref, containing refs itself",
    "validate definition against metaschema",
    "collect annotations inside a 'not', even if collection is disabled",
    "ref creates new scope when adjacent to keywords",
    NULL};

static int skipped_group(const json_node *desc)
{
    for (int i = 0; skipped_groups[i]; i++)
        if (json_is_string(desc, skipped_groups[i], strlen(skipped_groups[i])))
            return 1;
    return 0;
}

static void run_file(const char *path, const char *label, int assert_format, int *passed, int *failed, int *skipped)
{
    io_input in;
    if (io_input_open(&in, path)) {
        printf("FAIL %s: cannot read\n", path);
        (*failed)++;
        return;
    }
    json_error err;
    json_doc *doc = json_parse(in.data, in.len, NULL, &err);
    if (!doc) {
        printf("FAIL %s: %s\n", path, err.msg);
        (*failed)++;
        io_input_close(&in);
        return;
    }
    for (json_node *g = json_first(doc->root); g; g = g->next) {
        json_node *desc = json_get(g, "description", 11), *tests = json_get(g, "tests", 5);
        if (skipped_group(desc)) {
            *skipped += (int)json_count(tests);
            continue;
        }
        schema_opts o = {assert_format != 0, false};
        schema_error serr;
        schema *s = schema_compile(json_get(g, "schema", 6), &o, &serr);
        for (json_node *t = json_first(tests); t; t = t->next) {
            json_node *valid = json_get(t, "valid", 5);
            int ok;
            if (!s) {
                ok = 0;
            } else {
                schema_result r = {0};
                int got = schema_validate(s, json_get(t, "data", 4), &r);
                ok = got == (valid->type == JSON_TRUE);
                /* A valid instance reports nothing; an invalid one says why. */
                if (ok && (got ? r.n != 0 : r.n == 0))
                    ok = 0;
                schema_result_free(&r);
            }
            if (ok) {
                (*passed)++;
            } else {
                (*failed)++;
                size_t dl, tl;
                json_node *td = json_get(t, "description", 11);
                printf("FAIL %s: %.*s / %.*s%s%s\n", label, (int)(desc ? desc->n : 0), desc ? (const char *)desc->p : "",
                       (int)(td ? td->n : 0), td ? (const char *)td->p : "", s ? "" : ": schema rejected: ",
                       s ? "" : serr.msg);
                (void)dl, (void)tl;
            }
        }
        schema_free(s);
    }
    json_doc_free(doc);
    io_input_close(&in);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: conf_jsonschema DRAFT2020-12-DIR\n");
        return 2;
    }
    int passed = 0, failed = 0, skipped = 0;
    char path[4096];
    for (int i = 0; files[i]; i++) {
        snprintf(path, sizeof path, "%s/%s.json", argv[1], files[i]);
        run_file(path, files[i], 0, &passed, &failed, &skipped);
    }
    for (int i = 0; asserted_formats[i]; i++) {
        snprintf(path, sizeof path, "%s/optional/format/%s.json", argv[1], asserted_formats[i]);
        run_file(path, asserted_formats[i], 1, &passed, &failed, &skipped);
    }
    printf("jsonschema: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
    return failed ? 1 : 0;
}
