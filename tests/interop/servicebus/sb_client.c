/* flatamqp's side of the Service Bus interop proof: the same sequence as
 * sdk_client.js (Microsoft's client) through famqp/servicebus.h against
 * sb_peer.js: receive four peek-lock messages from "q", complete the
 * first, abandon the second with {"x-why": "retry"}, dead-letter the third
 * (reason "poison", description "could not parse"), renew the fourth's
 * lock, then defer it; then accept session "s-1" of "sq" (renewing the
 * session's lock and completing its first message) and the next available
 * session.  Prints what
 * sdk_client.js prints.
 *
 *   famqp-sb-client PORT */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "famqp/servicebus.h"

static int fail(famqp_client *c, const char *what)
{
    fprintf(stderr, "famqp-sb-client: %s: %s\n", what, famqp_client_last_error(c)->message);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: famqp-sb-client PORT\n");
        return 2;
    }
    char url[64];
    snprintf(url, sizeof url, "amqp://127.0.0.1:%s", argv[1]);
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(url, NULL, &c, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "famqp-sb-client: connect: %s\n", err.message);
        return 1;
    }
    famqp_sb_receiver_options o;
    famqp_sb_receiver_options_init(&o);
    o.prefetch = 4;
    famqp_sb_receiver *r;
    if (famqp_sb_receiver_open(c, "q", &o, &r) != FAMQP_CLIENT_OK)
        return fail(c, "open");
    famqp_delivery *d[4];
    for (int i = 0; i < 4; i++) {
        famqp_sb_message_info info;
        if (famqp_sb_receive(r, 10000, &d[i]) != FAMQP_CLIENT_OK)
            return fail(c, "receive");
        if (famqp_sb_message_info_read(d[i], &info, NULL) != FAMQP_OK || !info.has_lock_token) {
            fprintf(stderr, "famqp-sb-client: message %d has no lock token\n", i);
            return 1;
        }
        printf("lock %d %s\n", i, info.lock_token_text);
    }
    /* the properties to modify, string-keyed as the SDK sends a JS object */
    uint8_t buf[64];
    famqp_writer w;
    famqp_writer_init(&w, buf, sizeof buf);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "x-why");
    famqp_write_cstring(&w, "retry");
    famqp_write_map_end(&w);
    famqp_map props;
    if (!famqp_map_of(buf, famqp_writer_len(&w), &props))
        return 1;
    if (famqp_sb_complete(r, d[0], 10000) != FAMQP_CLIENT_OK)
        return fail(c, "complete");
    if (famqp_sb_abandon(r, d[1], &props, 10000) != FAMQP_CLIENT_OK)
        return fail(c, "abandon");
    if (famqp_sb_dead_letter(r, d[2], "poison", "could not parse", NULL, 10000) != FAMQP_CLIENT_OK)
        return fail(c, "dead-letter");
    famqp_sb_message_info info;
    int64_t until = 0;
    if (famqp_sb_message_info_read(d[3], &info, NULL) != FAMQP_OK ||
        famqp_sb_renew_lock(r, info.lock_token, 10000, &until) != FAMQP_CLIENT_OK)
        return fail(c, "renew-lock");
    printf("renewed %" PRId64 "\n", until);
    if (famqp_sb_defer(r, d[3], NULL, 10000) != FAMQP_CLIENT_OK)
        return fail(c, "defer");
    famqp_sb_receiver_close(r, 5000);
    /* sessions: the one asked for (complete its first message), then the next available */
    o.session = true;
    o.prefetch = 1;
    for (int k = 0; k < 2; k++) {
        o.session_id = k == 0 ? "s-1" : NULL;
        if (famqp_sb_receiver_open(c, "sq", &o, &r) != FAMQP_CLIENT_OK)
            return fail(c, "session open");
        int64_t ms = 0;
        famqp_sb_receiver_session_locked_until(r, &ms);
        printf("session %s locked until %" PRId64 "\n", famqp_sb_receiver_session_id(r), ms);
        if (k == 0) {
            famqp_delivery *sd;
            if (famqp_sb_receive(r, 10000, &sd) != FAMQP_CLIENT_OK)
                return fail(c, "session s-1 receive");
            if (famqp_sb_renew_session_lock(r, 10000, &ms) != FAMQP_CLIENT_OK)
                return fail(c, "renew-session-lock");
            printf("session renewed %" PRId64 "\n", ms);
            if (famqp_sb_complete(r, sd, 10000) != FAMQP_CLIENT_OK)
                return fail(c, "session s-1 complete");
        }
        famqp_sb_receiver_close(r, 5000);
    }
    famqp_client_close(c, 5000);
    printf("done\n");
    return 0;
}
