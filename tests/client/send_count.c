/* Interposes send(2): the executable's definition takes precedence over
 * libc's for libflatamqp too (ELF symbol lookup starts at the executable),
 * counts the call per thread and forwards to the next definition (libc's,
 * or a sanitizer's wrapper). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "send_count.h"

typedef ssize_t (*send_fn)(int, const void *, size_t, int);

static send_fn next_send;
static pthread_once_t next_send_once = PTHREAD_ONCE_INIT;
static _Thread_local unsigned long calls;

static void find_next_send(void)
{
    /* POSIX: dlsym's result converts to a function pointer. */
    next_send = (send_fn)dlsym(RTLD_NEXT, "send");
    if (!next_send) {
        fprintf(stderr, "send_count: no next send(): %s\n", dlerror());
        abort();
    }
}

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
    pthread_once(&next_send_once, find_next_send);
    calls++;
    return next_send(fd, buf, len, flags);
}

unsigned long send_calls_by_this_thread(void) { return calls; }
