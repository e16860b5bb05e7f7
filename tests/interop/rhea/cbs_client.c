/* Test support for cbs.sh: flatamqp's blocking client with CBS (the
 * built-in SAS provider) against the rhea CBS peer (cbs_peer.js).
 *
 *   cbs_client URL KEYNAME KEY MODE ADDRESS [N]
 *
 * MODE sendrecv:  sends N messages to ADDRESS and receives them back.
 * MODE wrongkey:  opening a sender must fail with ERR_AUTH carrying the
 *                 peer's 401 description (printed).
 * MODE refresh:   3 s tokens, 2 s margin; sends one message every 200 ms
 *                 for N seconds, every one accepted.
 * MODE reconnect: sends N messages 50 ms apart with reconnect on (the
 *                 script restarts the peer meanwhile); every one accepted.
 * MODE mssbcbs:   as sendrecv with N 1 over SASL MSSBCBS.
 * Prints "puts P reconnects R" and exits 0 when all went as expected. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "famqp/client.h"

static int fail(famqp_client *c, const char *what)
{
    fprintf(stderr, "cbs_client: %s: %s\n", what, c ? famqp_client_last_error(c)->message : "");
    famqp_client_close(c, 1000);
    return 1;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static int send_one(famqp_client *c, famqp_sender *s, int i)
{
    char body[32];
    snprintf(body, sizeof body, "m%d", i);
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_string(&m, body);
    famqp_outcome o;
    if (famqp_send(s, &m, 20000, &o) != FAMQP_CLIENT_OK)
        return fail(c, "send");
    if (o.kind != FAMQP_OUTCOME_ACCEPTED) {
        fprintf(stderr, "cbs_client: message %d not accepted (outcome %d, %s)\n", i, (int)o.kind,
                o.error.description ? o.error.description : "");
        famqp_client_close(c, 1000);
        return 1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: cbs_client URL KEYNAME KEY MODE ADDRESS [N]\n");
        return 2;
    }
    const char *url = argv[1], *mode = argv[4], *address = argv[5];
    int n = argc > 6 ? atoi(argv[6]) : 10;
    famqp_client_options o;
    famqp_client_options_init(&o);
    famqp_cbs_use_sas(&o, argv[2], argv[3], 0);
    if (!strcmp(mode, "refresh")) {
        o.cbs.sas_lifetime_s = 3;
        o.cbs.refresh_margin_s = 2;
    } else if (!strcmp(mode, "reconnect")) {
        o.reconnect.max_attempts = 100;
        o.reconnect.initial_backoff_ms = 100;
        o.reconnect.max_backoff_ms = 200;
    } else if (!strcmp(mode, "mssbcbs")) {
        o.sasl_mechanisms = FAMQP_SASL_MSSBCBS;
        n = 1;
    }
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(url, &o, &c, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "cbs_client: connect: %s\n", err.message);
        return 1;
    }
    famqp_sender *s;
    famqp_client_status st = famqp_sender_open(c, address, NULL, &s);
    if (!strcmp(mode, "wrongkey")) {
        const famqp_client_error *e = famqp_client_last_error(c);
        printf("status %s description %s\n", st == FAMQP_CLIENT_ERR_AUTH ? "ERR_AUTH" : famqp_client_status_name(st),
               e->description);
        famqp_client_close(c, 1000);
        return st == FAMQP_CLIENT_ERR_AUTH && s == NULL ? 0 : 1;
    }
    if (st != FAMQP_CLIENT_OK)
        return fail(c, "sender open");
    if (!strcmp(mode, "refresh")) {
        for (int i = 0; i < n * 5; i++) {
            if (send_one(c, s, i))
                return 1;
            sleep_ms(200);
        }
    } else if (!strcmp(mode, "reconnect")) {
        for (int i = 0; i < n; i++) {
            if (send_one(c, s, i))
                return 1;
            sleep_ms(50);
        }
    } else {
        for (int i = 0; i < n; i++)
            if (send_one(c, s, i))
                return 1;
        famqp_receiver *r;
        if (famqp_receiver_open(c, address, NULL, &r) != FAMQP_CLIENT_OK)
            return fail(c, "receiver open");
        for (int i = 0; i < n; i++) {
            famqp_delivery *d;
            if (famqp_receive(r, 10000, &d) != FAMQP_CLIENT_OK)
                return fail(c, "receive");
            famqp_message m;
            famqp_string body;
            char want[32];
            snprintf(want, sizeof want, "m%d", i);
            if (famqp_delivery_read_message(d, &m, NULL) != FAMQP_OK || !famqp_message_get_string(&m, &body) ||
                body.len != strlen(want) || memcmp(body.ptr, want, body.len) != 0) {
                fprintf(stderr, "cbs_client: message %d is not %s\n", i, want);
                famqp_client_close(c, 1000);
                return 1;
            }
            famqp_delivery_accept(d);
        }
    }
    printf("puts %llu reconnects %llu\n", (unsigned long long)famqp_client_cbs_puts(c),
           (unsigned long long)famqp_client_reconnects(c));
    return famqp_client_close(c, 5000) == FAMQP_CLIENT_OK ? 0 : 1;
}
