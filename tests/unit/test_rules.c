/* Unit tests of the rule machinery: YAML loading, templates, URIs, ARM expressions,
 * regular expressions, JSONPath extensions, schemas and the engine. */
#include "domain/armexpr.h"
#include "json/json_parse.h"
#include "rules/engine.h"
#include "base/exitcodes.h"
#include "json/json_write.h"
#include "query/jsonpath.h"
#include "base/oom.h"
#include "base/pos.h"
#include "query/rx.h"
#include "query/schema.h"
#include "query/tmpl.h"
#include "query/uri.h"
#include "query/yamltree.h"
#include "unit.h"
#include <stdlib.h>

static char *compact(const json_doc *d, const json_node *n)
{
    buf b = BUF_INIT;
    out *o = xmalloc(sizeof *o);
    out_init_mem(o, &b);
    json_style st;
    json_style_fixed(&st, 0, false);
    json_write(d, n, &st, o);
    out_flush(o);
    free(o);
    return buf_detach(&b, NULL);
}

static void test_yaml(void)
{
    const char *y = "a: 1\nb: [true, False, ~, null, 0x1F, 0o17, 007, -1.50, .5, 1e3, '2', \"x\\ty\", !!str 3]\n"
                    "c: &anchor {k: v}\nd: *anchor\ne: |\n  line\n";
    yamltree_error err;
    json_doc *d = yamltree_load(y, strlen(y), &err);
    CHECK(d != NULL);
    char *s = compact(d, d->root);
    CHECK_STR(s, "{\"a\":1,\"b\":[true,false,null,null,31,15,7,-1.50,0.5,1e3,\"2\",\"x\\ty\",\"3\"],"
                 "\"c\":{\"k\":\"v\"},\"d\":{\"k\":\"v\"},\"e\":\"line\\n\"}");
    free(s);
    /* Positions are byte offsets into the YAML, keys included. */
    json_node *b = json_get(d->root, "b", 1);
    pos p = pos_of(y, strlen(y), json_key_offset(d, b));
    CHECK(p.line == 2 && p.col == 1);
    p = pos_of(y, strlen(y), json_first(b)->start);
    CHECK(p.line == 2 && p.col == 5);
    json_doc_free(d);
    const char *bad[] = {"a: 1\na: 2\n", "x: .inf\n", "x: !!binary abc\n", "? [a]\n: 1\n", "a: *nope\n", "", "a: [\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        d = yamltree_load(bad[i], strlen(bad[i]), &err);
        CHECK(d == NULL);
        json_doc_free(d);
    }
    d = yamltree_load("a: 1\na: 2\n", 10, &err);
    CHECK_STR(err.msg, "duplicate key 'a'");
    CHECK(err.offset == 5);
}

static const char *vars(void *ctx, const char *name, size_t len, size_t *vlen)
{
    (void)ctx;
    if (len == 1 && *name == 'v') {
        *vlen = 7;
        return "a'b$c.\"";
    }
    return NULL;
}

static void test_tmpl(void)
{
    buf b = BUF_INIT;
    size_t bad;
    CHECK(tmpl_expand("x${v}y $1 ${1}", 14, vars, NULL, ESC_NONE, &b, &bad));
    CHECK_STR(b.data, "xa'b$c.\"y $1 ${1}");
    buf_clear(&b);
    /* RFC 9535: inside '...' only ' is escaped, inside "..." only " (issue 10, point 11). */
    CHECK(tmpl_expand("'${v}'", 6, vars, NULL, ESC_JSONPATH, &b, &bad));
    CHECK_STR(b.data, "'a\\'b$c.\"'");
    buf_clear(&b);
    CHECK(tmpl_expand("\"${v}\" == 'x\\'${v}'", 20, vars, NULL, ESC_JSONPATH, &b, &bad));
    CHECK_STR(b.data, "\"a'b$c.\\\"\" == 'x\\'a\\'b$c.\"'");
    buf_clear(&b);
    CHECK(tmpl_unquoted_var("$[${v}]", 7) == 2 && tmpl_unquoted_var("$['${v}']", 9) == (size_t)-1);
    CHECK(tmpl_unquoted_var("$[?@ == 'it\\'s' && @ != ${v}]", 28) == 24);
    CHECK(tmpl_expand("${v}", 4, vars, NULL, ESC_REGEX, &b, &bad));
    CHECK_STR(b.data, "a'b\\$c\\.\"");
    buf_clear(&b);
    CHECK(tmpl_expand("${v}", 4, vars, NULL, ESC_REPLACEMENT, &b, &bad));
    CHECK_STR(b.data, "a'b$$c.\"");
    buf_clear(&b);
    CHECK(!tmpl_expand("ok ${nope}", 10, vars, NULL, ESC_NONE, &b, &bad) && bad == 3);
    CHECK(tmpl_uses("a ${node.name}", 14, "node") && !tmpl_uses("a $1", 4, ""));
    buf_free(&b);
}

static void test_uri(void)
{
    static const char *const cases[][3] = {
        {"http://a/b/c/d;p?q", "g", "http://a/b/c/g"},
        {"http://a/b/c/d;p?q", "../g", "http://a/b/g"},
        {"http://a/b/c/d;p?q", "/g", "http://a/g"},
        {"http://a/b/c/d;p?q", "#s", "http://a/b/c/d;p?q#s"},
        {"http://a/b/c/d;p?q", "../../../g", "http://a/g"},
        {"urn:uuid:1234", "#/$defs/x", "urn:uuid:1234#/$defs/x"},
        {"", "node", "node"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        buf b = BUF_INIT;
        uri_resolve(cases[i][0], cases[i][1], &b);
        CHECK_STR(b.data, cases[i][2]);
        buf_free(&b);
    }
}

static int nrefs;
static void count_ref(void *ctx, const arm_ref *r)
{
    (void)ctx;
    nrefs += r->variable ? 100 : 1;
}

static void test_armexpr(void)
{
    const char *e = "[concat(parameters('a'), variables('b').x[0], PARAMETERS('c'), 'it''s')]";
    nrefs = 0;
    CHECK(arm_scan(e, strlen(e), count_ref, NULL) == NULL && nrefs == 102);
    CHECK(!arm_is_expression("[[not one]", 10) && arm_is_expression("[x()]", 5) && !arm_is_expression("plain", 5));
    CHECK(arm_scan("[concat('a', ]", 14, NULL, NULL) != NULL);
    CHECK(arm_scan("[concat('a']", 12, NULL, NULL) != NULL);
    nrefs = 0;
    CHECK(arm_scan("[parameters(concat('a','b'))]", 29, count_ref, NULL) == NULL && nrefs == 0);
}

static void test_rx(void)
{
    rx_error err;
    rx *r = rx_compile("(?i)^ServerURL$", 15, 0, &err);
    CHECK(r && rx_match(r, "serverurl", 9) == RX_MATCH && rx_match(r, "serverurlx", 10) == RX_NOMATCH);
    rx_free(r);
    r = rx_compile("^(a+)+$", 7, 0, &err);
    const char *slow = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";
    CHECK(r && rx_match(r, slow, strlen(slow)) == RX_LIMIT);
    rx_free(r);
    r = rx_compile("a.c", 3, RX_IREGEXP | RX_ANCHORED, &err);
    CHECK(r && rx_match(r, "abc", 3) == RX_MATCH && rx_match(r, "a\nc", 3) == RX_NOMATCH &&
          rx_match(r, "a\rc", 3) == RX_NOMATCH && rx_match(r, "xabc", 4) == RX_NOMATCH);
    rx_free(r);
    CHECK(rx_compile("(", 1, 0, &err) == NULL && err.offset == 1);
    r = rx_compile("(Key)=[^;]+", 11, 0, &err);
    buf res = BUF_INIT;
    CHECK(r && rx_replace(r, "a;Key=x;Key=yy", 14, "$1=**", 5, &res, &err) == 2);
    CHECK_STR(res.data, "a;Key=**;Key=**");
    buf_free(&res);
    rx_free(r);
}

static void test_jsonpath_extensions(void)
{
    json_error jerr;
    const char *s = "{\"ServerURL\": 1, \"servers\": 2, \"x\": [\"A\"]}";
    json_doc *d = json_parse(s, strlen(s), NULL, &jerr);
    jp_error err;
    jp_query *q = jp_compile("$[?lower(key()) == 'serverurl' || key() == 'servers']", 53, &err);
    CHECK(q != NULL);
    jp_list l = {0};
    jp_eval(q, d->root, &l);
    CHECK(l.n == 2);
    jp_list_free(&l);
    jp_free(q);
    q = jp_compile("$.x[?key() == 'A']", 18, &err);
    jp_eval(q, d->root, &l);
    CHECK(l.n == 0);    /* array elements have no name */
    jp_list_free(&l);
    jp_free(q);
    CHECK(jp_compile("$[?lower(@)]", 12, &err) == NULL);     /* a value is not a test */
    CHECK(jp_compile("$[?key(@) == 'a']", 17, &err) == NULL);
    CHECK_STR(err.msg, "key() takes 0 arguments");
    json_doc_free(d);
}

/* A descendant search must find names that edits put below a subtree the parser had
 * summarised without them. */
static void test_descendant_after_edits(void)
{
    json_error jerr;
    const char *s = "{\"a\": {\"b\": {\"c\": 1}}, \"d\": [{\"e\": 2}]}";
    json_doc *d = json_parse(s, strlen(s), NULL, &jerr);
    jp_error err;
    jp_query *q = jp_compile("$..zz", 5, &err);
    jp_list l = {0};
    jp_eval(q, d->root, &l);
    CHECK(l.n == 0);
    json_node *b = json_get(json_get(d->root, "a", 1), "b", 1);
    json_append(d, b, "zz", 2, json_new(d, JSON_TRUE));
    json_node *obj = json_new(d, JSON_OBJECT);
    json_append(d, obj, "zz", 2, json_new(d, JSON_NULL));
    json_append(d, json_get(d->root, "d", 1), NULL, 0, obj);
    json_rename(d, json_first(json_at(json_get(d->root, "d", 1), 0)), "zz", 2);
    jp_list_clear(&l);
    jp_eval(q, d->root, &l);
    CHECK(l.n == 3);
    jp_list_free(&l);
    jp_free(q);
    json_doc_free(d);
}

static void test_schema(void)
{
    const char *y = "type: object\nproperties:\n  n: {type: integer, maximum: 5, x-rule: small, x-message: too big}\n"
                    "  s: {$ref: '#/$defs/str'}\nrequired: [n]\n$defs:\n  str: {type: string, minLength: 2}\n";
    yamltree_error yerr;
    json_doc *sd = yamltree_load(y, strlen(y), &yerr);
    schema_opts o = {true, true};
    schema_error err;
    schema *s = schema_compile(sd->root, &o, &err);
    CHECK(s != NULL);
    json_error jerr;
    const char *j = "{\"n\": 6, \"s\": \"x\"}";
    json_doc *d = json_parse(j, strlen(j), NULL, &jerr);
    schema_result r = {0};
    CHECK(!schema_validate(s, d->root, &r));
    CHECK(r.n == 2);
    CHECK(r.n == 2 && !strcmp(r.v[0].message, "too big") && r.v[0].rule_len == 5 && !memcmp(r.v[0].rule, "small", 5));
    CHECK(r.n == 2 && !strcmp(r.v[1].message, "at least 2 characters needed, found 1"));
    schema_result_free(&r);
    json_doc_free(d);
    schema_free(s);
    json_doc_free(sd);
    const char *bad = "type: object\nfrobnicate: 1\n";
    sd = yamltree_load(bad, strlen(bad), &yerr);
    CHECK(schema_compile(sd->root, &o, &err) == NULL);
    CHECK_STR(err.msg, "unknown schema keyword 'frobnicate'");
    json_doc_free(sd);
}

static int calls;
static int count_builtin(engine_call *c)
{
    calls++;
    engine_put(c->e, "seen", "yes");
    return EXIT_OK;
}

static void test_engine(void)
{
    const char *rules = "tool: any\nversion: 1\nvars:\n  v: {default: d}\n  seen: {default: no}\nrules:\n"
                        "  - id: b\n    select: \"$\"\n    do: {builtin: count}\n"
                        "  - id: s\n    when: {seen: 'yes'}\n    select: \"$.a[*]\"\n    where: {type: number}\n"
                        "    do: {set: \"${v}-${key}\"}\n"
                        "  - id: r\n    select: \"$..[?@ == 'd-']\"\n    do: {report: {severity: warning, message: \"at ${path}\"}}\n";
    engine *e = engine_new("t");
    engine_builtin b = {"count", count_builtin, NULL, NULL, NULL, NULL};
    engine_add_builtins(e, &b, 1);
    diag_list d = {0};
    CHECK(engine_load_text(e, "r.yaml", rules, strlen(rules), &d) == EXIT_OK);
    CHECK(engine_prepare(e, &d) == EXIT_OK);
    json_error jerr;
    const char *j = "{\"a\": [1, \"x\", 2]}";
    json_doc *doc = json_parse(j, strlen(j), NULL, &jerr);
    CHECK(engine_run(e, doc, "in.json", false, &d) == EXIT_OK);
    char *s = compact(doc, doc->root);
    CHECK_STR(s, "{\"a\":[\"d-\",\"x\",\"d-\"]}");
    free(s);
    CHECK(calls == 1 && d.n == 2 && d.count[SEV_WARNING] == 2);
    CHECK(d.n == 2 && !strcmp(d.v[0].message, "at $['a'][0]"));
    CHECK(engine_changes(e) == 2);
    json_doc_free(doc);
    diag_free(&d);
    CHECK(engine_set(e, "nope", 4, "x", "-D", &d) == EXIT_USAGE);
    diag_free(&d);
    engine_free(e);
}

int main(void)
{
    test_yaml();
    test_tmpl();
    test_uri();
    test_armexpr();
    test_rx();
    test_jsonpath_extensions();
    test_descendant_after_edits();
    test_schema();
    test_engine();
    return unit_summary("unit rules");
}
