/* Counts the send(2) calls of the calling thread, so a test can tell how
 * many writes the client made (the in-process server writes from its own
 * thread and is not counted). */
#ifndef FAMQP_TEST_SEND_COUNT_H
#define FAMQP_TEST_SEND_COUNT_H

unsigned long send_calls_by_this_thread(void);

#endif
