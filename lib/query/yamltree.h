/* yamltree: loads a YAML document (rule files, schemas) into the same tree as JSON, with
 * byte positions into the YAML text, so every later error can point at FILE:LINE:COL. */
#ifndef TK_YAMLTREE_H
#define TK_YAMLTREE_H
#include "json/json.h"

typedef struct yamltree_error {
    size_t offset;          /* byte offset in the YAML text */
    char msg[200];
} yamltree_error;

/* Parses one YAML document from src[0..len) (which must outlive the result).
 * Plain scalars follow the YAML 1.2 core schema (null, true/false, integers, floats);
 * quoted and block scalars are strings; !!str, !!int, !!float, !!bool and !!null tags are
 * honoured; aliases are expanded (bounded); duplicate keys, non-scalar keys, other tags,
 * .inf/.nan and several documents are errors. Returns NULL with *err filled on error. */
json_doc *yamltree_load(const char *src, size_t len, yamltree_error *err);

#endif
