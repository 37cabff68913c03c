/* Property test of packing (JM_PACKED) at its real threshold: random documents whose
 * containers often hold 16 children or more, nested up to six levels, in random layouts,
 * with escaped, repeated and case-repeated member names, are parsed eagerly and packed.
 * The packed parse must be the eager one in everything the tools can see:
 *   - the style read from the text and the text written back, unedited;
 *   - the repeated names found (byte for byte and ignoring case);
 *   - what a member lookup and a JSONPath query find, reached without unpacking the
 *     rest of the document;
 *   - the text written after one edit (remove, rename, set, append, clone) made in the
 *     same place of both.
 * The seed is fixed and printed with any failure, so a failure can be replayed. */
#include "base/buf.h"
#include "json/json.h"
#include "json/json_dup.h"
#include "json/json_parse.h"
#include "json/json_write.h"
#include "query/jsonpath.h"
#include "unit.h"
#include <stdint.h>
#include <stdlib.h>

static uint64_t rng;

static unsigned next(unsigned n)
{
    rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static const char *const spaces[] = {"", " ", "\n  ", "\n\t", "\r\n    ", " \n "};

static bool messy;      /* this document may have escaped and repeated names */

static void gen_value(buf *b, int depth, const char *gap)
{
    unsigned kind = depth > 5 ? next(5) : depth > 2 ? next(20) % 9 : depth > 1 ? next(12) % 9 : next(9);
    switch (kind) {
    case 0: buf_printf(b, "%d", (int)next(2000) - 1000); return;
    case 1: buf_printf(b, "\"s%u\"", next(50)); return;
    case 2: buf_puts(b, next(2) ? "true" : next(2) ? "false" : "null"); return;
    case 3: buf_puts(b, "\"a\\u00e9\\n\\\"q\""); return;
    case 4: buf_printf(b, "%u.%ue-%u", next(10), next(100), next(5)); return;
    default: break;
    }
    bool obj = kind >= 7;
    unsigned n = next(2) ? next(4) : 14 + next(8);     /* often around the threshold */
    const char *sep = next(3) ? gap : "";
    buf_putc(b, obj ? '{' : '[');
    for (unsigned i = 0; i < n; i++) {
        buf_puts(b, sep);
        if (obj) {
            unsigned name = next(40);
            switch (messy ? next(12) : next(12) == 1 ? 1 : 2) {
            case 0: buf_printf(b, "\"k\\u0030%u\"", name); break;     /* escaped */
            case 1: buf_printf(b, "\"K%u\"", name); break;             /* repeats ignoring case */
            default: buf_printf(b, "\"k%u\"", !messy || next(12) ? i * 40 + name : name); break;
            }
            buf_puts(b, next(4) ? ": " : next(2) ? ":" : " :\t");
        }
        gen_value(b, depth + 1, gap);
        if (i + 1 < n)
            buf_putc(b, ',');
    }
    if (n)
        buf_puts(b, sep);
    buf_putc(b, obj ? '}' : ']');
}

/* A place in the tree: child indexes from the root, found on one parse and followed on
 * the other (so the packed one unpacks only what is on the way). */
typedef struct place {
    size_t at[8];
    size_t depth;
} place;

/* A random container of the eager tree, as a place. */
static place pick(const json_node *root)
{
    place pl = {{0}, 0};
    const json_node *n = root;
    while (pl.depth < 8 && next(3)) {
        size_t count = json_count(n), i = count ? next((unsigned)count) : 0;
        const json_node *k = count ? json_at(n, i) : NULL;
        if (!k || (k->type != JSON_ARRAY && k->type != JSON_OBJECT))
            break;
        pl.at[pl.depth++] = i;
        n = k;
    }
    return pl;
}

static json_node *follow(json_node *root, const place *pl)
{
    json_node *n = root;
    for (size_t i = 0; i < pl->depth; i++)
        n = json_at(n, pl->at[i]);
    return n;
}

static int repeats;

static void count_repeat(void *ctx, const json_node *dup, const json_node *first)
{
    (void)ctx, (void)dup, (void)first;
    repeats++;
}

static int repeats_in(const json_doc *d, bool icase)
{
    repeats = 0;
    json_find_duplicates(d->root, icase, count_repeat, NULL);
    return repeats;
}

/* The normalized paths of what a query selects, one a line. */
static char *query_paths(const json_doc *d, const char *query)
{
    jp_error jerr;
    jp_query *q = jp_compile(query, strlen(query), &jerr);
    buf r = BUF_INIT;
    jp_list sel = {0};
    if (q && jp_eval(q, d->root, &sel) >= 0)
        for (size_t i = 0; i < sel.n; i++) {
            jp_path(d->root, sel.v[i], &r);
            buf_putc(&r, '\n');
        }
    jp_list_free(&sel);
    jp_free(q);
    buf_putc(&r, '\0');
    return buf_detach(&r, NULL);
}

/* One edit at place pl, the same on either parse. */
static void edit(json_doc *d, const place *pl, unsigned op, unsigned child)
{
    json_node *c = follow(d->root, pl);
    size_t count = json_count(c);
    json_node *k = count ? json_at(c, child % count) : NULL;
    switch (op) {
    case 0: if (k) json_remove(k); break;
    case 1: if (k && c->type == JSON_OBJECT) json_rename(d, k, "renamed", 7); break;
    case 2: if (k) json_replace(k, json_new_string(d, "new", 3)); break;
    case 3: json_append(d, c, c->type == JSON_OBJECT ? "k1" : NULL, c->type == JSON_OBJECT ? 2 : 0,
                        json_new_number(d, "42", 2)); break;
    default: if (k) json_append(d, c, c->type == JSON_OBJECT ? "copy" : NULL, c->type == JSON_OBJECT ? 4 : 0,
                                json_clone(d, k)); break;
    }
}

static bool same_style(const json_style *a, const json_style *b)
{
    return a->multiline == b->multiline && a->tab == b->tab && a->indent == b->indent && !strcmp(a->colon, b->colon) &&
           !strcmp(a->comma, b->comma) && !strcmp(a->newline, b->newline);
}

int main(void)
{
    const uint64_t seed = 0x51c3a9e07b2d4f68ull;
    rng = seed;
    size_t packed_docs = 0;
    json_parse_opts po = {0};
    po.pack_scalars = true;
    /* under valgrind (tests/run-valgrind.sh sets VALGRIND), a quarter: a minute less */
    const int iterations = getenv("VALGRIND") ? 500 : 2000;
    for (int iter = 0; iter < iterations && unit_failed < 4; iter++) {
        uint64_t case_seed = rng;
        buf in = BUF_INIT;
        const char *gap = spaces[next(sizeof spaces / sizeof *spaces)];
        messy = next(2);
        for (;;) {
            gen_value(&in, next(3), gap);
            if (in.data[0] == '[' || in.data[0] == '{')
                break;
            buf_clear(&in);     /* a container at the top, as the tools' documents */
        }
        json_error err;
        json_doc *e = json_parse(in.data, in.len, NULL, &err), *l = json_parse(in.data, in.len, &po, &err);
        CHECK(e && l);
        if (!e || !l) {
            fprintf(stderr, "case seed %llx: does not parse\n%s\n", (unsigned long long)case_seed, in.data);
            json_doc_free(e), json_doc_free(l), buf_free(&in);
            continue;
        }
        /* anything packed, looked for without unpacking it */
        bool packed = false;
        for (const json_node *n = l->root; n && !packed;) {
            packed = n->marks & JM_PACKED;
            n = packed ? NULL : json_next_within(l->root, n);
        }
        packed_docs += packed;
        json_style se, sl;
        json_style_detect(e, &se);
        json_style_detect(l, &sl);
        buf we = BUF_INIT, wl = BUF_INIT;
        json_write_buf(l, &sl, &wl);
        bool same_text = wl.len == in.len && !memcmp(wl.data, in.data, in.len);
        unsigned bad = (unsigned)!same_style(&se, &sl) | (unsigned)!same_text << 1;   /* which check failed */
        /* a query and a lookup reach the same nodes */
        char query[32];
        snprintf(query, sizeof query, "$..k%u", next(40));
        char *qe = query_paths(e, query), *ql = query_paths(l, query);
        bad |= (unsigned)(strcmp(qe, ql) != 0) << 2;
        free(qe), free(ql);
        place pl = pick(e->root);
        json_node *ce = follow(e->root, &pl), *cl = follow(l->root, &pl);
        char name[16];
        int len = snprintf(name, sizeof name, "k%u", next(40));
        json_node *ge = json_get(ce, name, (size_t)len), *gl = json_get(cl, name, (size_t)len);
        bad |= (unsigned)!((ge == NULL) == (gl == NULL) && (!ge || json_index_of(ge) == json_index_of(gl))) << 3;
        ge = json_get_icase(ce, name, (size_t)len), gl = json_get_icase(cl, name, (size_t)len);
        bad |= (unsigned)!((ge == NULL) == (gl == NULL) && (!ge || json_index_of(ge) == json_index_of(gl))) << 4;
        bad |= (unsigned)(repeats_in(e, false) != repeats_in(l, false) || repeats_in(e, true) != repeats_in(l, true)) << 5;
        /* the same edit in the same place writes the same text */
        pl = pick(e->root);
        unsigned op = next(5), child = next(30);
        edit(e, &pl, op, child);
        edit(l, &pl, op, child);
        buf_clear(&we), buf_clear(&wl);
        json_write_buf(e, &se, &we);
        json_write_buf(l, &se, &wl);
        bad |= (unsigned)!(we.len == wl.len && !memcmp(we.data, wl.data, we.len)) << 6;
        CHECK(!bad);
        if (bad)
            fprintf(stderr, "case seed %llx (failed: %#x; edit %u, child %u, query %s):\n--- input\n%s\n--- eager\n%.*s\n--- packed\n%.*s\n",
                    (unsigned long long)case_seed, bad, op, child, query, in.data, (int)we.len, we.data, (int)wl.len,
                    wl.data);
        buf_free(&we), buf_free(&wl), buf_free(&in);
        json_doc_free(e), json_doc_free(l);
    }
    CHECK(packed_docs > (size_t)iterations / 5);    /* the generator must reach packing to mean something */
    if (packed_docs <= (size_t)iterations / 5)
        fprintf(stderr, "only %zu of the documents packed anything\n", packed_docs);
    return unit_summary("unit pack property");
}
