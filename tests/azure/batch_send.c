/* The sending side of the batch interop test: sends COUNT events to a peer
 * in Event Hubs batches (famqp/batch.h) of at most LIMIT bytes, each sent
 * with message-format 0x80013700 and waited for (accepted), then closes.
 * Event i's body is the string "event-<i>", padded with dots to 300
 * characters when i % 50 == 7 (a data section with a 32-bit length).
 *
 *   famqp-batch-send URL COUNT LIMIT [PARTITION_KEY] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <famqp/batch.h>
#include <famqp/client.h>

static int send_batch(famqp_sender *s, const famqp_batch *b)
{
    famqp_binary p = famqp_batch_payload(b);
    famqp_outcome o;
    famqp_client_status st = famqp_send_bytes_format(s, FAMQP_BATCH_MESSAGE_FORMAT, p.ptr, p.len, 10000, &o);
    if (st != FAMQP_CLIENT_OK || o.kind != FAMQP_OUTCOME_ACCEPTED) {
        fprintf(stderr, "batch of %u events: %s, outcome %s\n", famqp_batch_count(b), famqp_client_status_name(st),
                famqp_outcome_kind_name(o.kind));
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s URL COUNT LIMIT [PARTITION_KEY]\n", argv[0]);
        return 2;
    }
    int count = atoi(argv[2]);
    long limit = atol(argv[3]);
    const char *key = argc > 4 ? argv[4] : NULL;
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(argv[1], NULL, &c, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "connect: %s\n", err.message);
        return 1;
    }
    famqp_sender *s;
    if (famqp_sender_open(c, "hub", NULL, &s) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "sender: %s\n", famqp_client_last_error(c)->message);
        return 1;
    }
    static uint8_t buf[1 << 20];
    famqp_batch b;
    if (famqp_batch_init(&b, buf, sizeof buf, limit, key) != FAMQP_OK) {
        fprintf(stderr, "batch_init failed\n");
        return 1;
    }
    int batches = 0, rc = 0;
    for (int i = 0; i < count && rc == 0; i++) {
        char body[320];
        int n = snprintf(body, sizeof body, "event-%d", i);
        if (i % 50 == 7) {
            memset(body + n, '.', 300 - (size_t)n);
            body[300] = '\0';
        }
        famqp_message m;
        famqp_message_init(&m);
        famqp_message_set_string(&m, body);
        famqp_status st = famqp_batch_add(&b, &m);
        if (st == FAMQP_ERR_LIMIT && famqp_batch_count(&b)) { /* full: send it, start the next */
            rc = send_batch(s, &b);
            batches++;
            famqp_batch_clear(&b);
            st = famqp_batch_add(&b, &m);
        }
        if (st != FAMQP_OK) {
            fprintf(stderr, "event %d does not fit an empty batch of %ld bytes\n", i, limit);
            rc = -1;
        }
    }
    if (rc == 0 && famqp_batch_count(&b)) {
        rc = send_batch(s, &b);
        batches++;
    }
    famqp_client_close(c, 5000);
    if (rc != 0)
        return 1;
    printf("sent %d events in %d batches\n", count, batches);
    return 0;
}
