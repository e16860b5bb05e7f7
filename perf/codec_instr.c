/* Instruction and time figures for the generated codec's two reference
 * operations: the transfer performative and the typical message.
 *
 *   codec-instr            median ns/op over 7 repetitions
 *   valgrind --tool=callgrind --collect-atstart=no codec-instr --callgrind
 *                          one pass per operation between collection toggles;
 *                          instructions per op = Ir / iterations
 *
 * Every operation's result feeds a checksum, printed at the end, so the
 * compiler cannot drop the work; decode results are compared with the
 * values encoded before anything is timed.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <valgrind/callgrind.h>

#include "famqp_spec.h"

enum { REPS = 7 };

static uint64_t checksum;

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* ---- the transfer performative --------------------------------------- */

static const uint8_t tag_bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};

static void fill_transfer(famqp_transfer *t, uint32_t delivery_id) {
    *t = famqp_transfer_defaults;
    t->handle = 0;
    t->delivery_id = delivery_id;
    t->delivery_tag = famqp_binary_of(tag_bytes, sizeof tag_bytes);
    t->message_format = 0;
    t->settled = false;
    t->present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_DELIVERY_ID |
                 FAMQP_TRANSFER_HAS_DELIVERY_TAG | FAMQP_TRANSFER_HAS_MESSAGE_FORMAT |
                 FAMQP_TRANSFER_HAS_SETTLED;
}

/* ---- the typical message --------------------------------------------- */

typedef struct typical {
    famqp_properties props;
    famqp_application_properties app;
    famqp_data data;
} typical;

static uint8_t app_buf[128];
static uint8_t body[100];

static void fill_typical(typical *m) {
    famqp_writer w;
    famqp_writer_init(&w, app_buf, sizeof app_buf);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "tenant");
    famqp_write_cstring(&w, "acme");
    famqp_write_cstring(&w, "priority");
    famqp_write_int(&w, 5);
    famqp_write_cstring(&w, "retry");
    famqp_write_bool(&w, false);
    famqp_write_map_end(&w);
    if (famqp_writer_status(&w) != FAMQP_OK || !famqp_map_of(app_buf, famqp_writer_len(&w), &m->app.value)) {
        fprintf(stderr, "building application-properties failed\n");
        exit(1);
    }
    for (size_t i = 0; i < sizeof body; i++) body[i] = (uint8_t)i;

    m->props = famqp_properties_defaults;
    m->props.message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING;
    m->props.message_id.u.message_id_string = famqp_string_of("msg-12345");
    m->props.to.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    m->props.to.u.address_string = famqp_string_of("/queues/orders");
    m->props.subject = famqp_string_of("order.created");
    m->props.content_type = famqp_symbol_of("application/json");
    m->props.creation_time = 1700000000123;
    m->props.present = FAMQP_PROPERTIES_HAS_MESSAGE_ID | FAMQP_PROPERTIES_HAS_TO |
                       FAMQP_PROPERTIES_HAS_SUBJECT | FAMQP_PROPERTIES_HAS_CONTENT_TYPE |
                       FAMQP_PROPERTIES_HAS_CREATION_TIME;
    m->data.value = famqp_binary_of(body, sizeof body);
}

static size_t encode_typical(uint8_t *buf, size_t cap, const typical *m) {
    size_t n = famqp_properties_encode(buf, cap, &m->props);
    n += famqp_application_properties_encode(buf + n, cap - n, &m->app);
    n += famqp_data_encode(buf + n, cap - n, &m->data);
    return n;
}

/* Decodes every section and reads every application property into the
 * caller's hands, as a full decode must. */
static int decode_typical(const uint8_t *p, size_t n, uint64_t *sum) {
    famqp_any_section s;
    famqp_error err;
    size_t off = 0;
    while (off < n) {
        size_t used = famqp_any_section_decode(p + off, n - off, &s, &err);
        if (!used) return -1;
        off += used;
        switch (s.kind) {
        case FAMQP_ANY_SECTION_PROPERTIES:
            *sum += s.u.properties.message_id.u.message_id_string.len + s.u.properties.to.u.address_string.len +
                    s.u.properties.subject.len + s.u.properties.content_type.len +
                    (uint64_t)s.u.properties.creation_time;
            break;
        case FAMQP_ANY_SECTION_APPLICATION_PROPERTIES: {
            famqp_iter it;
            famqp_value k, v;
            famqp_map_iter(&s.u.application_properties.value, &it);
            while (famqp_map_next(&it, &k, &v)) {
                famqp_string key;
                int32_t i;
                bool b;
                famqp_string str;
                if (!famqp_value_get_string(k, &key)) return -1;
                *sum += key.len;
                if (famqp_value_get_string(v, &str)) *sum += str.len;
                else if (famqp_value_get_int(v, &i)) *sum += (uint64_t)i;
                else if (famqp_value_get_bool(v, &b)) *sum += b;
                else return -1;
            }
            break;
        }
        case FAMQP_ANY_SECTION_DATA:
            *sum += s.u.data.value.len + s.u.data.value.ptr[99];
            break;
        default:
            return -1;
        }
    }
    return 0;
}

/* ---- measurement ------------------------------------------------------ */

typedef struct op {
    const char *name;
    void (*run)(long iters);
} op;

static uint8_t tbuf[64];
static size_t tlen;
static uint8_t mbuf[512];
static size_t mlen;
static typical msg;

static void run_transfer_encode(long iters) {
    famqp_transfer t;
    fill_transfer(&t, 0);
    for (long i = 0; i < iters; i++) {
        t.delivery_id = (uint32_t)i;
        checksum += famqp_transfer_encode(tbuf, sizeof tbuf, &t) + tbuf[6];
    }
}

static void run_transfer_decode(long iters) {
    famqp_transfer t;
    famqp_error err;
    for (long i = 0; i < iters; i++) {
        checksum += famqp_transfer_decode(tbuf, tlen, &t, &err) + t.delivery_id + t.delivery_tag.len;
    }
}

static void run_message_encode(long iters) {
    for (long i = 0; i < iters; i++) {
        msg.props.creation_time = i;
        checksum += encode_typical(mbuf, sizeof mbuf, &msg) + mbuf[20];
    }
}

static void run_message_decode(long iters) {
    for (long i = 0; i < iters; i++) {
        if (decode_typical(mbuf, mlen, &checksum) != 0) abort();
    }
}

static const op ops[] = {
    {"transfer.encode", run_transfer_encode},
    {"transfer.decode", run_transfer_decode},
    {"message.encode", run_message_encode},
    {"message.decode", run_message_decode},
};

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int callgrind = argc > 1 && strcmp(argv[1], "--callgrind") == 0;

    /* Prepare and validate the encodings the decode loops read. */
    famqp_transfer t, t2;
    famqp_error err;
    fill_transfer(&t, 123456);
    tlen = famqp_transfer_encode(tbuf, sizeof tbuf, &t);
    if (tlen > sizeof tbuf || famqp_transfer_decode(tbuf, tlen, &t2, &err) != tlen || t2.delivery_id != 123456 ||
        t2.delivery_tag.len != 8 || memcmp(t2.delivery_tag.ptr, tag_bytes, 8) != 0) {
        fprintf(stderr, "transfer round trip failed\n");
        return 1;
    }
    fill_typical(&msg);
    mlen = encode_typical(mbuf, sizeof mbuf, &msg);
    uint64_t probe = 0;
    if (mlen > sizeof mbuf || decode_typical(mbuf, mlen, &probe) != 0) {
        fprintf(stderr, "typical message round trip failed\n");
        return 1;
    }

    printf("%-18s %10s %8s\n", "operation", callgrind ? "iters" : "ns/op", "bytes");
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        size_t bytes = i < 2 ? tlen : mlen;
        if (callgrind) {
            long iters = 100000;
            CALLGRIND_TOGGLE_COLLECT;
            ops[i].run(iters);
            CALLGRIND_TOGGLE_COLLECT;
            CALLGRIND_DUMP_STATS_AT(ops[i].name);
            printf("%-18s %10ld %8zu\n", ops[i].name, iters, bytes);
        } else {
            long iters = 2000000;
            double ns[REPS];
            for (int r = 0; r < REPS; r++) {
                double t0 = now_ns();
                ops[i].run(iters);
                ns[r] = (now_ns() - t0) / (double)iters;
            }
            qsort(ns, REPS, sizeof ns[0], cmp_double);
            printf("%-18s %10.1f %8zu\n", ops[i].name, ns[REPS / 2], bytes);
        }
    }
    printf("checksum %llu\n", (unsigned long long)checksum);
    return 0;
}
