/* libFuzzer harness: the YAML rule loader, the engine and JSON Patch. The input is a rule
 * file; when it loads and compiles, it runs (dry and for real) on a fixed document, and
 * the result written out parses back to the tree the engine holds.
 * Build and run: make fuzz FUZZ_SECONDS=N. */
#include "base/buf.h"
#include "base/diag.h"
#include "base/out.h"
#include "json/json.h"
#include "json/json_parse.h"
#include "json/json_write.h"
#include "rules/engine.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char document[] = "{\"a\": [1, 2, {\"b\": \"SharedAccessKey=abc;x\"}], \"c\": {\"d\": null, \"e\": [\"x\", \"y\"]}, "
                               "\"f\": \"text\", \"g\": 3.5e2}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    for (int dry = 1; dry >= 0; dry--) {
        diag_list d = {0};
        engine *e = engine_new("any");
        if (engine_load_text(e, "fuzz.yaml", (const char *)data, size, &d) == 0 && engine_prepare(e, &d) == 0) {
            json_error err;
            json_doc *doc = json_parse(document, sizeof document - 1, NULL, &err);
            json_style st;
            json_style_detect(doc, &st);
            engine_run(e, doc, "doc.json", dry, &d);
            buf text = BUF_INIT;
            out o;
            out_init_mem(&o, &text);
            json_write(doc, NULL, &st, &o);
            out_flush(&o);
            json_doc *back = json_parse(text.data, text.len, NULL, &err);
            if (!back || !json_equal(back->root, doc->root)) {
                fprintf(stderr, "the result written out does not parse back to the engine's tree\n");
                abort();
            }
            json_doc_free(back);
            buf_free(&text);
            json_doc_free(doc);
        }
        engine_free(e);
        diag_free(&d);
    }
    return 0;
}
