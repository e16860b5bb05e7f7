/* Downstream program that uses the client API, so linking it pulls in the
 * socket/TLS driver and with it OpenSSL: what a static link through
 * pkg-config must resolve (Requires.private in flatamqp.pc).  Connects with
 * amqps:// to a port nothing listens on (127.0.0.1:1) and expects a clean
 * connection error; exit status 0 only then. */
#include <famqp/client.h>

#include <stdio.h>

int main(void)
{
    famqp_client_options options;
    famqp_client_options_init(&options);
    options.connect_timeout_ms = 2000;
    famqp_client *client = NULL;
    famqp_client_error err;
    famqp_client_status st = famqp_client_connect("amqps://127.0.0.1:1", &options, &client, &err);
    if (st != FAMQP_CLIENT_ERR_CONNECT) {
        fprintf(stderr, "consumer_client: expected %s, got %s: %s\n",
                famqp_client_status_name(FAMQP_CLIENT_ERR_CONNECT), famqp_client_status_name(st), err.message);
        return 1;
    }
    printf("consumer_client: refused as expected: %s\n", err.message);
    return 0;
}
