/* oom: the single place where lib/ gives up, when memory runs out. */
#ifndef TK_OOM_H
#define TK_OOM_H
#include <stddef.h>

/* Prints "out of memory" to stderr and exits with the I/O exit code; never returns. */
_Noreturn void tk_oom(void);

/* malloc that never returns NULL (calls tk_oom instead). */
void *xmalloc(size_t n);

/* realloc that never returns NULL (calls tk_oom instead). */
void *xrealloc(void *p, size_t n);

/* calloc that never returns NULL (calls tk_oom instead). */
void *xcalloc(size_t n, size_t size);

/* strdup that never returns NULL (calls tk_oom instead). */
char *xstrdup(const char *s);

/* Returns a NUL-terminated copy of s[0..n), or exits as xmalloc does. */
char *xstrndup(const char *s, size_t n);
#endif
