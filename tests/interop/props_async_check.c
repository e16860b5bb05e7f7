/* famqp-props-async-check URL: famqp-props-check's scenario with the async
 * client (famqp/async.h) against tests/interop/props_peer.py: connection
 * properties and capabilities in the open, a dynamic receiver with every
 * terminus option and two filters, a sender with its own, all given as
 * famqp_link_options; then every value the peer answered is read back
 * through famqp_async_connection / famqp_async_*_link.  Prints one line per
 * mismatch; exits 0 when all matched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "famqp/async.h"
#include "props_common.h"

static bool opened, closed;
static char failure[1024];

static void on_event(famqp_async_conn *c, const famqp_async_event *e, void *arg)
{
    (void)c;
    (void)arg;
    if (e->type == FAMQP_ASYNC_OPENED)
        opened = true;
    else if (e->type == FAMQP_ASYNC_CLOSED) {
        closed = true;
        snprintf(failure, sizeof failure, "%s", e->message);
    }
}

static void on_message(famqp_async_receiver *r, famqp_async_delivery *d, void *arg)
{
    (void)r;
    (void)d;
    (void)arg;
}

static void on_closed(famqp_async_conn *c, void *arg)
{
    (void)c;
    *(bool *)arg = true;
}

/* The peer answered the link's attach (it always sets link properties). */
static bool answered(famqp_link *l) { return l && famqp_link_remote_properties(l).count > 0; }

/* Runs the loop until *flag, a link answered, or 10 s. */
static bool run_until(famqp_loop *loop, const bool *flag, famqp_link *(*link_of)(const void *), const void *obj)
{
    time_t end = time(NULL) + 10;
    while (time(NULL) < end && !closed) {
        if (flag ? *flag : answered(link_of(obj)))
            return true;
        famqp_loop_run_once(loop, 100, NULL);
    }
    return false;
}

static famqp_link *receiver_link(const void *r) { return famqp_async_receiver_link(r); }
static famqp_link *sender_link(const void *s) { return famqp_async_sender_link(s); }

int main(int argc, char **argv)
{
    props_program = "famqp-props-async-check";
    if (argc != 2) {
        fprintf(stderr, "usage: famqp-props-async-check URL\n");
        return 2;
    }
    famqp_loop *loop;
    if (famqp_loop_new(NULL, &loop) != FAMQP_LOOP_OK)
        return 1;
    uint8_t cbuf[128];
    famqp_async_options co;
    famqp_async_options_init(&co);
    co.properties = props_connection_properties(cbuf, sizeof cbuf);
    co.offered_capabilities = (famqp_symbols){props_offered, 2};
    co.desired_capabilities = (famqp_symbols){props_desired, 1};
    co.on_event = on_event;
    famqp_async_conn *c;
    if (famqp_async_connect(loop, argv[1], &co, &c) != FAMQP_ASYNC_OK) {
        printf("%s: FAILED: connect refused\n", props_program);
        return 1;
    }
    memset(cbuf, 0xEE, sizeof cbuf); /* copied by famqp_async_connect */
    if (!run_until(loop, &opened, NULL, NULL)) {
        printf("%s: FAILED: not open: %s\n", props_program, failure);
        return 1;
    }
    props_check_connection(famqp_async_connection(c));

    /* A dynamic receiver with every terminus option and two filters. */
    static const char *const queue_cap[] = {"queue"};
    uint8_t rprops[64], node[64], filter[256];
    famqp_link_options rl;
    famqp_link_options_init(&rl);
    rl.dynamic = true;
    rl.durable = 2;
    rl.expiry_policy = "never";
    rl.timeout = 30;
    rl.properties = props_fields(rprops, sizeof rprops, "role", "receiver");
    rl.source_capabilities = (famqp_symbols){queue_cap, 1};
    rl.dynamic_node_properties = props_node_properties(node, sizeof node);
    rl.source_filter = props_filter(filter, sizeof filter);
    famqp_async_receiver_options ro;
    famqp_async_receiver_options_init(&ro);
    ro.link = &rl;
    famqp_async_receiver *r;
    if (famqp_async_receiver_open(c, NULL, &ro, on_message, NULL, &r) != FAMQP_ASYNC_OK) {
        printf("%s: FAILED: receiver refused\n", props_program);
        return 1;
    }
    /* The options were copied: the buffers may be reused at once. */
    memset(filter, 0xEE, sizeof filter);
    memset(node, 0xEE, sizeof node);
    if (!run_until(loop, NULL, receiver_link, r))
        printf("%s: FAILED: the receiver's attach was not answered\n", props_program), props_failures++;
    props_check_receiver(famqp_async_receiver_link(r), famqp_async_receiver_address(r));

    /* A sender with target capabilities, durability and expiry. */
    static const char *const topic_caps[] = {"topic", "shared"};
    uint8_t sprops[64];
    famqp_link_options sl;
    famqp_link_options_init(&sl);
    sl.durable = 1;
    sl.expiry_policy = "link-detach";
    sl.properties = props_fields(sprops, sizeof sprops, "role", "sender");
    sl.target_capabilities = (famqp_symbols){topic_caps, 2};
    famqp_async_sender_options so;
    famqp_async_sender_options_init(&so);
    so.link = &sl;
    famqp_async_sender *s;
    if (famqp_async_sender_open(c, "props-q", &so, &s) != FAMQP_ASYNC_OK) {
        printf("%s: FAILED: sender refused\n", props_program);
        return 1;
    }
    if (!run_until(loop, NULL, sender_link, s))
        printf("%s: FAILED: the sender's attach was not answered\n", props_program), props_failures++;
    props_check_link("sender", famqp_async_sender_link(s), "answer-sender");
    bool done = false;
    famqp_async_close(c, on_closed, &done);
    run_until(loop, &done, NULL, NULL);
    famqp_loop_free(loop);
    if (props_failures)
        return 1;
    printf("%s: the peer's connection and 2 links read, ok\n", props_program);
    return 0;
}
