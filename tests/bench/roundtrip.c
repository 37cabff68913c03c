/* The JSON core's parse + write round trip, for `make bench`: reads FILE (or stdin), writes
 * it to stdout in its own style, or re-laid out with --indent N. The file is mapped, or
 * with --read read into memory as the filters read theirs (lib/app/tool.c, read_input). */
#include "base/io.h"
#include "json/json.h"
#include "json/json_parse.h"
#include "json/json_write.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *path = NULL;
    int indent = -1;
    bool read_whole = false;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--indent") && i + 1 < argc)
            indent = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--read"))
            read_whole = true;
        else
            path = argv[i];
    }
    io_input in;
    if (read_whole ? io_input_read(&in, path) : io_input_open(&in, path)) {
        perror("roundtrip");
        return 5;
    }
    json_error err;
    json_doc *doc = json_parse(in.data, in.len, NULL, &err);
    if (!doc) {
        fprintf(stderr, "roundtrip: %s\n", err.msg);
        return 3;
    }
    json_style st;
    if (indent >= 0)
        json_style_fixed(&st, (unsigned)indent, false);
    else
        json_style_detect(doc, &st);
    static out o;
    out_init_fd(&o, 1);
    json_write(doc, NULL, &st, &o);
    int e = out_flush(&o);
    json_doc_free(doc);
    io_input_close(&in);
    return e ? 5 : 0;
}
