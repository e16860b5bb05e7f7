/* famqp-send's and famqp-recv's --failover URL (repeatable): the list is
 * checked while the command line is read (each error names the option,
 * the URL and the limit), handed to the client's reconnect policy, and
 * every reconnect is reported on stderr and remembered, so that the
 * summary line can say which URLs were used. */
#ifndef FAMQP_TOOL_FAILOVER_H
#define FAMQP_TOOL_FAILOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "famqp/client.h"

/* Most --failover URLs: what the client takes. */
#define TOOL_MAX_FAILOVER FAMQP_CLIENT_MAX_FAILOVER_URLS

typedef struct tool_failover {
    const char *prog;
    size_t count;                          /* --failover URLs given */
    const char *args[TOOL_MAX_FAILOVER];   /* as given */
    char *bases[TOOL_MAX_FAILOVER];        /* without the /ADDRESS path: what the client gets */
    /* Every URL connected to, without its password, in the order first
     * used (index 0: the URL argument, i: bases[i - 1]). */
    char *used[1 + TOOL_MAX_FAILOVER];
    size_t order[1 + TOOL_MAX_FAILOVER];
    size_t nused;
} tool_failover;

void tool_failover_init(tool_failover *f, const char *prog);
/* One --failover VAL (NULL: the value is missing).  Prints the error and
 * returns false when it is missing, too long, not a URL, or one too many. */
bool tool_failover_add(tool_failover *f, const char *val);
/* Once the address is known: strips each URL's path, which must name the
 * same address when it names one.  False (printed) when not, or out of
 * memory. */
bool tool_failover_finish(tool_failover *f, const char *address);
/* Puts the list and the reconnect report into the client's options. */
void tool_failover_apply(tool_failover *f, famqp_client_options *co);
/* Notes the URL the first connect reached. */
void tool_failover_connected(tool_failover *f, const famqp_client *c);
/* Appends ", urls used N: URL URL..." to the summary line on f. */
void tool_failover_print_used(const tool_failover *f, FILE *out);
/* Frees what f holds; safe to call again (each exit path calls it). */
void tool_failover_free(tool_failover *f);

#endif
