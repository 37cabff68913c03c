/* Property test of the writer: for random documents in random layouts (irregular
 * indentation, trailing spaces, blank lines, CRLF, one-line containers) and one random
 * edit (remove, rename, set, append), the output
 *   - parses, and holds the same tree as the edit applied to a fresh parse, and
 *   - equals the input outside the edited child and the white space and separator next
 *     to it: every byte before the end of the previous sibling (or the opening bracket)
 *     and every byte from the start of the next sibling (or the closing bracket) on is
 *     the input's own.
 * The seed is fixed and printed with any failure, so a failure can be replayed. */
#include "base/buf.h"
#include "json/json.h"
#include "json/json_parse.h"
#include "json/json_write.h"
#include "unit.h"
#include <stdint.h>
#include <stdlib.h>

static uint64_t rng;

static unsigned next(unsigned n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const spaces[] = {"", " ", "  ", "\n", "\n    ", "\n\t", "   \n  ", "\r\n  ", "\n\n      ", " \n"};

static void ws(buf *b)
{
    buf_puts(b, spaces[next(sizeof spaces / sizeof *spaces)]);
}

static void gen_value(buf *b, int depth)
{
    unsigned kind = depth > 3 ? next(4) : next(7);
    switch (kind) {
    case 0: buf_printf(b, "%u", next(1000)); return;
    case 1: buf_printf(b, "\"s%u\"", next(100)); return;
    case 2: buf_puts(b, next(2) ? "true" : "null"); return;
    case 3: buf_puts(b, "\"a\\u00e9\\n\""); return;
    default: break;
    }
    bool obj = kind != 4;
    bool one_line = next(3) == 0;
    unsigned n = next(5);
    buf_putc(b, obj ? '{' : '[');
    for (unsigned i = 0; i < n; i++) {
        if (!one_line)
            ws(b);
        else if (next(2))
            buf_putc(b, ' ');
        if (obj)
            buf_printf(b, "\"k%u_%u\"%s:%s", i, next(100), next(3) ? "" : " ", next(2) ? " " : "");
        gen_value(b, depth + 1);
        if (!one_line && next(4) == 0)
            buf_puts(b, "  ");     /* trailing spaces before the separator */
        if (i + 1 < n)
            buf_putc(b, ',');
    }
    if (!one_line)
        ws(b);
    buf_putc(b, obj ? '}' : ']');
}

/* Every container of the tree, in document order. */
static void collect(json_node *n, json_node **v, size_t *nv, size_t cap)
{
    if (n->type != JSON_ARRAY && n->type != JSON_OBJECT)
        return;
    if (*nv < cap)
        v[(*nv)++] = n;
    for (json_node *k = json_first(n); k; k = k->next)
        collect(k, v, nv, cap);
}

/* The edit, chosen once and applied to two parses of the same text. */
typedef struct edit {
    size_t container;   /* index in document order */
    unsigned op;        /* 0 remove, 1 rename, 2 set, 3 append */
    size_t child;
} edit;

/* Applies e to doc; returns the bounds [*lo, *hi) of the source outside which nothing
 * may change, or false when the edit does not apply to this container. */
static bool apply(json_doc *doc, const edit *e, size_t *lo, size_t *hi)
{
    json_node *v[512];
    size_t nv = 0;
    collect(doc->root, v, &nv, 512);
    if (e->container >= nv)
        return false;
    json_node *c = v[e->container];
    size_t count = json_count(c);
    if (e->op != 3 && !count)
        return false;
    if (e->op == 1 && c->type != JSON_OBJECT)
        return false;
    json_node *k = e->op == 3 ? NULL : json_at(c, e->child % count);
    json_node *prev = k ? k->prev : json_last(c);
    if (k && k == json_first(c))
        prev = NULL;
    json_node *after = k ? k->next : NULL;
    *lo = prev ? json_end(doc, prev) : c->start + 1;
    if (after) {
        size_t key = json_key_offset(doc, after);
        *hi = key != JSON_NOPOS ? key : after->start;
    } else {
        *hi = json_end(doc, c) - 1;
    }
    switch (e->op) {
    case 0: json_remove(k); break;
    case 1: json_rename(doc, k, "renamed", 7); break;
    case 2: {
        json_node *s = json_new_string(doc, "new value", 9);
        json_replace(k, s);
        if (k == doc->root)
            doc->root = s;
        break;
    }
    default:
        json_append(doc, c, c->type == JSON_OBJECT ? "added" : NULL, c->type == JSON_OBJECT ? 5 : 0,
                    json_new_number(doc, "42", 2));
    }
    return true;
}

int main(void)
{
    const uint64_t seed = 0x7a3f19c2d4e5b681ull;
    rng = seed;
    size_t tried = 0;
    for (int iter = 0; iter < 4000; iter++) {
        uint64_t case_seed = rng;
        buf in = BUF_INIT;
        ws(&in);
        buf_putc(&in, '{');
        unsigned n = 1 + next(4);
        for (unsigned i = 0; i < n; i++) {
            ws(&in);
            buf_printf(&in, "\"m%u\": ", i);
            gen_value(&in, 1);
            if (i + 1 < n)
                buf_putc(&in, ',');
        }
        ws(&in);
        buf_putc(&in, '}');
        ws(&in);
        edit e = {next(8), next(4), next(6)};
        json_error err;
        json_doc *a = json_parse(in.data, in.len, NULL, &err), *b = json_parse(in.data, in.len, NULL, &err);
        size_t lo, hi;
        if (!a || !b) {
            CHECK(a && b);
            fprintf(stderr, "generated text does not parse (seed %llx): %s\n", (unsigned long long)case_seed, in.data);
        } else if (apply(a, &e, &lo, &hi)) {
            size_t lo2, hi2;
            apply(b, &e, &lo2, &hi2);
            tried++;
            json_style st;
            json_style_detect(a, &st);
            buf got = BUF_INIT;
            json_write_buf(a, &st, &got);
            /* Same tree as the edit made on a fresh parse (compared in one fixed layout). */
            json_doc *back = json_parse(got.data ? got.data : "", got.len, NULL, &err);
            json_style compact;
            json_style_fixed(&compact, 0, false);
            buf x = BUF_INIT, y = BUF_INIT;
            if (back) {
                json_write_buf(back, &compact, &x);
                json_write_buf(b, &compact, &y);
            }
            bool same_tree = back && x.data && y.data && !strcmp(x.data, y.data);
            /* Bytes outside [lo, hi) unchanged. */
            size_t tail = in.len - hi;
            bool stable = got.len >= lo + tail && !memcmp(got.data, in.data, lo) &&
                          !memcmp(got.data + got.len - tail, in.data + hi, tail);
            CHECK(same_tree && stable);
            if (!same_tree || !stable)
                fprintf(stderr, "case seed %llx, edit %u on container %zu child %zu (%s):\n--- input\n%s\n--- output\n%s\n",
                        (unsigned long long)case_seed, e.op, e.container, e.child,
                        same_tree ? "bytes outside the edit changed" : "tree differs", in.data, got.data);
            buf_free(&x), buf_free(&y), buf_free(&got);
            json_doc_free(back);
        }
        json_doc_free(a), json_doc_free(b);
        buf_free(&in);
        if (unit_failed > 3)
            break;
    }
    CHECK(tried > 1000);    /* the generator must reach enough edits to mean something */
    return unit_summary("unit write property");
}
