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
