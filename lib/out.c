#include "out.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

void out_init_fd(out *o, int fd)
{
    o->fd = fd;
    o->mem = NULL;
    o->n = 0;
    o->err = 0;
}

void out_init_mem(out *o, buf *mem)
{
    o->fd = -1;
    o->mem = mem;
    o->n = 0;
    o->err = 0;
}

static void drain(out *o, const char *p, size_t n)
{
    if (o->err)
        return;
    if (o->fd < 0) {
        buf_add(o->mem, p, n);
        return;
    }
    while (n) {
        ssize_t w = write(o->fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            o->err = errno;
            return;
        }
        p += w;
        n -= (size_t)w;
    }
}

void out_write(out *o, const void *p, size_t n)
{
    if (n <= sizeof o->b - o->n) {
        memcpy(o->b + o->n, p, n);
        o->n += n;
        return;
    }
    drain(o, o->b, o->n);
    o->n = 0;
    if (n >= sizeof o->b / 4) {
        drain(o, p, n);     /* large pieces go out directly, not through the buffer */
        return;
    }
    memcpy(o->b, p, n);
    o->n = n;
}

void out_puts(out *o, const char *s)
{
    out_write(o, s, strlen(s));
}

int out_flush(out *o)
{
    drain(o, o->b, o->n);
    o->n = 0;
    return o->err;
}
