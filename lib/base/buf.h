/* Layer base (lib/base/): memory, text, I/O and findings; it uses nothing else of lib/.
 * lib/ is base < json < query < rules < domain < app; a layer includes and links only
 * itself and the layers below it (README.md, "Layout and design"; make check runs
 * tests/check-layers.sh). */
/* buf: a growable byte string that is always NUL-terminated. */
#ifndef TK_BUF_H
#define TK_BUF_H
#include <stddef.h>

typedef struct buf {
    char *data;     /* owned; NUL-terminated whenever data != NULL */
    size_t len, cap;
} buf;

#define BUF_INIT {NULL, 0, 0}

/* Makes room for n more bytes without changing len. */
void buf_reserve(buf *b, size_t n);

/* Appends n bytes from p. */
void buf_add(buf *b, const void *p, size_t n);

/* Appends the NUL-terminated string s. */
void buf_puts(buf *b, const char *s);

/* Appends one byte. */
void buf_putc(buf *b, char c);

/* Appends printf-formatted text. */
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Forgets the content but keeps the memory. */
void buf_clear(buf *b);

/* Frees the memory; the buf is empty and reusable afterwards. */
void buf_free(buf *b);

/* Hands the content to the caller (to free), leaving b empty; never NULL. */
char *buf_detach(buf *b, size_t *len);

#endif
