/* The broker tests' C checkers (cbs_check.c, eventhub_check.c): CHECK
 * ends the run with exit 1 and says where and why at the first failure. */
#ifndef FAMQP_BROKER_CHECK_H
#define FAMQP_BROKER_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...)                                                                                   \
    do {                                                                                                   \
        if (!(cond)) {                                                                                     \
            fprintf(stderr, "FAILED %s:%d: %s: ", __FILE__, __LINE__, #cond);                            \
            fprintf(stderr, __VA_ARGS__);                                                                  \
            fputc('\n', stderr);                                                                           \
            exit(1);                                                                                       \
        }                                                                                                  \
    } while (0)

#endif
