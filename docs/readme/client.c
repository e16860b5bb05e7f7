#include <stdio.h>
#include <famqp/client.h>

int main(int argc, char **argv)
{
    const char *url = argc > 1 ? argv[1] : "amqp://127.0.0.1:5672";
    famqp_client *client;
    famqp_client_error err;
    if (famqp_client_connect(url, NULL, &client, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "connect: %s\n", err.message);
        return 1;
    }
    /* Send "hello" to the queue "greetings"; famqp_send waits for the outcome. */
    famqp_sender *sender;
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_data(&m, "hello", 5);
    famqp_outcome outcome;
    if (famqp_sender_open(client, "greetings", NULL, &sender) != FAMQP_CLIENT_OK ||
        famqp_send(sender, &m, 5000, &outcome) != FAMQP_CLIENT_OK || outcome.kind != FAMQP_OUTCOME_ACCEPTED)
        goto failed;
    /* Receive it back, print it and accept it. */
    famqp_receiver *receiver;
    famqp_delivery *d;
    famqp_error derr;
    if (famqp_receiver_open(client, "greetings", NULL, &receiver) != FAMQP_CLIENT_OK ||
        famqp_receive(receiver, 5000, &d) != FAMQP_CLIENT_OK)
        goto failed;
    if (famqp_delivery_read_message(d, &m, &derr) == FAMQP_OK)
        famqp_message_print(stdout, &m);
    famqp_delivery_accept(d);
    return famqp_client_close(client, 5000) == FAMQP_CLIENT_OK ? 0 : 1;
failed:
    fprintf(stderr, "failed: %s\n", famqp_client_last_error(client)->message);
    famqp_client_close(client, 1000);
    return 1;
}
