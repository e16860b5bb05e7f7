/* The tutorial's program (docs/tutorial.md): connects to an AMQP 1.0 peer,
 * sends three messages to a queue, waiting for each to be accepted, then
 * receives them back and accepts each.  Built and run by CTest against
 * famqp-broker, so the tutorial cannot go stale.
 *
 *     send_receive URL QUEUE       e.g. send_receive amqp://127.0.0.1:5672 tutorial
 */
#include <stdio.h>
#include <string.h>

#include <famqp/client.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: send_receive URL QUEUE\n");
        return 2;
    }
    const char *url = argv[1], *queue = argv[2];

    /* 1. Connect: TCP (or TLS for amqps://), SASL, open, begin. */
    famqp_client *client;
    famqp_client_error err;
    if (famqp_client_connect(url, NULL, &client, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "connect: %s\n", err.message);
        return 1;
    }

    /* 2. Send: famqp_send waits (here at most 5 s) for the peer's outcome. */
    famqp_sender *sender;
    if (famqp_sender_open(client, queue, NULL, &sender) != FAMQP_CLIENT_OK)
        goto failed;
    for (int i = 1; i <= 3; i++) {
        char text[32];
        int len = snprintf(text, sizeof text, "hello %d", i);
        famqp_message m;
        famqp_message_init(&m);
        famqp_message_set_data(&m, text, (size_t)len); /* a view: text must live until sent */
        famqp_outcome outcome;
        if (famqp_send(sender, &m, 5000, &outcome) != FAMQP_CLIENT_OK)
            goto failed;
        if (outcome.kind != FAMQP_OUTCOME_ACCEPTED) {
            fprintf(stderr, "message %d was not accepted\n", i);
            famqp_client_close(client, 1000);
            return 1;
        }
        printf("sent: %s\n", text);
    }

    /* 3. Receive: a delivery stays valid until it is settled. */
    famqp_receiver *receiver;
    if (famqp_receiver_open(client, queue, NULL, &receiver) != FAMQP_CLIENT_OK)
        goto failed;
    for (int i = 1; i <= 3; i++) {
        famqp_delivery *d;
        if (famqp_receive(receiver, 5000, &d) != FAMQP_CLIENT_OK)
            goto failed;
        famqp_message m;
        famqp_error derr;
        if (famqp_delivery_read_message(d, &m, &derr) != FAMQP_OK) {
            char why[256];
            famqp_error_format(&derr, why, sizeof why);
            fprintf(stderr, "undecodable message: %s\n", why);
            famqp_delivery_reject(d, NULL, NULL);
            continue;
        }
        /* The body is one or more sections; ours is one data section. */
        famqp_body_iter it;
        famqp_any_section section;
        famqp_message_body_iter(&m, &it);
        while (famqp_message_body_next(&it, &section))
            if (section.kind == FAMQP_ANY_SECTION_DATA)
                printf("received: %.*s\n", (int)section.u.data.value.len, (const char *)section.u.data.value.ptr);
        famqp_delivery_accept(d); /* frees d once the accept is written */
    }

    /* 4. Close: detaches every link, ends the session, closes the
     *    connection and frees everything. */
    return famqp_client_close(client, 5000) == FAMQP_CLIENT_OK ? 0 : 1;

failed:
    fprintf(stderr, "failed: %s\n", famqp_client_last_error(client)->message);
    famqp_client_close(client, 1000);
    return 1;
}
