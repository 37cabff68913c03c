#include "json/json_num.h"
#include "base/oom.h"
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* A number text seen as sign * 0.DIGITS * 10^exp with no leading or trailing zero digit.
 * The significant digits are read in place through two ranges (before and after '.'). */
typedef struct decimal {
    int sign;               /* -1, 0 (the value zero) or +1 */
    long long exp;          /* position of the decimal point relative to the first digit */
    const char *a, *b;      /* digit ranges [a0,a1) and [b0,b1) holding the significant digits */
    size_t alen, blen;
} decimal;

#define EXP_CAP 4000000000000000000LL

static void decimal_read(const char *s, size_t len, decimal *d)
{
    const char *p = s, *e = s + len;
    int neg = 0;
    if (p < e && *p == '-')
        neg = 1, p++;
    const char *ip = p;
    while (p < e && *p >= '0' && *p <= '9')
        p++;
    const char *ie = p, *fp = p, *fe = p;
    if (p < e && *p == '.') {
        fp = ++p;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
        fe = p;
    }
    long long x = 0;
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        int xneg = 0;
        if (p < e && (*p == '+' || *p == '-'))
            xneg = *p++ == '-';
        while (p < e && *p >= '0' && *p <= '9') {
            /* Exact up to EXP_CAP (4e18: 1e-4000000000000000000 and 1e-400000000000000000
             * stay apart), saturated beyond, never overflowing. */
            int digit = *p - '0';
            x = x <= (EXP_CAP - digit) / 10 ? x * 10 + digit : EXP_CAP;
            p++;
        }
        if (xneg)
            x = -x;
    }
    /* Skip leading zeros through the integer part, then the fraction. */
    while (ip < ie && *ip == '0')
        ip++;
    long long point = (long long)(ie - ip);   /* digits before the point, after zeros */
    if (ip == ie) {
        while (fp < fe && *fp == '0')
            fp++, point--;
    }
    /* Trailing zeros: of the fraction first, then (if the fraction is empty) the integer part. */
    while (fe > fp && fe[-1] == '0')
        fe--;
    if (fe == fp)
        while (ie > ip && ie[-1] == '0')
            ie--;
    d->a = ip, d->alen = (size_t)(ie - ip);
    d->b = fp, d->blen = (size_t)(fe - fp);
    if (d->alen == 0 && d->blen == 0) {
        d->sign = 0;
        d->exp = 0;
        return;
    }
    d->sign = neg ? -1 : 1;
    d->exp = point + x;
}

static char decimal_digit(const decimal *d, size_t i)
{
    if (i < d->alen)
        return d->a[i];
    i -= d->alen;
    return i < d->blen ? d->b[i] : '0';
}

int json_num_cmp(const char *as, size_t alen, const char *bs, size_t blen)
{
    decimal a, b;
    decimal_read(as, alen, &a);
    decimal_read(bs, blen, &b);
    if (a.sign != b.sign)
        return a.sign < b.sign ? -1 : 1;
    if (a.sign == 0)
        return 0;
    int mag;
    if (a.exp != b.exp) {
        mag = a.exp < b.exp ? -1 : 1;
    } else {
        mag = 0;
        size_t n = a.alen + a.blen > b.alen + b.blen ? a.alen + a.blen : b.alen + b.blen;
        for (size_t i = 0; i < n && !mag; i++) {
            char x = decimal_digit(&a, i), y = decimal_digit(&b, i);
            if (x != y)
                mag = x < y ? -1 : 1;
        }
    }
    return a.sign * mag;
}

bool json_num_is_integer(const char *s, size_t len)
{
    decimal d;
    decimal_read(s, len, &d);
    return d.sign == 0 || d.exp >= (long long)(d.alen + d.blen);
}

double json_num_to_double(const char *s, size_t len)
{
    char small[64];
    char *t = len < sizeof small ? small : xmalloc(len + 1);
    memcpy(t, s, len);
    t[len] = '\0';
    double v = strtod(t, NULL);
    if (t != small)
        free(t);
    return v;
}

bool json_num_to_int(const char *s, size_t len, long long lo, long long hi, long long *out)
{
    decimal d;
    decimal_read(s, len, &d);
    if (d.sign == 0) {
        if (lo > 0 || hi < 0)
            return false;
        *out = 0;
        return true;
    }
    size_t nd = d.alen + d.blen;
    if (d.exp < (long long)nd || d.exp > 19)
        return false;
    /* Build the magnitude in unsigned arithmetic; 19 digits fit in 64 bits. */
    unsigned long long m = 0;
    for (long long i = 0; i < d.exp; i++) {
        unsigned digit = (unsigned)(decimal_digit(&d, (size_t)i) - '0');
        if (m > (~0ULL - digit) / 10)
            return false;
        m = m * 10 + digit;
    }
    long long v;
    if (d.sign > 0) {
        if (m > (unsigned long long)LLONG_MAX)
            return false;
        v = (long long)m;
    } else {
        if (m > (unsigned long long)LLONG_MAX + 1ULL)
            return false;
        v = m == (unsigned long long)LLONG_MAX + 1ULL ? LLONG_MIN : -(long long)m;
    }
    if (v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

bool json_num_valid(const char *s, size_t len)
{
    const char *p = s, *e = s + len;
    if (p < e && *p == '-')
        p++;
    if (p >= e)
        return false;
    if (*p == '0')
        p++;
    else if (*p >= '1' && *p <= '9')
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    else
        return false;
    if (p < e && *p == '.') {
        p++;
        if (p >= e || *p < '0' || *p > '9')
            return false;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < e && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < e && (*p == '+' || *p == '-'))
            p++;
        if (p >= e || *p < '0' || *p > '9')
            return false;
        while (p < e && *p >= '0' && *p <= '9')
            p++;
    }
    return p == e;
}
