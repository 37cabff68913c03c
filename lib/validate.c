#include "validate.h"
#include "json_dup.h"
#include "pos.h"
#include "quote.h"
#include <string.h>

static const char *const kind_names[] = {"auto", "json"};

int config_kind_parse(const char *s)
{
    for (size_t i = 0; i < sizeof kind_names / sizeof *kind_names; i++)
        if (!strcmp(s, kind_names[i]))
            return (int)i;
    return -1;
}

const char *config_kind_name(config_kind k)
{
    return kind_names[k];
}

typedef struct dup_ctx {
    const json_doc *doc;    /* for tree walks; NULL in streaming checks */
    const char *src;
    size_t len;
    const char *file;
    diag_list *d;
} dup_ctx;

static void report_dup_at(void *ctx, size_t at, size_t first_at, const char *key, size_t key_len)
{
    dup_ctx *c = ctx;
    buf name = BUF_INIT;
    quote_into(&name, key, key_len, 64);
    pos fp = pos_of(c->src, c->len, first_at);
    diag_add(c->d, SEV_WARNING, "json-duplicate-key", c->file, at, at,
             "duplicate member name '%s' (first at line %zu, column %zu; JSON readers disagree on which wins)",
             name.data ? name.data : "", fp.line, fp.col);
    buf_free(&name);
}

static void report_dup(void *ctx, const json_node *dup, const json_node *first)
{
    dup_ctx *c = ctx;
    report_dup_at(ctx, json_key_offset(c->doc, dup), json_key_offset(c->doc, first), dup->key, dup->key_len);
}

config_kind validate_doc(const json_doc *doc, const char *file, const validate_opts *o, diag_list *d)
{
    (void)o;
    dup_ctx c = {doc, doc->src, doc->src_len, file, d};
    json_find_duplicates(doc->root, false, report_dup, &c);
    return KIND_JSON;
}

config_kind validate_buffer(const char *src, size_t len, const char *file, const validate_opts *o, diag_list *d)
{
    size_t from = d->n;
    json_error err;
    dup_ctx c = {NULL, src, len, file, d};
    /* Plain JSON needs no tree: check it in one streaming pass. */
    json_parse_opts po = {0, true, report_dup_at, false, &c};
    json_doc *doc = json_parse(src, len, &po, &err);
    config_kind k = o->kind == KIND_AUTO ? KIND_JSON : o->kind;
    if (!doc)
        diag_add(d, SEV_ERROR, err.rule, file, err.offset, err.offset, "%s", err.msg);
    diag_resolve(d, from, src, len);
    json_doc_free(doc);
    return k;
}
