/* See reconnect_support.h. */
#define _POSIX_C_SOURCE 200809L
#include "reconnect_support.h"

#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

void broker_start(broker_proc *b, unsigned port, const char *a1, const char *a2, const char *a3, const char *a4)
{
    int fds[2];
    ck_assert_int_eq(pipe(fds), 0);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", port);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        /* Dies with the test process even when a failed check ends it
         * before broker_kill. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execl(FAMQP_BROKER, FAMQP_BROKER, "--listen", listen, a1, a2, a3, a4, (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[256] = "";
    ck_assert_msg(f && fgets(line, sizeof line, f), "famqp-broker printed nothing");
    fclose(f);
    const char *colon = strrchr(line, ':');
    ck_assert_msg(strncmp(line, "listening on ", 13) == 0 && colon, "unexpected: %s", line);
    b->pid = pid;
    b->port = (unsigned)strtoul(colon + 1, NULL, 10);
}

void broker_kill(broker_proc *b)
{
    if (!b->pid)
        return;
    kill(b->pid, SIGKILL);
    int status;
    ck_assert_int_eq(waitpid(b->pid, &status, 0), b->pid);
    b->pid = 0;
}

void sleep_ms(long ms)
{
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

famqp_client_status send_seq(famqp_sender *s, uint64_t n, bool blocking)
{
    uint8_t body[8];
    for (int i = 0; i < 8; i++)
        body[i] = (uint8_t)(n >> (56 - 8 * i));
    famqp_message m;
    famqp_message_init(&m);
    famqp_message_set_data(&m, body, sizeof body);
    if (!blocking)
        return famqp_send_async(s, &m, 10000);
    famqp_outcome o;
    famqp_client_status st = famqp_send(s, &m, 10000, &o);
    if (st == FAMQP_CLIENT_OK)
        ck_assert_int_eq(o.kind, FAMQP_OUTCOME_ACCEPTED);
    return st;
}

uint64_t seq_or_max(const famqp_delivery *d)
{
    famqp_message m;
    if (famqp_delivery_read_message(d, &m, NULL) != FAMQP_OK || m.body.kind != FAMQP_BODY_DATA ||
        m.body.data.len < 8)
        return UINT64_MAX;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | m.body.data.ptr[i];
    return v;
}

void *receive_all(void *arg)
{
    recv_job *j = arg;
    while (j->distinct < j->want) {
        famqp_delivery *d;
        j->status = famqp_receive(j->r, 20000, &d);
        if (j->status != FAMQP_CLIENT_OK) {
            snprintf(j->why, sizeof j->why, "%s", famqp_client_last_error(j->c)->message);
            return NULL;
        }
        uint64_t q = seq_or_max(d);
        j->received++;
        if (q >= j->want)
            j->bad++;
        else if (!j->seen[q]++)
            j->distinct++;
        famqp_delivery_accept(d);
    }
    famqp_client_pump(j->c, 0); /* the last settlements */
    return NULL;
}
