#include "base/io.h"
#include "base/out.h"
#include "base/oom.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
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

/* The temporary file being written, so a signal that ends the program removes it, and
 * the other files and directories a program asked to have removed then (io_leftover). */
static volatile sig_atomic_t pending_set;
static char pending_tmp[PATH_MAX];
enum { MAX_LEFTOVERS = 8 };
static char leftovers[MAX_LEFTOVERS][PATH_MAX];
static volatile sig_atomic_t nleftovers;
static volatile pid_t child;     /* a running child that may still write them, or 0 */

/* Removes the files directly in directory path with system calls alone, so that the
 * signal handler can call it too: what a killed child left in a scratch directory under
 * names of its own. */
static void purge_dir(const char *path)
{
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    /* the kernel's record of one entry (linux_dirent64) */
    struct entry {
        uint64_t ino;
        int64_t off;
        unsigned short reclen;
        unsigned char type;
        char name[];
    };
    _Alignas(8) char records[4096];
    long n;
    while ((n = syscall(SYS_getdents64, fd, records, sizeof records)) > 0)
        for (long at = 0; at < n;) {
            const struct entry *e = (const struct entry *)(records + at);
            if (strcmp(e->name, ".") && strcmp(e->name, ".."))
                unlinkat(fd, e->name, 0);
            at += e->reclen;
        }
    close(fd);
}

static void remove_pending(int sig)
{
    if (child > 0) {
        kill(child, SIGKILL);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR) {
        }
    }
    if (pending_set)
        unlink(pending_tmp);
    /* newest first: a directory's files before the directory */
    for (int i = nleftovers - 1; i >= 0; i--)
        if (leftovers[i][0] && unlink(leftovers[i]) != 0)
            io_remove_dir(leftovers[i]);
    signal(sig, SIG_DFL);
    raise(sig);
}

static void catch_ending_signals(void)
{
    static bool handlers;
    if (handlers)
        return;
    /* SIGPIPE, SIGINT, SIGTERM, SIGHUP still end the program, without the temporary
     * files; a file size limit makes write() fail with EFBIG instead of killing. */
    handlers = true;
    int sigs[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP};
    for (size_t i = 0; i < sizeof sigs / sizeof *sigs; i++) {
        struct sigaction sa = {0}, old;
        sa.sa_handler = remove_pending;
        sigemptyset(&sa.sa_mask);
        if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler != SIG_IGN)
            sigaction(sigs[i], &sa, NULL);
    }
    signal(SIGXFSZ, SIG_IGN);
}

static void track_pending(const char *tmp)
{
    catch_ending_signals();
    pending_set = 0;
    if (tmp && strlen(tmp) < sizeof pending_tmp) {
        strcpy(pending_tmp, tmp);
        pending_set = 1;
    }
}

void io_leftover(const char *path)
{
    catch_ending_signals();
    if (nleftovers < MAX_LEFTOVERS && strlen(path) < PATH_MAX) {
        strcpy(leftovers[nleftovers], path);
        nleftovers++;
    }
}

void io_remove_dir(const char *path)
{
    purge_dir(path);
    rmdir(path);
}

void io_child(pid_t pid)
{
    child = pid;
}

void io_forget(const char *path)
{
    for (int i = 0; i < nleftovers; i++)
        if (!strcmp(leftovers[i], path))
            leftovers[i][0] = '\0';
    while (nleftovers > 0 && !leftovers[nleftovers - 1][0])
        nleftovers--;
}

/* The descriptor a path names when it is the program's own standard stream or an open
 * descriptor (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N), else -1. Such output
 * goes into that descriptor as it is: replacing the file behind it would destroy what a
 * shell's ">>" appended there. */
static int named_descriptor(const char *path)
{
    if (!strcmp(path, "/dev/stdout"))
        return 1;
    if (!strcmp(path, "/dev/stderr"))
        return 2;
    const char *n = !strncmp(path, "/dev/fd/", 8) ? path + 8 : !strncmp(path, "/proc/self/fd/", 14) ? path + 14 : NULL;
    if (!n || !*n)
        return -1;
    int fd = 0;
    for (; *n; n++) {
        if (*n < '0' || *n > '9' || fd > 100000)
            return -1;
        fd = fd * 10 + (*n - '0');
    }
    return fd;
}

int io_atomic_open(io_atomic *a, const char *path)
{
    memset(a, 0, sizeof *a);
    a->fd = -1;
    if (!*path)
        return ENOENT;
    int named = named_descriptor(path);
    if (named >= 0) {
        a->fd = dup(named);
        if (a->fd < 0)
            return errno;
        a->target = xstrdup(path);
        return 0;
    }
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
    if (!real && lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
        /* A dangling symlink: write the file it names (relative to the link's folder). */
        char dest[PATH_MAX];
        ssize_t n = readlink(path, dest, sizeof dest - 1);
        if (n > 0) {
            dest[n] = '\0';
            const char *slash = strrchr(path, '/');
            buf b = BUF_INIT;
            if (dest[0] != '/' && slash)
                buf_printf(&b, "%.*s/%s", (int)(slash - path), path, dest);
            else
                buf_puts(&b, dest);
            real = buf_detach(&b, NULL);
        }
    }
    a->target = real ? real : xstrdup(path);
    const char *slash = strrchr(a->target, '/');
    size_t dirlen = slash ? (size_t)(slash - a->target) + 1 : 0;
    /* A short name of its own: the target's name may already be as long as a name can be. */
    size_t n = dirlen + 32;
    a->tmp = xmalloc(n);
    snprintf(a->tmp, n, "%.*s.tmplkit-out.XXXXXX", (int)dirlen, a->target);
    a->fd = mkstemp(a->tmp);
    if (a->fd < 0) {
        int e = errno;
        free(a->tmp);
        free(a->target);
        a->tmp = a->target = NULL;
        return e;
    }
    track_pending(a->tmp);
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
        /* Owner first: a change of owner clears the set-user-ID and set-group-ID bits,
         * which the mode then puts back. Keeping the owner only works for root; a failure
         * there is not an error. */
        if (fchown(a->fd, st.st_uid, st.st_gid) != 0)
            errno = 0;
        if (fchmod(a->fd, st.st_mode & (a->private_mode ? 07700 : 07777)) != 0)
            err = errno;
    } else if (fchmod(a->fd, default_mode() & (a->private_mode ? 0700 : 0777)) != 0) {
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
    track_pending(NULL);
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
    track_pending(NULL);
    free(a->tmp);
    free(a->target);
    a->tmp = a->target = NULL;
    a->fd = -1;
}

/* A mapped input truncated while it is read raises SIGBUS: end with exit 5 and a message
 * instead of a crash (the only text base/ writes, with write(2) as a handler must). */
static void truncated(int sig)
{
    (void)sig;
    static const char msg[] = "error: an input file was truncated while it was being read\n";
    if (write(2, msg, sizeof msg - 1) < 0) {
        /* nothing more can be said */
    }
    if (pending_set)
        unlink(pending_tmp);
    _exit(5);
}

static void catch_truncation(void)
{
    struct sigaction sa = {0};
    sa.sa_handler = truncated;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, NULL);
}

int io_input_read(io_input *in, const char *path)
{
    memset(in, 0, sizeof *in);
    int e = io_read_all(path, &in->b);
    in->data = in->b.data;
    in->len = in->b.len;
    return e;
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
                catch_truncation();
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

int io_write_atomic(const char *path, const char *data, size_t len)
{
    io_atomic a;
    int err = io_atomic_open(&a, path);
    if (err)
        return err;
    out *o = xmalloc(sizeof *o);
    out_init_fd(o, a.fd);
    out_write(o, data, len);
    err = out_flush(o);
    free(o);
    if (err) {
        io_atomic_abort(&a);
        return err;
    }
    return io_atomic_commit(&a);
}
