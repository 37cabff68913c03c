#include "domain/armexpr.h"
#include <string.h>

bool arm_is_expression(const char *s, size_t len)
{
    return len >= 2 && s[0] == '[' && s[1] != '[' && s[len - 1] == ']';
}

typedef struct scanner {
    const char *p, *end;
    const char *problem;
    void (*fn)(void *, const arm_ref *);
    void *ctx;
    int depth;
} scanner;

static void ws(scanner *sc)
{
    while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\n' || *sc->p == '\r'))
        sc->p++;
}

static bool ident_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || (!first && ((c >= '0' && c <= '9') || c == '-'));
}

static bool ieq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return false;
    for (size_t i = 0; i < n; i++) {
        char x = a[i];
        if (x >= 'A' && x <= 'Z')
            x += 32;
        if (x != b[i])
            return false;
    }
    return true;
}

/* A string literal: '...' with '' for a quote. Sets *s and *n to its raw body. */
static bool literal(scanner *sc, const char **s, size_t *n)
{
    const char *start = ++sc->p;
    for (;;) {
        if (sc->p >= sc->end) {
            sc->problem = "unterminated string literal";
            return false;
        }
        if (*sc->p == '\'') {
            if (sc->p + 1 < sc->end && sc->p[1] == '\'') {
                sc->p += 2;
                continue;
            }
            break;
        }
        sc->p++;
    }
    *s = start;
    *n = (size_t)(sc->p - start);
    sc->p++;
    return true;
}

static bool expr(scanner *sc);

static bool postfix(scanner *sc)
{
    for (;;) {
        ws(sc);
        if (sc->p < sc->end && *sc->p == '.') {
            sc->p++;
            ws(sc);
            if (sc->p >= sc->end || !ident_char(*sc->p, true)) {
                sc->problem = "property name expected after '.'";
                return false;
            }
            while (sc->p < sc->end && ident_char(*sc->p, false))
                sc->p++;
        } else if (sc->p < sc->end && *sc->p == '[') {
            sc->p++;
            if (!expr(sc))
                return false;
            ws(sc);
            if (sc->p >= sc->end || *sc->p != ']') {
                sc->problem = "']' expected after an index";
                return false;
            }
            sc->p++;
        } else {
            return true;
        }
    }
}

static bool expr(scanner *sc)
{
    if (++sc->depth > 64) {
        sc->problem = "expression nested too deeply";
        return false;
    }
    ws(sc);
    if (sc->p >= sc->end) {
        sc->problem = "expression expected";
        return false;
    }
    char c = *sc->p;
    if (c == '\'') {
        const char *s;
        size_t n;
        if (!literal(sc, &s, &n))
            return false;
    } else if ((c >= '0' && c <= '9') || c == '-') {
        sc->p++;
        while (sc->p < sc->end && ((*sc->p >= '0' && *sc->p <= '9') || *sc->p == '.'))
            sc->p++;
    } else if (ident_char(c, true)) {
        const char *name = sc->p;
        while (sc->p < sc->end && ident_char(*sc->p, false))
            sc->p++;
        size_t nlen = (size_t)(sc->p - name);
        /* A user-defined function is called by namespace.name ("contoso.uniqueName()",
         * Bicep's "__bicep.f()"): syntax.md, "Functions". */
        if (sc->p + 1 < sc->end && *sc->p == '.' && ident_char(sc->p[1], true)) {
            sc->p++;
            while (sc->p < sc->end && ident_char(*sc->p, false))
                sc->p++;
            nlen = 0;   /* never parameters() or variables() */
        }
        ws(sc);
        if (sc->p >= sc->end || *sc->p != '(') {
            sc->problem = "'(' expected after a function name";
            return false;
        }
        sc->p++;
        ws(sc);
        int nargs = 0;
        const char *lit = NULL;
        size_t lit_len = 0;
        bool lit_only = true;
        while (sc->p < sc->end && *sc->p != ')') {
            ws(sc);
            const char *arg_start = sc->p;
            if (*sc->p == '\'' && nargs == 0) {
                const char *s;
                size_t n;
                if (!literal(sc, &s, &n))
                    return false;
                lit = s, lit_len = n;
                const char *after = sc->p;
                if (!postfix(sc))
                    return false;
                if (sc->p != after)
                    lit_only = false;
            } else {
                sc->p = arg_start;
                if (!expr(sc))
                    return false;
                if (nargs == 0)
                    lit_only = false;
            }
            nargs++;
            ws(sc);
            if (sc->p < sc->end && *sc->p == ',') {
                sc->p++;
                continue;
            }
            if (sc->p >= sc->end || *sc->p != ')') {
                sc->problem = "',' or ')' expected in an argument list";
                return false;
            }
        }
        if (sc->p >= sc->end) {
            sc->problem = "')' expected";
            return false;
        }
        sc->p++;
        bool is_param = ieq(name, nlen, "parameters"), is_var = ieq(name, nlen, "variables");
        if ((is_param || is_var) && nargs == 1 && lit && lit_only && sc->fn) {
            arm_ref r = {is_var, lit, lit_len};
            sc->fn(sc->ctx, &r);
        }
    } else {
        sc->problem = "unexpected character in expression";
        return false;
    }
    sc->depth--;
    return postfix(sc);
}

const char *arm_scan(const char *s, size_t len, void (*fn)(void *ctx, const arm_ref *r), void *ctx)
{
    if (!arm_is_expression(s, len))
        return NULL;
    scanner sc = {s + 1, s + len - 1, NULL, fn, ctx, 0};
    if (!expr(&sc))
        return sc.problem;
    ws(&sc);
    if (sc.p != sc.end)
        return "unexpected text after the expression";
    return NULL;
}
