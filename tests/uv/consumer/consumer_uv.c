/* An installed-tree consumer of the libuv adapter: a famqp_uv_listener on a
 * uv loop, freed again; the loop must then close with nothing left open. */
/* <uv.h> needs POSIX declarations that strict C11 hides */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <uv.h>

#include <famqp/uv.h>

static void on_accept(famqp_uv_listener *l, famqp_io *io, void *arg)
{
    (void)l;
    (void)arg;
    famqp_io_free(io);
}

int main(void)
{
    uv_loop_t loop;
    if (uv_loop_init(&loop) != 0)
        return 1;
    famqp_io_error err;
    famqp_listener *socket = famqp_listener_open("127.0.0.1", 0, NULL, &err);
    if (!socket) {
        fprintf(stderr, "listen: %s\n", err.message);
        return 1;
    }
    famqp_uv_listener *l;
    famqp_uv_status st = famqp_uv_listener_new(&loop, socket, on_accept, NULL, &l);
    if (st != FAMQP_UV_OK) {
        fprintf(stderr, "famqp_uv_listener_new: %s\n", famqp_uv_status_name(st));
        return 1;
    }
    uv_run(&loop, UV_RUN_NOWAIT);
    famqp_uv_listener_free(l);
    uv_run(&loop, UV_RUN_NOWAIT); /* the close callbacks release it */
    if (uv_loop_close(&loop) != 0) {
        fprintf(stderr, "uv_loop_close: handles left open\n");
        return 1;
    }
    puts("consumer_uv: ok");
    return 0;
}
