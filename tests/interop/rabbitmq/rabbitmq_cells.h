/* Shared by the rabbitmq-cells interop program (rabbitmq_cells.c). */
#ifndef FAMQP_RABBITMQ_CELLS_H
#define FAMQP_RABBITMQ_CELLS_H

#include <stddef.h>
#include <stdint.h>

#include "famqp/client.h"

#define CELL_TIMEOUT_MS 20000

/* Prints "rabbitmq-cells: FAILED: ..." on stderr; returns 1. */
int failf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Connects (PLAIN allowed without TLS: loopback test broker); NULL after failf. */
famqp_client *connect_or_null(const char *url, uint32_t idle_ms);
const char *last(const famqp_client *c);
/* Encodes test message n (message-id n, a body derived from n). */
size_t encode_numbered(uint64_t n, uint8_t *buf, size_t cap);

/* The drain cell (famqp_receiver_drain). */
int cell_drain(const char *url, const char *queue);

#endif
