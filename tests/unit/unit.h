/* unit: the smallest test harness that can fail: CHECK counts, a summary line at the end. */
#ifndef TK_UNIT_H
#define TK_UNIT_H
#include <stdio.h>
#include <string.h>

static int unit_passed, unit_failed;

#define CHECK(cond)                                                                      \
    do {                                                                                 \
        if (cond) {                                                                      \
            unit_passed++;                                                               \
        } else {                                                                         \
            unit_failed++;                                                               \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);     \
        }                                                                                \
    } while (0)

/* Compares two strings and shows both when they differ. */
#define CHECK_STR(got, want)                                                             \
    do {                                                                                 \
        const char *g_ = (got), *w_ = (want);                                            \
        if (g_ && w_ && !strcmp(g_, w_)) {                                               \
            unit_passed++;                                                               \
        } else {                                                                         \
            unit_failed++;                                                               \
            fprintf(stderr, "%s:%d: got\n[%s]\nwant\n[%s]\n", __FILE__, __LINE__,          \
                    g_ ? g_ : "(null)", w_ ? w_ : "(null)");                             \
        }                                                                                \
    } while (0)

static inline int unit_summary(const char *name)
{
    printf("%s: %d passed, %d failed\n", name, unit_passed, unit_failed);
    return unit_failed != 0;
}

#endif
