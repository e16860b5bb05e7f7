/* Shared by the SAS and connection-string code: output buffers, errors,
 * UTF-8 checking, status names. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "auth_internal.h"

const char *famqp_auth_status_name(famqp_auth_status s)
{
    switch (s) {
    case FAMQP_AUTH_OK: return "ok";
    case FAMQP_AUTH_ERR_ARG: return "invalid argument";
    case FAMQP_AUTH_ERR_SPACE: return "space";
    case FAMQP_AUTH_ERR_CRYPTO: return "crypto";
    case FAMQP_AUTH_ERR_DENIED: return "denied";
    case FAMQP_AUTH_ERR_NOMEM: return "out of memory";
    }
    return "unknown";
}

famqp_auth_status auth_fail(famqp_auth_error *err, famqp_auth_status status, const char *fmt, ...)
{
    if (err) {
        err->status = status;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return status;
}

void auth_ok(famqp_auth_error *err)
{
    if (err) {
        err->status = FAMQP_AUTH_OK;
        err->message[0] = '\0';
    }
}

void auth_out_init(auth_out *o, char *buf, size_t cap)
{
    o->buf = cap ? buf : NULL;
    o->cap = buf ? cap : 0;
    o->len = 0;
}

void auth_out_bytes(auth_out *o, const char *p, size_t n)
{
    /* Bytes that fit are copied even when the whole will not: finish
     * empties the buffer then, and only the length counts. */
    if (o->len < o->cap) {
        size_t room = o->cap - o->len;
        memcpy(o->buf + o->len, p, n < room ? n : room);
    }
    o->len += n;
}

void auth_out_str(auth_out *o, const char *s)
{
    auth_out_bytes(o, s, strlen(s));
}

void auth_out_u64(auth_out *o, unsigned long long v)
{
    char digits[24];
    int n = snprintf(digits, sizeof digits, "%llu", v);
    auth_out_bytes(o, digits, (size_t)n);
}

void auth_out_fail(auth_out *o, size_t *len)
{
    if (o->cap)
        o->buf[0] = '\0';
    if (len)
        *len = 0;
}

famqp_auth_status auth_out_finish(auth_out *o, size_t *len, famqp_auth_error *err, const char *what)
{
    if (len)
        *len = o->len;
    if (o->len >= o->cap) {
        if (o->cap)
            o->buf[0] = '\0';
        return auth_fail(err, FAMQP_AUTH_ERR_SPACE, "%s needs %zu bytes (with the NUL), the buffer has %zu", what,
                         o->len + 1, o->cap);
    }
    o->buf[o->len] = '\0';
    auth_ok(err);
    return FAMQP_AUTH_OK;
}

bool auth_utf8_valid(const char *text, size_t n)
{
    const unsigned char *p = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t more;
        unsigned cp, min;
        if (c >= 0xC2 && c <= 0xDF) {
            more = 1, cp = c & 0x1F, min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            more = 2, cp = c & 0x0F, min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            more = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return false;
        }
        if (n - i <= more)
            return false;
        for (size_t k = 1; k <= more; k++) {
            if ((p[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (p[i + k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += more + 1;
    }
    return true;
}

bool auth_uri_unreserved(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return true;
    return c != '\0' && strchr("-_.!~*'()", c) != NULL;
}
