/* The Service Bus stand-in (sb_peer.h) as a program, for the famqp-recv
 * tests (recv_tools.sh): prints "listening on 127.0.0.1:PORT", then one
 * line per receiver attach and per disposition, until SIGTERM.
 *
 *   famqp-sb-peer [GRANT_SESSION] */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "sb_peer.h"

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

int main(int argc, char **argv)
{
    static sb_peer p;
    memset(&p, 0, sizeof p);
    p.grant_session = argc > 1 ? argv[1] : "granted-7";
    p.log = stdout;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sb_peer_start(&p);
    printf("listening on 127.0.0.1:%u\n", (unsigned)p.port);
    fflush(stdout);
    while (!stop)
        nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
    sb_peer_stop(&p);
    return 0;
}
