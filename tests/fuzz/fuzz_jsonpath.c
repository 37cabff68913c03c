/* libFuzzer harness: JSONPath. The input is a query (up to its first newline) and a JSON
 * document (the rest; a fixed one when the rest does not parse). For any query that
 * compiles, evaluating it ends, and every node it selects has a normalized path that,
 * compiled and evaluated, selects that node and nothing else (unless a repeated member
 * name is on its way: a name selector takes every member of that name). The document is
 * parsed packed, as the filters parse theirs, so queries make its nodes as they go.
 * Build and run: make fuzz FUZZ_SECONDS=N. */
#include "base/buf.h"
#include "json/json.h"
#include "json/json_parse.h"
#include "query/jsonpath.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fallback[] = "{\"a\": [1, {\"b\": \"x\", \"c\": [true, null, 2.5]}], \"k'\\\"\\n\": {\"\": 0}, "
                               "\"d\": {\"a\": {\"a\": []}}}";

/* Does a normalized path name n alone? Not when n, or a container above it, is a member
 * whose name another member of the same object repeats: a name selector takes them all. */
static bool named_alone(const json_node *n)
{
    for (; n->parent; n = n->parent) {
        if (n->parent->type != JSON_OBJECT)
            continue;
        for (const json_node *m = json_first(n->parent); m; m = m->next)
            if (m != n && m->key_len == n->key_len && !memcmp(m->key, n->key, n->key_len))
                return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    const char *nl = memchr(text, '\n', size);
    size_t qlen = nl ? (size_t)(nl - text) : size;
    json_error err;
    json_parse_opts po = {0};
    po.pack_scalars = true;
    json_doc *doc = nl ? json_parse(nl + 1, size - qlen - 1, &po, &err) : NULL;
    if (!doc)
        doc = json_parse(fallback, sizeof fallback - 1, &po, &err);
    jp_error jerr;
    jp_query *q = jp_compile(text, qlen, &jerr);
    if (q) {
        jp_list sel = {0};
        if (jp_eval(q, doc->root, &sel) >= 0) {
            for (size_t i = 0; i < sel.n && i < 64; i++) {
                if (!named_alone(sel.v[i]))
                    continue;
                buf path = BUF_INIT;
                jp_path(doc->root, sel.v[i], &path);
                jp_query *p = jp_compile(path.data, path.len, &jerr);
                jp_list again = {0};
                if (!p || jp_eval(p, doc->root, &again) < 0 || again.n != 1 || again.v[0] != sel.v[i]) {
                    fprintf(stderr, "the normalized path %s does not select its node again\n", path.data);
                    abort();
                }
                jp_list_free(&again);
                jp_free(p);
                buf_free(&path);
            }
        }
        jp_list_free(&sel);
        jp_free(q);
    }
    json_doc_free(doc);
    return 0;
}
