/* tmpl-apply: applies rule files to a JSON document; see tmpl-apply(1). */
#include "app/tool.h"

static const tool_spec tmpl_apply = {
    .prog = "tmpl-apply",
    .synopsis = "-r RULES [-r RULES...] [-D NAME=VALUE...] [-n] [-o FILE | -i | --check] [FILE]",
    .summary = "Apply rule files (select, edit, report) to a JSON document.",
    .mode = TOOL_FILTER,
    .rules_required = true,
    .check_option = true,
};

TOOL_MAIN(tmpl_apply)
