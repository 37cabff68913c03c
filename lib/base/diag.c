#include "base/diag.h"
#include "base/buf.h"
#include "base/oom.h"
#include "base/pos.h"
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NOPOS ((size_t)-1)

finding *diag_vadd(diag_list *d, severity sev, const char *rule, const char *file, size_t start, size_t end,
                   const char *fmt, va_list ap)
{
    if (d->n == d->cap) {
        d->cap = d->cap ? d->cap * 2 : 16;
        d->v = xrealloc(d->v, d->cap * sizeof *d->v);
    }
    finding *f = &d->v[d->n++];
    f->sev = sev;
    f->rule = xstrdup(rule ? rule : "");
    f->file = xstrdup(file ? file : "");
    f->start = start;
    f->end = end;
    f->line = f->col = 0;
    va_list again;
    va_copy(again, ap);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    if (n >= 0 && (size_t)n >= sizeof small) {
        buf m = BUF_INIT;
        buf_reserve(&m, (size_t)n);
        vsnprintf(m.data, (size_t)n + 1, fmt, again);
        m.len = (size_t)n;
        f->message = buf_detach(&m, NULL);
    } else {
        f->message = xstrdup(n >= 0 ? small : "");
    }
    va_end(again);
    d->count[sev]++;
    return f;
}

finding *diag_add(diag_list *d, severity sev, const char *rule, const char *file, size_t start, size_t end,
                  const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    finding *f = diag_vadd(d, sev, rule, file, start, end, fmt, ap);
    va_end(ap);
    return f;
}

finding *diag_copy(diag_list *d, const finding *f, const char *prefix)
{
    finding *g = diag_add(d, f->sev, f->rule, f->file, f->start, f->end, "%s%s", prefix, f->message);
    g->line = f->line;
    g->col = f->col;
    return g;
}

/* Orders finding indexes by their offsets (for one forward pass over the text). */
static const diag_list *sort_list;
static int by_start(const void *a, const void *b)
{
    size_t x = sort_list->v[*(const size_t *)a].start, y = sort_list->v[*(const size_t *)b].start;
    return x < y ? -1 : x > y;
}

void diag_resolve(diag_list *d, size_t from, const char *src, size_t len)
{
    if (!src)
        return;
    size_t n = 0;
    for (size_t i = from; i < d->n; i++)
        n += d->v[i].start != NOPOS && !d->v[i].line;
    if (!n)
        return;
    /* Sorted offsets, then one pass: linear in the text however many findings there are. */
    size_t *idx = xmalloc(n * sizeof *idx), *offs = xmalloc(n * sizeof *offs);
    pos *at = xmalloc(n * sizeof *at);
    size_t k = 0;
    for (size_t i = from; i < d->n; i++)
        if (d->v[i].start != NOPOS && !d->v[i].line)
            idx[k++] = i;
    sort_list = d;
    qsort(idx, n, sizeof *idx, by_start);
    for (size_t i = 0; i < n; i++)
        offs[i] = d->v[idx[i]].start;
    pos_of_many(src, len, offs, n, at);
    for (size_t i = 0; i < n; i++) {
        d->v[idx[i]].line = at[i].line;
        d->v[idx[i]].col = at[i].col;
    }
    free(idx);
    free(offs);
    free(at);
}

void diag_sort(diag_list *d, size_t from)
{
    /* Insertion sort: stable, and the lists it orders are short (repeats are capped). */
    for (size_t i = from + 1; i < d->n; i++) {
        finding f = d->v[i];
        size_t j = i;
        while (j > from && d->v[j - 1].start > f.start)
            d->v[j] = d->v[j - 1], j--;
        d->v[j] = f;
    }
}

static void free_one(finding *f)
{
    free(f->rule);
    free(f->message);
    free(f->file);
}

static bool same_finding(const finding *a, const finding *b)
{
    return a->sev == b->sev && a->start == b->start && a->line == b->line && a->col == b->col &&
           !strcmp(a->rule, b->rule) && !strcmp(a->file, b->file) && !strcmp(a->message, b->message);
}

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;     /* FNV-1a */
    return h;
}

static uint64_t finding_hash(const finding *f)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    h = mix(h, &f->sev, sizeof f->sev);
    h = mix(h, &f->start, sizeof f->start);
    h = mix(h, &f->line, sizeof f->line);
    h = mix(h, &f->col, sizeof f->col);
    h = mix(h, f->rule, strlen(f->rule) + 1);
    h = mix(h, f->file, strlen(f->file) + 1);
    return mix(h, f->message, strlen(f->message));
}

void diag_dedupe(diag_list *d, size_t from)
{
    /* A table of the kept findings' indexes, so that a file with 100,000 findings costs
     * 100,000 lookups, not their square. */
    size_t n = d->n - from, cap = 16;
    while (cap < 2 * n)
        cap *= 2;
    size_t *slot = xmalloc(cap * sizeof *slot);
    for (size_t i = 0; i < cap; i++)
        slot[i] = (size_t)-1;
    size_t keep = from;
    for (size_t i = from; i < d->n; i++) {
        size_t at = (size_t)finding_hash(&d->v[i]) & (cap - 1);
        bool seen = false;
        while (slot[at] != (size_t)-1 && !(seen = same_finding(&d->v[slot[at]], &d->v[i])))
            at = (at + 1) & (cap - 1);
        if (seen) {
            d->count[d->v[i].sev]--;
            free_one(&d->v[i]);
            continue;
        }
        d->v[keep] = d->v[i];
        slot[at] = keep++;
    }
    d->n = keep;
    free(slot);
}

void diag_free(diag_list *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->v[i].rule);
        free(d->v[i].message);
        free(d->v[i].file);
    }
    free(d->v);
    memset(d, 0, sizeof *d);
}

const char *severity_name(severity s)
{
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}
