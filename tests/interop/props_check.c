/* famqp-props-check URL: our blocking client against a peer that checks
 * what we send and answers with its own values (tests/interop/props_peer.py,
 * a Qpid Proton peer).  Sets connection properties and capabilities, a
 * dynamic receiver with a selector and a session filter, expiry policy,
 * timeout, durability, node properties, link properties and terminus
 * capabilities, and a sender with its own; then reads back every value the
 * peer set on its open and attaches.  Prints one line per mismatch; exits
 * 0 when all matched.  famqp-props-async-check does the same with the
 * async client. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/client.h"
#include "props_common.h"

int main(int argc, char **argv)
{
    props_program = "famqp-props-check";
    if (argc != 2) {
        fprintf(stderr, "usage: famqp-props-check URL\n");
        return 2;
    }
    uint8_t cbuf[128];
    famqp_client_options co;
    famqp_client_options_init(&co);
    co.properties = props_connection_properties(cbuf, sizeof cbuf);
    co.offered_capabilities = (famqp_symbols){props_offered, 2};
    co.desired_capabilities = (famqp_symbols){props_desired, 1};
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(argv[1], &co, &c, &err) != FAMQP_CLIENT_OK) {
        printf("famqp-props-check: FAILED: connect: %s\n", err.message);
        return 1;
    }
    props_check_connection(famqp_client_connection(c));

    /* A dynamic receiver with every terminus option and two filters. */
    static const char *const queue_cap[] = {"queue"};
    uint8_t rprops[64], node[64], filter[256];
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.dynamic = true;
    ro.durable = 2;
    ro.link.expiry_policy = "never";
    ro.link.timeout = 30;
    ro.link.properties = props_fields(rprops, sizeof rprops, "role", "receiver");
    ro.link.source_capabilities = (famqp_symbols){queue_cap, 1};
    ro.link.dynamic_node_properties = props_node_properties(node, sizeof node);
    ro.filter = props_filter(filter, sizeof filter);
    famqp_receiver *r;
    if (famqp_receiver_open(c, NULL, &ro, &r) != FAMQP_CLIENT_OK) {
        printf("famqp-props-check: FAILED: receiver: %s\n", famqp_client_last_error(c)->message);
        return 1;
    }
    props_check_receiver(famqp_receiver_link(r), famqp_receiver_address(r));

    /* A sender with target capabilities, durability and expiry. */
    static const char *const topic_caps[] = {"topic", "shared"};
    uint8_t sprops[64];
    famqp_sender_options so;
    famqp_sender_options_init(&so);
    so.durable = 1;
    so.link.expiry_policy = "link-detach";
    so.link.properties = props_fields(sprops, sizeof sprops, "role", "sender");
    so.link.target_capabilities = (famqp_symbols){topic_caps, 2};
    famqp_sender *s;
    if (famqp_sender_open(c, "props-q", &so, &s) != FAMQP_CLIENT_OK) {
        printf("famqp-props-check: FAILED: sender: %s\n", famqp_client_last_error(c)->message);
        return 1;
    }
    props_check_link("sender", famqp_sender_link(s), "answer-sender");
    famqp_client_close(c, 5000);
    if (props_failures)
        return 1;
    printf("famqp-props-check: the peer's connection and 2 links read, ok\n");
    return 0;
}
