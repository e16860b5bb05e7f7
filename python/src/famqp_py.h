/* The flatamqp Python extension's internal API: what the conversions that
 * famqp-gen --emit python writes (generated/python/famqp_python.c) are
 * written against, and what the module (module.c, message.c) shares with
 * the primitive conversions (convert.c, value.c).
 *
 * Threads: every function here runs with the GIL held, except the C codec
 * calls that FAMQP_PY_NOGIL wraps (they touch no Python object).
 *
 * Conventions: famqp_py_from_* return a new reference or NULL with a Python
 * exception set; famqp_py_to_* return 0, or -1 with an exception set. */
#ifndef FAMQP_PY_H
#define FAMQP_PY_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdbool.h>
#include <stdint.h>

#include "famqp_spec.h"

/* ---- encoding: Python objects to C views --------------------------------- */

/* Memory the C views of one encode point into: a bump arena (first chunk
 * inside the struct, more from the heap) and the buffer exports held until
 * the encode is done (bytearray, memoryview payloads). */
typedef struct famqp_py_chunk famqp_py_chunk;
typedef struct famqp_py_enc {
    uint8_t *cur;              /* free space of the current chunk */
    size_t left;               /* bytes free there */
    famqp_py_chunk *chunks;    /* heap chunks, freed by famqp_py_enc_done */
    Py_buffer *bufs;           /* held exports */
    size_t nbufs, capbufs;
    _Alignas(16) uint8_t first[1024];
} famqp_py_enc;

void famqp_py_enc_init(famqp_py_enc *e);
void famqp_py_enc_done(famqp_py_enc *e);
/* n bytes of arena, 16-aligned; NULL with MemoryError set. */
void *famqp_py_alloc(famqp_py_enc *e, size_t n);

/* Where an encode writes: a new bytes object, or a caller's buffer
 * (a bytearray grows to fit; any other writable buffer must be big enough). */
typedef struct famqp_py_out {
    PyObject *bytes;       /* encode(): the result, made at the first write */
    PyObject *target;      /* encode_into(): the bytearray or buffer object */
    Py_ssize_t offset;     /* where the next value goes */
} famqp_py_out;

/* Writes one value: put(NULL, 0, v) sizes it, then it is written at
 * out->offset (the GIL released when it is big). */
int famqp_py_write(famqp_py_enc *e, famqp_py_out *out, size_t (*put)(uint8_t *, size_t, const void *),
                   const void *v);

/* A byte buffer that grows (PyMem; the owner frees p): array.c, pyamqp.c. */
typedef struct famqp_py_growbuf {
    uint8_t *p;
    size_t len, cap;
} famqp_py_growbuf;
/* n more bytes at the end (NULL with MemoryError set). */
uint8_t *famqp_py_grow(famqp_py_growbuf *g, size_t n);
/* v big-endian in width bytes; 0 or -1. */
int famqp_py_put_be(famqp_py_growbuf *g, uint64_t v, int width);
/* n bytes, after a 4-byte big-endian length when with_len; 0 or -1. */
int famqp_py_put_bytes(famqp_py_growbuf *g, const void *src, size_t n, bool with_len);

/* ---- decoding: C views to Python objects --------------------------------- */

typedef struct famqp_py_dec {
    PyObject *input;          /* the object decoded from (borrowed) */
    PyObject *view;           /* a memoryview of it, made at the first zero-copy slice */
    const uint8_t *base;      /* its first byte */
    size_t len;               /* its length */
    const famqp_limits *lim;  /* decode limits */
} famqp_py_dec;

/* ---- the generated class table -------------------------------------------- */

typedef struct famqp_py_type {
    const char *cls;        /* Python class name, e.g. "Transfer" */
    const char *amqp;       /* AMQP name, e.g. "transfer" */
    uint64_t code;          /* descriptor code */
    const char *desc_name;  /* descriptor name, e.g. "amqp:transfer:list" */
    size_t nfields;
    const char *fields;     /* Python field names, space separated */
    int (*encode)(famqp_py_enc *e, PyObject *o, famqp_py_out *out);
    /* decodes one value at p[0..n): the object, or NULL with err->status
     * set (a decode error) or with a Python exception (err->status OK) */
    PyObject *(*decode)(famqp_py_dec *d, const uint8_t *p, size_t n, size_t *used, famqp_error *err);
} famqp_py_type;

extern const famqp_py_type famqp_py_types[];
extern const size_t famqp_py_type_count;
/* The classes made from famqp_py_types at import (namedtuples), by index. */
extern PyObject *famqp_py_classes[];

/* Bytes from which a codec call runs without the GIL: below it, releasing
 * and taking it back costs more than the call. */
#define FAMQP_PY_NOGIL_BYTES 65536u
#define FAMQP_PY_NOGIL(n, stmt)                                                                              \
    do {                                                                                                     \
        if ((n) >= FAMQP_PY_NOGIL_BYTES) {                                                                   \
            Py_BEGIN_ALLOW_THREADS stmt;                                                                     \
            Py_END_ALLOW_THREADS                                                                             \
        } else {                                                                                             \
            stmt;                                                                                            \
        }                                                                                                    \
    } while (0)

/* A new instance of class idx with n fields, all to be set by the caller. */
static inline PyObject *famqp_py_new(int idx, Py_ssize_t n)
{
    PyTypeObject *t = (PyTypeObject *)famqp_py_classes[idx];
    return t->tp_alloc(t, n);
}
/* A new reference to None. */
static inline PyObject *famqp_py_none(void)
{
    Py_INCREF(Py_None);
    return Py_None;
}
/* True when o is an instance of class idx. */
static inline bool famqp_py_is(PyObject *o, int idx)
{
    return Py_TYPE(o) == (PyTypeObject *)famqp_py_classes[idx] ||
           PyObject_TypeCheck(o, (PyTypeObject *)famqp_py_classes[idx]);
}
/* 0 when o is an instance of class idx with n fields; else -1 with a
 * TypeError naming the AMQP type. */
int famqp_py_check(PyObject *o, int idx, Py_ssize_t n, const char *amqp);
/* -1, with the pending exception turned into an EncodeError that names
 * type.field (an EncodeError from a nested value keeps its own place). */
int famqp_py_field_error(const char *type, const char *field);
/* -1 with an EncodeError: the mandatory field type.field is None. */
int famqp_py_missing(const char *type, const char *field);

/* ---- primitives -------------------------------------------------------------
 * famqp_py_from_<p>(d, &c)      C value to Python
 * famqp_py_to_<p>(e, o, &c)     Python to C value (type and range checked)
 * famqp_py_fits_<p>(o)          whether o is, by its Python type, a <p>
 *                               (chooses a union's member) */
#define FAMQP_PY_PRIM(fn, ctype)                                                                             \
    PyObject *famqp_py_from_##fn(famqp_py_dec *d, const ctype *v);                                           \
    int famqp_py_to_##fn(famqp_py_enc *e, PyObject *o, ctype *out);                                          \
    bool famqp_py_fits_##fn(PyObject *o);                                                                    \
    PyObject *famqp_py_from_multiple_##fn(famqp_py_dec *d, const famqp_multiple *v);                         \
    int famqp_py_to_multiple_##fn(famqp_py_enc *e, PyObject *o, famqp_multiple *out);
FAMQP_PY_PRIM(bool, bool)
FAMQP_PY_PRIM(ubyte, uint8_t)
FAMQP_PY_PRIM(ushort, uint16_t)
FAMQP_PY_PRIM(uint, uint32_t)
FAMQP_PY_PRIM(ulong, uint64_t)
FAMQP_PY_PRIM(byte, int8_t)
FAMQP_PY_PRIM(short, int16_t)
FAMQP_PY_PRIM(int, int32_t)
FAMQP_PY_PRIM(long, int64_t)
FAMQP_PY_PRIM(float, float)
FAMQP_PY_PRIM(double, double)
FAMQP_PY_PRIM(decimal32, famqp_decimal32)
FAMQP_PY_PRIM(decimal64, famqp_decimal64)
FAMQP_PY_PRIM(decimal128, famqp_decimal128)
FAMQP_PY_PRIM(char, uint32_t)
FAMQP_PY_PRIM(timestamp, int64_t)
FAMQP_PY_PRIM(uuid, famqp_uuid)
FAMQP_PY_PRIM(binary, famqp_binary)
FAMQP_PY_PRIM(string, famqp_string)
FAMQP_PY_PRIM(symbol, famqp_symbol)
#undef FAMQP_PY_PRIM
/* Room for one C value of any scalar primitive (conversion scratch). */
typedef union famqp_py_cvalue {
    bool b;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    float f;
    double d;
    famqp_decimal32 d32;
    famqp_decimal64 d64;
    famqp_decimal128 d128;
    famqp_uuid uuid;
    famqp_binary bin;
    famqp_string str;
    famqp_symbol sym;
} famqp_py_cvalue;
/* Compounds: lists and maps of any values (value.c). */
PyObject *famqp_py_from_list(famqp_py_dec *d, const famqp_list *v);
int famqp_py_to_list(famqp_py_enc *e, PyObject *o, famqp_list *out);
bool famqp_py_fits_list(PyObject *o);
PyObject *famqp_py_from_map(famqp_py_dec *d, const famqp_map *v);
int famqp_py_to_map(famqp_py_enc *e, PyObject *o, famqp_map *out);
bool famqp_py_fits_map(PyObject *o);
/* Array(type, items) as one array32 in the arena (array.c). */
int famqp_py_encode_array(famqp_py_enc *e, PyObject *type, PyObject *items, famqp_value *out);
/* A binary as a memoryview slice of the input (zero-copy). */
PyObject *famqp_py_from_binary_view(famqp_py_dec *d, const famqp_binary *v);
/* Any value: the Python type decides the AMQP type (docs/python.md). */
PyObject *famqp_py_from_value(famqp_py_dec *d, const famqp_value *v);
int famqp_py_to_value(famqp_py_enc *e, PyObject *o, famqp_value *out);

/* ---- module state ------------------------------------------------------------ */

/* The value classes of flatamqp.types (symbol, ulong, ..., Described,
 * Array), set by flatamqp/__init__.py through _register_value_types. */
enum famqp_py_vclass {
    FAMQP_PY_V_SYMBOL, FAMQP_PY_V_CHAR, FAMQP_PY_V_UBYTE, FAMQP_PY_V_USHORT, FAMQP_PY_V_UINT,
    FAMQP_PY_V_ULONG, FAMQP_PY_V_BYTE, FAMQP_PY_V_SHORT, FAMQP_PY_V_INT, FAMQP_PY_V_FLOAT,
    FAMQP_PY_V_TIMESTAMP, FAMQP_PY_V_DECIMAL32, FAMQP_PY_V_DECIMAL64, FAMQP_PY_V_DECIMAL128,
    FAMQP_PY_V_DESCRIBED, FAMQP_PY_V_ARRAY, FAMQP_PY_V_UUID, FAMQP_PY_V_COUNT
};
extern PyObject *famqp_py_vclasses[FAMQP_PY_V_COUNT];
extern const char *const famqp_py_vclass_names[FAMQP_PY_V_COUNT];
/* True when o is an instance of value class k (false before registration). */
bool famqp_py_is_v(PyObject *o, enum famqp_py_vclass k);
/* An instance of value class k made from arg (stolen; NULL passes through). */
PyObject *famqp_py_make_v(enum famqp_py_vclass k, PyObject *arg);
/* flatamqp.EncodeError and flatamqp.DecodeError */
extern PyObject *famqp_py_encode_error;
extern PyObject *famqp_py_decode_error;
/* The class index of a described type by descriptor code, or -1. */
int famqp_py_index_of_code(uint64_t code);
/* The class index of an object's class, or -1. */
int famqp_py_index_of(PyObject *o);

/* Raises DecodeError for err, a failure of a decode that started at `at`
 * (inside d's input; its offset is made relative to the input's start),
 * and returns NULL. */
PyObject *famqp_py_raise_decode(const famqp_error *err, famqp_py_dec *d, const uint8_t *at);
/* The class index of the described value starting at p[0..n), by its
 * descriptor (code or name): -1 with err->status OK when it is none of the
 * spec's, -1 with err filled in when the descriptor itself is cut short or
 * malformed. */
int famqp_py_peek_index(const uint8_t *p, size_t n, famqp_error *err);
/* A new namedtuple class (module flatamqp) whose n fields default to None. */
PyObject *famqp_py_namedtuple(const char *name, const char *fields, Py_ssize_t n);

/* pyamqp-compatible encode_payload(output, message) (pyamqp.c). */
PyObject *famqp_py_pyamqp_encode_payload(PyObject *self, PyObject *args);

/* ---- messages (message.c) ---------------------------------------------------- */

extern PyObject *famqp_py_message_class;
/* Finds the section classes and adds Message to the module. */
int famqp_py_message_init(PyObject *module);
int famqp_py_encode_message(famqp_py_enc *e, PyObject *m, famqp_py_out *out);
PyObject *famqp_py_decode_message(famqp_py_dec *d, const uint8_t *p, size_t n);

#endif
