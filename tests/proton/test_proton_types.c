/* Cross-checks every generated performative, SASL frame, delivery state,
 * terminus, transaction type, lifetime policy and message section against
 * Qpid Proton-C: the same value built with pn_data_t and with the generated
 * struct, each side's bytes decoded by the other. */
#include <check.h>
#include <stdlib.h>

#include "crosscheck.h"
#include "famqp_spec.h"

/* Descriptor codes from the AMQP 1.0 specification (written out here so a
 * wrong generated FAMQP_<TYPE>_CODE shows up as a decode failure). */
enum {
    C_OPEN = 0x10, C_BEGIN, C_ATTACH, C_FLOW, C_TRANSFER, C_DISPOSITION, C_DETACH, C_END, C_CLOSE,
    C_ERROR = 0x1d,
    C_RECEIVED = 0x23, C_ACCEPTED, C_REJECTED, C_RELEASED, C_MODIFIED, C_SOURCE, C_TARGET,
    C_DELETE_ON_CLOSE = 0x2b, C_DELETE_ON_NO_LINKS, C_DELETE_ON_NO_MESSAGES, C_DELETE_ON_NO_LINKS_OR_MESSAGES,
    C_COORDINATOR = 0x30, C_DECLARE, C_DISCHARGE, C_DECLARED, C_TRANSACTIONAL_STATE,
    C_SASL_MECHANISMS = 0x40, C_SASL_INIT, C_SASL_CHALLENGE, C_SASL_RESPONSE, C_SASL_OUTCOME,
    C_HEADER = 0x70, C_DELIVERY_ANNOTATIONS, C_MESSAGE_ANNOTATIONS, C_PROPERTIES, C_APPLICATION_PROPERTIES,
    C_DATA, C_AMQP_SEQUENCE, C_AMQP_VALUE, C_FOOTER
};
/* Apache filter descriptor (apache.org:selector-filter:string). */
#define C_SELECTOR_FILTER 0x0000468C00000004ULL

static const uint8_t uuid_bytes[16] = {0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
                                       0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00};
static const uint8_t tag32[32] = {0x00, 0xff, 0x01, 0xfe, 0x02, 0xfd, 0x03, 0xfc, 0x04, 0xfb, 0x05,
                                  0xfa, 0x06, 0xf9, 0x07, 0xf8, 0x08, 0xf7, 0x09, 0xf6, 0x0a, 0xf5,
                                  0x0b, 0xf4, 0x0c, 0xf3, 0x0d, 0xf2, 0x0e, 0xf1, 0x0f, 0xf0};
static const uint8_t txn[8] = {0xde, 0xad, 0xbe, 0xef, 0x00, 0x00, 0x00, 0x01};

static void setup(void) { arena_reset(); }

/* Bytes 0..n-1 of a repeating pattern, in arena memory. */
static const uint8_t *blob(size_t n)
{
    uint8_t *b = arena_alloc(n + 1);
    for (size_t i = 0; i < n; i++)
        b[i] = (uint8_t)(i * 7 + 3);
    return b;
}

/* Shared sub-values (macros: compound literals live in the calling test). */
#define CAPS T_SYMS(T_SYM("ANONYMOUS-RELAY"), T_SYM("DELAYED_DELIVERY"), T_SYM("sole-connection-for-container"))
#define CAPS2 T_SYMS(T_SYM("SHARED-SUBS"), T_SYM("amqp:link-pair"))
#define PROPS                                                                                      \
    T_MAP(T_SYM("product"), T_STR("flatamqp-test"), T_SYM("version"), T_STR("0.1.0"), T_SYM("max"), \
          T_ULONG(UINT64_MAX), T_SYM("neg"), T_LONG(-5), T_SYM("nested"),                          \
          T_LIST(T_INT(-100000), T_BOOL(true), T_NULL, T_STR("x")))
#define ERROR_FULL                                                                                 \
    T_COMP(C_ERROR, T_SYM("amqp:not-found"), T_STR("node 'orders' not found"),                     \
           T_MAP(T_SYM("hint"), T_STR("check the address"), T_SYM("code"), T_INT(404), T_SYM("retry"), \
                 T_BOOL(false)))
#define ERROR_MIN T_COMP(C_ERROR, T_SYM("amqp:internal-error"))
#define SOURCE_FULL                                                                                \
    T_COMP(C_SOURCE, T_STR("queue://orders"), T_UINT(2), T_SYM("link-detach"), T_UINT(3600), T_BOOL(true), \
           T_MAP(T_SYM("lifetime-policy"), T_COMP0(C_DELETE_ON_NO_LINKS), T_SYM("x-opt-ttl"), T_UINT(60000)), \
           T_SYM("copy"),                                                                          \
           T_MAP(T_SYM("apache.org:selector-filter:string"),                                       \
                 T_DESC(C_SELECTOR_FILTER, T_STR("color = 'red' AND weight > 10")), T_SYM("legacy"),   \
                 T_DESC_SYM("apache.org:legacy-amqp-direct-binding:string", T_STR("routing.key"))),    \
           T_COMP(C_MODIFIED, T_BOOL(true), T_BOOL(false)),                                        \
           T_SYMS(T_SYM("amqp:accepted:list"), T_SYM("amqp:rejected:list"), T_SYM("amqp:modified:list")), \
           T_SYMS(T_SYM("queue"), T_SYM("shared")))
#define TARGET_FULL                                                                                \
    T_COMP(C_TARGET, T_STR("topic://prices"), T_UINT(1), T_SYM("never"), T_UINT(0xFFFFFFFF), T_BOOL(false), \
           T_MAP(T_SYM("supported-dist-modes"), T_SYM("move")), T_SYMS(T_SYM("topic")))

/* ---- performatives ------------------------------------------------------ */

START_TEST(open_all_fields)
{
    tv v = T_COMP(C_OPEN, T_STR("container-1"), T_STR("broker.example.com"), T_UINT(0xFFFFFFFF), T_USHORT(0xFFFF),
                  T_UINT(120000), T_SYMS(T_SYM("en-US"), T_SYM("de-CH")), T_SYMS(T_SYM("fr")), CAPS, CAPS2, PROPS);
    crosscheck(&td_open, &v, 0);
}
END_TEST

START_TEST(open_mandatory_only)
{
    tv v = T_COMP(C_OPEN, T_STR("c"));
    crosscheck(&td_open, &v, 0);
}
END_TEST

/* Every compound above 255 bytes and every symbol of an array above 255
 * characters: both sides must pick list32/map32/array32/sym32/str32, so
 * the encodings must be identical. */
START_TEST(open_wide_exact)
{
    const char *w1 = arena_pattern(300, 'a'), *w2 = arena_pattern(256, 'b'), *w3 = arena_pattern(400, 'c');
    tv v = T_COMP(C_OPEN, T_STRN(w1, 300), T_STRN(w2, 256), T_UINT(512), T_USHORT(0), T_UINT(0),
                  T_SYMS(T_SYMN(w2, 256)), T_SYMS(T_SYMN(w2, 256), T_SYMN(w1, 300)), T_SYMS(T_SYMN(w3, 400)),
                  T_SYMS(T_SYMN(w1, 300)),
                  T_MAP(T_SYM("k1"), T_STRN(w3, 400), T_SYM("k2"), T_UINT(1), T_SYM("k3"), T_ULONG(0)));
    crosscheck(&td_open, &v, XC_EXACT);
}
END_TEST

/* Every performative with all fields set and every compound forced to its
 * 32-bit form (bodies over 255 bytes, a symbol of 256 characters in every
 * array, strings/binaries over 255 bytes): Proton and flatamqp must then
 * produce identical bytes. */
START_TEST(performatives_wide_exact)
{
    const char *w = arena_pattern(300, 'p');
    const uint8_t *big = blob(300);
#define STRW T_STRN(w, 300)
#define SYMW T_SYMN(w, 256)
#define CAPSW T_SYMS(T_SYM("short"), SYMW)
#define MAPW T_MAP(T_SYM("long"), STRW, T_SYM("n"), T_INT(-3), T_SYM("l"), T_LIST(STRW, T_UINT(7)))
#define ERRW T_COMP(C_ERROR, T_SYM("amqp:resource-limit-exceeded"), STRW, MAPW)
    const struct { const type_desc *td; tv v; } cases[] = {
        {&td_open, T_COMP(C_OPEN, STRW, STRW, T_UINT(0xFFFFFFFF), T_USHORT(0xFFFF), T_UINT(30000), CAPSW, CAPSW,
                          CAPSW, CAPSW, MAPW)},
        {&td_begin, T_COMP(C_BEGIN, T_USHORT(1), T_UINT(2), T_UINT(3), T_UINT(4), T_UINT(5), CAPSW, CAPSW, MAPW)},
        {&td_attach, T_COMP(C_ATTACH, STRW, T_UINT(7), T_BOOL(true), T_UBYTE(2), T_UBYTE(1),
                            T_COMP(C_SOURCE, STRW, T_UINT(2), T_SYM("never"), T_UINT(0xFFFFFFFF), T_BOOL(false), MAPW,
                                   T_SYM("move"),
                                   T_MAP(T_SYM("apache.org:selector-filter:string"), T_DESC(C_SELECTOR_FILTER, STRW)),
                                   T_COMP(C_MODIFIED, T_BOOL(true), T_BOOL(true), MAPW), CAPSW, CAPSW),
                            T_COMP(C_TARGET, STRW, T_UINT(1), T_SYM("link-detach"), T_UINT(9), T_BOOL(true), MAPW,
                                   CAPSW),
                            T_MAP(T_BIN(big, 32), T_COMP(C_REJECTED, ERRW)), T_BOOL(true), T_UINT(0xFFFFFFFF),
                            T_ULONG(UINT64_MAX), CAPSW, CAPSW, MAPW)},
        {&td_flow, T_COMP(C_FLOW, T_UINT(1), T_UINT(2), T_UINT(3), T_UINT(4), T_UINT(5), T_UINT(6), T_UINT(7),
                          T_UINT(8), T_BOOL(true), T_BOOL(false), MAPW)},
        {&td_transfer, T_COMP(C_TRANSFER, T_UINT(1), T_UINT(0xFFFFFFFF), T_BIN(big, 300), T_UINT(0), T_BOOL(false),
                              T_BOOL(true), T_UBYTE(0), T_COMP(C_REJECTED, ERRW), T_BOOL(false), T_BOOL(true),
                              T_BOOL(false))},
        {&td_disposition, T_COMP(C_DISPOSITION, T_BOOL(true), T_UINT(1), T_UINT(1000), T_BOOL(true),
                                 T_COMP(C_MODIFIED, T_BOOL(false), T_BOOL(true), MAPW), T_BOOL(true))},
        {&td_detach, T_COMP(C_DETACH, T_UINT(3), T_BOOL(true), ERRW)},
        {&td_end, T_COMP(C_END, ERRW)},
        {&td_close, T_COMP(C_CLOSE, ERRW)},
        {&td_sasl_mechanisms, T_COMP(C_SASL_MECHANISMS, T_SYMS(T_SYM("PLAIN"), SYMW))},
        {&td_sasl_init, T_COMP(C_SASL_INIT, SYMW, T_BIN(big, 300), STRW)},
        {&td_sasl_outcome, T_COMP(C_SASL_OUTCOME, T_UBYTE(0), T_BIN(big, 300))},
        {&td_coordinator, T_COMP(C_COORDINATOR, T_SYMS(T_SYM("amqp:local-transactions"), SYMW))},
        {&td_transactional_state, T_COMP(C_TRANSACTIONAL_STATE, T_BIN(big, 300), T_COMP(C_REJECTED, ERRW))},
        {&td_properties, T_COMP(C_PROPERTIES, STRW, T_BIN(big, 300), STRW, STRW, STRW, T_ULONG(1), SYMW, SYMW,
                                T_TS(1), T_TS(2), STRW, T_UINT(3), STRW)},
    };
#undef STRW
#undef SYMW
#undef CAPSW
#undef MAPW
#undef ERRW
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        crosscheck(cases[i].td, &cases[i].v, XC_EXACT);
}
END_TEST

START_TEST(begin_all_fields)
{
    tv v = T_COMP(C_BEGIN, T_USHORT(7), T_UINT(0xFFFFFFFF), T_UINT(2048), T_UINT(0), T_UINT(0xFFFFFFFF), CAPS, CAPS2,
                  PROPS);
    crosscheck(&td_begin, &v, 0);
}
END_TEST

START_TEST(begin_mandatory_only)
{
    tv v = T_COMP(C_BEGIN, T_NULL, T_UINT(1), T_UINT(100), T_UINT(0xFFFFFFFF));
    crosscheck(&td_begin, &v, 0);
}
END_TEST

START_TEST(attach_all_fields)
{
    tv v = T_COMP(C_ATTACH, T_STR("orders-receiver"), T_UINT(0xFFFFFFFF), T_BOOL(true), T_UBYTE(2), T_UBYTE(1),
                  SOURCE_FULL, TARGET_FULL,
                  T_MAP(T_BIN(tag32, 32), T_COMP0(C_ACCEPTED), T_BIN(tag32, 4), T_NULL, T_BIN(tag32, 1),
                        T_COMP(C_RECEIVED, T_UINT(1), T_ULONG(99))),
                  T_BOOL(true), T_UINT(0xFFFFFFFE), T_ULONG(UINT64_MAX), CAPS, CAPS2, PROPS);
    crosscheck(&td_attach, &v, 0);
}
END_TEST

START_TEST(attach_mandatory_only)
{
    tv v = T_COMP(C_ATTACH, T_STR("l"), T_UINT(0), T_BOOL(false));
    crosscheck(&td_attach, &v, 0);
}
END_TEST

START_TEST(attach_terminus_minimal)
{
    tv v = T_COMP(C_ATTACH, T_STR("l"), T_UINT(1), T_BOOL(false), T_UBYTE(0), T_UBYTE(0), T_COMP0(C_SOURCE),
                  T_COMP0(C_TARGET));
    crosscheck(&td_attach, &v, 0);
}
END_TEST

START_TEST(attach_coordinator_target)
{
    tv v = T_COMP(C_ATTACH, T_STR("txn-ctl"), T_UINT(3), T_BOOL(false), T_UBYTE(1), T_UBYTE(0),
                  T_COMP(C_SOURCE, T_STR("src"), T_NULL, T_NULL, T_NULL, T_NULL, T_NULL, T_NULL, T_NULL, T_NULL,
                         T_SYMS(T_SYM("amqp:accepted:list"), T_SYM("amqp:rejected:list"))),
                  T_COMP(C_COORDINATOR, T_SYMS(T_SYM("amqp:local-transactions"), T_SYM("amqp:multi-txns-per-ssn"))));
    crosscheck(&td_attach, &v, 0);
}
END_TEST

/* A source/target with a descriptor nobody provides is kept raw (OTHER). */
START_TEST(attach_unknown_terminus)
{
    tv v = T_COMP(C_ATTACH, T_STR("l"), T_UINT(1), T_BOOL(true), T_NULL, T_NULL,
                  T_COMP(0x0000137000000001ULL, T_STR("vendor-source"), T_UINT(5)),
                  T_COMP(0x0000137000000002ULL, T_STR("vendor-target")));
    crosscheck(&td_attach, &v, 0);
}
END_TEST

START_TEST(flow_all_fields)
{
    tv v = T_COMP(C_FLOW, T_UINT(10), T_UINT(0xFFFFFFFF), T_UINT(11), T_UINT(5000), T_UINT(3), T_UINT(0xFFFFFFFF),
                  T_UINT(100), T_UINT(0), T_BOOL(true), T_BOOL(true), PROPS);
    crosscheck(&td_flow, &v, 0);
}
END_TEST

START_TEST(flow_mandatory_only)
{
    tv v = T_COMP(C_FLOW, T_NULL, T_UINT(1), T_UINT(0), T_UINT(1));
    crosscheck(&td_flow, &v, 0);
}
END_TEST

/* Every delivery state and outcome, as transfer.state and disposition.state
 * (a macro: the compound literals must live in the calling test). */
#define ALL_STATES                                                                                 \
    {                                                                                              \
        T_COMP(C_RECEIVED, T_UINT(3), T_ULONG(0x1122334455667788ULL)), T_COMP0(C_ACCEPTED),        \
            T_COMP(C_REJECTED, ERROR_FULL), T_COMP0(C_RELEASED),                                   \
            T_COMP(C_MODIFIED, T_BOOL(true), T_BOOL(true),                                         \
                   T_MAP(T_SYM("x-opt-delivery-failures"), T_UINT(3), T_SYM("x-opt-reason"), T_STR("timeout"))), \
            T_COMP(C_DECLARED, T_BIN(txn, 8)),                                                     \
            T_COMP(C_TRANSACTIONAL_STATE, T_BIN(txn, 8), T_COMP0(C_ACCEPTED))                      \
    }

START_TEST(transfer_all_fields_each_state)
{
    const tv states[7] = ALL_STATES;
    for (int i = 0; i < 7; i++) {
        tv s = states[i];
        tv v = T_COMP(C_TRANSFER, T_UINT(1), T_UINT(0xFFFFFFFF), T_BIN(tag32, 32), T_UINT(0x12345678), T_BOOL(false),
                      T_BOOL(true), T_UBYTE(1), s, T_BOOL(true), T_BOOL(false), T_BOOL(true));
        crosscheck(&td_transfer, &v, 0);
    }
}
END_TEST

START_TEST(transfer_mandatory_only)
{
    tv v = T_COMP(C_TRANSFER, T_UINT(0));
    crosscheck(&td_transfer, &v, 0);
}
END_TEST

START_TEST(transfer_tag_sizes)
{
    static const size_t sizes[] = {0, 1, 255, 256, 1000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        tv v = T_COMP(C_TRANSFER, T_UINT(0xFFFFFFFF), T_UINT(0), T_BIN(blob(sizes[i]), sizes[i]), T_UINT(0),
                      T_BOOL(true));
        crosscheck(&td_transfer, &v, 0);
    }
}
END_TEST

START_TEST(disposition_all_fields_each_state)
{
    const tv states[7] = ALL_STATES;
    for (int i = 0; i < 7; i++) {
        tv s = states[i];
        tv v = T_COMP(C_DISPOSITION, T_BOOL(true), T_UINT(0), T_UINT(0xFFFFFFFF), T_BOOL(true), s, T_BOOL(true));
        crosscheck(&td_disposition, &v, 0);
    }
}
END_TEST

START_TEST(disposition_mandatory_only)
{
    tv v = T_COMP(C_DISPOSITION, T_BOOL(false), T_UINT(5));
    crosscheck(&td_disposition, &v, 0);
}
END_TEST

START_TEST(detach_all_fields)
{
    tv v = T_COMP(C_DETACH, T_UINT(0xFFFFFFFF), T_BOOL(true), ERROR_FULL);
    crosscheck(&td_detach, &v, 0);
}
END_TEST

START_TEST(detach_mandatory_only)
{
    tv v = T_COMP(C_DETACH, T_UINT(2));
    crosscheck(&td_detach, &v, 0);
}
END_TEST

START_TEST(end_and_close)
{
    const char *longdesc = arena_pattern(700, 'A');
    tv e1 = T_COMP(C_END, ERROR_FULL);
    tv e2 = T_COMP(C_END, ERROR_MIN);
    tv c1 = T_COMP(C_CLOSE, ERROR_FULL);
    tv c2 = T_COMP(C_CLOSE, T_COMP(C_ERROR, T_SYM("amqp:connection:forced"), T_STRN(longdesc, 700)));
    crosscheck(&td_end, &e1, 0);
    crosscheck(&td_end, &e2, 0);
    crosscheck(&td_close, &c1, 0);
    crosscheck(&td_close, &c2, 0);
}
END_TEST

START_TEST(end_and_close_empty_exact)
{
    tv e = T_COMP0(C_END);
    tv c = T_COMP0(C_CLOSE);
    crosscheck(&td_end, &e, XC_EXACT);
    crosscheck(&td_close, &c, XC_EXACT);
}
END_TEST

/* Long description (str32) and a large info map: both sides write 32-bit
 * forms, so the bytes must be identical. */
START_TEST(close_wide_exact)
{
    const char *w = arena_pattern(300, 'k');
    tv c = T_COMP(C_CLOSE, T_COMP(C_ERROR, T_SYM("amqp:connection:redirect"), T_STRN(w, 300),
                                  T_MAP(T_SYM("hostname"), T_STRN(w, 280), T_SYM("port"), T_INT(5671),
                                        T_SYM("network-host"), T_STR("10.0.0.1"))));
    crosscheck(&td_close, &c, XC_EXACT);
}
END_TEST

START_TEST(error_fields)
{
    tv a = ERROR_FULL;
    tv b = ERROR_MIN;
    tv c = T_COMP(C_ERROR, T_SYM("vendor:custom-condition"), T_STR(""));
    crosscheck(&td_error, &a, 0);
    crosscheck(&td_error, &b, 0);
    crosscheck(&td_error, &c, 0);
}
END_TEST

/* A described value may carry a symbolic descriptor; decoders must accept
 * it (Proton writes what it is given). */
START_TEST(symbolic_descriptors)
{
    tv o = T_DESC_SYM("amqp:open:list", T_LIST(T_STR("c"), T_STR("h")));
    tv t = T_COMP(C_TRANSFER, T_UINT(1), T_NULL, T_NULL, T_NULL, T_NULL, T_NULL, T_NULL,
                  T_DESC_SYM("amqp:accepted:list", T_LIST0));
    tv d = T_COMP(C_DISPOSITION, T_BOOL(true), T_UINT(1), T_NULL, T_BOOL(true),
                  T_DESC_SYM("amqp:rejected:list", T_LIST(T_DESC_SYM("amqp:error:list", T_LIST(T_SYM("x:y"))))));
    crosscheck(&td_open, &o, XC_DECODE_ONLY);
    crosscheck(&td_transfer, &t, XC_DECODE_ONLY);
    crosscheck(&td_disposition, &d, XC_DECODE_ONLY);
}
END_TEST

/* ---- SASL ---------------------------------------------------------------- */

START_TEST(sasl_mechanisms)
{
    tv many = T_COMP(C_SASL_MECHANISMS,
                     T_SYMS(T_SYM("SCRAM-SHA-256"), T_SYM("PLAIN"), T_SYM("ANONYMOUS"), T_SYM("EXTERNAL")));
    tv one = T_COMP(C_SASL_MECHANISMS, T_SYM1("PLAIN"));
    crosscheck(&td_sasl_mechanisms, &many, 0);
    /* A single symbol is legal on the wire; we write a one-element array. */
    crosscheck(&td_sasl_mechanisms, &one, XC_NOT_CANONICAL);
}
END_TEST

START_TEST(sasl_init)
{
    static const uint8_t plain[] = "\0user\0secret";
    tv all = T_COMP(C_SASL_INIT, T_SYM("PLAIN"), T_BIN(plain, sizeof plain - 1), T_STR("broker.example.com"));
    tv min = T_COMP(C_SASL_INIT, T_SYM("ANONYMOUS"));
    crosscheck(&td_sasl_init, &all, 0);
    crosscheck(&td_sasl_init, &min, 0);
}
END_TEST

START_TEST(sasl_challenge_response)
{
    tv c1 = T_COMP(C_SASL_CHALLENGE, T_BIN(blob(40), 40));
    tv r1 = T_COMP(C_SASL_RESPONSE, T_BIN(blob(40), 40));
    tv c0 = T_COMP(C_SASL_CHALLENGE, T_BIN(blob(0), 0));
    crosscheck(&td_sasl_challenge, &c1, 0);
    crosscheck(&td_sasl_response, &r1, 0);
    crosscheck(&td_sasl_challenge, &c0, 0);
}
END_TEST

START_TEST(sasl_challenge_response_wide_exact)
{
    tv c = T_COMP(C_SASL_CHALLENGE, T_BIN(blob(300), 300));
    tv r = T_COMP(C_SASL_RESPONSE, T_BIN(blob(70000), 70000));
    crosscheck(&td_sasl_challenge, &c, XC_EXACT);
    crosscheck(&td_sasl_response, &r, XC_EXACT);
}
END_TEST

START_TEST(sasl_outcome_each_code)
{
    for (unsigned code = 0; code <= 4; code++) {
        tv all = T_COMP(C_SASL_OUTCOME, T_UBYTE(code), T_BIN("welcome", 7));
        tv min = T_COMP(C_SASL_OUTCOME, T_UBYTE(code));
        crosscheck(&td_sasl_outcome, &all, 0);
        crosscheck(&td_sasl_outcome, &min, 0);
    }
}
END_TEST

/* A sasl-code outside the choices is a decode error, not a value. */
START_TEST(sasl_outcome_invalid_code)
{
    tv bad = T_COMP(C_SASL_OUTCOME, T_UBYTE(5));
    famqp_binary b = proton_encode(&bad);
    famqp_sasl_outcome out;
    famqp_error err;
    ck_assert_uint_eq(famqp_sasl_outcome_decode(b.ptr, b.len, &out, &err), 0);
    ck_assert_int_eq(err.status, FAMQP_ERR_INVALID_VALUE);
}
END_TEST

/* ---- delivery states, outcomes, termini ------------------------------- */

START_TEST(delivery_states_standalone)
{
    static const type_desc *const tds[] = {&td_received, &td_accepted, &td_rejected, &td_released,
                                           &td_modified, &td_declared, &td_transactional_state};
    const tv states[7] = ALL_STATES;
    for (int i = 0; i < 7; i++)
        crosscheck(tds[i], &states[i], 0);
}
END_TEST

START_TEST(delivery_states_extremes)
{
    tv r0 = T_COMP(C_RECEIVED, T_UINT(0), T_ULONG(0));
    tv r1 = T_COMP(C_RECEIVED, T_UINT(0xFFFFFFFF), T_ULONG(UINT64_MAX));
    tv rj = T_COMP(C_REJECTED, ERROR_MIN);
    tv m1 = T_COMP(C_MODIFIED, T_BOOL(false));
    tv m2 = T_COMP(C_MODIFIED, T_NULL, T_NULL, T_MAP(T_SYM("k"), T_NULL));
    crosscheck(&td_received, &r0, 0);
    crosscheck(&td_received, &r1, 0);
    crosscheck(&td_rejected, &rj, 0);
    crosscheck(&td_modified, &m1, 0);
    crosscheck(&td_modified, &m2, 0);
}
END_TEST

/* Empty lists are list0 on both sides: identical bytes. */
START_TEST(empty_composites_exact)
{
    static const struct { const type_desc *td; uint64_t code; } e[] = {
        {&td_accepted, C_ACCEPTED}, {&td_rejected, C_REJECTED}, {&td_released, C_RELEASED},
        {&td_modified, C_MODIFIED}, {&td_source, C_SOURCE}, {&td_target, C_TARGET},
        {&td_coordinator, C_COORDINATOR}, {&td_declare, C_DECLARE}, {&td_header, C_HEADER},
        {&td_delete_on_close, C_DELETE_ON_CLOSE}, {&td_delete_on_no_links, C_DELETE_ON_NO_LINKS},
        {&td_delete_on_no_messages, C_DELETE_ON_NO_MESSAGES},
        {&td_delete_on_no_links_or_messages, C_DELETE_ON_NO_LINKS_OR_MESSAGES},
    };
    for (size_t i = 0; i < sizeof e / sizeof e[0]; i++) {
        tv v = T_COMP0(e[i].code);
        crosscheck(e[i].td, &v, XC_EXACT);
    }
}
END_TEST

START_TEST(source_and_target)
{
    tv s = SOURCE_FULL;
    tv t = TARGET_FULL;
    tv s_num_outcome = T_COMP(C_SOURCE, T_STR("a"), T_NULL, T_NULL, T_NULL, T_NULL, T_NULL, T_SYM("move"), T_NULL,
                              T_COMP0(C_RELEASED), T_SYM1("amqp:accepted:list"));
    tv t_dyn = T_COMP(C_TARGET, T_NULL, T_UINT(0), T_SYM("session-end"), T_UINT(0), T_BOOL(true),
                      T_MAP(T_SYM("lifetime-policy"), T_COMP0(C_DELETE_ON_CLOSE)));
    crosscheck(&td_source, &s, 0);
    crosscheck(&td_target, &t, 0);
    crosscheck(&td_source, &s_num_outcome, XC_NOT_CANONICAL);
    crosscheck(&td_target, &t_dyn, 0);
}
END_TEST

START_TEST(lifetime_policies_as_node_properties)
{
    static const uint64_t codes[] = {C_DELETE_ON_CLOSE, C_DELETE_ON_NO_LINKS, C_DELETE_ON_NO_MESSAGES,
                                     C_DELETE_ON_NO_LINKS_OR_MESSAGES};
    static const type_desc *const tds[] = {&td_delete_on_close, &td_delete_on_no_links, &td_delete_on_no_messages,
                                           &td_delete_on_no_links_or_messages};
    for (int i = 0; i < 4; i++) {
        tv t = T_COMP(C_TARGET, T_NULL, T_NULL, T_NULL, T_NULL, T_BOOL(true),
                      T_MAP(T_SYM("lifetime-policy"), T_COMP0(codes[i])));
        crosscheck(&td_target, &t, 0);
        /* A lifetime policy carrying (extension) list elements must still
         * decode: extra elements are validated and skipped. */
        tv extra = T_COMP(codes[i], T_STR("future-field"));
        famqp_binary b = proton_encode(&extra);
        tv empty = T_COMP0(codes[i]);
        decode_and_check(tds[i], b.ptr, b.len, &empty, "lifetime policy with an extra element");
    }
}
END_TEST

/* ---- transactions -------------------------------------------------------- */

START_TEST(transactions)
{
    tv coord = T_COMP(C_COORDINATOR, T_SYMS(T_SYM("amqp:local-transactions"), T_SYM("amqp:distributed-transactions"),
                                            T_SYM("amqp:promotable-transactions"), T_SYM("amqp:multi-txns-per-ssn"),
                                            T_SYM("amqp:multi-ssns-per-txn")));
    tv coord1 = T_COMP(C_COORDINATOR, T_SYM1("amqp:local-transactions"));
    tv decl = T_COMP0(C_DECLARE);
    tv decl_global = T_COMP(C_DECLARE, T_DESC(0x0000137000000009ULL, T_BIN(txn, 8)));
    tv dis = T_COMP(C_DISCHARGE, T_BIN(txn, 8), T_BOOL(true));
    tv dis_min = T_COMP(C_DISCHARGE, T_BIN(txn, 8));
    tv dis_long = T_COMP(C_DISCHARGE, T_BIN(blob(300), 300), T_BOOL(false));
    tv dec = T_COMP(C_DECLARED, T_BIN(txn, 8));
    tv ts = T_COMP(C_TRANSACTIONAL_STATE, T_BIN(txn, 8), T_COMP(C_REJECTED, ERROR_FULL));
    tv ts_min = T_COMP(C_TRANSACTIONAL_STATE, T_BIN(txn, 4));
    crosscheck(&td_coordinator, &coord, 0);
    crosscheck(&td_coordinator, &coord1, XC_NOT_CANONICAL);
    crosscheck(&td_declare, &decl, XC_EXACT);
    crosscheck(&td_declare, &decl_global, 0);
    crosscheck(&td_discharge, &dis, 0);
    crosscheck(&td_discharge, &dis_min, 0);
    crosscheck(&td_discharge, &dis_long, XC_EXACT);
    crosscheck(&td_declared, &dec, 0);
    crosscheck(&td_transactional_state, &ts, 0);
    crosscheck(&td_transactional_state, &ts_min, 0);
}
END_TEST

START_TEST(transactional_state_each_outcome)
{
    tv outcomes[5];
    outcomes[0] = T_COMP0(C_ACCEPTED);
    outcomes[1] = T_COMP(C_REJECTED, ERROR_MIN);
    outcomes[2] = T_COMP0(C_RELEASED);
    outcomes[3] = T_COMP(C_MODIFIED, T_BOOL(true), T_BOOL(false), T_MAP(T_SYM("a"), T_INT(1)));
    outcomes[4] = T_COMP(C_DECLARED, T_BIN(txn, 8));
    for (int i = 0; i < 5; i++) {
        tv v = T_COMP(C_TRANSACTIONAL_STATE, T_BIN(txn, 8), outcomes[i]);
        crosscheck(&td_transactional_state, &v, 0);
    }
}
END_TEST

/* ---- message sections ---------------------------------------------------- */

#define ANNOTATIONS                                                                                \
    T_MAP(T_SYM("x-opt-partition-key"), T_STR("p-7"), T_SYM("x-opt-sequence-number"), T_LONG(9000000000LL), \
          T_ULONG(42), T_STR("numeric key"), T_SYM("x-opt-enqueued-time"), T_TS(1700000000123LL))

START_TEST(section_header)
{
    tv all = T_COMP(C_HEADER, T_BOOL(true), T_UBYTE(9), T_UINT(0xFFFFFFFF), T_BOOL(true), T_UINT(7));
    tv some = T_COMP(C_HEADER, T_BOOL(false), T_NULL, T_UINT(1000));
    crosscheck(&td_header, &all, 0);
    crosscheck(&td_header, &some, 0);
}
END_TEST

START_TEST(section_annotations)
{
    tv da = T_DESC(C_DELIVERY_ANNOTATIONS, ANNOTATIONS);
    tv ma = T_DESC(C_MESSAGE_ANNOTATIONS, ANNOTATIONS);
    tv ft = T_DESC(C_FOOTER, T_MAP(T_SYM("x-opt-hash"), T_BIN(tag32, 32), T_SYM("x-opt-alg"), T_SYM("sha-256")));
    tv empty = T_DESC(C_MESSAGE_ANNOTATIONS, T_MAP(T_SYM("k"), T_NULL));
    crosscheck(&td_delivery_annotations, &da, 0);
    crosscheck(&td_message_annotations, &ma, 0);
    crosscheck(&td_footer, &ft, 0);
    crosscheck(&td_message_annotations, &empty, 0);
}
END_TEST

START_TEST(section_annotations_wide_exact)
{
    const char *w = arena_pattern(300, 'm');
    tv da = T_DESC(C_DELIVERY_ANNOTATIONS, T_MAP(T_SYM("x-opt-a"), T_STRN(w, 300), T_SYM("x-opt-b"), T_UINT(0)));
    tv ma = T_DESC(C_MESSAGE_ANNOTATIONS, T_MAP(T_SYM("x-opt-a"), T_STRN(w, 256), T_ULONG(7), T_LONG(-1)));
    tv ft = T_DESC(C_FOOTER, T_MAP(T_SYM("x-opt-sig"), T_BIN(blob(500), 500)));
    tv ap = T_DESC(C_APPLICATION_PROPERTIES, T_MAP(T_STR("big"), T_STRN(w, 290), T_STR("n"), T_INT(-2)));
    crosscheck(&td_delivery_annotations, &da, XC_EXACT);
    crosscheck(&td_message_annotations, &ma, XC_EXACT);
    crosscheck(&td_footer, &ft, XC_EXACT);
    crosscheck(&td_application_properties, &ap, XC_EXACT);
}
END_TEST

START_TEST(section_properties)
{
    const char *longsubj = arena_pattern(300, 'S');
    tv all = T_COMP(C_PROPERTIES, T_STR("msg-0001"), T_BIN("alice", 5), T_STR("queue://orders"), T_STRN(longsubj, 300),
                    T_STR("queue://replies"), T_ULONG(UINT64_MAX), T_SYM("application/json"), T_SYM("gzip"),
                    T_TS(1700000000000LL), T_TS(-1000), T_STR("group-a"), T_UINT(0xFFFFFFFF), T_STR("group-r"));
    tv ids_uuid = T_COMP(C_PROPERTIES, T_UUID(uuid_bytes), T_NULL, T_NULL, T_NULL, T_NULL, T_BIN(tag32, 16));
    tv ids_ulong = T_COMP(C_PROPERTIES, T_ULONG(0), T_NULL, T_NULL, T_NULL, T_NULL, T_STR("corr"));
    tv ids_other = T_COMP(C_PROPERTIES, T_SYM("symbol-id-is-not-a-message-id"), T_NULL, T_NULL, T_NULL, T_NULL,
                          T_INT(7));
    tv empty = T_COMP0(C_PROPERTIES);
    crosscheck(&td_properties, &all, 0);
    crosscheck(&td_properties, &ids_uuid, 0);
    crosscheck(&td_properties, &ids_ulong, 0);
    crosscheck(&td_properties, &ids_other, 0);
    crosscheck(&td_properties, &empty, XC_EXACT);
}
END_TEST

START_TEST(section_application_properties)
{
    tv ap = T_DESC(C_APPLICATION_PROPERTIES,
                   T_MAP(T_STR("s"), T_STR("text"), T_STR("i"), T_INT(-7), T_STR("l"), T_LONG(INT64_MIN), T_STR("b"),
                         T_BOOL(false), T_STR("u"), T_UUID(uuid_bytes), T_STR("ts"), T_TS(1), T_STR("bin"),
                         T_BIN(tag32, 3), T_STR("n"), T_NULL, T_STR("ub"), T_UBYTE(255), T_STR("us"),
                         T_USHORT(65535), T_STR("ui"), T_UINT(0), T_STR("ul"), T_ULONG(256)));
    crosscheck(&td_application_properties, &ap, 0);
}
END_TEST

START_TEST(section_data)
{
    static const size_t sizes[] = {0, 1, 255, 256, 100000};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        tv d = T_DESC(C_DATA, T_BIN(blob(sizes[i]), sizes[i]));
        crosscheck(&td_data, &d, XC_EXACT);
    }
}
END_TEST

START_TEST(section_amqp_sequence)
{
    tv s = T_DESC(C_AMQP_SEQUENCE, T_LIST(T_STR("a"), T_INT(1), T_LIST(T_BOOL(true)), T_MAP(T_STR("k"), T_STR("v"))));
    tv empty = T_DESC(C_AMQP_SEQUENCE, T_LIST0);
    const char *w = arena_pattern(1000, 'q');
    tv wide = T_DESC(C_AMQP_SEQUENCE, T_LIST(T_STRN(w, 1000), T_ULONG(1)));
    crosscheck(&td_amqp_sequence, &s, 0);
    crosscheck(&td_amqp_sequence, &empty, XC_EXACT);
    crosscheck(&td_amqp_sequence, &wide, XC_EXACT);
}
END_TEST

START_TEST(section_amqp_value)
{
    const char *w = arena_pattern(300, 'v');
    tv vals[8];
    vals[0] = T_DESC(C_AMQP_VALUE, T_STR("hello, world"));
    vals[1] = T_DESC(C_AMQP_VALUE, T_STRN(w, 300));
    vals[2] = T_DESC(C_AMQP_VALUE, T_ULONG(0));
    vals[3] = T_DESC(C_AMQP_VALUE, T_NULL);
    vals[4] = T_DESC(C_AMQP_VALUE, T_UUID(uuid_bytes));
    vals[5] = T_DESC(C_AMQP_VALUE, T_MAP(T_STR("price"), T_LONG(-12345678901LL), T_STR("tags"), T_LIST(T_SYM("x"))));
    vals[6] = T_DESC(C_AMQP_VALUE, T_DESC(0x0000137000000042ULL, T_LIST(T_STR("custom"), T_INT(3))));
    vals[7] = T_DESC(C_AMQP_VALUE, T_SYMS(T_SYM("a"), T_SYM("bb")));
    /* Scalars are encoded identically by both. */
    for (int i = 0; i < 5; i++)
        crosscheck(&td_amqp_value, &vals[i], XC_EXACT);
    for (int i = 5; i < 8; i++)
        crosscheck(&td_amqp_value, &vals[i], 0);
}
END_TEST

/* Proton writes whatever it is given, so it can produce composites with a
 * mandatory field null or missing: our decoders must refuse them. */
START_TEST(missing_mandatory_rejected)
{
    const struct { const type_desc *td; tv v; } bad[] = {
        {&td_open, T_COMP(C_OPEN, T_NULL, T_STR("host"))},
        {&td_open, T_COMP0(C_OPEN)},
        {&td_begin, T_COMP(C_BEGIN, T_USHORT(1), T_UINT(1), T_UINT(1))},
        {&td_attach, T_COMP(C_ATTACH, T_STR("l"), T_UINT(0), T_NULL)},
        {&td_flow, T_COMP(C_FLOW, T_UINT(1), T_NULL, T_UINT(1), T_UINT(1))},
        {&td_transfer, T_COMP(C_TRANSFER, T_NULL, T_UINT(1))},
        {&td_disposition, T_COMP(C_DISPOSITION, T_BOOL(true))},
        {&td_detach, T_COMP0(C_DETACH)},
        {&td_error, T_COMP(C_ERROR, T_NULL, T_STR("no condition"))},
        {&td_sasl_init, T_COMP0(C_SASL_INIT)},
        {&td_sasl_mechanisms, T_COMP0(C_SASL_MECHANISMS)},
        {&td_sasl_outcome, T_COMP(C_SASL_OUTCOME, T_NULL, T_BIN("x", 1))},
        {&td_received, T_COMP(C_RECEIVED, T_UINT(1))},
        {&td_discharge, T_COMP(C_DISCHARGE, T_NULL, T_BOOL(true))},
        {&td_declared, T_COMP0(C_DECLARED)},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        famqp_binary b = proton_encode(&bad[i].v);
        void *out = arena_alloc(bad[i].td->size);
        famqp_error err;
        memset(&err, 0, sizeof err);
        size_t used = bad[i].td->decode(b.ptr, b.len, out, &err);
        ck_assert_msg(used == 0, "%s case %zu: decode accepted %s", bad[i].td->name, i, hex(b.ptr, b.len));
        ck_assert_msg(err.status == FAMQP_ERR_MISSING_MANDATORY, "%s case %zu: status %s, want missing mandatory",
                      bad[i].td->name, i, famqp_status_name(err.status));
    }
}
END_TEST

/* Every performative, SASL frame, delivery state and lifetime policy also
 * goes through its famqp_any_<R> union, the way a frame body is read. */
START_TEST(through_unions)
{
    const tv frames[] = {
        T_COMP(C_OPEN, T_STR("c"), T_NULL, T_UINT(65536), T_NULL, T_NULL, T_NULL, T_NULL, CAPS),
        T_COMP(C_BEGIN, T_USHORT(0), T_UINT(1), T_UINT(2), T_UINT(3)),
        T_COMP(C_ATTACH, T_STR("l"), T_UINT(0), T_BOOL(true), T_NULL, T_NULL, SOURCE_FULL, TARGET_FULL),
        T_COMP(C_FLOW, T_UINT(1), T_UINT(2), T_UINT(3), T_UINT(4), T_UINT(5), T_UINT(6), T_UINT(7)),
        T_COMP(C_TRANSFER, T_UINT(0), T_UINT(1), T_BIN(tag32, 8), T_UINT(0), T_BOOL(true)),
        T_COMP(C_DISPOSITION, T_BOOL(true), T_UINT(0), T_UINT(9), T_BOOL(true), T_COMP0(C_ACCEPTED)),
        T_COMP(C_DETACH, T_UINT(0), T_BOOL(true), ERROR_FULL),
        T_COMP0(C_END),
        T_COMP(C_CLOSE, ERROR_MIN),
        T_COMP(0x0000137000000077ULL, T_STR("not a performative")),
    };
    for (size_t i = 0; i < sizeof frames / sizeof frames[0]; i++)
        crosscheck_union(&any_frame, &frames[i]);

    const tv sasl[] = {
        T_COMP(C_SASL_MECHANISMS, T_SYMS(T_SYM("PLAIN"), T_SYM("ANONYMOUS"))),
        T_COMP(C_SASL_INIT, T_SYM("PLAIN"), T_BIN("\0u\0p", 4), T_STR("h")),
        T_COMP(C_SASL_CHALLENGE, T_BIN(tag32, 32)),
        T_COMP(C_SASL_RESPONSE, T_BIN(tag32, 16)),
        T_COMP(C_SASL_OUTCOME, T_UBYTE(1), T_BIN("no", 2)),
    };
    for (size_t i = 0; i < sizeof sasl / sizeof sasl[0]; i++)
        crosscheck_union(&any_sasl_frame, &sasl[i]);

    const tv states[7] = ALL_STATES;
    /* As outcomes, received and transactional-state are not providers:
     * they must come back as OTHER, kept raw. */
    for (int i = 0; i < 7; i++) {
        crosscheck_union(&any_delivery_state, &states[i]);
        crosscheck_union(&any_outcome, &states[i]);
    }

    const tv policies[] = {T_COMP0(C_DELETE_ON_CLOSE), T_COMP0(C_DELETE_ON_NO_LINKS), T_COMP0(C_DELETE_ON_NO_MESSAGES),
                           T_COMP0(C_DELETE_ON_NO_LINKS_OR_MESSAGES)};
    for (size_t i = 0; i < 4; i++)
        crosscheck_union(&any_lifetime_policy, &policies[i]);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("proton_types");
    TCase *p = tcase_create("performatives");
    tcase_add_checked_fixture(p, setup, NULL);
    tcase_add_test(p, open_all_fields);
    tcase_add_test(p, open_mandatory_only);
    tcase_add_test(p, open_wide_exact);
    tcase_add_test(p, performatives_wide_exact);
    tcase_add_test(p, begin_all_fields);
    tcase_add_test(p, begin_mandatory_only);
    tcase_add_test(p, attach_all_fields);
    tcase_add_test(p, attach_mandatory_only);
    tcase_add_test(p, attach_terminus_minimal);
    tcase_add_test(p, attach_coordinator_target);
    tcase_add_test(p, attach_unknown_terminus);
    tcase_add_test(p, flow_all_fields);
    tcase_add_test(p, flow_mandatory_only);
    tcase_add_test(p, transfer_all_fields_each_state);
    tcase_add_test(p, transfer_mandatory_only);
    tcase_add_test(p, transfer_tag_sizes);
    tcase_add_test(p, disposition_all_fields_each_state);
    tcase_add_test(p, disposition_mandatory_only);
    tcase_add_test(p, detach_all_fields);
    tcase_add_test(p, detach_mandatory_only);
    tcase_add_test(p, end_and_close);
    tcase_add_test(p, end_and_close_empty_exact);
    tcase_add_test(p, close_wide_exact);
    tcase_add_test(p, error_fields);
    tcase_add_test(p, symbolic_descriptors);
    tcase_add_test(p, through_unions);
    tcase_add_test(p, missing_mandatory_rejected);
    suite_add_tcase(s, p);

    TCase *sasl = tcase_create("sasl");
    tcase_add_checked_fixture(sasl, setup, NULL);
    tcase_add_test(sasl, sasl_mechanisms);
    tcase_add_test(sasl, sasl_init);
    tcase_add_test(sasl, sasl_challenge_response);
    tcase_add_test(sasl, sasl_challenge_response_wide_exact);
    tcase_add_test(sasl, sasl_outcome_each_code);
    tcase_add_test(sasl, sasl_outcome_invalid_code);
    suite_add_tcase(s, sasl);

    TCase *m = tcase_create("messaging");
    tcase_add_checked_fixture(m, setup, NULL);
    tcase_add_test(m, delivery_states_standalone);
    tcase_add_test(m, delivery_states_extremes);
    tcase_add_test(m, empty_composites_exact);
    tcase_add_test(m, source_and_target);
    tcase_add_test(m, lifetime_policies_as_node_properties);
    suite_add_tcase(s, m);

    TCase *t = tcase_create("transactions");
    tcase_add_checked_fixture(t, setup, NULL);
    tcase_add_test(t, transactions);
    tcase_add_test(t, transactional_state_each_outcome);
    suite_add_tcase(s, t);

    TCase *sec = tcase_create("sections");
    tcase_add_checked_fixture(sec, setup, NULL);
    tcase_add_test(sec, section_header);
    tcase_add_test(sec, section_annotations);
    tcase_add_test(sec, section_annotations_wide_exact);
    tcase_add_test(sec, section_properties);
    tcase_add_test(sec, section_application_properties);
    tcase_add_test(sec, section_data);
    tcase_add_test(sec, section_amqp_sequence);
    tcase_add_test(sec, section_amqp_value);
    suite_add_tcase(s, sec);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
