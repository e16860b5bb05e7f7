/* amqp[s]:// and ws[s]:// URL parsing for the socket driver (io.h), and
 * the proxy's http:// URL (io_proxy.c). */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io_internal.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Percent-decodes p[0..n) into out (cap bytes with the NUL). */
static bool decode_part(const char *url, const char *what, const char *p, size_t n, char *out, size_t cap,
                        famqp_io_error *err)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == '%') {
            if (i + 2 >= n) {
                io_errf(err, "URL '%s': truncated %%-escape in the %s", url, what);
                return false;
            }
            int h = hexval(p[i + 1]), l = hexval(p[i + 2]);
            if (h < 0 || l < 0) {
                io_errf(err, "URL '%s': bad %%-escape in the %s", url, what);
                return false;
            }
            c = (char)(h * 16 + l);
            if (c == '\0') {
                io_errf(err, "URL '%s': %%00 is not allowed in the %s", url, what);
                return false;
            }
            i += 2;
        }
        if (o + 1 >= cap) {
            io_errf(err, "URL '%s': the %s is longer than %zu bytes", url, what, cap - 1);
            return false;
        }
        out[o++] = c;
    }
    out[o] = '\0';
    return true;
}

/* The URL as error messages show it: the password (between the first ':'
 * of the user info and the last '@' before the path) replaced by "***", so
 * credentials never reach a log. */
static void mask_password(const char *text, char *out, size_t cap)
{
    const char *start = strstr(text, "://");
    start = start ? start + 3 : text;
    const char *end = start + strcspn(start, "/");
    const char *at = NULL;
    for (const char *q = start; q < end; q++)
        if (*q == '@')
            at = q;
    const char *colon = at ? memchr(start, ':', (size_t)(at - start)) : NULL;
    if (!colon)
        snprintf(out, cap, "%s", text);
    else
        snprintf(out, cap, "%.*s***%s", (int)(colon + 1 - text), text, at);
}

static bool parse(const char *text, const char *shown, bool proxy, famqp_url *out, famqp_io_error *err);

bool famqp_url_parse(const char *text, famqp_url *out, famqp_io_error *err)
{
    char shown[400] = "";
    if (text)
        mask_password(text, shown, sizeof shown);
    if (parse(text, shown, false, out, err))
        return true;
    memset(out, 0, sizeof *out); /* nothing half-parsed is left behind */
    io_argerr(err);
    return false;
}

bool io_proxy_url_parse(const char *text, famqp_url *out, famqp_io_error *err)
{
    char shown[400] = "";
    if (text)
        mask_password(text, shown, sizeof shown);
    if (parse(text, shown, true, out, err))
        return true;
    memset(out, 0, sizeof *out);
    io_argerr(err);
    return false;
}

static bool parse(const char *text, const char *shown, bool proxy, famqp_url *out, famqp_io_error *err)
{
    memset(out, 0, sizeof *out);
    if (err)
        *err = (famqp_io_error){.status = FAMQP_IO_OK};
    if (!text) {
        io_errf(err, "URL is NULL");
        return false;
    }
    const char *p;
    if (proxy) {
        if (strncmp(text, "http://", 7) != 0) {
            io_errf(err, "proxy URL '%s': scheme must be http://", shown);
            return false;
        }
        p = text + 7;
    } else if (strncmp(text, "amqps://", 8) == 0) {
        out->tls = true;
        p = text + 8;
    } else if (strncmp(text, "amqp://", 7) == 0) {
        p = text + 7;
    } else if (strncmp(text, "wss://", 6) == 0) {
        out->tls = out->websocket = true;
        p = text + 6;
    } else if (strncmp(text, "ws://", 5) == 0) {
        out->websocket = true;
        p = text + 5;
    } else {
        io_errf(err, "URL '%s': scheme must be amqp://, amqps://, ws:// or wss://", shown);
        return false;
    }
    /* authority ends at the first '/' */
    const char *slash = strchr(p, '/');
    const char *end = slash ? slash : p + strlen(p);
    /* userinfo: up to the last '@' in the authority (a password may
     * contain a percent-encoded '@' only, but be lenient). */
    const char *at = NULL;
    for (const char *q = p; q < end; q++)
        if (*q == '@')
            at = q;
    if (at) {
        const char *colon = memchr(p, ':', (size_t)(at - p));
        const char *uend = colon ? colon : at;
        if (!decode_part(shown, "user name", p, (size_t)(uend - p), out->user, sizeof out->user, err))
            return false;
        if (colon && !decode_part(shown, "password", colon + 1, (size_t)(at - colon - 1), out->password,
                                  sizeof out->password, err))
            return false;
        p = at + 1;
    }
    /* host: [v6] or up to ':' */
    const char *hend, *portp = NULL;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(end - p));
        if (!rb) {
            io_errf(err, "URL '%s': missing ']' after IPv6 address", shown);
            return false;
        }
        if ((size_t)(rb - p - 1) >= sizeof out->host) {
            io_errf(err, "URL '%s': host name too long", shown);
            return false;
        }
        memcpy(out->host, p + 1, (size_t)(rb - p - 1));
        out->host[rb - p - 1] = '\0';
        hend = rb + 1;
        if (hend < end && *hend != ':') {
            io_errf(err, "URL '%s': unexpected text after ']'", shown);
            return false;
        }
    } else {
        hend = memchr(p, ':', (size_t)(end - p));
        if (!hend)
            hend = end;
        if ((size_t)(hend - p) >= sizeof out->host) {
            io_errf(err, "URL '%s': host name too long", shown);
            return false;
        }
        memcpy(out->host, p, (size_t)(hend - p));
        out->host[hend - p] = '\0';
    }
    if (!out->host[0]) {
        io_errf(err, "URL '%s': host is missing", shown);
        return false;
    }
    if (hend < end && *hend == ':')
        portp = hend + 1;
    if (portp) {
        unsigned long v = 0;
        if (portp == end) {
            io_errf(err, "URL '%s': port is empty", shown);
            return false;
        }
        for (const char *q = portp; q < end; q++) {
            if (*q < '0' || *q > '9' || v > 65535) {
                io_errf(err, "URL '%s': port must be a number from 1 to 65535", shown);
                return false;
            }
            v = v * 10 + (unsigned long)(*q - '0');
        }
        if (v == 0 || v > 65535) {
            io_errf(err, "URL '%s': port must be a number from 1 to 65535", shown);
            return false;
        }
        out->port = (uint16_t)v;
    } else if (proxy) {
        io_errf(err, "proxy URL '%s': the port is missing (http://host:port)", shown);
        return false;
    } else if (out->websocket) {
        out->port = out->tls ? FAMQP_URL_PORT_WSS : FAMQP_URL_PORT_WS;
    } else {
        out->port = out->tls ? FAMQP_URL_PORT_AMQPS : FAMQP_URL_PORT_AMQP;
    }
    if (proxy) {
        if (slash && slash[1]) {
            io_errf(err, "proxy URL '%s': a proxy URL has no path", shown);
            return false;
        }
        return true;
    }
    if (out->websocket) {
        /* The whole path is the upgrade request's; it goes on the request
         * line as written, so nothing that could end or split it. */
        const char *path = slash && slash[1] ? slash : FAMQP_URL_WS_PATH;
        size_t n = strlen(path);
        if (n >= sizeof out->ws_path) {
            io_errf(err, "URL '%s': path longer than %zu bytes", shown, sizeof out->ws_path - 1);
            return false;
        }
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)path[i] <= 0x20 || path[i] == 0x7f) {
                io_errf(err, "URL '%s': the path must not hold spaces or control characters", shown);
                return false;
            }
        memcpy(out->ws_path, path, n + 1);
        return true;
    }
    if (slash) {
        size_t n = strlen(slash + 1);
        if (n >= sizeof out->address) {
            io_errf(err, "URL '%s': address longer than %zu bytes", shown, sizeof out->address - 1);
            return false;
        }
        memcpy(out->address, slash + 1, n + 1);
    }
    return true;
}
