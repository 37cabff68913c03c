/* json_write: serializes a document, in its own detected style or in a chosen one. */
#ifndef TK_JSON_WRITE_H
#define TK_JSON_WRITE_H
#include "json/json.h"
#include "base/out.h"
#include "base/buf.h"
#include <stdbool.h>

typedef struct json_style {
    bool multiline;         /* false: the whole document on one line */
    bool tab;               /* indent with one tab per level (multiline only) */
    unsigned indent;        /* spaces per level (multiline, !tab) */
    char colon[8];          /* between a member name and its value, e.g. ": " */
    char comma[4];          /* between elements on one line, e.g. ", " */
    char newline[3];        /* "\n" or "\r\n" */
    bool keep_source;       /* copy untouched containers and the outer white space from the source */
} json_style;

/* Fills *st with the style the document's source was written in (indent unit, separators,
 * line ends) and sets keep_source, so an unedited document is written back byte-identical. */
void json_style_detect(const json_doc *doc, json_style *st);

/* Sets a chosen layout: indent > 0 spaces, or tab, or compact when both are off. */
void json_style_fixed(json_style *st, unsigned indent, bool tab);

/* Writes the document (or the subtree n when not NULL, without outer white space) to o.
 * Errors are left in o->err. */
void json_write(const json_doc *doc, const json_node *n, const json_style *st, out *o);

/* Appends the whole document, written in style st, to dst. */
void json_write_buf(const json_doc *doc, const json_style *st, buf *dst);

/* Writes s[0..len) as a quoted JSON string with the minimal escapes. */
void json_write_string(out *o, const char *s, size_t len);

#endif
