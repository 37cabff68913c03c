#include "base/quote.h"
#include "base/utf8.h"

void quote_into(buf *b, const char *s, size_t len, size_t max)
{
    size_t shown = 0;
    for (size_t i = 0; i < len;) {
        if (shown >= max) {
            buf_puts(b, "...");
            return;
        }
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
            /* U+0080..U+009F are C1 controls and U+2028/9 break lines in some viewers. */
            if (n && cp >= 0xA0 && cp != 0x2028 && cp != 0x2029) {
                buf_add(b, s + i, n);
            } else if (n) {
                buf_printf(b, "\\u%04x", (unsigned)cp);
            } else {
                buf_printf(b, "\\x%02x", c);
                n = 1;
            }
            i += n;
            shown++;
            continue;
        }
        switch (c) {
        case '\n': buf_puts(b, "\\n"); break;
        case '\r': buf_puts(b, "\\r"); break;
        case '\t': buf_puts(b, "\\t"); break;
        case '\\': buf_puts(b, "\\\\"); break;
        case '\'': buf_puts(b, "\\'"); break;
        default:
            if (c < 0x20 || c == 0x7F)
                buf_printf(b, "\\x%02x", c);
            else
                buf_putc(b, (char)c);
        }
        i++;
        shown++;
    }
}

void quote_controls(buf *b, const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            uint32_t cp;
            size_t n = utf8_decode((const unsigned char *)s + i, len - i, &cp);
            if (n && cp >= 0xA0 && cp != 0x2028 && cp != 0x2029)
                buf_add(b, s + i, n);
            else if (n)
                buf_printf(b, "\\u%04x", (unsigned)cp);
            else
                buf_printf(b, "\\x%02x", c), n = 1;
            i += n;
            continue;
        }
        if (c == '\n')
            buf_puts(b, "\\n");
        else if (c == '\r')
            buf_puts(b, "\\r");
        else if (c == '\t')
            buf_puts(b, "\\t");
        else if (c < 0x20 || c == 0x7F)
            buf_printf(b, "\\x%02x", c);
        else
            buf_putc(b, (char)c);
        i++;
    }
    if (!b->data)
        buf_reserve(b, 0), b->data[0] = '\0';
}

void quote_name(buf *b, const char *s, size_t len, size_t max)
{
    size_t keyish = 0, marks = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        keyish += (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' ||
                  c == '/' || c == '=' || c == '-' || c == '_' || c == '.';
        marks += (c >= '0' && c <= '9') || c == '+' || c == '/' || c == '=';
    }
    /* Option names are long words too (UpdatePollIntervalSeconds); keys carry digits or
     * base64's + / = as well. */
    if (len >= 24 && keyish == len && marks) {
        /* Shaped like a key or token (long, no spaces, base64 or hex letters only). */
        quote_into(b, s, 4, 4);
        buf_printf(b, "... (%zu characters, not shown)", len);
        return;
    }
    quote_into(b, s, len, max);
}

void quote_masking_userinfo(buf *b, const char *s, size_t len, size_t max)
{
    /* The user name and password of every URL (what stands between "://" and "@") become
     * three stars. */
    buf masked = BUF_INIT;
    size_t i = 0, run = 0;
    while (i + 3 <= len) {
        if (s[i] == ':' && s[i + 1] == '/' && s[i + 2] == '/') {
            size_t a = i + 3, at = 0;
            for (size_t k = a; k < len && s[k] != '/' && s[k] != '?' && s[k] != '#' && s[k] != ' '; k++)
                if (s[k] == '@')
                    at = k;
            if (at) {
                buf_add(&masked, s + run, a - run);
                buf_puts(&masked, "***");
                run = i = at;
                continue;
            }
        }
        i++;
    }
    buf_add(&masked, s + run, len - run);
    quote_into(b, masked.data ? masked.data : "", masked.len, max);
    buf_free(&masked);
}

char *quote_dup(const char *s, size_t len, size_t max)
{
    buf b = BUF_INIT;
    quote_into(&b, s, len, max);
    return buf_detach(&b, NULL);
}
