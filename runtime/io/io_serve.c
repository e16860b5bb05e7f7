/* One service round of an io and its connection for an event loop that
 * watches the socket itself (famqp_loop, the libuv adapter, an
 * application's own loop): the socket's I/O, every engine event to the
 * loop's callback, the output those callbacks produced, and a bounded
 * number of turns so a chatty handler cannot hold the loop. */
#include "io_internal.h"

famqp_io_served famqp_io_serve(famqp_io *io, bool readable, unsigned max_rounds, famqp_io_event_fn *on_event,
                               void *arg)
{
    if (max_rounds == 0)
        max_rounds = 1;
    for (unsigned round = 0; round < max_rounds; round++) {
        famqp_io_process(io, readable && round == 0);
        size_t handled = 0;
        const famqp_event *e;
        while (io->conn && (e = famqp_connection_next_event(io->conn))) {
            if (!on_event(arg, e))
                return FAMQP_IO_SERVED_STOPPED;
            handled++;
        }
        if (handled == 0)
            return famqp_io_done(io) ? FAMQP_IO_SERVED_DONE : FAMQP_IO_SERVED_IDLE;
    }
    /* Out of turns: the last handlers' output goes now, their events wait
     * for the next wake-up. */
    famqp_io_process(io, false);
    return FAMQP_IO_SERVED_MORE;
}
