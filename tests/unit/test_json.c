/* Unit tests of the JSON core: parser, positions, numbers, writer styles and edits. */
#include "base/buf.h"
#include "json/json.h"
#include "json/json_parse.h"
#include "json/json_dup.h"
#include "json/json_num.h"
#include "json/json_write.h"
#include "base/oom.h"
#include "base/pos.h"
#include "unit.h"
#include <stdlib.h>

static json_doc *parse(const char *s)
{
    json_error err;
    json_doc *d = json_parse(s, strlen(s), NULL, &err);
    if (!d)
        fprintf(stderr, "parse failed: %s at %zu\n", err.msg, err.offset);
    return d;
}

/* Returns the parse error message for s, with its offset in *off. */
static const char *parse_error(const char *s, size_t n, size_t *off)
{
    static json_error err;
    json_doc *d = json_parse(s, n, NULL, &err);
    if (d) {
        json_doc_free(d);
        return "(accepted)";
    }
    *off = err.offset;
    return err.msg;
}

/* Writes doc with the given style into a malloc'd string. */
static char *write_doc(const json_doc *d, const json_style *st)
{
    buf b = BUF_INIT;
    out *o = xmalloc(sizeof *o);
    out_init_mem(o, &b);
    json_write(d, NULL, st, o);
    out_flush(o);
    free(o);
    return buf_detach(&b, NULL);
}

static char *roundtrip(const char *s)
{
    json_doc *d = parse(s);
    if (!d)
        return NULL;
    json_style st;
    json_style_detect(d, &st);
    char *r = write_doc(d, &st);
    json_doc_free(d);
    return r;
}

static void test_styles_roundtrip(void)
{
    static const char *const docs[] = {
        /* Azure portal export: 4 spaces, CRLF-free, empty containers inline */
        "{\n    \"$schema\": \"x\",\n    \"parameters\": {},\n    \"resources\": [\n        {\n            \"a\": []\n        }\n    ]\n}",
        /* Python json.dump(indent=2), no final newline, escapes kept */
        "{\n  \"name\": \"caf\\u00e9\",\n  \"n\": [\n    1.0,\n    1e400,\n    12345678901234567890\n  ]\n}",
        /* same with a final newline */
        "{\n  \"a\": true\n}\n",
        /* Go MarshalIndent with tabs */
        "{\n\t\"Servers\": [\n\t\t{\n\t\t\t\"ServerURL\": \"https://x\\u003cy\"\n\t\t}\n\t]\n}",
        /* jq default */
        "[\n  {\n    \"a\": null\n  },\n  {}\n]\n",
        /* compact and python's one-line json.dumps */
        "{\"a\":[1,2,{\"b\":\"\\/\"}]}",
        "{\"a\": [1, 2], \"b\": {\"c\": false}}",
        /* CRLF line ends, leading white space */
        "  {\r\n    \"a\": 1\r\n}\r\n",
        "\"scalar\"\n",
        "-0.0e+5",
    };
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        char *r = roundtrip(docs[i]);
        CHECK_STR(r, docs[i]);
        free(r);
    }
}

static void test_positions(void)
{
    const char *s = "{\n  \"k\": \"é\", \"x\": [1, 2]\n}";
    json_doc *d = parse(s);
    json_node *x = json_get(d->root, "x", 1);
    CHECK(x && x->type == JSON_ARRAY && json_count(x) == 2);
    pos p = pos_of(s, strlen(s), json_key_offset(d, x));
    CHECK(p.line == 2 && p.col == 13);   /* columns count characters: é is one */
    p = pos_of(s, strlen(s), json_at(x, 1)->start);
    CHECK(p.line == 2 && p.col == 22);
    CHECK(json_end(d, x) == (size_t)(strstr(s, "]") - s) + 1);
    json_doc_free(d);
}

static void test_errors(void)
{
    size_t off = 0;
    CHECK_STR(parse_error("{\"a\":1,}", 8, &off), "trailing comma before '}'");
    CHECK(off == 6);
    CHECK_STR(parse_error("[1,]", 4, &off), "trailing comma before ']'");
    CHECK_STR(parse_error("{a:1}", 5, &off), "member name must be a double-quoted string");
    CHECK_STR(parse_error("// c\n{}", 7, &off), "comments are not allowed in JSON");
    CHECK_STR(parse_error("", 0, &off), "empty input: a JSON value was expected");
    CHECK_STR(parse_error("\xEF\xBB\xBF{}", 5, &off), "byte order mark (U+FEFF) at start of input is not allowed in JSON");
    CHECK_STR(parse_error("{} x", 4, &off), "trailing content after the JSON value");
    CHECK(off == 3);
    CHECK_STR(parse_error("[\"a\0\"]", 6, &off), "control character U+0000 in string must be escaped");
    CHECK_STR(parse_error("[\"\xff\"]", 5, &off), "invalid UTF-8 byte 0xFF in string");
    CHECK_STR(parse_error("[01]", 4, &off), "leading zero in number");
    CHECK_STR(parse_error("[NaN]", 5, &off), "invalid literal 'NaN' (JSON has only true, false, null, numbers and strings)");
    CHECK_STR(parse_error("['a']", 5, &off), "strings must use double quotes, not single quotes");
    CHECK_STR(parse_error("[\"\\ud800\"]", 10, &off), "lone high surrogate \\uD800 (no UTF-8 encoding exists)");
    CHECK_STR(parse_error("{\"a\" 1}", 7, &off), "unexpected '1', expected ':' after the member name");
    CHECK_STR(parse_error("[1", 2, &off), "unexpected end of input, expected ',' or ']' after an element");
}

static void test_deep_nesting(void)
{
    size_t n = 1000000;
    char *s = xmalloc(n);
    memset(s, '[', n);
    size_t off = 0;
    CHECK_STR(parse_error(s, n, &off), "nesting deeper than 1000 levels");
    CHECK(off == 1000);
    json_parse_opts po = {0, true, NULL, false, NULL, false, false};
    json_error err;
    CHECK(json_parse(s, n, &po, &err) == NULL);
    free(s);
}

static void test_numbers(void)
{
    CHECK(json_num_cmp("1", 1, "1.0", 3) == 0);
    CHECK(json_num_cmp("10e-1", 5, "1", 1) == 0);
    CHECK(json_num_cmp("-0", 2, "0.0", 3) == 0);
    CHECK(json_num_cmp("2", 1, "10", 2) < 0);
    CHECK(json_num_cmp("-2", 2, "-10", 3) > 0);
    CHECK(json_num_cmp("12345678901234567890", 20, "12345678901234567891", 20) < 0);
    CHECK(json_num_cmp("1e400", 5, "1e399", 5) > 0);
    CHECK(json_num_cmp("0.001", 5, "1e-3", 4) == 0);
    CHECK(json_num_is_integer("2.0", 3) && json_num_is_integer("1e3", 3) && !json_num_is_integer("1.5", 3));
    long long v = 0;
    CHECK(json_num_to_int("2147483647", 10, -2147483648LL, 2147483647LL, &v) && v == 2147483647LL);
    CHECK(!json_num_to_int("2147483648", 10, -2147483648LL, 2147483647LL, &v));
    CHECK(!json_num_to_int("1.5", 3, 0, 10, &v));
    CHECK(json_num_valid("-0.5e+3", 7) && !json_num_valid("01", 2) && !json_num_valid("1.", 2));
}

static void test_edits(void)
{
    const char *s = "{\n    \"keep\": {\n        \"a\": [\n            1\n        ]\n    },\n    \"drop\": 1,\n    \"s\": \"x\\n\"\n}";
    json_doc *d = parse(s);
    json_style st;
    json_style_detect(d, &st);
    json_node *root = d->root;
    json_remove(json_get(root, "drop", 4));
    json_node *arr = json_new(d, JSON_ARRAY);
    json_append(d, arr, NULL, 0, json_new_string(d, "q\"", 2));
    json_append(d, arr, NULL, 0, json_new_number(d, "2.50", 4));
    json_append(d, root, "new", 3, arr);
    json_rename(d, json_get(root, "keep", 4), "kept", 4);
    char *w = write_doc(d, &st);
    CHECK_STR(w, "{\n    \"kept\": {\n        \"a\": [\n            1\n        ]\n    },\n    \"s\": \"x\\n\",\n"
                 "    \"new\": [\n        \"q\\\"\",\n        2.50\n    ]\n}");
    free(w);
    /* Insert before the first member, replace a value, remove the last. */
    json_insert(d, root, json_first(root), "first", 5, json_new(d, JSON_NULL));
    json_replace(json_get(root, "s", 1), json_new(d, JSON_TRUE));
    json_remove(json_last(root));
    w = write_doc(d, &st);
    CHECK_STR(w, "{\n    \"first\": null,\n    \"kept\": {\n        \"a\": [\n            1\n        ]\n    },\n    \"s\": true\n}");
    free(w);
    CHECK(json_count(root) == 3 && json_index_of(json_get(root, "s", 1)) == 2);
    /* A fixed style re-lays out everything. */
    json_style_fixed(&st, 0, false);
    w = write_doc(d, &st);
    CHECK_STR(w, "{\"first\":null,\"kept\":{\"a\":[1]},\"s\":true}\n");
    free(w);
    json_doc_free(d);
}

static void test_equal_and_dups(void)
{
    json_doc *a = parse("{\"x\": [1, {\"y\": 2.0}], \"z\": null}");
    json_doc *b = parse("{\"z\": null, \"x\": [1.0, {\"y\": 2}]}");
    json_doc *c = parse("{\"z\": null, \"x\": [1.0, {\"y\": 3}]}");
    CHECK(json_equal(a->root, b->root));
    CHECK(!json_equal(a->root, c->root));
    json_doc_free(a);
    json_doc_free(b);
    json_doc_free(c);
}

static int dups;
static void count_dup(void *ctx, const json_node *dup, const json_node *first)
{
    (void)ctx;
    (void)first;
    dups += dup->key_len > 0;
}

static void test_duplicates(void)
{
    json_doc *d = parse("{\"a\": 1, \"A\": 2, \"b\": {\"c\": 1, \"c\": 2}, \"a\": 3}");
    dups = 0;
    json_find_duplicates(d->root, false, count_dup, NULL);
    CHECK(dups == 2);
    dups = 0;
    json_find_duplicates(d->root, true, count_dup, NULL);
    CHECK(dups == 3);
    CHECK(json_get(d->root, "a", 1) == json_last(d->root));     /* last one wins */
    CHECK(json_get_icase(d->root, "B", 1) != NULL);
    json_doc_free(d);
    /* A large object goes through the hash table. */
    buf b = BUF_INIT;
    buf_puts(&b, "{");
    for (int i = 0; i < 100; i++)
        buf_printf(&b, "\"k%d\": %d,", i % 60, i);
    buf_puts(&b, "\"end\": 0}");
    d = parse(b.data);
    dups = 0;
    json_find_duplicates(d->root, false, count_dup, NULL);
    CHECK(dups == 40);
    json_doc_free(d);
    buf_free(&b);
}

/* Writes doc in its own style and in a fixed one, for comparing two parses of one text. */
static char *both_styles(const json_doc *d)
{
    json_style st, fixed;
    json_style_detect(d, &st);
    json_style_fixed(&fixed, 2, false);
    char *a = write_doc(d, &st), *b = write_doc(d, &fixed);
    buf r = BUF_INIT;
    buf_printf(&r, "%s|%s|%u %d %s %s", a, b, st.indent, st.multiline, st.comma, st.colon);
    free(a), free(b);
    return buf_detach(&r, NULL);
}

/* Arrays and objects of 16 or more scalars parsed packed (no nodes until json_first asks)
 * behave as the eager parse in everything: style, writing, counting, indexing, equality,
 * member lookup, repeats, and every kind of edit; 15 scalars, a container among them, a
 * repeated or escaped name, or an error stay eager. */
static void test_packed(void)
{
#define P16 "\"a\": 1, \"b\": 2, \"c\": 3, \"d\": 4, \"e\": 5, \"f\": 6, \"g\": 7, \"h\": 8, \"i\": 9, \"j\": 10, " \
            "\"k\": 11, \"l\": 12, \"m\": 13, \"n\": 14, \"o\": \"s\\n\""
    static const struct {
        const char *text;
        bool packs;     /* something in it is packed */
    } docs[] = {
        {"[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]", true},
        {"[\n  1,\n  -2.5e3,\n  \"x\",\n  \"\\u00e9\\n\",\n  true,\n  false,\n  null,\n  3,\n  4,\n  5,\n  6,\n  7,\n"
         "  8,\n  9,\n  10,\n  11\n]\n", true},
        {"{\"a\":{\"list\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16],\"b\":{\"c\":1,\"c\":2}}}", true},
        {"{\r\n\t\"k\": [\"a\", \"b\", \"c\", \"d\", \"e\", \"f\", \"g\", \"h\", \"i\", \"j\", \"k\", \"l\", \"m\", "
         "\"n\", \"o\", \"p\"],\r\n\t\"m\": [1]\r\n}", true},
        {"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]", false},
        {"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, [17]]", true},
        {"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, [[17]]]", true},
        {"[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, [[[17]]]]", false},
        /* the separator is read from the first member in the text, however deep */
        {"[[{\"b\" :3}], 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]", true},
        {"[[], [[]], {}, [{\"b\"\t: 3}], 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]", true},
        {"[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16], [], {}]", true},
        /* objects: 16 scalar members pack; 15, a repeated or escaped name, a container not */
        {"{" P16 ", \"p\": null}", true},
        {"{\n    \"outer\" :{" P16 ",\"p\":true},\n    \"next\": [1]\n}\n", true},
        {"[{" P16 ", \"p\": false}, {" P16 ", \"p\": -0.5}]", true},
        {"{" P16 "}", false},
        {"{" P16 ", \"a\": 0}", false},
        {"{" P16 ", \"\\u0070\": 0}", false},
        {"{" P16 ", \"p\": {}}", true},
        {"{" P16 ", \"p\": {\"q\": [1]}}", true},
        {"{" P16 ", \"p\": {\"q\": [[1]]}}", false},
        /* containers of scalars inside: packed too, and packed again once unpacked */
        {"{\"m0\": {\"v\": 0}, \"m1\": {\"v\": 1}, \"m2\": {}, \"m3\": [], \"m4\": [4, \"4\"], \"m5\": {\"v\": 5}, "
         "\"m6\": {\"v\": 6}, \"m7\": {\"v\": 7}, \"m8\": {\"v\": 8}, \"m9\": {\"v\": 9}, \"m10\": {\"w\": 10}, "
         "\"m11\": {\"v\": 11}, \"m12\": {\"v\": 12}, \"m13\": {\"v\": 13}, \"m14\": {\"v\": 14, \"w\": true}, "
         "\"m15\": {\"v\": 15}}", true},
        {"[\n  {\"a\": 1},\n  {\"k\": 1, \"k\": 2},\n  2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n]", false},
        {"[\n  {" P16 ", \"p\": 1},\n  {\"k\": 1, \"K\": 2},\n  2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15\n]", true},
    };
#undef P16
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++) {
        const char *s = docs[i].text;
        json_error err;
        json_parse_opts po = {0};
        po.pack_scalars = true;
        for (int edit = 0; edit < 6; edit++) {
            json_doc *e = json_parse(s, strlen(s), NULL, &err);
            json_doc *l = json_parse(s, strlen(s), &po, &err);
            CHECK(e && l);
            if (!e || !l)
                return;
            if (edit == 0) {
                /* before anything asks, the style and the text come out the same (the
                 * fixed layout and json_equal unpack everything) */
                char *x = both_styles(e), *y = both_styles(l);
                CHECK_STR(y, x);
                free(x), free(y);
                CHECK(json_equal(e->root, l->root));
                json_doc_free(e);
                json_doc_free(l);
                continue;
            }
            /* the first packed array, found without unpacking anything, and its twin */
            json_node *ae = NULL, *al = NULL;
            size_t path[8], depth = 0;
            for (json_node *n = l->root; n && !al;) {
                if (n->marks & JM_PACKED) {
                    al = n;
                    break;
                }
                json_node *k = n->type == JSON_ARRAY || n->type == JSON_OBJECT ? json_first(n) : NULL;
                size_t at = 0;
                for (; k && !(k->marks & JM_PACKED) && !(k->type == JSON_ARRAY || k->type == JSON_OBJECT); k = k->next)
                    at++;
                if (!k || depth == 8)
                    break;
                path[depth++] = at;
                n = k;
            }
            if (al) {
                ae = e->root;
                for (size_t step = 0; step < depth; step++)
                    ae = json_at(ae, path[step]);
            }
            CHECK((al != NULL) == docs[i].packs);
            if (ae && al) {
                CHECK(json_count(ae) == json_count(al) && (al->marks & JM_PACKED));
                if (al->type == JSON_OBJECT && edit % 2 && json_get(ae, "a", 1)) {
                    /* a name it lacks is found missing from the text, nodes unmade */
                    CHECK(!json_get(al, "zz", 2) && !json_get_icase(al, "ZZ", 2) && (al->marks & JM_PACKED));
                    CHECK(!json_get(al, "A", 1) && json_get_icase(al, "A", 1) && json_get_icase(ae, "A", 1));
                    CHECK(!(al->marks & JM_PACKED));
                    json_node *oe = json_get(ae, "o", 1), *ol = json_get(al, "o", 1);
                    CHECK(oe && ol && json_equal(oe, ol) && json_index_of(ol) == 14);
                }
                switch (edit) {
                case 1: json_remove(json_at(ae, 3)), json_remove(json_at(al, 3)); break;
                case 2:
                    json_append(e, ae, NULL, 0, json_new_number(e, "42", 2));
                    json_append(l, al, NULL, 0, json_new_number(l, "42", 2));
                    break;
                case 3:
                    json_replace(json_last(ae), json_new_string(e, "z", 1));
                    json_replace(json_last(al), json_new_string(l, "z", 1));
                    break;
                case 4:
                    json_insert(e, ae, json_first(ae), NULL, 0, json_new(e, JSON_NULL));
                    json_insert(l, al, json_first(al), NULL, 0, json_new(l, JSON_NULL));
                    break;
                case 5: {
                    json_node *ce = json_clone(e, ae), *cl = json_clone(l, al);
                    json_append(e, ae, NULL, 0, ce);
                    json_append(l, al, NULL, 0, cl);
                    break;
                }
                }
                CHECK(json_index_of(json_at(ae, 5)) == 5 && json_index_of(json_at(al, 5)) == 5);
            }
            char *x = both_styles(e), *y = both_styles(l);
            CHECK_STR(y, x);
            free(x), free(y);
            dups = 0;
            json_find_duplicates(e->root, false, count_dup, NULL);
            int de = dups;
            dups = 0;
            json_find_duplicates(l->root, false, count_dup, NULL);
            CHECK(de == dups);
            json_doc_free(e);
            json_doc_free(l);
        }
    }
    /* An error inside what looked like an array of scalars is the eager parse's error. */
    const char *bad = "[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 01]";
    json_error ea, eb;
    json_parse_opts po = {0};
    po.pack_scalars = true;
    CHECK(json_parse(bad, strlen(bad), NULL, &ea) == NULL && json_parse(bad, strlen(bad), &po, &eb) == NULL);
    CHECK(ea.offset == eb.offset);
    CHECK_STR(eb.msg, ea.msg);
}

/* A large object packs when no name repeats, compared as the parse was asked to (the
 * table of names grows past its first size); one repeat leaves it to the nodes. */
static void test_packed_names(void)
{
    json_parse_opts po = {0};
    po.pack_scalars = true;
    for (int variant = 0; variant < 4; variant++) {
        buf b = BUF_INIT;
        buf_puts(&b, "{");
        for (int i = 0; i < 1000; i++)
            buf_printf(&b, "%s\"%s%d\": %d", i ? ", " : "", i == 999 && variant >= 2 ? "K" : "k",
                       i == 999 && variant % 2 ? 500 : i, i);
        buf_puts(&b, "}");
        /* variants: all distinct; k500 twice; K999 (distinct either way); K500 (a repeat
         * only ignoring case) */
        for (int icase = 0; icase < 2; icase++) {
            po.dup_icase = icase;
            json_error err;
            json_doc *d = json_parse(b.data, b.len, &po, &err);
            CHECK(d != NULL);
            if (!d)
                continue;
            bool repeats = variant == 1 || (variant == 3 && icase);
            CHECK(!(d->root->marks & JM_PACKED) == repeats);
            CHECK(!(d->root->flags & JF_DUPS) == !repeats);
            CHECK(json_count(d->root) == 1000 && json_get(d->root, "k998", 4) == json_at(d->root, 998));
            json_doc_free(d);
        }
        buf_free(&b);
    }
}

/* Unpacking a container holding containers makes their nodes, themselves packed when
 * large enough, with the name bloom of what they hold. */
static void test_packed_levels(void)
{
    json_parse_opts po = {0};
    po.pack_scalars = true;
    buf b = BUF_INIT;
    buf_puts(&b, "[{");
    for (int i = 0; i < 17; i++)
        buf_printf(&b, "%s\"n%d\": %d", i ? ", " : "", i, i);
    buf_puts(&b, "}, {\"k\": 1, \"K\": 2}, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]");
    json_error err;
    json_doc *d = json_parse(b.data, b.len, &po, &err);
    CHECK(d && (d->root->marks & JM_PACKED) && json_count(d->root) == 16);
    if (d) {
        uint16_t all = d->root->marks & JM_NAMES_BLOOM;
        json_node *big = json_first(d->root), *small = big->next;
        CHECK(!(d->root->marks & JM_PACKED) && (d->root->marks & JM_NAMES_BLOOM) == all);
        CHECK((big->marks & JM_PACKED) && json_count(big) == 17 && big->type == JSON_OBJECT);
        CHECK(!(small->marks & JM_PACKED) && json_count(small) == 2);
        CHECK((small->marks & JM_NAMES_BLOOM) == (json_name_bit("k", 1) | json_name_bit("K", 1)));
        CHECK((big->marks & json_name_bit("n16", 3)) && (all & json_name_bit("K", 1)));
        json_node *n16 = json_get(big, "n16", 3);
        CHECK(n16 && json_index_of(n16) == 16 && json_end(d, big) == (size_t)(strchr(b.data, '}') + 1 - b.data));
        json_doc_free(d);
    }
    buf_free(&b);
}

/* Packing does not let a document past the depth limit: containers at the limit inside
 * what would be packed fail as in the eager parse, at the same place. */
static void test_packed_depth(void)
{
    json_parse_opts po = {0};
    po.pack_scalars = true;
    for (int total = 998; total <= 1002; total++) {
        buf b = BUF_INIT;
        for (int i = 0; i < total - 3; i++)
            buf_puts(&b, "[");
        buf_puts(&b, "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, [[0]]]");
        for (int i = 0; i < total - 3; i++)
            buf_puts(&b, "]");
        json_error ea, eb;
        json_doc *e = json_parse(b.data, b.len, NULL, &ea), *l = json_parse(b.data, b.len, &po, &eb);
        CHECK((e != NULL) == (total <= JSON_DEFAULT_MAX_DEPTH) && (l != NULL) == (e != NULL));
        if (!e && !l)
            CHECK(ea.offset == eb.offset && !strcmp(ea.msg, eb.msg));
        json_doc_free(e);
        json_doc_free(l);
        buf_free(&b);
    }
}

int main(void)
{
    test_styles_roundtrip();
    test_positions();
    test_errors();
    test_deep_nesting();
    test_numbers();
    test_edits();
    test_equal_and_dups();
    test_duplicates();
    test_packed();
    test_packed_names();
    test_packed_levels();
    test_packed_depth();
    return unit_summary("unit json");
}
