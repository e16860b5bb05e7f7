/* What the two properties checks (famqp-props-check, blocking client;
 * famqp-props-async-check, async client) share against props_peer.py: the
 * values the peer expects from us, and the checks of what it answers. */
#ifndef PROPS_COMMON_H
#define PROPS_COMMON_H

#include <stdio.h>

#include "famqp/engine.h"
#include "famqp/message.h"

extern int props_failures;

#define CHECK(cond, ...)                                                                                               \
    do {                                                                                                               \
        if (!(cond)) {                                                                                                 \
            printf("%s: FAILED: ", props_program);                                                                    \
            printf(__VA_ARGS__);                                                                                       \
            putchar('\n');                                                                                             \
            props_failures++;                                                                                          \
        }                                                                                                              \
    } while (0)

extern const char *props_program;

/* Our open's properties {product: PROGRAM, famqp-n: 7} into buf. */
famqp_map props_connection_properties(uint8_t *buf, size_t cap);
extern const char *const props_offered[2];
extern const char *const props_desired[1];

/* A fields map {key: value} into buf. */
famqp_map props_fields(uint8_t *buf, size_t cap, const char *key, const char *value);

/* The receiver's dynamic-node-properties and filter set (selector and
 * session filter) into the buffers. */
famqp_map props_node_properties(uint8_t *buf, size_t cap);
famqp_map props_filter(uint8_t *buf, size_t cap);

/* The peer's open and one link's answer ("answer-receiver", ...). */
void props_check_connection(famqp_connection *conn);
void props_check_link(const char *what, famqp_link *l, const char *answer);
/* The receiver's link: the dynamic address and the peer's filter. */
void props_check_receiver(famqp_link *l, const char *address);

#endif
