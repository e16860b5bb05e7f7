/* docs/embedding-the-engine.md's program: the sans-I/O engine driven by the
 * application's own poll() loop over a plain TCP socket, with no help from
 * flatamqp's socket driver or client.  It attaches a sender and a receiver
 * to one queue, sends COUNT messages, receives them back, accepts each and
 * closes.  Built and run by CTest against famqp-broker.
 *
 *     engine_loop HOST PORT QUEUE COUNT
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <famqp/engine.h>
#include <famqp/message.h>

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int connect_tcp(const char *host, const char *port)
{
    struct addrinfo hints = {0}, *res;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(host, port, &hints, &res) != 0)
        return -1;
    int fd = socket(res->ai_family, res->ai_socktype, res->ai_protocol);
    if (fd >= 0 && connect(fd, res->ai_addr, res->ai_addrlen) != 0) {
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* Writes what the engine has to send; false when the socket failed. */
static bool flush_output(famqp_connection *conn, int fd)
{
    size_t len;
    const uint8_t *out;
    while ((out = famqp_connection_output(conn, &len)) != NULL && len > 0) {
        ssize_t n = send(fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK;
        famqp_connection_output_consume(conn, (size_t)n);
    }
    return true;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: engine_loop HOST PORT QUEUE COUNT\n");
        return 2;
    }
    const char *queue = argv[3];
    const unsigned count = (unsigned)strtoul(argv[4], NULL, 10);
    int fd = connect_tcp(argv[1], argv[2]);
    if (fd < 0) {
        fprintf(stderr, "cannot connect to %s:%s\n", argv[1], argv[2]);
        return 1;
    }

    /* One connection (client role, SASL ANONYMOUS), one session, a sender
     * and a receiver.  Nothing is sent yet: the engine only queues frames. */
    famqp_connection_options options;
    famqp_connection_options_init(&options);
    options.sasl_mechanisms = FAMQP_SASL_ANONYMOUS;
    options.hostname = argv[1];
    famqp_connection *conn;
    famqp_connection_new(&options, &conn);
    if (!conn)
        return 1;
    famqp_connection_open(conn);
    famqp_session *session;
    famqp_session_new(conn, &session);
    famqp_session_open(session);
    famqp_link_options link_options;
    famqp_link_options_init(&link_options);
    link_options.target_address = queue;
    famqp_link *sender;
    famqp_link_new(session, "engine-loop-sender", FAMQP_LINK_SENDER, &link_options, &sender);
    famqp_link_options_init(&link_options);
    link_options.source_address = queue;
    link_options.credit_window = 100; /* the engine keeps granting credit */
    famqp_link *receiver;
    famqp_link_new(session, "engine-loop-receiver", FAMQP_LINK_RECEIVER, &link_options, &receiver);
    famqp_link_open(sender);
    famqp_link_open(receiver);

    unsigned sent = 0, accepted = 0, received = 0;
    bool closing = false;
    const uint64_t give_up = now_ms() + 10000;
    uint64_t deadline = famqp_connection_tick(conn, now_ms());
    while (!famqp_connection_finished(conn) && now_ms() < give_up) {
        /* 1. Handle every event the last input produced. */
        const famqp_event *e;
        while ((e = famqp_connection_next_event(conn)) != NULL) {
            switch (e->type) {
            case FAMQP_EVENT_LINK_CREDIT: /* the receiving end granted credit: send */
                while (sent < count && famqp_link_credit(sender) > 0) {
                    char text[32];
                    int len = snprintf(text, sizeof text, "message %u", sent);
                    famqp_message m;
                    famqp_message_init(&m);
                    famqp_message_set_data(&m, text, (size_t)len);
                    uint8_t bytes[128];
                    size_t n = famqp_message_encode(bytes, sizeof bytes, &m);
                    uint8_t tag[4] = {(uint8_t)(sent >> 24), (uint8_t)(sent >> 16), (uint8_t)(sent >> 8),
                                      (uint8_t)sent};
                    if (famqp_link_send(sender, famqp_binary_of(tag, sizeof tag), bytes, n, false, NULL) !=
                        FAMQP_ENGINE_OK)
                        break;
                    sent++;
                }
                break;
            case FAMQP_EVENT_DELIVERY_UPDATED: /* an outcome of ours */
                if (famqp_delivery_remote_state(e->delivery).kind == FAMQP_OUTCOME_ACCEPTED)
                    accepted++;
                famqp_delivery_settle(e->delivery);
                break;
            case FAMQP_EVENT_DELIVERY: { /* a message for our receiver */
                famqp_binary body = famqp_delivery_message(e->delivery);
                famqp_message m;
                famqp_error err;
                if (famqp_message_decode(body.ptr, body.len, &m, &err) == FAMQP_OK) {
                    received++;
                    famqp_delivery_accept(e->delivery);
                } else {
                    famqp_delivery_reject(e->delivery, "amqp:decode-error", "not a message");
                }
                break;
            }
            case FAMQP_EVENT_CONNECTION_ERROR:
                fprintf(stderr, "connection failed: %s: %s\n", e->condition.name,
                        e->condition.description ? e->condition.description : "");
                break;
            default:
                break;
            }
        }
        if (received == count && accepted == count && !closing) {
            famqp_connection_close(conn, NULL, NULL); /* all done: close cleanly */
            closing = true;
        }

        /* 2. Write what the engine queued. */
        if (!flush_output(conn, fd))
            break;

        /* 3. Wait for input, for room to write, or for the engine's next
         *    deadline (heartbeats, idle timeout). */
        size_t pending;
        famqp_connection_output(conn, &pending);
        struct pollfd p = {.fd = fd, .events = (short)(POLLIN | (pending ? POLLOUT : 0))};
        uint64_t now = now_ms();
        int wait = deadline == 0 || deadline <= now ? 0 : (int)(deadline - now);
        if (wait == 0 || wait > 1000)
            wait = 1000;
        if (poll(&p, 1, wait) < 0 && errno != EINTR)
            break;
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            uint8_t buf[65536];
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n > 0)
                famqp_connection_input(conn, buf, (size_t)n);
            else if (n == 0 || (errno != EAGAIN && errno != EINTR))
                famqp_connection_input_closed(conn);
        }
        deadline = famqp_connection_tick(conn, now_ms());
    }
    /* Done when both sides closed cleanly after every message went round. */
    bool ok = famqp_connection_finished(conn) && !famqp_connection_failed(conn) && received == count &&
              accepted == count;
    printf("sent %u, accepted %u, received %u\n", sent, accepted, received);
    famqp_connection_free(conn);
    close(fd);
    return ok ? 0 : 1;
}
