/* many_queues: attaches and detaches a sender to each of N distinct
 * addresses, one after another on one connection, to see how a broker
 * holds many queues (issue 18, item 3).
 *
 *   many_queues URL N NAME_LEN [--timeout S]
 *
 * Address i is "mq-<i>-" padded with 'x' to NAME_LEN bytes (at least 16).
 * Prints "attached and detached N senders to distinct addresses in T s
 * (first 1000: A ms, last 1000: B ms)" (informational: the test asserts
 * the broker's own counters, not time).  A refused attach prints
 * "refused address i: CONDITION: DESCRIPTION" and exits 1; any other
 * failure, or --timeout S (default 120) passing, exits 1 too; 2: usage.
 *
 * Threads: one (the synchronous client). */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <famqp/client.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc != 4 && !(argc == 6 && strcmp(argv[4], "--timeout") == 0)) {
        fprintf(stderr, "usage: many_queues URL N NAME_LEN [--timeout S]\n");
        return 2;
    }
    size_t n = strtoul(argv[2], NULL, 10), len = strtoul(argv[3], NULL, 10);
    double limit = argc == 6 ? strtod(argv[5], NULL) : 120;
    if (n == 0 || len < 16 || len > 4096 || limit <= 0) {
        fprintf(stderr, "many_queues: N at least 1, NAME_LEN 16 to 4096, a positive timeout\n");
        return 2;
    }
    famqp_client *c;
    famqp_client_error err;
    if (famqp_client_connect(argv[1], NULL, &c, &err) != FAMQP_CLIENT_OK) {
        fprintf(stderr, "many_queues: %s\n", err.message);
        return 1;
    }
    char *addr = malloc(len + 1);
    if (!addr)
        return 1;
    double start = now_s(), first = 0, last_start = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        int k = snprintf(addr, len + 1, "mq-%zu-", i);
        memset(addr + k, 'x', len - (size_t)k);
        addr[len] = '\0';
        if (i + 1000 == n || (n < 1000 && i == 0))
            last_start = now_s();
        famqp_sender *s;
        famqp_client_status st = famqp_sender_open(c, addr, NULL, &s);
        if (st == FAMQP_CLIENT_OK)
            st = famqp_sender_close(s, 10000);
        if (st != FAMQP_CLIENT_OK) {
            const famqp_client_error *e = famqp_client_last_error(c);
            if (e->condition[0])
                printf("refused address %zu: %s: %s\n", i, e->condition, e->description);
            else
                fprintf(stderr, "many_queues: address %zu: %s\n", i, e->message);
            rc = 1;
            break;
        }
        if (i + 1 == 1000 || (n < 1000 && i + 1 == n))
            first = now_s() - start;
        if (now_s() - start > limit) {
            fprintf(stderr, "many_queues: --timeout %g s passed after %zu addresses\n", limit, i + 1);
            rc = 1;
            break;
        }
    }
    if (rc == 0)
        printf("attached and detached %zu senders to distinct addresses in %.1f s (first 1000: %.0f ms, last "
               "1000: %.0f ms)\n",
               n, now_s() - start, first * 1000, (now_s() - last_start) * 1000);
    free(addr);
    famqp_client_close(c, 5000);
    return rc;
}
