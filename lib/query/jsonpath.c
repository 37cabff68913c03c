/* RFC 9535 JSONPath: a recursive-descent compiler to a small tree, and its evaluator. */
#include "query/jsonpath.h"
#include "base/arena.h"
#include "base/ascii.h"
#include "json/json_num.h"
#include "base/oom.h"
#include "query/rx.h"
#include "base/utf8.h"
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_NEST 64             /* parentheses and nested filters: bounds the C stack */
#define INT_LIMIT 9007199254740991LL    /* 2^53 - 1, the RFC's I-JSON range */

typedef enum ptype { T_VALUE, T_LOGICAL, T_NODES } ptype;
typedef enum sel_kind { SEL_NAME, SEL_WILD, SEL_INDEX, SEL_SLICE, SEL_FILTER } sel_kind;
typedef enum ekind { E_OR, E_AND, E_NOT, E_CMP, E_PATH, E_FUNC, E_LIT } ekind;
typedef enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE } cmp_op;
typedef enum fn_id { FN_LENGTH, FN_COUNT, FN_MATCH, FN_SEARCH, FN_VALUE, FN_KEY, FN_LOWER } fn_id;

typedef struct expr expr;
typedef struct path path;

typedef struct selector {
    sel_kind kind;
    const char *name;           /* SEL_NAME: decoded */
    size_t name_len;
    long long index;            /* SEL_INDEX */
    long long start, end, step; /* SEL_SLICE */
    bool has_start, has_end;
    expr *filter;               /* SEL_FILTER */
} selector;

typedef struct segment {
    bool descendant;
    selector *sels;
    size_t nsels;
} segment;

struct path {
    bool relative;              /* starts at @ rather than $ */
    bool singular;
    segment *segs;
    size_t nsegs;
};

struct expr {
    ekind kind;
    ptype type;
    expr *a, *b;                /* operands of OR, AND, NOT, CMP */
    cmp_op op;
    path *path;                 /* E_PATH */
    fn_id fn;                   /* E_FUNC */
    expr *args[2];
    int nargs;
    json_node *lit;             /* E_LIT */
    rx *re;                     /* E_FUNC match/search with a literal pattern: compiled once */
};

struct jp_query {
    arena mem;
    json_doc *lits;             /* owns literal values */
    path *top;
    char *source;
    rx **regexes;               /* every compiled pattern, to free */
    size_t nregexes;
};

typedef struct parser {
    const char *s, *p, *end;
    jp_query *q;
    jp_error *err;
    int nest;
    bool failed;
} parser;

/* ---------------------------------------------------------------- lexing */

static bool fail(parser *ps, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool fail(parser *ps, const char *at, const char *fmt, ...)
{
    if (ps->failed)
        return false;
    ps->failed = true;
    ps->err->offset = (size_t)(at - ps->s);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ps->err->msg, sizeof ps->err->msg, fmt, ap);
    va_end(ap);
    return false;
}

static void skip_s(parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static bool at(parser *ps, char c)
{
    return ps->p < ps->end && *ps->p == c;
}

static bool is_alpha(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/* Length of a name-first character at p (ALPHA, '_' or any non-ASCII scalar), or 0. */
static size_t name_first(parser *ps, const char *p)
{
    if (p >= ps->end)
        return 0;
    if (is_alpha(*p) || *p == '_')
        return 1;
    if ((unsigned char)*p >= 0x80) {
        uint32_t cp;
        return utf8_decode((const unsigned char *)p, (size_t)(ps->end - p), &cp);
    }
    return 0;
}

static const char *describe_here(parser *ps, char *tmp, size_t n)
{
    if (ps->p >= ps->end)
        return "end of query";
    unsigned char c = (unsigned char)*ps->p;
    if (c > 0x20 && c < 0x7F)
        snprintf(tmp, n, "'%c'", c);
    else
        snprintf(tmp, n, "byte 0x%02X", c);
    return tmp;
}

static bool unexpected(parser *ps, const char *wanted)
{
    char tmp[16];
    return fail(ps, ps->p, "unexpected %s, expected %s", describe_here(ps, tmp, sizeof tmp), wanted);
}

static int hexval(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static long hex4(const char *p, const char *end)
{
    if (end - p < 4)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hexval(p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Parses a string literal at ps->p (quote included) into a decoded arena copy. */
static bool parse_string(parser *ps, const char **out, size_t *out_len)
{
    char quote = *ps->p;
    const char *start = ps->p++;
    buf b = BUF_INIT;
    while (ps->p < ps->end && *ps->p != quote) {
        unsigned char c = (unsigned char)*ps->p;
        if (c < 0x20) {
            buf_free(&b);
            return fail(ps, ps->p, "control character U+%04X in string literal must be escaped", c);
        }
        if (c != '\\') {
            if (c >= 0x80) {
                uint32_t cp;
                size_t n = utf8_decode((const unsigned char *)ps->p, (size_t)(ps->end - ps->p), &cp);
                if (!n) {
                    buf_free(&b);
                    return fail(ps, ps->p, "invalid UTF-8 in string literal");
                }
                buf_add(&b, ps->p, n);
                ps->p += n;
            } else {
                buf_putc(&b, (char)c);
                ps->p++;
            }
            continue;
        }
        const char *esc = ps->p++;
        if (ps->p >= ps->end)
            break;
        char e = *ps->p++;
        switch (e) {
        case 'b': buf_putc(&b, '\b'); break;
        case 'f': buf_putc(&b, '\f'); break;
        case 'n': buf_putc(&b, '\n'); break;
        case 'r': buf_putc(&b, '\r'); break;
        case 't': buf_putc(&b, '\t'); break;
        case '/': buf_putc(&b, '/'); break;
        case '\\': buf_putc(&b, '\\'); break;
        case '\'':
        case '"':
            if (e != quote) {
                buf_free(&b);
                return fail(ps, esc, "invalid escape \\%c in a %s-quoted string", e, quote == '"' ? "double" : "single");
            }
            buf_putc(&b, e);
            break;
        case 'u': {
            long u = hex4(ps->p, ps->end);
            if (u < 0) {
                buf_free(&b);
                return fail(ps, esc, "\\u must be followed by four hex digits");
            }
            ps->p += 4;
            uint32_t cp = (uint32_t)u;
            if (u >= 0xDC00 && u <= 0xDFFF) {
                buf_free(&b);
                return fail(ps, esc, "lone low surrogate \\u%04lX", u);
            }
            if (u >= 0xD800 && u <= 0xDBFF) {
                long lo = (ps->end - ps->p >= 6 && ps->p[0] == '\\' && ps->p[1] == 'u') ? hex4(ps->p + 2, ps->end) : -1;
                if (lo < 0xDC00 || lo > 0xDFFF) {
                    buf_free(&b);
                    return fail(ps, esc, "lone high surrogate \\u%04lX", u);
                }
                ps->p += 6;
                cp = 0x10000 + (((uint32_t)u - 0xD800) << 10) + ((uint32_t)lo - 0xDC00);
            }
            char tmp[4];
            buf_add(&b, tmp, utf8_encode(cp, tmp));
            break;
        }
        default:
            buf_free(&b);
            return fail(ps, esc, "invalid escape sequence in string literal");
        }
    }
    if (ps->p >= ps->end) {
        buf_free(&b);
        return fail(ps, start, "unterminated string literal");
    }
    ps->p++;
    *out_len = b.len;
    *out = arena_strndup(&ps->q->mem, b.data ? b.data : "", b.len);
    buf_free(&b);
    return true;
}

/* Parses an RFC 9535 int (no leading zeros, no -0) within +-(2^53-1). */
static bool parse_int(parser *ps, long long *out)
{
    const char *start = ps->p;
    bool neg = at(ps, '-');
    if (neg)
        ps->p++;
    if (!at(ps, '0') && !(ps->p < ps->end && is_digit(*ps->p)))
        return unexpected(ps, "an integer");
    if (*ps->p == '0') {
        ps->p++;
        if (neg)
            return fail(ps, start, "-0 is not a valid index");
        if (ps->p < ps->end && is_digit(*ps->p))
            return fail(ps, start, "leading zeros are not allowed in an integer");
        *out = 0;
        return true;
    }
    long long v = 0;
    while (ps->p < ps->end && is_digit(*ps->p)) {
        if (v > INT_LIMIT / 10 + 1)
            return fail(ps, start, "integer out of range (at most 2^53-1)");
        v = v * 10 + (*ps->p++ - '0');
    }
    if (v > INT_LIMIT)
        return fail(ps, start, "integer out of range (at most 2^53-1)");
    *out = neg ? -v : v;
    return true;
}

/* ---------------------------------------------------------------- parsing */

static path *parse_path(parser *ps, bool relative);
static expr *parse_or(parser *ps);

static expr *new_expr(parser *ps, ekind k, ptype t)
{
    expr *e = arena_zalloc(&ps->q->mem, sizeof *e);
    e->kind = k;
    e->type = t;
    return e;
}

/* Selectors inside [ ]. */
static bool parse_selector(parser *ps, selector *sel)
{
    memset(sel, 0, sizeof *sel);
    if (at(ps, '\'') || at(ps, '"')) {
        sel->kind = SEL_NAME;
        return parse_string(ps, &sel->name, &sel->name_len);
    }
    if (at(ps, '*')) {
        ps->p++;
        sel->kind = SEL_WILD;
        return true;
    }
    if (at(ps, '?')) {
        ps->p++;
        skip_s(ps);
        if (++ps->nest > MAX_NEST)
            return fail(ps, ps->p, "filters nested deeper than %d levels", MAX_NEST);
        const char *here = ps->p;
        expr *e = parse_or(ps);
        ps->nest--;
        if (!e)
            return false;
        if (e->kind == E_LIT)
            return fail(ps, here, "a literal is not a test: compare it with something");
        if (e->kind == E_FUNC && e->type == T_VALUE)
            return fail(ps, here, "this function returns a value, not a test: compare it with something");
        sel->kind = SEL_FILTER;
        sel->filter = e;
        return true;
    }
    /* index or slice */
    long long a = 0;
    bool has_a = false;
    if (at(ps, '-') || (ps->p < ps->end && is_digit(*ps->p))) {
        if (!parse_int(ps, &a))
            return false;
        has_a = true;
        skip_s(ps);
    }
    if (!at(ps, ':')) {
        if (!has_a)
            return unexpected(ps, "a selector (name, *, index, slice or ?filter)");
        sel->kind = SEL_INDEX;
        sel->index = a;
        return true;
    }
    ps->p++;
    skip_s(ps);
    sel->kind = SEL_SLICE;
    sel->has_start = has_a;
    sel->start = a;
    sel->step = 1;
    if (at(ps, '-') || (ps->p < ps->end && is_digit(*ps->p))) {
        if (!parse_int(ps, &sel->end))
            return false;
        sel->has_end = true;
        skip_s(ps);
    }
    if (at(ps, ':')) {
        ps->p++;
        skip_s(ps);
        if (at(ps, '-') || (ps->p < ps->end && is_digit(*ps->p))) {
            if (!parse_int(ps, &sel->step))
                return false;
        }
    }
    return true;
}

static bool parse_bracketed(parser *ps, segment *seg)
{
    ps->p++;    /* '[' */
    size_t cap = 2;
    seg->sels = arena_alloc(&ps->q->mem, cap * sizeof *seg->sels);
    seg->nsels = 0;
    for (;;) {
        skip_s(ps);
        if (seg->nsels == cap) {
            selector *more = arena_alloc(&ps->q->mem, cap * 2 * sizeof *more);
            memcpy(more, seg->sels, cap * sizeof *more);
            seg->sels = more;
            cap *= 2;
        }
        if (!parse_selector(ps, &seg->sels[seg->nsels++]))
            return false;
        skip_s(ps);
        if (at(ps, ',')) {
            ps->p++;
            continue;
        }
        if (at(ps, ']')) {
            ps->p++;
            return true;
        }
        return unexpected(ps, "',' or ']'");
    }
}

static bool parse_shorthand_name(parser *ps, selector *sel)
{
    const char *start = ps->p;
    size_t n = name_first(ps, ps->p);
    if (!n)
        return unexpected(ps, "a member name, '*' or '['");
    ps->p += n;
    for (;;) {
        if (ps->p < ps->end && is_digit(*ps->p))
            n = 1;
        else
            n = name_first(ps, ps->p);
        if (!n)
            break;
        ps->p += n;
    }
    sel->kind = SEL_NAME;
    sel->name = arena_strndup(&ps->q->mem, start, (size_t)(ps->p - start));
    sel->name_len = (size_t)(ps->p - start);
    return true;
}

/* Parses the segments after $ or @; stops (without error) at anything that is not one. */
static path *parse_path(parser *ps, bool relative)
{
    path *pa = arena_zalloc(&ps->q->mem, sizeof *pa);
    pa->relative = relative;
    pa->singular = true;
    ps->p++;    /* '$' or '@' */
    size_t cap = 0;
    for (;;) {
        const char *save = ps->p;
        skip_s(ps);
        if (!at(ps, '.') && !at(ps, '[')) {
            ps->p = save;
            break;
        }
        if (pa->nsegs == cap) {
            cap = cap ? cap * 2 : 4;
            segment *more = arena_alloc(&ps->q->mem, cap * sizeof *more);
            if (pa->nsegs)
                memcpy(more, pa->segs, pa->nsegs * sizeof *more);
            pa->segs = more;
        }
        segment *seg = &pa->segs[pa->nsegs++];
        memset(seg, 0, sizeof *seg);
        if (at(ps, '[')) {
            if (!parse_bracketed(ps, seg))
                return NULL;
        } else {
            ps->p++;    /* '.' */
            if (at(ps, '.')) {
                ps->p++;
                seg->descendant = true;
                if (at(ps, '[')) {
                    if (!parse_bracketed(ps, seg))
                        return NULL;
                    goto next;
                }
            }
            seg->sels = arena_zalloc(&ps->q->mem, sizeof *seg->sels);
            seg->nsels = 1;
            if (at(ps, '*')) {
                ps->p++;
                seg->sels[0].kind = SEL_WILD;
            } else if (!parse_shorthand_name(ps, &seg->sels[0])) {
                return NULL;
            }
        }
    next:
        if (seg->descendant || seg->nsels != 1 ||
            (seg->sels[0].kind != SEL_NAME && seg->sels[0].kind != SEL_INDEX))
            pa->singular = false;
    }
    return pa;
}

static bool parse_number_literal(parser *ps, json_node **out)
{
    const char *start = ps->p;
    if (at(ps, '-'))
        ps->p++;
    if (at(ps, '0')) {
        ps->p++;
    } else if (ps->p < ps->end && is_digit(*ps->p)) {
        while (ps->p < ps->end && is_digit(*ps->p))
            ps->p++;
    } else {
        return fail(ps, start, "invalid number");
    }
    if (at(ps, '.')) {
        ps->p++;
        if (!(ps->p < ps->end && is_digit(*ps->p)))
            return fail(ps, start, "invalid number: digit expected after '.'");
        while (ps->p < ps->end && is_digit(*ps->p))
            ps->p++;
    }
    if (at(ps, 'e') || at(ps, 'E')) {
        ps->p++;
        if (at(ps, '+') || at(ps, '-'))
            ps->p++;
        if (!(ps->p < ps->end && is_digit(*ps->p)))
            return fail(ps, start, "invalid number: digit expected in exponent");
        while (ps->p < ps->end && is_digit(*ps->p))
            ps->p++;
    }
    size_t n = (size_t)(ps->p - start);
    if (!json_num_valid(start, n) && !(n >= 2 && start[0] == '-' && start[1] == '0'))
        return fail(ps, start, "invalid number (leading zeros are not allowed)");
    *out = json_new_number(ps->q->lits, start, n);
    return true;
}

/* A literal, when one starts here; *is_lit says whether one did. */
static bool parse_literal(parser *ps, json_node **out, bool *is_lit)
{
    *is_lit = true;
    if (at(ps, '\'') || at(ps, '"')) {
        const char *s;
        size_t n;
        if (!parse_string(ps, &s, &n))
            return false;
        *out = json_new_string(ps->q->lits, s, n);
        return true;
    }
    if (at(ps, '-') || (ps->p < ps->end && is_digit(*ps->p)))
        return parse_number_literal(ps, out);
    static const struct { const char *word; json_type t; } words[] = {
        {"true", JSON_TRUE}, {"false", JSON_FALSE}, {"null", JSON_NULL}};
    for (size_t i = 0; i < 3; i++) {
        size_t n = strlen(words[i].word);
        if ((size_t)(ps->end - ps->p) >= n && !memcmp(ps->p, words[i].word, n)) {
            const char *after = ps->p + n;
            if (after < ps->end && (is_alpha(*after) || is_digit(*after) || *after == '_'))
                break;
            ps->p = after;
            *out = json_new(ps->q->lits, words[i].t);
            return true;
        }
    }
    *is_lit = false;
    return true;
}

static const struct fn_def {
    const char *name;
    fn_id id;
    ptype result;
    int nparams;
    ptype params[2];
} functions[] = {
    {"length", FN_LENGTH, T_VALUE, 1, {T_VALUE}},
    {"count", FN_COUNT, T_VALUE, 1, {T_NODES}},
    {"match", FN_MATCH, T_LOGICAL, 2, {T_VALUE, T_VALUE}},
    {"search", FN_SEARCH, T_LOGICAL, 2, {T_VALUE, T_VALUE}},
    {"value", FN_VALUE, T_VALUE, 1, {T_NODES}},
    /* Extensions (README.md): the member name of @, and ASCII lower case of a string. */
    {"key", FN_KEY, T_VALUE, 0, {T_VALUE}},
    {"lower", FN_LOWER, T_VALUE, 1, {T_VALUE}},
};

/* Checks that argument e can be passed where the RFC's type system wants type t. */
static bool check_arg(parser *ps, const char *at_pos, expr *e, ptype t, const char *fname, int i)
{
    switch (t) {
    case T_VALUE:
        if (e->kind == E_LIT || (e->kind == E_PATH && e->path->singular) || (e->kind == E_FUNC && e->type == T_VALUE))
            return true;
        return fail(ps, at_pos, "argument %d of %s() must be a value: a literal, a singular query or a value function",
                    i + 1, fname);
    case T_NODES:
        if (e->kind == E_PATH || (e->kind == E_FUNC && e->type == T_NODES))
            return true;
        return fail(ps, at_pos, "argument %d of %s() must be a query", i + 1, fname);
    case T_LOGICAL:
        if (e->kind != E_LIT && !(e->kind == E_FUNC && e->type == T_VALUE))
            return true;
        return fail(ps, at_pos, "argument %d of %s() must be a logical expression", i + 1, fname);
    }
    return false;
}

static expr *parse_function(parser *ps)
{
    const char *start = ps->p;
    while (ps->p < ps->end && ((*ps->p >= 'a' && *ps->p <= 'z') || is_digit(*ps->p) || *ps->p == '_'))
        ps->p++;
    size_t n = (size_t)(ps->p - start);
    if (!at(ps, '('))
        return fail(ps, start, "unknown word '%.*s' (functions need parentheses; literals are true, false, null)",
                    (int)n, start), NULL;
    const struct fn_def *f = NULL;
    for (size_t i = 0; i < sizeof functions / sizeof *functions; i++)
        if (strlen(functions[i].name) == n && !memcmp(functions[i].name, start, n))
            f = &functions[i];
    if (!f)
        return fail(ps, start, "unknown function '%.*s' (known: length, count, match, search, value, key, lower)",
                    (int)n, start),
               NULL;
    ps->p++;
    if (++ps->nest > MAX_NEST)
        return fail(ps, ps->p, "expression nested deeper than %d levels", MAX_NEST), NULL;
    expr *e = new_expr(ps, E_FUNC, f->result);
    e->fn = f->id;
    skip_s(ps);
    while (!at(ps, ')')) {
        if (e->nargs == f->nparams)
            return fail(ps, ps->p, "%s() takes %d argument%s", f->name, f->nparams, f->nparams == 1 ? "" : "s"), NULL;
        const char *arg_at = ps->p;
        expr *a = parse_or(ps);
        if (!a)
            return NULL;
        if (!check_arg(ps, arg_at, a, f->params[e->nargs], f->name, e->nargs))
            return NULL;
        e->args[e->nargs++] = a;
        skip_s(ps);
        if (at(ps, ',')) {
            ps->p++;
            skip_s(ps);
            if (at(ps, ')'))
                return unexpected(ps, "an argument"), NULL;
        } else if (!at(ps, ')')) {
            return unexpected(ps, "',' or ')'"), NULL;
        }
    }
    ps->p++;
    ps->nest--;
    if (e->nargs != f->nparams)
        return fail(ps, start, "%s() takes %d argument%s", f->name, f->nparams, f->nparams == 1 ? "" : "s"), NULL;
    if ((f->id == FN_MATCH || f->id == FN_SEARCH) && e->args[1]->kind == E_LIT &&
        e->args[1]->lit->type == JSON_STRING) {
        /* A literal pattern is compiled once; an invalid one makes the function false. */
        rx_error rerr;
        size_t len;
        const char *pat = json_text(e->args[1]->lit, &len);
        e->re = rx_compile(pat, len, RX_IREGEXP | (f->id == FN_MATCH ? RX_ANCHORED : 0), &rerr);
        if (e->re) {
            jp_query *q = ps->q;
            q->regexes = xrealloc(q->regexes, (q->nregexes + 1) * sizeof *q->regexes);
            q->regexes[q->nregexes++] = e->re;
        }
    }
    return e;
}

/* A comparable or test operand: literal, query or function call. */
static expr *parse_primary(parser *ps)
{
    if (at(ps, '@') || at(ps, '$')) {
        expr *e = new_expr(ps, E_PATH, T_NODES);
        e->path = parse_path(ps, *ps->p == '@');
        return e->path ? e : NULL;
    }
    json_node *lit = NULL;
    bool is_lit;
    if (!parse_literal(ps, &lit, &is_lit))
        return NULL;
    if (is_lit) {
        expr *e = new_expr(ps, E_LIT, T_VALUE);
        e->lit = lit;
        return e;
    }
    if (ps->p < ps->end && *ps->p >= 'a' && *ps->p <= 'z')
        return parse_function(ps);
    return unexpected(ps, "a query, a literal or a function"), NULL;
}

static bool comparable(const expr *e)
{
    return e->kind == E_LIT || (e->kind == E_PATH && e->path->singular) || (e->kind == E_FUNC && e->type == T_VALUE);
}

static bool parse_cmp_op(parser *ps, cmp_op *op)
{
    if (ps->end - ps->p >= 2) {
        static const struct { char s[3]; cmp_op op; } two[] = {
            {"==", OP_EQ}, {"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE}};
        for (size_t i = 0; i < 4; i++)
            if (!memcmp(ps->p, two[i].s, 2)) {
                ps->p += 2;
                *op = two[i].op;
                return true;
            }
    }
    if (at(ps, '<') || at(ps, '>')) {
        *op = *ps->p++ == '<' ? OP_LT : OP_GT;
        return true;
    }
    return false;
}

/* Makes e usable as a test (a logical operand). */
static bool as_test(parser *ps, const char *where, const expr *e)
{
    if (e->kind == E_LIT)
        return fail(ps, where, "a literal is not a test: compare it with something");
    if (e->kind == E_FUNC && e->type == T_VALUE)
        return fail(ps, where, "this function returns a value, not a test: compare it with something");
    return true;
}

static expr *parse_basic(parser *ps)
{
    const char *start = ps->p;
    if (at(ps, '!')) {
        ps->p++;
        skip_s(ps);
        const char *inner_at = ps->p;
        expr *inner;
        if (at(ps, '(')) {
            inner = parse_basic(ps);
        } else {
            inner = parse_primary(ps);
            if (inner && !as_test(ps, inner_at, inner))
                return NULL;
            const char *save = ps->p;
            skip_s(ps);
            cmp_op op;
            if (inner && parse_cmp_op(ps, &op))
                return fail(ps, save, "'!' applies to a test, not to a comparison: use != or parentheses"), NULL;
            ps->p = save;
        }
        if (!inner)
            return NULL;
        expr *e = new_expr(ps, E_NOT, T_LOGICAL);
        e->a = inner;
        return e;
    }
    if (at(ps, '(')) {
        ps->p++;
        if (++ps->nest > MAX_NEST)
            return fail(ps, ps->p, "expression nested deeper than %d levels", MAX_NEST), NULL;
        skip_s(ps);
        const char *inner_at = ps->p;
        expr *e = parse_or(ps);
        if (!e || !as_test(ps, inner_at, e))
            return NULL;
        skip_s(ps);
        if (!at(ps, ')'))
            return unexpected(ps, "')'"), NULL;
        ps->p++;
        ps->nest--;
        return e;
    }
    expr *left = parse_primary(ps);
    if (!left)
        return NULL;
    const char *save = ps->p;
    skip_s(ps);
    const char *op_at = ps->p;
    cmp_op op;
    if (!parse_cmp_op(ps, &op)) {
        ps->p = save;
        return left;    /* a bare operand: its use decides whether it is valid */
    }
    if (!comparable(left))
        return fail(ps, start, left->kind == E_PATH ? "only a singular query (names and indexes) can be compared"
                                                    : "this function does not return a comparable value"),
               NULL;
    skip_s(ps);
    const char *right_at = ps->p;
    expr *right = parse_primary(ps);
    if (!right)
        return NULL;
    if (!comparable(right))
        return fail(ps, right_at, right->kind == E_PATH ? "only a singular query (names and indexes) can be compared"
                                                        : "this function does not return a comparable value"),
               NULL;
    (void)op_at;
    expr *e = new_expr(ps, E_CMP, T_LOGICAL);
    e->a = left;
    e->b = right;
    e->op = op;
    return e;
}

/* A chain of operands joined by op ("&&" binding tighter than "||"): every operand of a
 * chain must be a test. */
static expr *parse_chain(parser *ps, const char op[2], ekind kind, expr *(*operand)(parser *))
{
    const char *first_at = ps->p;
    expr *e = operand(ps);
    for (;;) {
        if (!e)
            return NULL;
        const char *save = ps->p;
        skip_s(ps);
        if (!(ps->end - ps->p >= 2 && ps->p[0] == op[0] && ps->p[1] == op[1])) {
            ps->p = save;
            return e;
        }
        if (!as_test(ps, first_at, e))
            return NULL;
        ps->p += 2;
        skip_s(ps);
        const char *rhs_at = ps->p;
        expr *r = operand(ps);
        if (!r || !as_test(ps, rhs_at, r))
            return NULL;
        expr *both = new_expr(ps, kind, T_LOGICAL);
        both->a = e;
        both->b = r;
        e = both;
    }
}

static expr *parse_and(parser *ps)
{
    return parse_chain(ps, "&&", E_AND, parse_basic);
}

static expr *parse_or(parser *ps)
{
    return parse_chain(ps, "||", E_OR, parse_and);
}

jp_query *jp_compile(const char *s, size_t len, jp_error *err)
{
    jp_query *q = xcalloc(1, sizeof *q);
    arena_init(&q->mem);
    q->lits = json_doc_new();
    q->source = arena_strndup(&q->mem, s, len);
    parser ps = {s, s, s + len, q, err, 0, false};
    if (!at(&ps, '$')) {
        fail(&ps, s, len ? "a query starts with '$'" : "empty query");
        jp_free(q);
        return NULL;
    }
    q->top = parse_path(&ps, false);
    if (q->top && ps.p != ps.end)
        unexpected(&ps, "'.', '[' or the end of the query");
    if (ps.failed || !q->top) {
        if (!ps.failed)
            fail(&ps, ps.p, "invalid query");
        jp_free(q);
        return NULL;
    }
    return q;
}

void jp_free(jp_query *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->nregexes; i++)
        rx_free(q->regexes[i]);
    free(q->regexes);
    json_doc_free(q->lits);
    arena_free(&q->mem);
    free(q);
}

const char *jp_source(const jp_query *q)
{
    return q->source;
}

/* ---------------------------------------------------------------- evaluation */

static void jp_list_push(jp_list *l, json_node *n)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 16;
        l->v = xrealloc(l->v, l->cap * sizeof *l->v);
    }
    l->v[l->n++] = n;
}

void jp_list_free(jp_list *l)
{
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

/* The value of an expression that does not depend on the current node. */
typedef struct memo {
    const expr *e;
    json_node *value;
} memo;

typedef struct evaluator {
    json_node *root;
    json_doc *scratch_doc;  /* values made by functions; made on first use */
    int status;             /* -1 once a regex hit its limit */
    /* count($...) and value($...) of absolute queries, each evaluated once per query run:
     * a filter that counts over the whole document for every candidate node would
     * otherwise be quadratic. The document does not change during one evaluation. */
    memo memos[8];
    size_t nmemos;
    /* jp_eval_keep: nodes of the query's last segment go into final only when keep says
     * so, so that "$..*" with a filter never lists the whole document. */
    bool (*keep)(void *ctx, json_node *n);
    void *keep_ctx;
    const jp_list *final;
    json_doc *memo_doc;     /* numbers memos keep (count() of absolute queries) */
    int filter_depth;       /* filters being evaluated: scratch values live while > 0 */
} evaluator;

/* Appends n to out; into the query's result only what keep accepts. */
static void emit(evaluator *ev, jp_list *out, json_node *n)
{
    if (out == ev->final && ev->keep && !ev->keep(ev->keep_ctx, n))
        return;
    jp_list_push(out, n);
}

static json_doc *scratch(evaluator *ev)
{
    if (!ev->scratch_doc)
        ev->scratch_doc = json_doc_new();
    return ev->scratch_doc;
}

static void eval_path(evaluator *ev, const path *pa, json_node *current, jp_list *out);
static bool eval_test(evaluator *ev, const expr *e, json_node *current);

/* Children of an array as a vector, for index and slice access. */
static json_node **children_vector(json_node *arr, jp_list *tmp)
{
    jp_list_clear(tmp);
    for (json_node *k = json_first(arr); k; k = k->next)
        jp_list_push(tmp, k);
    return tmp->v;
}

static long long clamp(long long v, long long lo, long long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static void apply_selector(evaluator *ev, const selector *s, json_node *n, jp_list *out)
{
    switch (s->kind) {
    case SEL_NAME:
        if (n->type == JSON_OBJECT)
            for (json_node *m = json_first(n); m; m = m->next)
                if (m->key_len == s->name_len && (!s->name_len || m->key[0] == s->name[0]) &&
                    !memcmp(m->key, s->name, s->name_len))
                    emit(ev, out, m);
        return;
    case SEL_WILD:
        if (n->type == JSON_OBJECT || n->type == JSON_ARRAY)
            for (json_node *m = json_first(n); m; m = m->next)
                emit(ev, out, m);
        return;
    case SEL_INDEX: {
        if (n->type != JSON_ARRAY)
            return;
        long long len = (long long)json_count(n), i = s->index < 0 ? len + s->index : s->index;
        if (i >= 0 && i < len)
            emit(ev, out, json_at(n, (size_t)i));
        return;
    }
    case SEL_SLICE: {
        if (n->type != JSON_ARRAY || s->step == 0)
            return;
        long long len = (long long)json_count(n), step = s->step;
        long long start = s->has_start ? s->start : step >= 0 ? 0 : len - 1;
        long long end = s->has_end ? s->end : step >= 0 ? len : -len - 1;
        start = start >= 0 ? start : len + start;
        end = end >= 0 ? end : len + end;
        jp_list tmp = {0};
        json_node **v = children_vector(n, &tmp);
        if (step > 0) {
            long long lo = clamp(start, 0, len), hi = clamp(end, 0, len);
            for (long long i = lo; i < hi; i += step)
                emit(ev, out, v[i]);
        } else {
            long long hi = clamp(start, -1, len - 1), lo = clamp(end, -1, len - 1);
            for (long long i = hi; lo < i; i += step)
                emit(ev, out, v[i]);
        }
        jp_list_free(&tmp);
        return;
    }
    case SEL_FILTER:
        if (n->type == JSON_OBJECT || n->type == JSON_ARRAY)
            for (json_node *m = json_first(n); m; m = m->next) {
                ev->filter_depth++;
                bool yes = eval_test(ev, s->filter, m);
                ev->filter_depth--;
                if (yes)
                    emit(ev, out, m);
                /* Values made by functions (lower(key()) makes a string per candidate)
                 * live only while a filter runs: "$..[?lower(key()) == 'x']" over a 40 MB
                 * document would otherwise make 200 MB of them. */
                if (!ev->filter_depth && ev->scratch_doc && ev->scratch_doc->mem.total > ((size_t)1 << 20)) {
                    json_doc_free(ev->scratch_doc);
                    ev->scratch_doc = NULL;
                }
            }
        return;
    }
}

static void descend(evaluator *ev, const segment *seg, json_node *n, jp_list *out)
{
    if (seg->nsels == 1 && seg->sels[0].kind == SEL_NAME) {
        /* The common "..name", in one pass over the children: this node's matches go out
         * first and the containers among its children are kept to descend into after, as
         * the RFC orders them. */
        const selector *s = &seg->sels[0];
        if (!(n->marks & json_name_bit(s->name, s->name_len)))
            return;     /* no member below has a name of this hash class */
        json_node *small[16], **later = small;
        size_t nlater = 0, cap = 16;
        bool obj = n->type == JSON_OBJECT;
        for (json_node *k = json_first(n); k; k = k->next) {
            if (obj && k->key_len == s->name_len && (!s->name_len || k->key[0] == s->name[0]) &&
                !memcmp(k->key, s->name, s->name_len))
                emit(ev, out, k);
            if (k->type == JSON_OBJECT || k->type == JSON_ARRAY) {
                if (nlater == cap) {
                    json_node **more = xmalloc(2 * cap * sizeof *more);
                    memcpy(more, later, nlater * sizeof *more);
                    if (later != small)
                        free(later);
                    later = more;
                    cap *= 2;
                }
                later[nlater++] = k;
            }
        }
        for (size_t i = 0; i < nlater; i++)
            descend(ev, seg, later[i], out);
        if (later != small)
            free(later);
        return;
    }
    for (size_t i = 0; i < seg->nsels; i++)
        apply_selector(ev, &seg->sels[i], n, out);
    if (n->type == JSON_OBJECT || n->type == JSON_ARRAY)
        for (json_node *k = json_first(n); k; k = k->next)
            if (k->type == JSON_OBJECT || k->type == JSON_ARRAY)
                descend(ev, seg, k, out);
}

static void eval_path(evaluator *ev, const path *pa, json_node *current, jp_list *out)
{
    jp_list cur = {0}, next = {0};
    jp_list_push(&cur, pa->relative ? current : ev->root);
    /* The query's own path (not a filter's) with a keep: its last segment writes into out
     * directly, through keep. */
    bool top = ev->keep && !ev->final && pa->nsegs > 0;
    for (size_t s = 0; s < pa->nsegs && cur.n; s++) {
        const segment *seg = &pa->segs[s];
        jp_list_clear(&next);
        if (top && s + 1 == pa->nsegs) {
            ev->final = out;
            for (size_t i = 0; i < cur.n; i++) {
                if (seg->descendant) {
                    descend(ev, seg, cur.v[i], out);
                } else {
                    for (size_t k = 0; k < seg->nsels; k++)
                        apply_selector(ev, &seg->sels[k], cur.v[i], out);
                }
                if (out->n > JP_MAX_NODES) {
                    ev->status = JP_TOO_MANY;
                    jp_list_clear(out);
                    break;
                }
            }
            jp_list_free(&cur);
            jp_list_free(&next);
            return;
        }
        for (size_t i = 0; i < cur.n; i++) {
            if (seg->descendant) {
                descend(ev, seg, cur.v[i], &next);
            } else {
                for (size_t k = 0; k < seg->nsels; k++)
                    apply_selector(ev, &seg->sels[k], cur.v[i], &next);
            }
            if (next.n > JP_MAX_NODES) {
                /* $..*..*..* on a deep document: the lists grow as a power of its depth. */
                ev->status = JP_TOO_MANY;
                jp_list_clear(&next);
                break;
            }
        }
        jp_list t = cur;
        cur = next;
        next = t;
    }
    if (!out->n) {
        /* the result is the last list itself: no copy of a list that may be the whole
         * document */
        free(out->v);
        *out = cur;
        cur = (jp_list){0};
    }
    for (size_t i = 0; i < cur.n; i++)
        jp_list_push(out, cur.v[i]);
    jp_list_free(&cur);
    jp_list_free(&next);
}

/* The value of a singular query: the node it selects (the last one if a name repeats), or
 * NULL for Nothing. Walks the tree directly; no lists. */
static json_node *singular_value(evaluator *ev, const path *pa, json_node *current)
{
    json_node *n = pa->relative ? current : ev->root;
    for (size_t s = 0; s < pa->nsegs && n; s++) {
        const selector *sel = &pa->segs[s].sels[0];
        if (sel->kind == SEL_NAME) {
            n = json_get(n, sel->name, sel->name_len);
        } else if (n->type == JSON_ARRAY) {
            long long len = (long long)json_count(n), i = sel->index < 0 ? len + sel->index : sel->index;
            n = i >= 0 && i < len ? json_at(n, (size_t)i) : NULL;
        } else {
            n = NULL;
        }
    }
    return n;
}

static json_node *number_in(json_doc *doc, size_t v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%zu", v);
    return json_new_number(doc, tmp, (size_t)n);
}

static json_node *number_node(evaluator *ev, size_t v)
{
    return number_in(scratch(ev), v);
}

/* Evaluates a ValueType expression: a node, or NULL for Nothing. */
static json_node *eval_value(evaluator *ev, const expr *e, json_node *current)
{
    switch (e->kind) {
    case E_LIT:
        return e->lit;
    case E_PATH:
        return singular_value(ev, e->path, current);
    case E_FUNC:
        break;
    default:
        return NULL;
    }
    if (e->fn == FN_KEY) {
        if (!current->key || !current->parent || current->parent->type != JSON_OBJECT)
            return NULL;
        return json_new_string(scratch(ev), current->key, current->key_len);
    }
    if (e->fn == FN_LOWER) {
        json_node *v = eval_value(ev, e->args[0], current);
        if (!v || v->type != JSON_STRING)
            return NULL;
        json_node *low = json_new_string(scratch(ev), v->p, v->n);
        for (char *c = low->p; c < (char *)low->p + low->n; c++)
            *c = (char)ascii_lower((unsigned char)*c);
        return low;
    }
    if (e->fn == FN_LENGTH) {
        json_node *v = eval_value(ev, e->args[0], current);
        if (!v)
            return NULL;
        if (v->type == JSON_STRING) {
            size_t len;
            const char *s = json_text(v, &len);
            return number_node(ev, utf8_count(s, len));
        }
        if (v->type == JSON_ARRAY || v->type == JSON_OBJECT)
            return number_node(ev, json_count(v));
        return NULL;
    }
    /* count() and value() take a node list. */
    const expr *arg = e->args[0];
    bool absolute = arg->kind == E_PATH && !arg->path->relative;
    for (size_t i = 0; absolute && i < ev->nmemos; i++)
        if (ev->memos[i].e == e)
            return ev->memos[i].value;
    jp_list l = {0};
    if (arg->kind == E_PATH)
        eval_path(ev, arg->path, current, &l);
    json_node *r = NULL;
    if (e->fn == FN_COUNT && absolute) {
        /* kept for the whole evaluation: not in the scratch document, which is emptied
         * between candidates */
        if (!ev->memo_doc)
            ev->memo_doc = json_doc_new();
        r = number_in(ev->memo_doc, l.n);
    } else if (e->fn == FN_COUNT) {
        r = number_node(ev, l.n);
    }
    else if (e->fn == FN_VALUE && l.n == 1)
        r = l.v[0];
    jp_list_free(&l);
    if (absolute && ev->nmemos < sizeof ev->memos / sizeof *ev->memos)
        ev->memos[ev->nmemos++] = (memo){e, r};
    return r;
}

static int compare_less(const json_node *a, const json_node *b)
{
    if (a->type == JSON_NUMBER && b->type == JSON_NUMBER)
        return json_num_cmp(a->p, a->n, b->p, b->n) < 0;
    if (a->type == JSON_STRING && b->type == JSON_STRING) {
        /* UTF-8 byte order is code point order. */
        size_t n = a->n < b->n ? a->n : b->n;
        int c = memcmp(a->p, b->p, n);
        return c < 0 || (c == 0 && a->n < b->n);
    }
    return 0;
}

static bool values_equal(const json_node *a, const json_node *b)
{
    if (!a || !b)
        return !a && !b;
    return json_equal(a, b);
}

static bool eval_cmp(evaluator *ev, const expr *e, json_node *current)
{
    json_node *a = eval_value(ev, e->a, current), *b = eval_value(ev, e->b, current);
    switch (e->op) {
    case OP_EQ: return values_equal(a, b);
    case OP_NE: return !values_equal(a, b);
    case OP_LT: return a && b && compare_less(a, b);
    case OP_GT: return a && b && compare_less(b, a);
    case OP_LE: return values_equal(a, b) || (a && b && compare_less(a, b));
    case OP_GE: return values_equal(a, b) || (a && b && compare_less(b, a));
    }
    return false;
}

static bool eval_regex(evaluator *ev, const expr *e, json_node *current)
{
    json_node *subject = eval_value(ev, e->args[0], current);
    if (!subject || subject->type != JSON_STRING)
        return false;
    rx *re = e->re, *own = NULL;
    if (!re) {
        json_node *pat = eval_value(ev, e->args[1], current);
        if (!pat || pat->type != JSON_STRING)
            return false;
        rx_error err;
        size_t len;
        const char *p = json_text(pat, &len);
        re = own = rx_compile(p, len, RX_IREGEXP | (e->fn == FN_MATCH ? RX_ANCHORED : 0), &err);
        if (!re)
            return false;
    }
    size_t len;
    const char *s = json_text(subject, &len);
    int r = rx_match(re, s, len);
    rx_free(own);
    if (r == RX_LIMIT)
        ev->status = -1;
    return r == RX_MATCH;
}

static bool eval_test(evaluator *ev, const expr *e, json_node *current)
{
    switch (e->kind) {
    case E_OR: return eval_test(ev, e->a, current) || eval_test(ev, e->b, current);
    case E_AND: return eval_test(ev, e->a, current) && eval_test(ev, e->b, current);
    case E_NOT: return !eval_test(ev, e->a, current);
    case E_CMP: return eval_cmp(ev, e, current);
    case E_PATH: {
        if (e->path->singular)
            return singular_value(ev, e->path, current) != NULL || e->path->nsegs == 0;
        jp_list l = {0};
        eval_path(ev, e->path, current, &l);
        bool any = l.n > 0;
        jp_list_free(&l);
        return any;
    }
    case E_FUNC:
        if (e->fn == FN_MATCH || e->fn == FN_SEARCH)
            return eval_regex(ev, e, current);
        return false;
    case E_LIT:
        return false;
    }
    return false;
}

int jp_eval(const jp_query *q, json_node *root, jp_list *out)
{
    evaluator ev = {.root = root};
    eval_path(&ev, q->top, root, out);
    json_doc_free(ev.scratch_doc);
    json_doc_free(ev.memo_doc);
    return ev.status;
}

int jp_eval_keep(const jp_query *q, json_node *root, bool (*keep)(void *ctx, json_node *n), void *ctx, jp_list *out)
{
    evaluator ev = {.root = root, .keep = keep, .keep_ctx = ctx};
    eval_path(&ev, q->top, root, out);
    json_doc_free(ev.scratch_doc);
    json_doc_free(ev.memo_doc);
    return ev.status;
}

/* ---------------------------------------------------------------- paths */

static void escape_name(const char *s, size_t len, buf *out)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\b': buf_puts(out, "\\b"); break;
        case '\f': buf_puts(out, "\\f"); break;
        case '\n': buf_puts(out, "\\n"); break;
        case '\r': buf_puts(out, "\\r"); break;
        case '\t': buf_puts(out, "\\t"); break;
        case '\'': buf_puts(out, "\\'"); break;
        case '\\': buf_puts(out, "\\\\"); break;
        default:
            if (c < 0x20)
                buf_printf(out, "\\u%04x", c);
            else
                buf_putc(out, (char)c);
        }
    }
}

void jp_escape_literal(const char *s, size_t len, char quote, buf *out)
{
    /* RFC 9535 section 2.3.1.1: inside '...' a " stands as it is and ' is escaped, and
     * the other way round inside "...". */
    for (size_t i = 0; i < len; i++) {
        if (s[i] == quote) {
            buf_putc(out, '\\');
            buf_putc(out, s[i]);
        } else if (s[i] == '\'' || s[i] == '"') {
            buf_putc(out, s[i]);
        } else {
            escape_name(s + i, 1, out);
        }
    }
}

void jp_path_cached(const json_node *root, const json_node *n, buf *out, jp_path_cache *cache)
{
    /* Collect the chain from the top down. */
    size_t depth = 0;
    for (const json_node *p = n; p != root && p->parent; p = p->parent)
        depth++;
    const json_node **chain = xmalloc((depth + 1) * sizeof *chain);
    size_t i = depth;
    for (const json_node *p = n; p != root && p->parent; p = p->parent)
        chain[--i] = p;
    buf_putc(out, '$');
    for (i = 0; i < depth; i++) {
        const json_node *c = chain[i];
        if (c->parent->type == JSON_OBJECT) {
            buf_puts(out, "['");
            escape_name(c->key, c->key_len, out);
            buf_puts(out, "']");
            continue;
        }
        /* An element's index counts its elder siblings; the paths of consecutive
         * elements (a rule acting on every element) reuse the count. */
        size_t index;
        if (cache && cache->parent == c->parent && cache->node && c != json_first(c->parent) &&
            c->prev == cache->node)
            index = cache->index + 1;
        else if (cache && cache->parent == c->parent && cache->node == c)
            index = cache->index;
        else
            index = json_index_of(c);
        if (cache)
            *cache = (jp_path_cache){c->parent, c, index};
        buf_printf(out, "[%zu]", index);
    }
    free(chain);
}

void jp_path(const json_node *root, const json_node *n, buf *out)
{
    jp_path_cached(root, n, out, NULL);
}
