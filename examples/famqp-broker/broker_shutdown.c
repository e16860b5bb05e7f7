/* famqp-broker: at shutdown every connection's close goes out in
 * parallel within one deadline (SHUTDOWN_FLUSH_MS in all, however many
 * clients stopped reading), polling the sockets that still hold output. */
#define _POSIX_C_SOURCE 200809L

#include <poll.h>
#include <stdlib.h>

#include "broker.h"

void clients_flush_all(worker *w, int timeout_ms)
{
    struct pollfd *p = malloc((w->nclients ? w->nclients : 1) * sizeof *p);
    uint64_t end = famqp_io_now_ms() + (uint64_t)timeout_ms;
    for (;;) {
        size_t n = 0;
        for (size_t i = 0; i < w->nclients; i++) {
            famqp_io *io = w->clients[i]->io;
            if (famqp_io_flush(io, 0) == FAMQP_IO_ERR_AGAIN && p)
                p[n++] = (struct pollfd){.fd = famqp_io_fd(io), .events = POLLOUT};
        }
        uint64_t now = famqp_io_now_ms();
        if (!n || now >= end)
            break;
        poll(p, n, (int)(end - now));
    }
    free(p);
}
