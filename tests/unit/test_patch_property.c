/* Property test of JSON Patch on large objects, where member lookups go through the patch's
 * own index (lib/query/jsonpatch.c, member_index): random sequences of add, remove,
 * replace, move, copy and test on an object of 70 to 200 members with repeated names,
 * checked after every patch against a plain model (a list of name/value pairs in which a
 * name means its last member, as RFC 6902 leaves it and json_get reads it). */
#include "unit.h"
#include "base/buf.h"
#include "json/json.h"
#include "json/json_parse.h"
#include "query/jsonpatch.h"
#include <stdint.h>
#include <stdlib.h>

enum { NAMES = 24, MAX_MEMBERS = 1024 };

typedef struct model {
    int name[MAX_MEMBERS];      /* k<name> */
    int value[MAX_MEMBERS];     /* "v<value>" */
    int n;
} model;

static uint64_t rng_state;
static unsigned rnd(unsigned below)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (unsigned)(rng_state >> 33) % below;
}

static int last_index(const model *m, int name)
{
    for (int i = m->n - 1; i >= 0; i--)
        if (m->name[i] == name)
            return i;
    return -1;
}

static void model_remove(model *m, int i)
{
    memmove(m->name + i, m->name + i + 1, (size_t)(m->n - i - 1) * sizeof *m->name);
    memmove(m->value + i, m->value + i + 1, (size_t)(m->n - i - 1) * sizeof *m->value);
    m->n--;
}

/* add: the last member of that name takes the value in place, else a new one is appended. */
static void model_add(model *m, int name, int value)
{
    int i = last_index(m, name);
    if (i < 0 && m->n < MAX_MEMBERS) {
        i = m->n++;
        m->name[i] = name;
    }
    if (i >= 0)
        m->value[i] = value;
}

/* Applies one random operation to the model and writes it as JSON into ops; returns
 * false when the patch must fail (the model is then left as the failed op found it). */
static bool random_op(model *m, buf *ops, int *next_value)
{
    int a = (int)rnd(NAMES), b = (int)rnd(NAMES), v = (*next_value)++;
    int ia = last_index(m, a);
    if (ops->len > 1)
        buf_putc(ops, ',');
    switch (rnd(6)) {
    case 0:
        buf_printf(ops, "{\"op\":\"add\",\"path\":\"/k%d\",\"value\":\"v%d\"}", a, v);
        model_add(m, a, v);
        return true;
    case 1:
        buf_printf(ops, "{\"op\":\"remove\",\"path\":\"/k%d\"}", a);
        if (ia < 0)
            return false;
        model_remove(m, ia);
        return true;
    case 2:
        buf_printf(ops, "{\"op\":\"replace\",\"path\":\"/k%d\",\"value\":\"v%d\"}", a, v);
        if (ia < 0)
            return false;
        m->value[ia] = v;
        return true;
    case 3:
        buf_printf(ops, "{\"op\":\"move\",\"from\":\"/k%d\",\"path\":\"/k%d\"}", a, b);
        if (ia < 0)
            return false;
        if (a != b) {
            int value = m->value[ia];
            model_remove(m, ia);
            model_add(m, b, value);
        }
        return true;
    case 4:
        buf_printf(ops, "{\"op\":\"copy\",\"from\":\"/k%d\",\"path\":\"/k%d\"}", a, b);
        if (ia < 0)
            return false;
        model_add(m, b, m->value[ia]);
        return true;
    default:
        buf_printf(ops, "{\"op\":\"test\",\"path\":\"/k%d\",\"value\":\"v%d\"}", a, ia < 0 ? -1 : m->value[ia]);
        return ia >= 0;
    }
}

static bool same_as_model(const json_node *obj, const model *m)
{
    int i = 0;
    for (const json_node *k = json_first(obj); k; k = k->next, i++) {
        char name[16], value[16];
        size_t len;
        const char *text = json_text(k, &len);
        if (i >= m->n)
            return false;
        snprintf(name, sizeof name, "k%d", m->name[i]);
        snprintf(value, sizeof value, "v%d", m->value[i]);
        if (k->key_len != strlen(name) || memcmp(k->key, name, k->key_len) || len != strlen(value) ||
            memcmp(text, value, len))
            return false;
    }
    return i == m->n;
}

int main(void)
{
    int agreed = 0, documents = 300;
    for (int round = 0; round < documents; round++) {
        rng_state = 0x9e3779b97f4a7c15ull + (uint64_t)round;
        model m = {.n = 70 + (int)rnd(130)};
        buf text = BUF_INIT;
        buf_putc(&text, '{');
        for (int i = 0; i < m.n; i++) {
            m.name[i] = (int)rnd(NAMES);    /* names repeat: 24 of them for 70 or more members */
            m.value[i] = i;
            buf_printf(&text, "%s\"k%d\": \"v%d\"", i ? ", " : "", m.name[i], i);
        }
        buf_putc(&text, '}');
        json_error jerr;
        json_doc *doc = json_parse(text.data, text.len, NULL, &jerr);
        CHECK(doc != NULL);
        if (!doc)
            continue;
        bool ok = true;
        int next_value = 100000;
        for (int patch = 0; patch < 20 && ok; patch++) {
            model before = m;
            buf ops = BUF_INIT;
            buf_putc(&ops, '[');
            bool should_apply = true;
            int nops = 1 + (int)rnd(40);
            for (int k = 0; k < nops && should_apply; k++)
                should_apply = random_op(&m, &ops, &next_value);
            buf_putc(&ops, ']');
            json_doc *opdoc = json_parse(ops.data, ops.len, NULL, &jerr);
            jpatch_error perr;
            json_node *target = doc->root;
            int rc = jpatch_apply(doc, &target, opdoc->root, &perr);
            if ((rc == 0) != should_apply) {
                ok = false;
                fprintf(stderr, "round %d patch %d: rc %d, expected %s: %s\n", round, patch, rc,
                        should_apply ? "success" : "failure", ops.data);
            }
            if (!should_apply) {
                /* A failed patch leaves the document partly patched (the engine throws
                 * such a document away); start the next patch from a fresh copy. */
                json_doc_free(doc);
                m = before;
                buf_clear(&text);
                buf_putc(&text, '{');
                for (int i = 0; i < m.n; i++)
                    buf_printf(&text, "%s\"k%d\": \"v%d\"", i ? ", " : "", m.name[i], m.value[i]);
                buf_putc(&text, '}');
                doc = json_parse(text.data, text.len, NULL, &jerr);
            } else if (!same_as_model(doc->root, &m)) {
                ok = false;
                fprintf(stderr, "round %d patch %d: the result differs from the model: %s\n", round, patch,
                        ops.data);
            }
            json_doc_free(opdoc);
            buf_free(&ops);
        }
        agreed += ok;
        CHECK(ok);
        json_doc_free(doc);
        buf_free(&text);
    }
    printf("patch property: %d of %d documents agreed with the model\n", agreed, documents);
    return unit_summary("unit patch property");
}
