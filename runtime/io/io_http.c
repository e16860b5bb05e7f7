/* The head of an HTTP/1.1 response (io_http.h): the status line and the
 * headers up to the blank line.  Strict (CRLF line ends, token header
 * names, no folded or control characters, no duplicates of the headers
 * that decide anything) and bounded (IO_HTTP_HEAD_MAX bytes,
 * IO_HTTP_HEADERS_MAX lines), because the bytes come from a server or
 * proxy we may not trust. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "io_http.h"

static bool is_tchar(uint8_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return c && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Copies the trimmed value v[0..n) to out; false when it does not fit. */
static bool copy_value(const uint8_t *v, size_t n, char *out, size_t cap)
{
    while (n && (v[0] == ' ' || v[0] == '\t')) {
        v++;
        n--;
    }
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    if (n >= cap)
        return false;
    memcpy(out, v, n);
    out[n] = '\0';
    return true;
}

static long fail(char *why, size_t cap, const char *what)
{
    snprintf(why, cap, "%s", what);
    return -1;
}

/* One header line name[0..nn): value v[0..vn) into out. */
static long header(io_http_head *out, const uint8_t *name, size_t nn, const uint8_t *v, size_t vn, char *why,
                   size_t cap)
{
    struct {
        const char *name;
        char *dst;
        size_t cap;
    } known[] = {
        {"Upgrade", out->upgrade, sizeof out->upgrade},
        {"Sec-WebSocket-Accept", out->ws_accept, sizeof out->ws_accept},
        {"Sec-WebSocket-Protocol", out->ws_protocol, sizeof out->ws_protocol},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
        if (strlen(known[i].name) != nn || strncasecmp(known[i].name, (const char *)name, nn) != 0)
            continue;
        if (known[i].dst[0]) {
            snprintf(why, cap, "header %s given twice", known[i].name);
            return -1;
        }
        if (!copy_value(v, vn, known[i].dst, known[i].cap)) {
            snprintf(why, cap, "header %s is too long", known[i].name);
            return -1;
        }
        return 0;
    }
    if (nn == 10 && strncasecmp("Connection", (const char *)name, nn) == 0) {
        char one[128];
        size_t have = strlen(out->connection);
        if (!copy_value(v, vn, one, sizeof one) || have + strlen(one) + 3 > sizeof out->connection)
            return fail(why, cap, "header Connection is too long");
        snprintf(out->connection + have, sizeof out->connection - have, "%s%s", have ? ", " : "", one);
        return 0;
    }
    if (nn == 24 && strncasecmp("Sec-WebSocket-Extensions", (const char *)name, nn) == 0) {
        out->ws_extensions = true;
        return 0;
    }
    if (nn == 18 && strncasecmp("Proxy-Authenticate", (const char *)name, nn) == 0 && !out->proxy_auth[0]) {
        if (!copy_value(v, vn, out->proxy_auth, sizeof out->proxy_auth))
            snprintf(out->proxy_auth, sizeof out->proxy_auth, "(too long)");
        return 0;
    }
    return 0;
}

long io_http_reply_parse(const uint8_t *buf, size_t len, io_http_head *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    size_t limit = len < IO_HTTP_HEAD_MAX ? len : IO_HTTP_HEAD_MAX;
    /* The end of the head: the first CRLF CRLF within the limit. */
    size_t end = 0;
    for (size_t i = 0; i + 3 < limit; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            end = i + 4;
            break;
        }
    if (!end) {
        if (len >= IO_HTTP_HEAD_MAX) {
            snprintf(why, cap, "more than %u bytes of headers", IO_HTTP_HEAD_MAX);
            return -1;
        }
        /* Refuse early what can never become a status line. */
        static const char prefix[] = "HTTP/1.";
        for (size_t i = 0; i < len && i < sizeof prefix - 1; i++)
            if (buf[i] != (uint8_t)prefix[i])
                return fail(why, cap, "the reply is not HTTP/1.x");
        return 0;
    }
    /* Status line: HTTP/1.x SP DDD SP reason CRLF */
    size_t pos = 0;
    if (end < 14 || memcmp(buf, "HTTP/1.", 7) != 0 || (buf[7] != '0' && buf[7] != '1') || buf[8] != ' ')
        return fail(why, cap, "the reply is not HTTP/1.x");
    int status = 0;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return fail(why, cap, "bad status code in the status line");
        status = status * 10 + (buf[i] - '0');
    }
    if (status < 100 || status > 599)
        return fail(why, cap, "bad status code in the status line");
    out->status = status;
    pos = 12;
    if (buf[pos] != ' ' && buf[pos] != '\r')
        return fail(why, cap, "bad status line");
    size_t eol = pos;
    while (buf[eol] != '\r')
        eol++;
    if (buf[eol + 1] != '\n')
        return fail(why, cap, "bare CR in the status line");
    for (size_t i = pos; i < eol; i++)
        if (buf[i] == '\n' || (buf[i] < 0x20 && buf[i] != '\t') || buf[i] == 0x7f)
            return fail(why, cap, "control character in the status line");
    if (eol > pos)
        copy_value(buf + pos + 1, eol - pos - 1 < sizeof out->reason ? eol - pos - 1 : sizeof out->reason - 1,
                   out->reason, sizeof out->reason);
    pos = eol + 2;
    unsigned lines = 0;
    while (pos < end - 2) {
        if (++lines > IO_HTTP_HEADERS_MAX) {
            snprintf(why, cap, "more than %u header lines", IO_HTTP_HEADERS_MAX);
            return -1;
        }
        size_t le = pos;
        while (buf[le] != '\r' && buf[le] != '\n')
            le++;
        if (buf[le] != '\r' || buf[le + 1] != '\n')
            return fail(why, cap, "a header line does not end with CRLF");
        if (buf[pos] == ' ' || buf[pos] == '\t')
            return fail(why, cap, "folded header line");
        size_t colon = pos;
        while (colon < le && is_tchar(buf[colon]))
            colon++;
        if (colon == pos || colon == le || buf[colon] != ':')
            return fail(why, cap, "malformed header line");
        for (size_t i = colon + 1; i < le; i++)
            if ((buf[i] < 0x20 && buf[i] != '\t') || buf[i] == 0x7f)
                return fail(why, cap, "control character in a header value");
        if (header(out, buf + pos, colon - pos, buf + colon + 1, le - colon - 1, why, cap) < 0)
            return -1;
        pos = le + 2;
    }
    return (long)end;
}

bool io_http_list_has(const char *list, const char *token)
{
    size_t tn = strlen(token);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *e = p;
        while (*e && *e != ',')
            e++;
        const char *t = e;
        while (t > p && (t[-1] == ' ' || t[-1] == '\t'))
            t--;
        if ((size_t)(t - p) == tn && strncasecmp(p, token, tn) == 0)
            return true;
        p = e;
    }
    return false;
}
