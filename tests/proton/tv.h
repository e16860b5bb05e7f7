/* Test values: a small tree describing an AMQP value independently of both
 * codecs under comparison.  The same tree is written with Qpid Proton
 * (pn_data_t) and with the flatamqp writer, and decoded results of either
 * side are checked against it. */
#ifndef FAMQP_TEST_TV_H
#define FAMQP_TEST_TV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <proton/codec.h>

#include "famqp/codec.h"

typedef enum tv_kind {
    TV_NULL = 0,
    TV_BOOL,
    TV_UBYTE,
    TV_USHORT,
    TV_UINT,
    TV_ULONG,
    TV_INT,
    TV_LONG,
    TV_TIMESTAMP,
    TV_UUID,         /* bytes: 16 bytes */
    TV_BINARY,
    TV_STRING,
    TV_SYMBOL,
    TV_LIST,         /* items[0..n) */
    TV_MAP,          /* items: key, value, key, value ... (n counts both) */
    TV_SYMBOL_ARRAY, /* items: TV_SYMBOL elements */
    TV_DESCRIBED     /* descriptor: ulong `u`, or symbol `bytes` when non-NULL;
                        items[0]: the described value */
} tv_kind;

typedef struct tv {
    tv_kind kind;
    uint64_t u;          /* bool and unsigned kinds; described: code */
    int64_t i;           /* signed kinds and timestamp */
    const void *bytes;   /* binary, string, symbol, uuid; symbolic descriptor */
    size_t len;
    const struct tv *items;
    size_t n;
    bool one_of_many;    /* a single symbol standing for a multiple="true"
                            field: flatamqp writes it as a one-element array */
} tv;

#define TVS_COUNT(...) (sizeof((const tv[]){__VA_ARGS__}) / sizeof(tv))
#define T_NULL ((tv){.kind = TV_NULL})
#define T_BOOL(b) ((tv){.kind = TV_BOOL, .u = (b)})
#define T_UBYTE(x) ((tv){.kind = TV_UBYTE, .u = (x)})
#define T_USHORT(x) ((tv){.kind = TV_USHORT, .u = (x)})
#define T_UINT(x) ((tv){.kind = TV_UINT, .u = (x)})
#define T_ULONG(x) ((tv){.kind = TV_ULONG, .u = (x)})
#define T_INT(x) ((tv){.kind = TV_INT, .i = (x)})
#define T_LONG(x) ((tv){.kind = TV_LONG, .i = (x)})
#define T_TS(x) ((tv){.kind = TV_TIMESTAMP, .i = (x)})
#define T_UUID(b16) ((tv){.kind = TV_UUID, .bytes = (b16), .len = 16})
#define T_BIN(p, n) ((tv){.kind = TV_BINARY, .bytes = (p), .len = (n)})
#define T_STR(s) ((tv){.kind = TV_STRING, .bytes = (s), .len = strlen(s)})
#define T_STRN(s, n) ((tv){.kind = TV_STRING, .bytes = (s), .len = (n)})
#define T_SYM(s) ((tv){.kind = TV_SYMBOL, .bytes = (s), .len = strlen(s)})
#define T_SYMN(s, n) ((tv){.kind = TV_SYMBOL, .bytes = (s), .len = (n)})
#define T_SYM1(s) ((tv){.kind = TV_SYMBOL, .bytes = (s), .len = strlen(s), .one_of_many = true})
#define T_LIST(...) ((tv){.kind = TV_LIST, .items = (const tv[]){__VA_ARGS__}, .n = TVS_COUNT(__VA_ARGS__)})
#define T_LIST0 ((tv){.kind = TV_LIST})
#define T_MAP(...) ((tv){.kind = TV_MAP, .items = (const tv[]){__VA_ARGS__}, .n = TVS_COUNT(__VA_ARGS__)})
#define T_SYMS(...) ((tv){.kind = TV_SYMBOL_ARRAY, .items = (const tv[]){__VA_ARGS__}, .n = TVS_COUNT(__VA_ARGS__)})
#define T_DESC(code, value) ((tv){.kind = TV_DESCRIBED, .u = (code), .items = (const tv[]){value}, .n = 1})
#define T_DESC_SYM(name, value) \
    ((tv){.kind = TV_DESCRIBED, .bytes = (name), .len = strlen(name), .items = (const tv[]){value}, .n = 1})
/* A composite: described list of fields (no trailing nulls, as flatamqp
 * drops trailing absent fields and Proton writes what it is given). */
#define T_COMP(code, ...) T_DESC(code, T_LIST(__VA_ARGS__))
#define T_COMP0(code) T_DESC(code, T_LIST0)

/* Writes v with the flatamqp generic writer. */
void tv_write(famqp_writer *w, const tv *v);
/* Encodes v with the flatamqp writer into arena memory. */
famqp_value tv_encode(const tv *v);
/* Appends v to a Proton data tree at its current position. */
void tv_put(pn_data_t *d, const tv *v);

/* Checks (ck_assert) that the Proton node at d's current position holds v;
 * path names the place for failure messages. */
void tv_check_pn(pn_data_t *d, const tv *v, const char *path);
/* Checks that an encoded value / list view / map view holds v. */
void tv_check_value(famqp_value got, const tv *v, const char *path);
void tv_check_list_view(const famqp_list *got, const tv *v, const char *path);
void tv_check_map_view(const famqp_map *got, const tv *v, const char *path);
/* A decoded multiple="true" symbol field against a TV_SYMBOL_ARRAY (or a
 * single TV_SYMBOL). */
void tv_check_multiple_symbols(const famqp_multiple *got, const tv *v, const char *path);

/* ---- test arena: bump allocation, reset per test -------------------- */
void *arena_alloc(size_t n);
void arena_reset(void);
/* A string of n characters (a repeating pattern) in arena memory. */
const char *arena_pattern(size_t n, char first);

/* "a.b[3]" style paths in arena memory. */
const char *path_join(const char *base, const char *fmt, ...);

/* Hex rendering for failure messages (arena memory, truncated to 600 bytes). */
const char *hex(const uint8_t *p, size_t n);

#endif
