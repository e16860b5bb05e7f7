/* The receiving side of azure_batch_through_broker: receives Event Hubs
 * batches from ADDRESS until COUNT events arrived, and checks that every
 * transfer still carries message-format 0x80013700 (a broker in between
 * must pass the format on, or the batch reads as one odd message) and
 * that the events, split with famqp_batch_reader, are batch_send.c's
 * "event-<i>" in order (the long ones padded with dots).
 *
 *   famqp-batch-recv URL ADDRESS COUNT */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <famqp/batch.h>
#include <famqp/client.h>

static int check_event(const famqp_message *ev, int i)
{
    char want[320];
    int n = snprintf(want, sizeof want, "event-%d", i);
    if (i % 50 == 7) {
        memset(want + n, '.', 300 - (size_t)n);
        want[300] = '\0';
    }
    famqp_string got;
    if (!famqp_message_get_string(ev, &got) || got.len != strlen(want) || memcmp(got.ptr, want, got.len)) {
        fprintf(stderr, "event %d: not the string \"%.20s...\" that was sent\n", i, want);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s URL ADDRESS COUNT\n", argv[0]);
        return 2;
    }
    int count = atoi(argv[3]), events = 0, batches = 0;
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(argv[1], NULL, &c, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "connect: %s\n", err.message);
        return 1;
    }
    famqp_receiver *r;
    if (famqp_receiver_open(c, argv[2], NULL, &r) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "receiver: %s\n", famqp_client_last_error(c)->message);
        return 1;
    }
    int rc = 0;
    while (events < count && rc == 0) {
        famqp_delivery *d;
        famqp_client_status st = famqp_receive(r, 20000, &d);
        if (st != FAMQP_CLIENT_OK) {
            fprintf(stderr, "receive after %d events: %s\n", events, famqp_client_status_name(st));
            rc = -1;
            break;
        }
        uint32_t format = famqp_delivery_message_format(d);
        if (format != FAMQP_BATCH_MESSAGE_FORMAT) {
            fprintf(stderr, "batch %d arrived with message-format 0x%x, not 0x%x\n", batches, (unsigned)format,
                    (unsigned)FAMQP_BATCH_MESSAGE_FORMAT);
            rc = -1;
        }
        famqp_binary raw = famqp_delivery_message(d);
        famqp_batch_reader br;
        famqp_error e;
        if (rc == 0 && famqp_batch_reader_init(&br, raw.ptr, raw.len, &e) != FAMQP_OK) {
            fprintf(stderr, "batch %d: %s in %s %s at %zu\n", batches, famqp_status_name(e.status), e.type ? e.type : "?", e.field ? e.field : "", e.offset);
            rc = -1;
        }
        famqp_message ev;
        while (rc == 0 && famqp_batch_next(&br, &ev))
            rc = check_event(&ev, events++);
        if (rc == 0 && famqp_batch_reader_status(&br, &e) != FAMQP_OK) {
            fprintf(stderr, "batch %d: %s in %s %s at %zu\n", batches, famqp_status_name(e.status), e.type ? e.type : "?", e.field ? e.field : "", e.offset);
            rc = -1;
        }
        batches++;
        famqp_delivery_accept(d);
    }
    famqp_client_close(c, 5000);
    if (rc != 0 || events != count) {
        fprintf(stderr, "%d of %d events\n", events, count);
        return 1;
    }
    printf("received %d events in %d batches, each with message-format 0x%x\n", events, batches,
           (unsigned)FAMQP_BATCH_MESSAGE_FORMAT);
    return 0;
}
