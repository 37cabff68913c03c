#include "base/pos.h"
#include "base/utf8.h"
#include <string.h>

pos pos_of(const char *src, size_t len, size_t off)
{
    if (off > len)
        off = len;
    size_t line = 1, line_start = 0;
    const char *p = src, *end = src + off;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        line++;
        p = nl + 1;
        line_start = (size_t)(p - src);
    }
    pos r = {line, utf8_count(src + line_start, off - line_start) + 1};
    return r;
}

pos pos_of_split(const char *src, size_t len, size_t split, size_t off)
{
    if (split && off >= split)
        return pos_of(src + split, len - split, off - split);
    return pos_of(src, split ? split : len, off);
}

/* A position found so far while sweeping forward through one text: the line, and the
 * column of the last offset asked for on it (so a long line is counted once). */
typedef struct sweep {
    const char *src;
    size_t len, off, line, line_start, col;
} sweep;

static pos sweep_to(sweep *w, size_t off)
{
    if (off > w->len)
        off = w->len;
    if (off < w->off)
        w->off = w->line_start = 0, w->line = 1, w->col = 1;   /* not in order: start again */
    const char *p = w->src + w->off, *end = w->src + off;
    size_t from = w->off;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            break;
        w->line++;
        p = nl + 1;
        w->line_start = (size_t)(p - w->src);
        from = w->line_start;
        w->col = 1;
    }
    w->col += utf8_count(w->src + from, off - from);
    w->off = off;
    pos r = {w->line, w->col};
    return r;
}

void pos_of_many(const char *src, size_t len, const size_t *sorted, size_t n, pos *out)
{
    sweep w = {src, len, 0, 1, 0, 1};
    for (size_t i = 0; i < n; i++)
        out[i] = sweep_to(&w, sorted[i]);
}
