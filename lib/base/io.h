/* io: whole-input reading and all-or-nothing output files. */
#ifndef TK_IO_H
#define TK_IO_H
#include "base/buf.h"
#include <stdbool.h>
#include <sys/types.h>

/* Reads all of path (NULL or "-" means stdin) into *b, any size; returns 0 or an errno. */
int io_read_all(const char *path, buf *b);

/* A whole input, mapped when it is a regular file (no copy, no fresh memory to fill)
 * and read into memory otherwise. */
typedef struct io_input {
    const char *data;   /* the bytes; always followed by a NUL when len is 0 */
    size_t len;
    buf b;              /* holds the data when it was read */
    void *map;          /* the mapping, when it was mapped */
} io_input;

/* Makes the input at path (NULL or "-" means stdin) available; returns 0 or an errno. */
int io_input_open(io_input *in, const char *path);

/* Reads the whole input at path into memory (never mapped): for a program that copies
 * untouched text from its input into its output at the end, which a file changed
 * meanwhile must not reach. Returns 0 or an errno. */
int io_input_read(io_input *in, const char *path);

/* Releases the input's memory. */
void io_input_close(io_input *in);

/* An output file that appears complete or not at all. */
typedef struct io_atomic {
    char *target;       /* the path finally written (symlinks resolved) */
    char *tmp;          /* the temporary beside it, or NULL when writing in place */
    int fd;
    bool private_mode;  /* set after io_atomic_open: the file gets no group or other bits */
} io_atomic;

/* Opens a temporary file in the directory of path for writing; returns 0 or an errno.
 * /dev/stdout, /dev/stderr, /dev/fd/N and /proc/self/fd/N write into that descriptor as
 * it is, a device or a pipe is opened directly, a symlink (dangling too) is followed. A
 * signal that ends the program meanwhile removes the temporary file. */
int io_atomic_open(io_atomic *a, const char *path);

/* Flushes to disk, gives the file the mode (and owner) of the file it replaces, and
 * renames it into place; returns 0 or an errno, and on failure nothing is replaced. */
int io_atomic_commit(io_atomic *a);

/* Throws the temporary file away; the target is untouched. */
void io_atomic_abort(io_atomic *a);

/* Replaces path with data[0..len) through io_atomic (all or nothing); returns 0 or an
 * errno. */
int io_write_atomic(const char *path, const char *data, size_t len);

/* Has path (a file, or a directory with the files in it) removed should a signal end the
 * program (SIGINT, SIGTERM, SIGHUP, SIGPIPE) before io_forget(path); at most 8 at a time.
 * Also makes a file size limit fail writes (EFBIG) instead of killing the program. */
void io_leftover(const char *path);

/* Removes directory path and the files directly in it (a scratch directory). */
void io_remove_dir(const char *path);

/* Names the child process (0: none) that a signal ending the program first kills and
 * reaps, so that it writes nothing after the leftovers are removed. */
void io_child(pid_t pid);

/* Drops path from what a signal would remove: it was removed, or is to stay. */
void io_forget(const char *path);

/* Returns true when path names the standard input ("-" or NULL). */
bool io_is_stdin(const char *path);

#endif
