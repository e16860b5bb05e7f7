/* What famqp-send, famqp-recv and famqp-broker share to explain
 * themselves: argument checks that name the argument and its range, the
 * address in a URL's path, SIGINT/SIGTERM as a flag, progress on a
 * terminal, rates that are never 0, and hints for TLS-vs-plain
 * mismatches. */
#ifndef FAMQP_TOOL_H
#define FAMQP_TOOL_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Exit status of a run cut short by SIGINT/SIGTERM (the shell's 128 + 2). */
#define TOOL_EXIT_INTERRUPTED 130

/* Parses val as a whole number from min to max for option opt; otherwise
 * prints "PROG: OPT VAL: must be a whole number from MIN to MAX" (or that
 * the value is missing) and returns false. */
bool tool_arg_u64(const char *prog, const char *opt, const char *val, uint64_t min, uint64_t max,
                  uint64_t *out);

/* url is amqp[s]://[user:pass@]host[:port][/ADDRESS].  base gets the URL
 * without the path (what the client connects to); a ws[s]:// URL's path
 * is its WebSocket path, so base gets all of it and ADDRESS is needed.  *address: the ADDRESS
 * argument (NULL when none was given); it becomes the URL's address when
 * only the URL has one.  Both naming different addresses, or neither
 * naming one, is an error: printed, false returned. */
bool tool_url_address(const char *prog, const char *url, char *base, size_t base_cap, char *path,
                      size_t path_cap, const char **address);

/* SIGINT/SIGTERM set tool_signal (the first signal's number) and
 * interrupt waits; a third one exits at once (130), so a stuck shutdown
 * can still be stopped. */
extern volatile sig_atomic_t tool_signal;
void tool_catch_signals(void);
struct famqp_client;
/* The signals also interrupt c (famqp_client_interrupt), so a client
 * that is reconnecting stops at once; NULL: none. */
void tool_interrupt_client(struct famqp_client *c);
const char *tool_signal_name(int sig);

/* CLOCK_MONOTONIC (famqp_io_now_ms's clock) in microseconds. */
uint64_t tool_now_us(void);

/* Messages per second; a run too short to measure counts as 1 us, so a
 * rate is never printed as 0 when something was done. */
double tool_rate(uint64_t n, uint64_t us);
/* Seconds for the final line: 3 decimals, 6 below a millisecond. */
void tool_print_done(FILE *f, const char *verb, uint64_t n, uint64_t us);

/* Progress on stderr when (and only when) it is a terminal, at most 4
 * lines a second, redrawn in place: count, rate and time left. */
typedef struct tool_progress {
    bool on;
    const char *verb;  /* "sent", "received" */
    uint64_t total;    /* 0: unknown */
    uint64_t start_us, last_us;
    bool drawn;
} tool_progress;

void tool_progress_init(tool_progress *p, const char *verb, uint64_t total, uint64_t start_us);
/* Redraws when 250 ms passed since the last line; extra (may be NULL)
 * follows the count ("12 settled"). */
void tool_progress_update(tool_progress *p, uint64_t done, const char *extra);
/* Clears the progress line so the next output starts on a clean line. */
void tool_progress_end(tool_progress *p);

/* A hint for a failed connect when the message suggests TLS met plain
 * AMQP ("" when none applies). */
const char *tool_tls_hint(const char *url, const char *message);

#endif
