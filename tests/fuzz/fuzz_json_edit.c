/* libFuzzer harness: the JSON parser and the writer. For any input that parses:
 *   - written back unedited, it is byte-identical;
 *   - the streaming check agrees with the tree parser, on the verdict and on the repeated
 *     member names (byte for byte and ignoring case: the names the check reports as they
 *     are read are the ones json_find_duplicates finds through the tree's marks);
 *   - after one edit chosen from the input's last bytes (remove, rename, set, append in
 *     some container), the output parses and holds the same tree as the edit made on a
 *     fresh parse (compared in one fixed layout);
 *   - parsed with arrays of scalars packed (built with JSON_PACK_MIN=1: every such array),
 *     the document detects the same style, comes back byte-identical, and after the same
 *     edit is written exactly as the eager parse is.
 * Build and run: make fuzz FUZZ_SECONDS=N. */
#include "base/buf.h"
#include "json/json.h"
#include "json/json_dup.h"
#include "json/json_parse.h"
#include "json/json_write.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The index-th container of the tree in document order, or NULL. */
static json_node *container_at(json_node *root, size_t index)
{
    size_t i = 0;
    for (json_node *n = root; n; n = json_next_within(root, n))
        if ((n->type == JSON_ARRAY || n->type == JSON_OBJECT) && i++ == index)
            return n;
    return NULL;
}

static bool apply_edit(json_doc *doc, unsigned op, size_t which, size_t child)
{
    json_node *c = container_at(doc->root, which);
    if (!c)
        return false;
    size_t count = json_count(c);
    if (op != 3 && !count)
        return false;
    json_node *k = op == 3 ? NULL : json_at(c, child % count);
    switch (op) {
    case 0: json_remove(k); return true;
    case 1:
        if (c->type != JSON_OBJECT)
            return false;
        json_rename(doc, k, "renamed", 7);
        return true;
    case 2: {
        json_node *s = json_new_string(doc, "new", 3);
        json_replace(k, s);
        if (k == doc->root)
            doc->root = s;
        return true;
    }
    default:
        json_append(doc, c, c->type == JSON_OBJECT ? "added" : NULL, c->type == JSON_OBJECT ? 5 : 0,
                    json_new_number(doc, "7", 1));
        return true;
    }
}

static void count_read(void *ctx, size_t dup_at, size_t first_at, const char *key, size_t len)
{
    (void)dup_at, (void)first_at, (void)key, (void)len;
    ++*(size_t *)ctx;
}

static void count_found(void *ctx, const json_node *dup, const json_node *first)
{
    (void)dup, (void)first;
    ++*(size_t *)ctx;
}

/* The repeats the streaming check reports are the ones found through the tree. */
static void check_repeats(const char *src, size_t size, bool icase)
{
    json_error err;
    size_t read = 0, found = 0;
    json_parse_opts po = {0};
    po.check_only = true;
    po.on_duplicate = count_read;
    po.ctx = &read;
    po.dup_icase = icase;
    json_doc_free(json_parse(src, size, &po, &err));
    json_parse_opts pt = {0};
    pt.dup_icase = icase;
    json_doc *t = json_parse(src, size, &pt, &err);
    if (t)
        json_find_duplicates(t->root, icase, count_found, &found);
    json_doc_free(t);
    if (read != found)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    unsigned op = data[size - 1] % 4;
    size_t which = data[size - 2] % 16, child = data[size - 3];
    size -= 3;
    const char *src = (const char *)data;
    json_error err;
    json_doc *a = json_parse(src, size, NULL, &err);
    json_parse_opts po = {0};
    po.check_only = true;
    json_doc *chk = json_parse(src, size, &po, &err);
    if ((a == NULL) != (chk == NULL))
        abort();    /* the streaming check and the tree parser disagree */
    json_doc_free(chk);
    if (!a)
        return 0;
    check_repeats(src, size, false);
    check_repeats(src, size, true);
    json_style st;
    json_style_detect(a, &st);
    buf same = BUF_INIT;
    json_write_buf(a, &st, &same);
    if (same.len != size || memcmp(same.data, src, size))
        abort();    /* an unedited document must come back byte for byte */
    buf_free(&same);
    json_parse_opts pk = {0};
    pk.pack_scalars = true;
    json_doc *c = json_parse(src, size, &pk, &err);
    if (!c)
        abort();    /* packing refused what the eager parse accepted */
    json_style cst;
    json_style_detect(c, &cst);
    if (cst.multiline != st.multiline || cst.tab != st.tab || cst.indent != st.indent || strcmp(cst.colon, st.colon) ||
        strcmp(cst.comma, st.comma) || strcmp(cst.newline, st.newline))
        abort();    /* a packed array changed the style read from the text */
    buf packed = BUF_INIT;
    json_write_buf(c, &st, &packed);
    if (packed.len != size || memcmp(packed.data, src, size))
        abort();    /* a packed document did not come back byte for byte */
    buf_free(&packed);
    json_doc *b = json_parse(src, size, NULL, &err);
    if (apply_edit(c, op, which, child)) {
        json_doc *e = json_parse(src, size, NULL, &err);
        apply_edit(e, op, which, child);
        buf x = BUF_INIT, y = BUF_INIT;
        json_write_buf(c, &st, &x);
        json_write_buf(e, &st, &y);
        if (x.len != y.len || memcmp(x.data, y.data, x.len))
            abort();    /* the same edit came out differently on a packed parse */
        buf_free(&x), buf_free(&y);
        json_doc_free(e);
    }
    json_doc_free(c);
    if (apply_edit(a, op, which, child)) {
        apply_edit(b, op, which, child);
        buf got = BUF_INIT;
        json_write_buf(a, &st, &got);
        json_doc *back = json_parse(got.data ? got.data : "", got.len, NULL, &err);
        if (!back)
            abort();    /* the writer wrote what the parser refuses */
        json_style compact;
        json_style_fixed(&compact, 0, false);
        buf x = BUF_INIT, y = BUF_INIT;
        json_write_buf(back, &compact, &x);
        json_write_buf(b, &compact, &y);
        if (x.len != y.len || memcmp(x.data, y.data, x.len))
            abort();    /* the output does not hold the edited tree */
        buf_free(&x), buf_free(&y), buf_free(&got);
        json_doc_free(back);
    }
    json_doc_free(a);
    json_doc_free(b);
    return 0;
}
