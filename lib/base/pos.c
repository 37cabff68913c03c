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
