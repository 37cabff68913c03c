/* libFuzzer harness: the validator and the schema compiler. The input is checked as every
 * kind (json, arm-template, mender-conf) at both stages, and, read as YAML, compiled as a
 * schema that then validates the input and a fixed document. Nothing may crash or hang.
 * Build and run: make fuzz FUZZ_SECONDS=N. */
#include "app/validate.h"
#include "base/diag.h"
#include "json/json.h"
#include "json/json_parse.h"
#include "query/schema.h"
#include "query/yamltree.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char document[] = "{\"ServerURL\": \"https://x\", \"a\": [1, \"2\", {\"b\": null}], \"n\": 1e400}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const config_kind kinds[] = {KIND_JSON, KIND_ARM, KIND_MENDER};
    static const char *const stages[] = {"review", "deploy"};
    for (size_t k = 0; k < 3; k++)
        for (size_t s = 0; s < 2; s++) {
            diag_list d = {0};
            int status = 0;
            validate_opts vo = {kinds[k], stages[s], NULL, NULL, NULL, 0};
            validator *v = validator_new(&vo, &d, &status);
            if (v)
                validator_check_buffer(v, (const char *)data, size, "fuzz.json", kinds[k], &d);
            validator_free(v);
            diag_free(&d);
        }
    yamltree_error yerr;
    json_doc *yaml = yamltree_load((const char *)data, size, &yerr);
    if (yaml) {
        schema_error serr;
        schema_opts so = {true, true};
        schema *sch = schema_compile(yaml->root, &so, &serr);
        if (sch) {
            json_error jerr;
            json_doc *doc = json_parse(document, sizeof document - 1, NULL, &jerr);
            schema_result r = {0};
            schema_validate(sch, doc->root, &r);
            schema_result_free(&r);
            schema_result r2 = {0};
            schema_validate(sch, yaml->root, &r2);
            schema_result_free(&r2);
            json_doc_free(doc);
            schema_free(sch);
        }
        json_doc_free(yaml);
    }
    return 0;
}
