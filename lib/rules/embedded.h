/* embedded: the files under rules/, compiled into every binary at build time so an
 * installed or static binary needs no data files. */
#ifndef TK_EMBEDDED_H
#define TK_EMBEDDED_H
#include <stddef.h>

typedef struct embedded_file {
    const char *path;       /* as in the source tree, e.g. "rules/menderconf-dual.yaml" */
    const char *data;
    size_t len;
    int json;               /* a YAML file stored as compact JSON ... */
    const unsigned *lines;  /* ... with the YAML line and column of each of its nodes: */
    size_t nlines;          /* triples (json_offset, line, column) sorted by offset */
} embedded_file;

/* Ends with an entry whose path is NULL; generated at build time by tools/embed.c. */
extern const embedded_file embedded_files[];

/* Returns the embedded file at path, or NULL. */
const embedded_file *embedded_find(const char *path);

#endif
