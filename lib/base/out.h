/* out: a buffered byte sink writing to a file descriptor or collecting in memory. Large
 * pieces of memory that outlive the writing (a document's source text) can be queued by
 * reference and go out with writev, never copied. */
#ifndef TK_OUT_H
#define TK_OUT_H
#include "base/buf.h"
#include <stddef.h>
#include <sys/uio.h>

enum { OUT_IOV = 64 };

typedef struct out {
    int fd;                 /* destination, or -1 to collect in *mem */
    buf *mem;
    size_t n;               /* bytes used in b */
    size_t run;             /* start in b of the bytes no iovec describes yet */
    int err;                /* errno of the first failed write; later data is dropped */
    int niov;
    struct iovec iov[OUT_IOV];
    char b[1 << 16];
} out;

/* Sets up a sink that writes to fd (not closed by the sink). */
void out_init_fd(out *o, int fd);

/* Sets up a sink that appends to *mem. */
void out_init_mem(out *o, buf *mem);

/* Queues a copy of n bytes; a write error is remembered in o->err, never reported here. */
void out_write(out *o, const void *p, size_t n);

/* Queues n bytes that stay valid and unchanged until out_flush returns: large ones are
 * written from where they are. */
void out_write_ref(out *o, const void *p, size_t n);

/* Queues a NUL-terminated string. */
void out_puts(out *o, const char *s);

/* Queues one byte. */
static inline void out_putc(out *o, char c)
{
    if (o->n == sizeof o->b) {
        out_write(o, &c, 1);
        return;
    }
    o->b[o->n++] = c;
}

/* Writes everything queued; returns 0 or the errno of the first failure. */
int out_flush(out *o);

#endif
