/* Rule file loading: YAML to a checked rule_file, every error at FILE:LINE:COL. */
#include "rules/rules.h"
#include "json/json_parse.h"
#include "json/json_num.h"
#include "base/oom.h"
#include "base/quote.h"
#include "query/yamltree.h"
#include "json/keyset.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct loader {
    rule_file *f;
    diag_list *d;
    size_t first;           /* first finding this load added */
    bool failed;
} loader;

static void error_at(loader *ld, size_t at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void error_at(loader *ld, size_t at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_vadd(ld->d, SEV_ERROR, "rule-file", ld->f->name, at, at, fmt, ap);
    va_end(ap);
    ld->failed = true;
}

/* Where a value starts in the YAML (not its key: a message about a value points at it). */
static size_t where_is(const loader *ld, const json_node *n)
{
    if (n->start != JSON_NOPOS && !(n->flags & JF_SYNTH))
        return n->start;
    return json_report_offset(ld->f->yaml, n);
}

static size_t key_at(const loader *ld, const json_node *m)
{
    size_t k = json_key_offset(ld->f->yaml, m);
    return k != JSON_NOPOS ? k : where_is(ld, m);
}

/* Reports every member of obj whose name is not in allowed (a NULL-ended list). */
static void check_keys(loader *ld, const json_node *obj, const char *what, const char *const *allowed)
{
    for (const json_node *m = json_first(obj); m; m = m->next) {
        bool ok = false;
        for (const char *const *a = allowed; *a && !ok; a++)
            ok = strlen(*a) == m->key_len && !memcmp(*a, m->key, m->key_len);
        if (!ok) {
            buf list = BUF_INIT, q = BUF_INIT;
            for (const char *const *a = allowed; *a; a++)
                buf_printf(&list, "%s%s", a == allowed ? "" : ", ", *a);
            quote_into(&q, m->key, m->key_len, 40);
            error_at(ld, key_at(ld, m), "unknown key '%s' in %s (known: %s)", q.data ? q.data : "", what, list.data);
            buf_free(&list);
            buf_free(&q);
        }
    }
}

static bool is_type(loader *ld, const json_node *n, json_type t, const char *what)
{
    if (n->type == t || (t == JSON_TRUE && n->type == JSON_FALSE))
        return true;
    const char *want = t == JSON_TRUE ? "true or false" : t == JSON_OBJECT ? "a mapping" : t == JSON_ARRAY ? "a list"
                       : t == JSON_STRING ? "a string" : "a number";
    error_at(ld, where_is(ld, n), "%s must be %s", what, want);
    return false;
}

/* Reads member key of obj as text; *out stays absent when the member is missing. */
static bool get_text(loader *ld, const json_node *obj, const char *key, bool required, const char *what,
                     rule_text *dst)
{
    json_node *m = json_get(obj, key, strlen(key));
    if (!m) {
        if (required)
            error_at(ld, where_is(ld, obj), "%s needs '%s'", what, key);
        return !required;
    }
    char label[96];
    snprintf(label, sizeof label, "'%s' in %s", key, what);
    /* Numbers and booleans are accepted where text is expected (YAML makes 1 a number). */
    if (m->type != JSON_STRING && m->type != JSON_NUMBER && m->type != JSON_TRUE && m->type != JSON_FALSE) {
        return is_type(ld, m, JSON_STRING, label);
    }
    if (m->type == JSON_TRUE || m->type == JSON_FALSE) {
        dst->s = m->type == JSON_TRUE ? "true" : "false";
        dst->len = strlen(dst->s);
    } else {
        dst->s = json_text(m, &dst->len);
    }
    size_t at = where_is(ld, m);
    char c = at < ld->f->len ? ld->f->text[at] : 0;
    dst->at = at + (c == '"' || c == '\'');     /* skip the opening quote */
    return true;
}

static bool get_bool(loader *ld, const json_node *obj, const char *key, const char *what, bool *dst)
{
    json_node *m = json_get(obj, key, strlen(key));
    if (!m)
        return true;
    char label[96];
    snprintf(label, sizeof label, "'%s' in %s", key, what);
    if (!is_type(ld, m, JSON_TRUE, label))
        return false;
    *dst = m->type == JSON_TRUE;
    return true;
}

static bool text_is(const rule_text *t, const char *s)
{
    return t->s && t->len == strlen(s) && !memcmp(t->s, s, t->len);
}

static void parse_where(loader *ld, const json_node *w, rule_step *st)
{
    static const char *const keys[] = {"name", "value", "type", NULL};
    if (!is_type(ld, w, JSON_OBJECT, "'where'"))
        return;
    check_keys(ld, w, "where", keys);
    get_text(ld, w, "name", false, "where", &st->where_name);
    get_text(ld, w, "value", false, "where", &st->where_value);
    json_node *t = json_get(w, "type", 4);
    if (!t)
        return;
    static const char *const types[] = {"null", "boolean", "number", "string", "array", "object"};
    const json_node *one = t->type == JSON_ARRAY ? json_first(t) : t;
    for (; one; one = t->type == JSON_ARRAY ? one->next : NULL) {
        size_t len;
        int found = -1;
        if (one->type == JSON_STRING) {
            const char *s = json_text(one, &len);
            for (int i = 0; i < 6; i++)
                if (strlen(types[i]) == len && !memcmp(types[i], s, len))
                    found = i;
        }
        if (found < 0) {
            error_at(ld, where_is(ld, one), "'type' must be null, boolean, number, string, array or object");
            continue;
        }
        static const unsigned bits[] = {1u << JSON_NULL, (1u << JSON_TRUE) | (1u << JSON_FALSE), 1u << JSON_NUMBER,
                                        1u << JSON_STRING, 1u << JSON_ARRAY, 1u << JSON_OBJECT};
        st->where_types |= bits[found];
    }
}

static const char *const action_names[] = {"remove", "set", "rename", "replace", "patch", "report", "builtin"};

static void parse_do(loader *ld, const json_node *d, rule_step *st)
{
    if (d->type == JSON_STRING) {
        size_t len;
        const char *s = json_text(d, &len);
        if (len == 6 && !memcmp(s, "remove", 6)) {
            st->action = ACT_REMOVE;
            return;
        }
        buf q = BUF_INIT;
        quote_into(&q, s, len, 40);
        error_at(ld, where_is(ld, d), "unknown action '%s' (a bare action can only be remove)", q.data ? q.data : "");
        buf_free(&q);
        return;
    }
    if (!is_type(ld, d, JSON_OBJECT, "'do'"))
        return;
    static const char *const keys[] = {"set", "member", "rename", "replace", "patch", "report", "builtin", "args", NULL};
    check_keys(ld, d, "do", keys);
    int found = -1, count = 0;
    for (int a = ACT_SET; a <= ACT_BUILTIN; a++)
        if (json_get(d, action_names[a], strlen(action_names[a])))
            found = a, count++;
    if (count != 1) {
        error_at(ld, where_is(ld, d), "'do' needs exactly one action: set, rename, replace, patch, report or builtin");
        return;
    }
    st->action = (action_kind)found;
    const json_node *arg = json_get(d, action_names[found], strlen(action_names[found]));
    if (json_get(d, "member", 6) && found != ACT_SET)
        error_at(ld, key_at(ld, json_get(d, "member", 6)), "'member' goes with set only");
    if (json_get(d, "args", 4) && found != ACT_BUILTIN)
        error_at(ld, key_at(ld, json_get(d, "args", 4)), "'args' goes with builtin only");
    switch (st->action) {
    case ACT_SET:
        st->value = arg;
        get_text(ld, d, "member", false, "do", &st->member);
        break;
    case ACT_RENAME:
        get_text(ld, d, "rename", true, "do", &st->rename_to);
        break;
    case ACT_REPLACE: {
        static const char *const rkeys[] = {"pattern", "with", NULL};
        if (!is_type(ld, arg, JSON_OBJECT, "'replace'"))
            break;
        check_keys(ld, arg, "replace", rkeys);
        get_text(ld, arg, "pattern", true, "replace", &st->pattern);
        get_text(ld, arg, "with", true, "replace", &st->with);
        break;
    }
    case ACT_PATCH:
        if (is_type(ld, arg, JSON_ARRAY, "'patch'"))
            st->patch = arg;
        break;
    case ACT_REPORT: {
        static const char *const rkeys[] = {"severity", "message", NULL};
        if (!is_type(ld, arg, JSON_OBJECT, "'report'"))
            break;
        check_keys(ld, arg, "report", rkeys);
        rule_text sev = {0};
        get_text(ld, arg, "severity", false, "report", &sev);
        st->sev = SEV_ERROR;
        if (text_is(&sev, "warning"))
            st->sev = SEV_WARNING;
        else if (text_is(&sev, "note"))
            st->sev = SEV_NOTE;
        else if (sev.s && !text_is(&sev, "error"))
            error_at(ld, sev.at, "severity must be error, warning or note");
        get_text(ld, arg, "message", true, "report", &st->message);
        break;
    }
    case ACT_BUILTIN:
        get_text(ld, d, "builtin", true, "do", &st->builtin);
        st->args = json_get(d, "args", 4);
        break;
    case ACT_REMOVE:
        break;
    }
}

static void parse_step(loader *ld, const json_node *n, rule_step *st, bool is_rule, int depth)
{
    static const char *const rule_keys[] = {"id", "summary", "help", "when", "select", "where", "when-empty", "secret",
                                            "do", "then", NULL};
    static const char *const step_keys[] = {"select", "where", "when-empty", "secret", "do", "then", NULL};
    st->at = where_is(ld, n);
    check_keys(ld, n, is_rule ? "rule" : "follow-up step", is_rule ? rule_keys : step_keys);
    get_text(ld, n, "select", true, is_rule ? "a rule" : "a follow-up step", &st->select);
    json_node *w = json_get(n, "where", 5);
    if (w)
        parse_where(ld, w, st);
    get_bool(ld, n, "when-empty", "a rule", &st->when_empty);
    get_bool(ld, n, "secret", "a rule", &st->secret);
    json_node *d = json_get(n, "do", 2);
    if (!d)
        error_at(ld, st->at, "a rule needs 'do' (remove, set, rename, replace, patch, report or builtin)");
    else
        parse_do(ld, d, st);
    if (st->when_empty && st->action != ACT_REPORT)
        error_at(ld, key_at(ld, json_get(n, "when-empty", 10)), "'when-empty' goes with report only");
    json_node *then = json_get(n, "then", 4);
    if (then && is_type(ld, then, JSON_ARRAY, "'then'")) {
        if (depth >= 8) {
            error_at(ld, where_is(ld, then), "follow-up steps nested deeper than 8 levels");
            return;
        }
        st->nthen = json_count(then);
        st->then = xcalloc(st->nthen ? st->nthen : 1, sizeof *st->then);
        size_t i = 0;
        for (json_node *s = json_first(then); s; s = s->next, i++)
            if (is_type(ld, s, JSON_OBJECT, "a follow-up step"))
                parse_step(ld, s, &st->then[i], false, depth + 1);
    }
}

static bool valid_id(const rule_text *t)
{
    if (!t->len || !((t->s[0] >= 'a' && t->s[0] <= 'z') || (t->s[0] >= '0' && t->s[0] <= '9')))
        return false;
    for (size_t i = 0; i < t->len; i++) {
        char c = t->s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

static void parse_vars(loader *ld, const json_node *vars)
{
    if (!is_type(ld, vars, JSON_OBJECT, "'vars'"))
        return;
    ld->f->nvars = json_count(vars);
    ld->f->vars = xcalloc(ld->f->nvars ? ld->f->nvars : 1, sizeof *ld->f->vars);
    size_t i = 0;
    static const char *const keys[] = {"default", "required", "pattern", "description", NULL};
    for (json_node *m = json_first(vars); m; m = m->next, i++) {
        rule_var *v = &ld->f->vars[i];
        v->name = (rule_text){m->key, m->key_len, key_at(ld, m)};
        rule_text nm = v->name;
        bool ok = nm.len && !((nm.s[0] >= '0' && nm.s[0] <= '9') || nm.s[0] == '-');
        for (size_t k = 0; k < nm.len && ok; k++) {
            char c = nm.s[k];
            ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
        }
        if (!ok || (nm.len >= 4 && !memcmp(nm.s, "node", 4)) || text_is(&nm, "key") || text_is(&nm, "path"))
            error_at(ld, v->name.at, "invalid variable name (letters, digits, '_', '-'; node, key and path are taken)");
        if (m->type == JSON_NULL)
            continue;
        if (!is_type(ld, m, JSON_OBJECT, "a variable"))
            continue;
        check_keys(ld, m, "a variable", keys);
        get_text(ld, m, "default", false, "a variable", &v->def);
        get_bool(ld, m, "required", "a variable", &v->required);
        get_text(ld, m, "pattern", false, "a variable", &v->pattern);
        get_text(ld, m, "description", false, "a variable", &v->description);
    }
}

void rules_locate(const rule_file *f, diag_list *d, size_t from)
{
    if (!f->compiled_in) {
        diag_resolve(d, from, f->text, f->len);
        return;
    }
    for (size_t i = from; i < d->n; i++) {
        finding *fd = &d->v[i];
        if (fd->start == (size_t)-1 || fd->line || !f->lines.n)
            continue;
        /* The last node starting at or before the offset; a position inside its text
         * keeps its distance from the node's start. */
        size_t lo = 0, hi = f->lines.n;
        while (hi - lo > 1) {
            size_t mid = (lo + hi) / 2;
            if (f->lines.v[3 * mid] <= fd->start)
                lo = mid;
            else
                hi = mid;
        }
        const unsigned *t = &f->lines.v[3 * lo];
        fd->line = t[1];
        fd->col = t[2] + (fd->start >= t[0] ? fd->start - t[0] : 0);
    }
}

/* Reads member key of obj, a list of strings, into a new array (*n set); NULL when absent. */
static rule_text *text_list(loader *ld, const json_node *obj, const char *key, const char *what, size_t *n)
{
    *n = 0;
    json_node *list = json_get(obj, key, strlen(key));
    char label[40];
    snprintf(label, sizeof label, "'%s'", key);
    if (!list || !is_type(ld, list, JSON_ARRAY, label))
        return NULL;
    rule_text *v = xcalloc(json_count(list) + 1, sizeof *v);
    for (json_node *t = json_first(list); t; t = t->next) {
        if (!is_type(ld, t, JSON_STRING, what))
            continue;
        rule_text *rt = &v[(*n)++];
        rt->s = json_text(t, &rt->len);
        size_t at = where_is(ld, t);
        char q = at < ld->f->len ? ld->f->text[at] : 0;
        rt->at = at + (q == '"' || q == '\'');
    }
    return v;
}

/* Reads "input:" or "output:" (key) of the rule file into c. */
static void parse_contract(loader *ld, const json_node *root, const char *key, rule_contract *c)
{
    json_node *m = json_get(root, key, strlen(key));
    if (!m)
        return;
    char what[32];
    snprintf(what, sizeof what, "'%s'", key);
    if (!is_type(ld, m, JSON_OBJECT, what))
        return;
    /* Both may tolerate rule ids: an input what the tool exists to fix, an output what the
     * tool's stage leaves for a later tool (endpoint-audit keeps keys for tmpl-scrub). */
    static const char *const keys[] = {"kind", "stage", "tolerate", "pass", NULL};
    check_keys(ld, m, what, keys);
    c->declared = true;
    get_text(ld, m, "kind", true, what, &c->kind);
    get_text(ld, m, "stage", false, what, &c->stage);
    c->tolerate = text_list(ld, m, "tolerate", "a rule id under 'tolerate'", &c->ntolerate);
    c->pass = text_list(ld, m, "pass", "a variable name under 'pass'", &c->npass);
}

rule_file *rules_load(const char *name, const char *text, size_t len, bool compiled_in, rule_line_table lines,
                      diag_list *d)
{
    rule_file *f = xcalloc(1, sizeof *f);
    f->name = xstrdup(name);
    f->text = xmalloc(len + 1);
    memcpy(f->text, text, len);
    f->text[len] = '\0';
    f->len = len;
    f->compiled_in = compiled_in;
    f->lines = lines;
    loader ld = {f, d, d->n, false};
    if (compiled_in) {
        json_error jerr;
        f->yaml = json_parse(f->text, len, NULL, &jerr);
        if (!f->yaml) {
            diag_add(d, SEV_ERROR, "rule-file", name, (size_t)-1, (size_t)-1, "stored rule file: %s", jerr.msg);
            rules_free(f);
            return NULL;
        }
    } else {
        yamltree_error yerr;
        f->yaml = yamltree_load(f->text, len, &yerr);
        if (!f->yaml) {
            diag_add(d, SEV_ERROR, "rule-file", name, yerr.offset, yerr.offset, "YAML: %s", yerr.msg);
            diag_resolve(d, ld.first, f->text, len);
            rules_free(f);
            return NULL;
        }
    }
    const json_node *root = f->yaml->root;
    static const char *const keys[] = {"tool", "version", "description", "input", "output", "vars", "rules", NULL};
    if (is_type(&ld, root, JSON_OBJECT, "a rule file")) {
        check_keys(&ld, root, "a rule file", keys);
        get_text(&ld, root, "tool", true, "a rule file", &f->tool);
        get_text(&ld, root, "description", false, "a rule file", &f->description);
        json_node *ver = json_get(root, "version", 7);
        long long v = 0;
        if (!ver)
            error_at(&ld, 0, "a rule file needs 'version: 1'");
        else if (ver->type != JSON_NUMBER || !json_num_to_int(ver->p, ver->n, 1, 1, &v))
            error_at(&ld, where_is(&ld, ver), "unsupported version (this tmplkit reads version 1)");
        f->version = (long)v;
        parse_contract(&ld, root, "input", &f->input);
        parse_contract(&ld, root, "output", &f->output);
        json_node *vars = json_get(root, "vars", 4);
        if (vars)
            parse_vars(&ld, vars);
        json_node *rules = json_get(root, "rules", 5);
        if (!rules)
            error_at(&ld, 0, "a rule file needs 'rules', a list of rules");
        else if (is_type(&ld, rules, JSON_ARRAY, "'rules'")) {
            f->nrules = json_count(rules);
            f->rules = xcalloc(f->nrules ? f->nrules : 1, sizeof *f->rules);
            size_t i = 0;
            keyset ids;     /* rule ids seen: repeats found in one pass, however many rules */
            keyset_init(&ids, false);
            keyset_push(&ids);
            for (json_node *r = json_first(rules); r; r = r->next, i++) {
                if (!is_type(&ld, r, JSON_OBJECT, "a rule"))
                    continue;
                rule *ru = &f->rules[i];
                get_text(&ld, r, "id", true, "a rule", &ru->id);
                get_text(&ld, r, "summary", false, "a rule", &ru->summary);
                get_text(&ld, r, "help", false, "a rule", &ru->help);
                if (ru->id.s && !valid_id(&ru->id))
                    error_at(&ld, ru->id.at, "rule ids are lowercase letters, digits and '-'");
                if (ru->id.s && keyset_add(&ids, ru->id.s, ru->id.len, ru->id.at))
                    error_at(&ld, ru->id.at, "duplicate rule id '%.*s'", (int)ru->id.len, ru->id.s);
                parse_step(&ld, r, &ru->step, true, 0);
                json_node *when = json_get(r, "when", 4);
                if (when && is_type(&ld, when, JSON_OBJECT, "'when'")) {
                    ru->nwhen = json_count(when);
                    ru->when = xcalloc(ru->nwhen ? ru->nwhen : 1, sizeof *ru->when);
                    size_t k = 0;
                    for (json_node *m = json_first(when); m; m = m->next, k++) {
                        ru->when[k].var = (rule_text){m->key, m->key_len, key_at(&ld, m)};
                        rule_text value = {0};
                        if (m->type == JSON_STRING || m->type == JSON_NUMBER || m->type == JSON_TRUE ||
                            m->type == JSON_FALSE) {
                            size_t vlen = 0;
                            value.s = m->type == JSON_TRUE ? "true" : m->type == JSON_FALSE ? "false" : json_text(m, &vlen);
                            value.len = m->type == JSON_TRUE ? 4 : m->type == JSON_FALSE ? 5 : vlen;
                            value.at = where_is(&ld, m);
                        } else {
                            error_at(&ld, where_is(&ld, m), "values under 'when' must be plain text");
                        }
                        ru->when[k].value = value;
                    }
                }
            }
            keyset_free(&ids);
        }
    }
    rules_locate(f, d, ld.first);
    if (ld.failed) {
        rules_free(f);
        return NULL;
    }
    return f;
}

static void free_step(rule_step *st)
{
    for (size_t i = 0; i < st->nthen; i++)
        free_step(&st->then[i]);
    free(st->then);
    jp_free(st->query);
    rx_free(st->rx_name);
    rx_free(st->rx_value);
    rx_free(st->rx_pattern);
    free(st->with_text);
}

void rules_free(rule_file *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nrules; i++) {
        free_step(&f->rules[i].step);
        free(f->rules[i].when);
    }
    for (size_t i = 0; i < f->nvars; i++)
        rx_free(f->vars[i].rx);
    free(f->rules);
    free(f->vars);
    free(f->input.tolerate);
    free(f->output.tolerate);
    free(f->input.pass);
    free(f->output.pass);
    json_doc_free(f->yaml);
    free(f->text);
    free(f->name);
    free(f);
}
