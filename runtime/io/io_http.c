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

/* A header whose value is kept: at most once, unless joined (repeats
 * joined by ", ", as a list header may be split over lines). */
typedef struct known_header {
    const char *name;
    char *dst;
    size_t cap;
    bool join;
} known_header;

/* Stores the value v[0..vn) of header name[0..nn) when it is one of
 * known[0..nk); 1 stored, 0 not one of them, -1 with why. */
static long store_header(const known_header *known, size_t nk, const uint8_t *name, size_t nn, const uint8_t *v,
                         size_t vn, char *why, size_t cap)
{
    for (size_t i = 0; i < nk; i++) {
        const known_header *k = &known[i];
        if (strlen(k->name) != nn || strncasecmp(k->name, (const char *)name, nn) != 0)
            continue;
        size_t have = strlen(k->dst);
        if (have && !k->join) {
            snprintf(why, cap, "header %s given twice", k->name);
            return -1;
        }
        char one[1024];
        if (!copy_value(v, vn, one, sizeof one) || have + strlen(one) + 3 > k->cap) {
            snprintf(why, cap, "header %s is too long", k->name);
            return -1;
        }
        snprintf(k->dst + have, k->cap - have, "%s%s", have ? ", " : "", one);
        return 1;
    }
    return 0;
}

/* One header line of a response. */
static long reply_header(void *ctx, const uint8_t *name, size_t nn, const uint8_t *v, size_t vn, char *why,
                         size_t cap)
{
    io_http_head *out = ctx;
    const known_header known[] = {
        {"Upgrade", out->upgrade, sizeof out->upgrade, false},
        {"Sec-WebSocket-Accept", out->ws_accept, sizeof out->ws_accept, false},
        {"Sec-WebSocket-Protocol", out->ws_protocol, sizeof out->ws_protocol, false},
        {"Connection", out->connection, sizeof out->connection, true},
    };
    long r = store_header(known, sizeof known / sizeof known[0], name, nn, v, vn, why, cap);
    if (r != 0)
        return r < 0 ? -1 : 0;
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

/* The length of the head at the start of buf[0..len) (through CRLF CRLF,
 * within IO_HTTP_HEAD_MAX); 0 when it has not all arrived. */
static size_t head_end(const uint8_t *buf, size_t len)
{
    size_t limit = len < IO_HTTP_HEAD_MAX ? len : IO_HTTP_HEAD_MAX;
    for (size_t i = 0; i + 3 < limit; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n')
            return i + 4;
    return 0;
}

typedef long header_fn(void *ctx, const uint8_t *name, size_t nn, const uint8_t *v, size_t vn, char *why,
                       size_t cap);

/* The header lines from pos to the blank line ending at end, each to fn:
 * CRLF ends, token names, no folding, no control characters, at most
 * IO_HTTP_HEADERS_MAX lines.  0, or -1 with why. */
static long each_header(const uint8_t *buf, size_t pos, size_t end, header_fn *fn, void *ctx, char *why, size_t cap)
{
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
        if (fn(ctx, buf + pos, colon - pos, buf + colon + 1, le - colon - 1, why, cap) < 0)
            return -1;
        pos = le + 2;
    }
    return 0;
}

long io_http_reply_parse(const uint8_t *buf, size_t len, io_http_head *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    size_t end = head_end(buf, len);
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
    if (each_header(buf, eol + 2, end, reply_header, out, why, cap) < 0)
        return -1;
    return (long)end;
}

/* One header line of a request. */
static long request_header(void *ctx, const uint8_t *name, size_t nn, const uint8_t *v, size_t vn, char *why,
                           size_t cap)
{
    io_http_request *out = ctx;
    const known_header known[] = {
        {"Host", out->host, sizeof out->host, false},
        {"Upgrade", out->upgrade, sizeof out->upgrade, false},
        {"Sec-WebSocket-Key", out->ws_key, sizeof out->ws_key, false},
        {"Sec-WebSocket-Version", out->ws_version, sizeof out->ws_version, false},
        {"Connection", out->connection, sizeof out->connection, true},
        {"Sec-WebSocket-Protocol", out->ws_protocol, sizeof out->ws_protocol, true},
    };
    return store_header(known, sizeof known / sizeof known[0], name, nn, v, vn, why, cap) < 0 ? -1 : 0;
}

long io_http_request_parse(const uint8_t *buf, size_t len, io_http_request *out, char *why, size_t cap)
{
    memset(out, 0, sizeof *out);
    /* The request line so far: a method token, then printable ASCII.
     * Refused as soon as a byte shows it is no HTTP request (a TLS
     * ClientHello, an AMQP protocol header), so such a client hears
     * why at once instead of waiting for a head that never comes. */
    for (size_t i = 0; i < len && buf[i] != '\r'; i++) {
        if (i >= 4 && memcmp(buf, "AMQP", 4) == 0 && buf[4] < 0x20)
            return fail(why, cap, "an AMQP protocol header, not an HTTP request: this port speaks AMQP over "
                                  "WebSockets (ws:// or wss://)");
        if (buf[i] < 0x20 || buf[i] > 0x7e || (i == 0 && !is_tchar(buf[0])))
            return fail(why, cap, buf[0] == 0x16 ? "a TLS ClientHello, not an HTTP request: this port has no TLS "
                                                   "(use ws://, not wss://)"
                                                 : "not an HTTP request");
    }
    size_t end = head_end(buf, len);
    if (!end) {
        if (len >= IO_HTTP_HEAD_MAX) {
            snprintf(why, cap, "more than %u bytes of headers", IO_HTTP_HEAD_MAX);
            return -1;
        }
        return 0;
    }
    /* Request line: method SP request-target SP HTTP/1.1 CRLF */
    size_t m = 0;
    while (is_tchar(buf[m]))
        m++;
    if (m == 0 || m >= sizeof out->method || buf[m] != ' ')
        return fail(why, cap, "bad method in the request line");
    memcpy(out->method, buf, m);
    size_t t = m + 1, te = t;
    while (buf[te] > 0x20 && buf[te] < 0x7f)
        te++;
    if (te == t || buf[te] != ' ')
        return fail(why, cap, "bad request target in the request line");
    if (te - t >= sizeof out->target)
        return fail(why, cap, "request target too long");
    memcpy(out->target, buf + t, te - t);
    if (memcmp(buf + te, " HTTP/1.1\r\n", 11) != 0)
        return fail(why, cap, "the request line does not end with HTTP/1.1");
    if (each_header(buf, te + 11, end, request_header, out, why, cap) < 0)
        return -1;
    return (long)end;
}

/* Whether the comma-separated list holds token, compared with cmp. */
static bool list_find(const char *list, const char *token, int (*cmp)(const char *, const char *, size_t))
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
        if ((size_t)(t - p) == tn && cmp(p, token, tn) == 0)
            return true;
        p = e;
    }
    return false;
}

bool io_http_list_has(const char *list, const char *token)
{
    return list_find(list, token, strncasecmp);
}

bool io_http_list_has_exact(const char *list, const char *token)
{
    return list_find(list, token, strncmp);
}
