#include "base/out.h"
#include <errno.h>
#include <string.h>
#include <unistd.h>

enum { REF_MIN = 1024 };    /* smaller pieces are cheaper to copy than to describe */

void out_init_fd(out *o, int fd)
{
    o->fd = fd;
    o->mem = NULL;
    o->n = o->run = 0;
    o->niov = 0;
    o->err = 0;
}

void out_init_mem(out *o, buf *mem)
{
    out_init_fd(o, -1);
    o->mem = mem;
}

/* Writes iov[0..cnt) completely (or records the error). */
static void write_all(out *o, struct iovec *iov, int cnt)
{
    while (cnt && !o->err) {
        ssize_t w = writev(o->fd, iov, cnt);   /* cnt <= OUT_IOV, far below IOV_MAX */
        if (w < 0) {
            if (errno == EINTR)
                continue;
            o->err = errno;
            return;
        }
        size_t left = (size_t)w;
        while (cnt && left >= iov->iov_len) {
            left -= iov->iov_len;
            iov++, cnt--;
        }
        if (cnt) {
            iov->iov_base = (char *)iov->iov_base + left;
            iov->iov_len -= left;
        }
    }
}

/* Ends the buffered run as one iovec, so what follows keeps its place in the order. */
static void close_run(out *o)
{
    if (o->n > o->run) {
        o->iov[o->niov].iov_base = o->b + o->run;
        o->iov[o->niov].iov_len = o->n - o->run;
        o->niov++;
        o->run = o->n;
    }
}

/* Sends everything queued, in order, and empties the buffer. */
static void drain(out *o)
{
    if (o->fd < 0) {
        if (o->n)
            buf_add(o->mem, o->b, o->n);
    } else {
        close_run(o);
        write_all(o, o->iov, o->niov);
    }
    o->n = o->run = 0;
    o->niov = 0;
}

void out_write(out *o, const void *p, size_t n)
{
    if (o->err)
        return;
    if (n > sizeof o->b - o->n) {
        drain(o);
        if (n >= sizeof o->b / 4) {
            if (o->fd < 0) {
                buf_add(o->mem, p, n);
            } else {
                struct iovec one = {(void *)p, n};
                write_all(o, &one, 1);
            }
            return;
        }
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
}

void out_write_ref(out *o, const void *p, size_t n)
{
    if (o->fd < 0 || n < REF_MIN) {
        out_write(o, p, n);
        return;
    }
    if (o->err)
        return;
    /* Room for the buffered run and this piece. */
    if (o->niov + 2 > OUT_IOV)
        drain(o);
    close_run(o);
    o->iov[o->niov].iov_base = (void *)p;
    o->iov[o->niov].iov_len = n;
    o->niov++;
}

void out_puts(out *o, const char *s)
{
    out_write(o, s, strlen(s));
}

int out_flush(out *o)
{
    drain(o);
    return o->err;
}
