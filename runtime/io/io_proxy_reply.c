/* The HTTP CONNECT exchange with a proxy (io_proxy.h): the request with
 * Basic credentials and the check of the reply head. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>

#include "io_proxy.h"

size_t io_proxy_request(char *buf, size_t cap, const char *host, uint16_t port, const char *user,
                        const char *password)
{
    bool v6 = strchr(host, ':') != NULL;
    char target[300];
    snprintf(target, sizeof target, v6 ? "[%s]:%u" : "%s:%u", host, (unsigned)port);
    char auth[1100] = "";
    if (user[0]) {
        /* user and password are at most 255 bytes each (famqp_url). */
        char plain[520];
        unsigned char b64[704];
        int pn = snprintf(plain, sizeof plain, "%s:%s", user, password);
        if (pn < 0 || (size_t)pn >= sizeof plain)
            return 0;
        EVP_EncodeBlock(b64, (const unsigned char *)plain, pn);
        snprintf(auth, sizeof auth, "Proxy-Authorization: Basic %s\r\n", (const char *)b64);
    }
    int n = snprintf(buf, cap, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n%s\r\n", target, target, auth);
    return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

bool io_proxy_check_reply(const io_http_head *h, const char *label, bool authed, char *why, size_t cap)
{
    if (h->status >= 200 && h->status < 300)
        return true;
    if (h->status == 407) {
        if (authed)
            snprintf(why, cap, "proxy %s refused the credentials: 407 %s", label, h->reason);
        else
            snprintf(why, cap, "proxy %s requires authentication (407 %s%s%s): give user:password in the proxy URL",
                     label, h->reason, h->proxy_auth[0] ? "; " : "", h->proxy_auth);
        return false;
    }
    snprintf(why, cap, "proxy %s answered CONNECT with %d %s", label, h->status, h->reason);
    return false;
}
