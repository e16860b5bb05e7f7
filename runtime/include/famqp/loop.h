/** @file famqp/loop.h
 * @brief flatamqp: an event loop (epoll) for many connections on one thread.
 *
 * A famqp_loop waits for three kinds of work and runs their callbacks on
 * the thread that runs the loop:
 *   watches  a file descriptor became readable or writable (epoll, level
 *            triggered: a callback that leaves data unread is called again
 *            on the next wake-up, after every other ready watch had its turn),
 *   timers   a deadline on the monotonic clock passed (one-shot; restart a
 *            timer from its callback for a periodic one),
 *   posts    a function handed over by famqp_loop_post, possibly from
 *            another thread.
 * One wake-up runs every ready watch once, then every due timer, then the
 * posts queued before it started, so no kind of work can starve another:
 * work created during a wake-up (a post from a callback, a timer restarted
 * with delay 0) waits for the next one.
 *
 * Threads: every loop, and every timer and watch of it, belongs to the one
 * thread that runs it (famqp_loop_run / famqp_loop_run_once); call the
 * functions here only from that thread (or, before the loop first runs,
 * from the thread that made it).  The single exception, and the one way
 * other threads hand a loop work, is famqp_loop_post: it may be called from
 * any thread at any time while the loop exists.  An application wanting N
 * threads runs N loops, one per thread.
 *
 * Results: functions that can fail return a famqp_loop_status; an out-param
 * is NULL whenever the call fails.  Timeouts in milliseconds: -1 means no
 * limit, 0 means do not wait.
 *
 * Memory: a loop allocates when it is made, when timers and watches are
 * made, and when its post queue grows (doubling, up to max_posts entries);
 * running it allocates nothing.
 */
#ifndef FAMQP_LOOP_H
#define FAMQP_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "famqp/engine.h"
#include "famqp/io.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Results of the loop's functions. */
typedef enum famqp_loop_status {
    FAMQP_LOOP_OK = 0,     /**< done */
    FAMQP_LOOP_ERR_ARG,    /**< invalid argument (NULL, fd < 0, unknown event bits) */
    FAMQP_LOOP_ERR_NOMEM,  /**< an allocation failed; nothing changed */
    FAMQP_LOOP_ERR_FULL,   /**< the post queue holds max_posts entries: retry later */
    FAMQP_LOOP_ERR_CLOSED, /**< the loop is being freed: the post was not queued */
    FAMQP_LOOP_ERR_SYSTEM  /**< epoll or eventfd failed (errno is kept) */
} famqp_loop_status;

/** A short name of a status, e.g. "FAMQP_LOOP_ERR_FULL". */
FAMQP_API const char *famqp_loop_status_name(famqp_loop_status s);

/** An event loop: watches, timers and posts run on one thread. */
typedef struct famqp_loop famqp_loop;
/** A one-shot timer of a loop. */
typedef struct famqp_loop_timer famqp_loop_timer;
/** A file descriptor watched by a loop. */
typedef struct famqp_loop_watch famqp_loop_watch;

/** Options of famqp_loop_new; famqp_loop_options_init sets the defaults. */
typedef struct famqp_loop_options {
    famqp_allocator alloc; /**< all of the loop's memory; zero: malloc/realloc/free */
    /** Most posts queued and not yet run (default 65536); posting beyond
     *  it fails with FAMQP_LOOP_ERR_FULL, so a flooding thread cannot grow
     *  a loop's memory without bound (16 bytes per entry). */
    size_t max_posts;
} famqp_loop_options;

/** Sets *o to the defaults. */
FAMQP_API void famqp_loop_options_init(famqp_loop_options *o);

/** Makes a loop (an epoll instance and an eventfd).  opts NULL: defaults.
 *  @return FAMQP_LOOP_OK with *out set; otherwise *out is NULL. */
FAMQP_API famqp_loop_status famqp_loop_new(const famqp_loop_options *opts, famqp_loop **out);

/** Frees the loop with its remaining connections and listeners (their
 *  sockets closed, no AMQP close), timers and watches; none of their
 *  callbacks is called, and descriptors of plain watches are not closed
 *  (the caller owns those).  Posts still
 *  queued are called with FAMQP_LOOP_ERR_CLOSED, so their owners can
 *  release what they carry; posts from other threads during and after the
 *  call fail with FAMQP_LOOP_ERR_CLOSED until it returns, after which the
 *  loop must not be named again.  Not from inside a callback of this loop.
 *  NULL is ignored. */
FAMQP_API void famqp_loop_free(famqp_loop *loop);

/** Runs wake-ups until famqp_loop_stop is called (from a callback).
 *  @return FAMQP_LOOP_OK after a stop, FAMQP_LOOP_ERR_SYSTEM when epoll
 *  fails. */
FAMQP_API famqp_loop_status famqp_loop_run(famqp_loop *loop);

/** One wake-up: waits at most timeout_ms (-1: until there is work; shorter
 *  when a timer is due sooner, 0 when posts are queued) and runs the work
 *  that is ready.  *ran (may be NULL) is set to the number of callbacks
 *  run.  @return FAMQP_LOOP_OK or FAMQP_LOOP_ERR_SYSTEM. */
FAMQP_API famqp_loop_status famqp_loop_run_once(famqp_loop *loop, int timeout_ms, size_t *ran);

/** Makes famqp_loop_run return after the current wake-up.  Loop thread
 *  only; another thread stops a loop by posting a function that calls
 *  this. */
FAMQP_API void famqp_loop_stop(famqp_loop *loop);

/** The monotonic clock in milliseconds, as of the start of the current
 *  wake-up (or the call, outside one). */
FAMQP_API uint64_t famqp_loop_now_ms(const famqp_loop *loop);

/* ---- posts: the thread-safe entry point ------------------------------- */

/** A posted function.  status is FAMQP_LOOP_OK when the loop runs it, or
 *  FAMQP_LOOP_ERR_CLOSED when the loop is freed first (then only release
 *  what arg holds; loop is an identity, not to be used). */
typedef void famqp_loop_post_fn(famqp_loop *loop, void *arg, famqp_loop_status status);

/** Queues fn(loop, arg, FAMQP_LOOP_OK) to run on the loop's thread and
 *  wakes the loop.  Thread-safe: the one function of a loop any thread may
 *  call.  Posts from one thread run in the order they were posted.
 *  @return FAMQP_LOOP_OK when queued (fn will be called exactly once),
 *  FAMQP_LOOP_ERR_FULL (max_posts queued), FAMQP_LOOP_ERR_NOMEM,
 *  FAMQP_LOOP_ERR_CLOSED or FAMQP_LOOP_ERR_ARG (fn NULL): not queued, fn
 *  will not be called. */
FAMQP_API famqp_loop_status famqp_loop_post(famqp_loop *loop, famqp_loop_post_fn *fn, void *arg);

/* ---- timers ------------------------------------------------------------ */

/** A timer's callback, on the loop's thread once its deadline passed. */
typedef void famqp_loop_timer_fn(famqp_loop_timer *timer, void *arg);

/** Makes a stopped timer.  @return FAMQP_LOOP_OK with *out set; otherwise
 *  *out is NULL. */
FAMQP_API famqp_loop_status famqp_loop_timer_new(famqp_loop *loop, famqp_loop_timer_fn *fn, void *arg,
                                                 famqp_loop_timer **out);

/** (Re)starts the timer: fn runs once, delay_ms from now (0: at the next
 *  wake-up).  Timers due at the same time run in the order they were
 *  started.  @return FAMQP_LOOP_OK, or FAMQP_LOOP_ERR_NOMEM (the timer
 *  stays stopped). */
FAMQP_API famqp_loop_status famqp_loop_timer_start(famqp_loop_timer *timer, uint64_t delay_ms);

/** Stops the timer if it is running (its callback will not run). */
FAMQP_API void famqp_loop_timer_stop(famqp_loop_timer *timer);

/** True while the timer is started and has not fired. */
FAMQP_API bool famqp_loop_timer_active(const famqp_loop_timer *timer);

/** Stops and frees the timer (also from its own callback).  NULL is
 *  ignored. */
FAMQP_API void famqp_loop_timer_free(famqp_loop_timer *timer);

/* ---- watches ----------------------------------------------------------- */

/** Event bits of a watch. */
enum {
    FAMQP_LOOP_READABLE = 1u << 0, /**< data (or a peer's EOF) can be read */
    FAMQP_LOOP_WRITABLE = 1u << 1, /**< a write would not block */
    FAMQP_LOOP_ERROR = 1u << 2     /**< reported only: an error or hang-up on the descriptor */
};

/** A watch's callback: events is what is ready (FAMQP_LOOP_* bits). */
typedef void famqp_loop_watch_fn(famqp_loop_watch *watch, unsigned events, void *arg);

/** Watches fd (which the caller keeps open, and owns) for events
 *  (FAMQP_LOOP_READABLE | FAMQP_LOOP_WRITABLE, or 0 to watch nothing yet).
 *  @return FAMQP_LOOP_OK with *out set; otherwise *out is NULL
 *  (FAMQP_LOOP_ERR_SYSTEM: epoll refused the descriptor, errno says why). */
FAMQP_API famqp_loop_status famqp_loop_watch_new(famqp_loop *loop, int fd, unsigned events, famqp_loop_watch_fn *fn,
                                                 void *arg, famqp_loop_watch **out);

/** Changes what the watch waits for (e.g. add FAMQP_LOOP_WRITABLE only
 *  while output is pending). */
FAMQP_API famqp_loop_status famqp_loop_watch_set(famqp_loop_watch *watch, unsigned events);

/** Stops watching and frees the watch (also from its own callback; an
 *  event already collected for it in this wake-up is dropped).  Close the
 *  descriptor after this, not before.  NULL is ignored. */
FAMQP_API void famqp_loop_watch_free(famqp_loop_watch *watch);

/** The loop a timer belongs to. */
FAMQP_API famqp_loop *famqp_loop_timer_loop(const famqp_loop_timer *timer);
/** The loop a watch belongs to. */
FAMQP_API famqp_loop *famqp_loop_watch_loop(const famqp_loop_watch *watch);

/* ---- connections and listeners on the loop ------------------------------ */

/** A socket (famqp_io) and its engine connection, driven by a loop: the
 *  loop watches the socket, reads and writes it without blocking, ticks
 *  the engine by its deadlines and hands every engine event to the
 *  handler, on the loop's thread. */
typedef struct famqp_loop_conn famqp_loop_conn;

/** What a famqp_loop_conn calls, on its loop's thread. */
typedef struct famqp_loop_conn_handler {
    /** Each engine event, after the I/O of a wake-up; event is valid during
     *  the call.  Output the handler produces (sends, settlements, credit)
     *  is written once the events are handled. */
    void (*on_event)(famqp_loop_conn *conn, const famqp_event *event, void *arg);
    /** Once, when the socket is finished with: the peer closed it, it
     *  failed (state FAMQP_IO_ERR_FAILED, see famqp_io_error_message), or
     *  the engine finished and all its output was written (FAMQP_IO_OK).
     *  Usually frees conn.  May be NULL. */
    void (*on_done)(famqp_loop_conn *conn, famqp_io_status state, void *arg);
    void *arg; /**< passed to both */
} famqp_loop_conn_handler;

/** Drives io and connection (bound to each other here) on loop; the
 *  famqp_loop_conn owns both from now on and frees them with itself.
 *  Processes the socket at once (writes what the engine holds).
 *  @return FAMQP_LOOP_OK with *out set; otherwise *out is NULL and io and
 *  connection are still the caller's. */
FAMQP_API famqp_loop_status famqp_loop_conn_new(famqp_loop *loop, famqp_io *io, famqp_connection *connection,
                                                const famqp_loop_conn_handler *handler, famqp_loop_conn **out);

/** Writes what the application queued on the connection outside an event
 *  callback (from a timer or a post): the output goes out at the end of
 *  the current wake-up, or the next one, together with everything else
 *  queued by then. */
FAMQP_API void famqp_loop_conn_flush(famqp_loop_conn *conn);

/** The engine connection (owned by conn). */
FAMQP_API famqp_connection *famqp_loop_conn_connection(const famqp_loop_conn *conn);
/** The socket (owned by conn). */
FAMQP_API famqp_io *famqp_loop_conn_io(const famqp_loop_conn *conn);
/** The loop conn runs on. */
FAMQP_API famqp_loop *famqp_loop_conn_loop(const famqp_loop_conn *conn);

/** Frees conn with its socket (closed) and connection; also from its own
 *  callbacks (then once the callback returns).  Close the connection and
 *  let on_done come first for a clean AMQP close.  NULL is ignored. */
FAMQP_API void famqp_loop_conn_free(famqp_loop_conn *conn);

/** A listening socket on a loop: each accepted socket is handed to
 *  on_accept, which binds an engine connection (famqp_io_set_connection,
 *  perhaps after famqp_io_peek_header) and makes a famqp_loop_conn, or
 *  frees the io. */
typedef struct famqp_loop_listener famqp_loop_listener;

/** Called on the loop's thread for each accepted socket (owned by the
 *  callee from then on). */
typedef void famqp_loop_accept_fn(famqp_loop_listener *listener, famqp_io *io, void *arg);

/** Accepts on listener (which the famqp_loop_listener owns from now on).
 *  @return FAMQP_LOOP_OK with *out set; otherwise *out is NULL and the
 *  listener is still the caller's. */
FAMQP_API famqp_loop_status famqp_loop_listener_new(famqp_loop *loop, famqp_listener *listener,
                                                    famqp_loop_accept_fn *on_accept, void *arg,
                                                    famqp_loop_listener **out);
/** Called on the loop's thread when accepting failed (out of descriptors
 *  or memory: message says which): the listener stops accepting for
 *  pause_ms (100 ms, doubled while the failures go on, at most 1000 ms)
 *  and then tries again; an accept that works resets the pause. */
typedef void famqp_loop_accept_error_fn(famqp_loop_listener *listener, const char *message, uint64_t pause_ms,
                                        void *arg);
/** Sets (fn NULL: clears) the callback told of each failed accept and the
 *  pause it causes (e.g. to log it, rate-limited: it can come every
 *  second while descriptors are short). */
FAMQP_API void famqp_loop_listener_on_error(famqp_loop_listener *listener, famqp_loop_accept_error_fn *fn,
                                            void *arg);
/** The listening socket (owned by the famqp_loop_listener). */
FAMQP_API famqp_listener *famqp_loop_listener_socket(const famqp_loop_listener *listener);
/** Stops accepting and frees the listener with its socket.  NULL is
 *  ignored. */
FAMQP_API void famqp_loop_listener_free(famqp_loop_listener *listener);

#ifdef __cplusplus
}
#endif
#endif /* FAMQP_LOOP_H */
