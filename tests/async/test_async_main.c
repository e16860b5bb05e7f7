/* Runs the async client suites (runtime/async/) and holds their shared
 * helpers (async_test.h). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "async_test.h"

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

void broker_start(test_broker *b, uint16_t port, const char *const *args)
{
    const char *bin = getenv("FAMQP_BROKER");
    REQUIRE(bin != NULL, "FAMQP_BROKER is not set");
    snprintf(b->out, sizeof b->out, "/tmp/famqp-async-broker-%ld-XXXXXX", (long)getpid());
    int fd = mkstemp(b->out);
    REQUIRE(fd >= 0, "mkstemp");
    char listen_at[64];
    snprintf(listen_at, sizeof listen_at, "127.0.0.1:%u", (unsigned)port);
    pid_t parent = getpid();
    pid_t pid = fork();
    REQUIRE(pid >= 0, "fork");
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        dup2(fd, 1);
        int null = open("/dev/null", O_WRONLY);
        if (!getenv("ASYNC_TEST_BROKER_LOG"))
            dup2(null, 2);
        const char *argv[32] = {bin, "--listen", listen_at};
        int n = 3;
        for (int i = 0; args && args[i] && n < 31; i++)
            argv[n++] = args[i];
        argv[n] = NULL;
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(fd);
    b->pid = pid;
    b->port = 0;
    for (int i = 0; i < 200 && !b->port; i++) {
        FILE *f = fopen(b->out, "r");
        char line[256];
        unsigned p;
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, "listening on 127.0.0.1:%u", &p) == 1)
                b->port = (uint16_t)p;
        if (f)
            fclose(f);
        if (!b->port)
            sleep_ms(50);
    }
    if (!b->port)
        broker_stop(b, true);
    REQUIRE(b->port != 0, "famqp-broker did not report its port");
}

void broker_stop(test_broker *b, bool hard)
{
    if (b->pid > 0) {
        kill(b->pid, hard ? SIGKILL : SIGTERM);
        waitpid(b->pid, NULL, 0);
        b->pid = 0;
    }
    unlink(b->out);
}

void broker_url(char *out, size_t cap, const test_broker *b)
{
    snprintf(out, cap, "amqp://127.0.0.1:%u", (unsigned)b->port);
}

bool run_until(famqp_loop *loop, bool (*done)(void *), void *arg, int timeout_ms)
{
    uint64_t end = famqp_io_now_ms() + (uint64_t)timeout_ms;
    while (!done(arg)) {
        if (famqp_io_now_ms() >= end)
            return false;
        famqp_loop_run_once(loop, 20, NULL);
    }
    return true;
}

void run_for(famqp_loop *loop, int ms)
{
    uint64_t end = famqp_io_now_ms() + (uint64_t)ms;
    while (famqp_io_now_ms() < end)
        famqp_loop_run_once(loop, 10, NULL);
}

void numbered(famqp_message *m, uint32_t *storage, uint32_t seq)
{
    famqp_message_init(m);
    *storage = seq;
    famqp_message_set_data(m, storage, sizeof *storage);
}

uint32_t number_of(famqp_async_delivery *d)
{
    famqp_message m;
    if (famqp_async_delivery_read(d, &m, NULL) != FAMQP_OK || m.body.kind != FAMQP_BODY_DATA ||
        m.body.data.len != 4)
        return UINT32_MAX;
    uint32_t v;
    memcpy(&v, m.body.data.ptr, 4);
    return v;
}

int main(int argc, char **argv)
{
    SRunner *sr = srunner_create(async_basic_suite());
    srunner_add_suite(sr, async_errors_suite());
    srunner_add_suite(sr, async_reconnect_suite());
    srunner_add_suite(sr, async_threads_suite());
    srunner_add_suite(sr, async_request_suite());
    /* argv[1]: run one suite only (CTest registers each on its own). */
    if (argc > 1)
        srunner_run(sr, argv[1], NULL, CK_NORMAL);
    else
        srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
