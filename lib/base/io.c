#include "base/io.h"
#include "base/oom.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

bool io_is_stdin(const char *path)
{
    return !path || !strcmp(path, "-");
}

int io_read_all(const char *path, buf *b)
{
    int fd = io_is_stdin(path) ? 0 : open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            if (fd)
                close(fd);
            return EISDIR;
        }
        /* A regular file's size is known: one allocation of the right size. */
        if (S_ISREG(st.st_mode) && st.st_size > 0)
            buf_reserve(b, (size_t)st.st_size + 1);
    }
    int err = 0;
    for (;;) {
        buf_reserve(b, 65536);
        ssize_t n = read(fd, b->data + b->len, b->cap - b->len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            err = errno;
            break;
        }
        if (n == 0)
            break;
        b->len += (size_t)n;
    }
    if (b->data)
        b->data[b->len] = '\0';
    else
        buf_reserve(b, 0), b->data[0] = '\0';
    if (fd)
        close(fd);
    return err;
}

int io_atomic_open(io_atomic *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->fd = -1;
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* Devices and pipes cannot be replaced by rename: write straight into them. */
        a->fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (a->fd < 0)
            return errno;
        a->target = xstrdup(path);
        return 0;
    }
    char *real = realpath(path, NULL);    /* follow a symlink to the file it names */
    a->target = real ? real : xstrdup(path);
    const char *slash = strrchr(a->target, '/');
    size_t dirlen = slash ? (size_t)(slash - a->target) + 1 : 0;
    const char *base = slash ? slash + 1 : a->target;
    size_t n = dirlen + strlen(base) + 16;
    a->tmp = xmalloc(n);
    snprintf(a->tmp, n, "%.*s.%s.XXXXXX", (int)dirlen, a->target, base);
    a->fd = mkstemp(a->tmp);
    if (a->fd < 0) {
        int e = errno;
        free(a->tmp);
        free(a->target);
        a->tmp = a->target = NULL;
        return e;
    }
    return 0;
}

static mode_t default_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

int io_atomic_commit(io_atomic *a)
{
    int err = 0;
    if (!a->tmp) {
        if (close(a->fd) != 0)
            err = errno;
        free(a->target);
        a->target = NULL;
        return err;
    }
    struct stat st;
    if (stat(a->target, &st) == 0) {
        if (fchmod(a->fd, st.st_mode & 07777) != 0)
            err = errno;
        /* Keeping the owner only works for root; a failure there is not an error. */
        if (!err && fchown(a->fd, st.st_uid, st.st_gid) != 0)
            errno = 0;
    } else if (fchmod(a->fd, default_mode()) != 0) {
        err = errno;
    }
    if (!err && fsync(a->fd) != 0 && errno != EINVAL)
        err = errno;
    if (close(a->fd) != 0 && !err)
        err = errno;
    a->fd = -1;
    if (!err && rename(a->tmp, a->target) != 0)
        err = errno;
    if (err)
        unlink(a->tmp);
    free(a->tmp);
    free(a->target);
    a->tmp = a->target = NULL;
    return err;
}

void io_atomic_abort(io_atomic *a)
{
    if (a->fd >= 0)
        close(a->fd);
    if (a->tmp)
        unlink(a->tmp);
    free(a->tmp);
    free(a->target);
    a->tmp = a->target = NULL;
    a->fd = -1;
}

int io_input_open(io_input *in, const char *path)
{
    memset(in, 0, sizeof *in);
    if (!io_is_stdin(path)) {
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
            return errno;
        /* Small files (most configs) cost one read(); mapping pays off for large ones. */
        enum { SMALL = 1 << 16 };
        buf_reserve(&in->b, SMALL);
        ssize_t n;
        do
            n = read(fd, in->b.data, SMALL);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            int e = errno;
            close(fd);
            return e;
        }
        if (n < SMALL) {
            /* A short read of a regular file is its end; anything else (a pipe) may not be. */
            struct stat st;
            if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
                close(fd);
                in->b.len = (size_t)n;
                in->b.data[n] = '\0';
                in->data = in->b.data;
                in->len = in->b.len;
                return 0;
            }
        }
        if (lseek(fd, 0, SEEK_SET) != 0) {
            /* Not seekable (a pipe or a device): keep what was read and read the rest. */
            in->b.len = (size_t)n;
            int err = 0;
            for (;;) {
                buf_reserve(&in->b, SMALL);
                ssize_t k = read(fd, in->b.data + in->b.len, in->b.cap - in->b.len - 1);
                if (k < 0 && errno == EINTR)
                    continue;
                if (k <= 0) {
                    err = k < 0 ? errno : 0;
                    break;
                }
                in->b.len += (size_t)k;
            }
            in->b.data[in->b.len] = '\0';
            close(fd);
            in->data = in->b.data;
            in->len = in->b.len;
            return err;
        }
        buf_free(&in->b);
        struct stat st;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
            void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
            if (m != MAP_FAILED) {
                madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
                close(fd);
                in->map = m;
                in->data = m;
                in->len = (size_t)st.st_size;
                return 0;
            }
        }
        close(fd);
    }
    int e = io_read_all(path, &in->b);
    in->data = in->b.data;
    in->len = in->b.len;
    return e;
}

void io_input_close(io_input *in)
{
    if (in->map)
        munmap(in->map, in->len);
    buf_free(&in->b);
    memset(in, 0, sizeof *in);
}
