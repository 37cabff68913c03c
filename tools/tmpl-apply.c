/* tmpl-apply: applies rule files to a JSON document; see tmpl-apply(1). */
#include "../lib/tool.h"

int main(int argc, char **argv)
{
    tool_spec t = {
        .prog = "tmpl-apply",
        .synopsis = "-r RULES [-r RULES...] [-D NAME=VALUE...] [-n] [-o FILE | -i] [FILE]",
        .summary = "Apply rule files (select, edit, report) to a JSON document.",
        .out_kind = KIND_JSON,
        .rules_required = true,
    };
    return tool_main(&t, argc, argv);
}
