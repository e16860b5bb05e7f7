/* stall_clients: N connections to a broker, each with a receiver granting
 * CREDIT on ADDRESS, that then never read their sockets again (the
 * process sleeps until killed): the broker's output to them piles up in
 * the socket buffers.  Prints "stalled N" once all are attached.
 * usage: stall_clients URL ADDRESS N CREDIT */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <famqp/client.h>

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: stall_clients URL ADDRESS N CREDIT\n");
        return 2;
    }
    int n = atoi(argv[3]);
    famqp_receiver_options ro;
    famqp_receiver_options_init(&ro);
    ro.credit_window = (uint32_t)strtoul(argv[4], NULL, 10);
    for (int i = 0; i < n; i++) {
        famqp_client *c;
        famqp_client_error err;
        famqp_receiver *r;
        if (famqp_client_connect(argv[1], NULL, &c, &err) != FAMQP_CLIENT_OK) {
            fprintf(stderr, "stall_clients: connection %d: %s\n", i, err.message);
            return 1;
        }
        if (famqp_receiver_open(c, argv[2], &ro, &r) != FAMQP_CLIENT_OK) {
            fprintf(stderr, "stall_clients: receiver %d refused\n", i);
            return 1;
        }
        famqp_client_pump(c, 0); /* the credit goes out */
    }
    printf("stalled %d\n", n);
    fflush(stdout);
    for (;;)
        pause(); /* never reads again; the sockets close when killed */
}
