/* famqp-demo: the generated AMQP 1.0 codecs end to end, without a network.
 *
 * Builds two AMQP frames in one buffer, as a client would write them to a
 * socket: an open performative, then a transfer whose payload is a message
 * (header, properties, application-properties, data).  Prints a hex dump,
 * then parses the buffer back frame by frame, decodes each performative and
 * each message section, prints them with the generated printers and checks
 * that what came back is what went in.  Exits non-zero on any error.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/frame.h"
#include "famqp_spec.h"

#define DEMO_MAX_FRAME_SIZE 4096u
#define DEMO_CONTAINER_ID "famqp-demo"
#define DEMO_MESSAGE_ID "order-42"
#define DEMO_BODY "{\"order\":42,\"item\":\"widget\",\"qty\":3}"

/* Everything lives in fixed buffers: the codecs never allocate. */
typedef struct demo_buf {
    uint8_t bytes[DEMO_MAX_FRAME_SIZE * 2];
    size_t len;
} demo_buf;

static int fail(const char *what)
{
    fprintf(stderr, "famqp-demo: %s\n", what);
    return 1;
}

static int fail_decode(const char *what, const famqp_error *err)
{
    char msg[256];
    famqp_error_format(err, msg, sizeof msg);
    fprintf(stderr, "famqp-demo: %s: %s\n", what, msg);
    return 1;
}

static void hex_dump(const char *title, const uint8_t *p, size_t n)
{
    printf("%s (%zu bytes)\n", title, n);
    for (size_t row = 0; row < n; row += 16) {
        printf("  %04zx ", row);
        for (size_t i = row; i < row + 16; i++) {
            if (i < n)
                printf(" %02x", p[i]);
            else
                printf("   ");
        }
        printf("  |");
        for (size_t i = row; i < row + 16 && i < n; i++)
            putchar(p[i] >= 0x20 && p[i] < 0x7f ? p[i] : '.');
        printf("|\n");
    }
}

/* Encodes a value whose encoder follows the generated write-or-count
 * contract into out[*len..cap): returns 0 when it did not fit. */
#define DEMO_APPEND(encode, v, out, cap, len)                                   \
    do {                                                                         \
        size_t need_ = encode(NULL, 0, (v));                                     \
        if (need_ > (cap) - *(len))                                              \
            return 0;                                                            \
        if (encode((out) + *(len), (cap) - *(len), (v)) != need_)                \
            return 0;                                                            \
        *(len) += need_;                                                         \
    } while (0)

/* ---- building ----------------------------------------------------------- */

/* Appends one AMQP frame on channel 0: header, then `performative_len`
 * bytes already encoded at perf, then payload. */
static int append_frame(demo_buf *out, const uint8_t *perf, size_t perf_len,
                        const uint8_t *payload, size_t payload_len)
{
    size_t size = FAMQP_FRAME_HEADER_SIZE + perf_len + payload_len;
    if (size > DEMO_MAX_FRAME_SIZE || size > sizeof out->bytes - out->len)
        return 0;
    uint8_t *p = famqp_frame_header_put(out->bytes + out->len, (uint32_t)size,
                                        FAMQP_FRAME_TYPE_AMQP, 0);
    memcpy(p, perf, perf_len);
    if (payload_len)
        memcpy(p + perf_len, payload, payload_len);
    out->len += size;
    return 1;
}

static int build_open_frame(demo_buf *out, uint8_t *scratch, size_t scratch_cap)
{
    /* open.properties is a fields map, built with the generic writer. */
    uint8_t props_buf[128];
    famqp_writer w;
    famqp_writer_init(&w, props_buf, sizeof props_buf);
    famqp_write_map_begin(&w);
    famqp_write_csymbol(&w, "product");
    famqp_write_cstring(&w, "flatamqp");
    famqp_write_csymbol(&w, "version");
    famqp_write_cstring(&w, "0.1.0");
    famqp_write_map_end(&w);
    famqp_map props;
    if (famqp_writer_status(&w) != FAMQP_OK ||
        !famqp_map_of(props_buf, famqp_writer_len(&w), &props))
        return 0;

    static const famqp_symbol caps[1] = {{"ANONYMOUS-RELAY", 15}};

    famqp_open open_perf = famqp_open_defaults;
    open_perf.container_id = famqp_string_of(DEMO_CONTAINER_ID);
    open_perf.hostname = famqp_string_of("broker.example");
    open_perf.max_frame_size = DEMO_MAX_FRAME_SIZE;
    open_perf.channel_max = 15;
    open_perf.idle_time_out = 30000;
    open_perf.offered_capabilities.count = 1;
    open_perf.offered_capabilities.items = caps;
    open_perf.properties = props;
    open_perf.present = FAMQP_OPEN_HAS_CONTAINER_ID | FAMQP_OPEN_HAS_HOSTNAME |
                        FAMQP_OPEN_HAS_MAX_FRAME_SIZE | FAMQP_OPEN_HAS_CHANNEL_MAX |
                        FAMQP_OPEN_HAS_IDLE_TIME_OUT | FAMQP_OPEN_HAS_OFFERED_CAPABILITIES |
                        FAMQP_OPEN_HAS_PROPERTIES;

    size_t len = 0;
    DEMO_APPEND(famqp_open_encode, &open_perf, scratch, scratch_cap, &len);
    return append_frame(out, scratch, len, NULL, 0);
}

/* The message: each section encoded on its own, back to back. */
static int build_message(uint8_t *out, size_t cap, size_t *len)
{
    famqp_header header = famqp_header_defaults;
    header.durable = true;
    header.priority = 7;
    header.ttl = 60000;
    header.present = FAMQP_HEADER_HAS_DURABLE | FAMQP_HEADER_HAS_PRIORITY | FAMQP_HEADER_HAS_TTL;
    DEMO_APPEND(famqp_header_encode, &header, out, cap, len);

    famqp_properties props = famqp_properties_defaults;
    props.message_id.kind = FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING;
    props.message_id.u.message_id_string = famqp_string_of(DEMO_MESSAGE_ID);
    props.to.kind = FAMQP_ANY_ADDRESS_ADDRESS_STRING;
    props.to.u.address_string = famqp_string_of("orders");
    props.subject = famqp_string_of("order.created");
    props.content_type = famqp_symbol_of("application/json");
    props.creation_time = 1700000000000; /* 2023-11-14T22:13:20Z */
    props.present = FAMQP_PROPERTIES_HAS_MESSAGE_ID | FAMQP_PROPERTIES_HAS_TO |
                    FAMQP_PROPERTIES_HAS_SUBJECT | FAMQP_PROPERTIES_HAS_CONTENT_TYPE |
                    FAMQP_PROPERTIES_HAS_CREATION_TIME;
    DEMO_APPEND(famqp_properties_encode, &props, out, cap, len);

    uint8_t app_buf[128];
    famqp_writer w;
    famqp_writer_init(&w, app_buf, sizeof app_buf);
    famqp_write_map_begin(&w);
    famqp_write_cstring(&w, "tenant");
    famqp_write_cstring(&w, "acme");
    famqp_write_cstring(&w, "attempt");
    famqp_write_int(&w, 1);
    famqp_write_cstring(&w, "urgent");
    famqp_write_bool(&w, true);
    famqp_write_map_end(&w);
    famqp_application_properties app;
    if (famqp_writer_status(&w) != FAMQP_OK ||
        !famqp_map_of(app_buf, famqp_writer_len(&w), &app.value))
        return 0;
    DEMO_APPEND(famqp_application_properties_encode, &app, out, cap, len);

    famqp_data data;
    data.value = famqp_binary_of(DEMO_BODY, strlen(DEMO_BODY));
    DEMO_APPEND(famqp_data_encode, &data, out, cap, len);
    return 1;
}

static int build_transfer_frame(demo_buf *out, uint8_t *scratch, size_t scratch_cap)
{
    uint8_t payload[1024];
    size_t payload_len = 0;
    if (!build_message(payload, sizeof payload, &payload_len))
        return 0;

    famqp_transfer transfer = famqp_transfer_defaults;
    transfer.handle = 0;
    transfer.delivery_id = 1;
    transfer.delivery_tag = famqp_binary_of("\x00\x01", 2);
    transfer.message_format = 0;
    transfer.settled = true;
    transfer.present = FAMQP_TRANSFER_HAS_HANDLE | FAMQP_TRANSFER_HAS_DELIVERY_ID |
                       FAMQP_TRANSFER_HAS_DELIVERY_TAG | FAMQP_TRANSFER_HAS_MESSAGE_FORMAT |
                       FAMQP_TRANSFER_HAS_SETTLED;
    size_t len = 0;
    DEMO_APPEND(famqp_transfer_encode, &transfer, scratch, scratch_cap, &len);
    return append_frame(out, scratch, len, payload, payload_len);
}

/* ---- decoding ----------------------------------------------------------- */

static int check_open(famqp_binary body)
{
    /* The typed decoder, for a caller that knows which performative comes. */
    famqp_open open_perf;
    famqp_error err;
    if (famqp_open_decode(body.ptr, body.len, &open_perf, &err) == 0)
        return fail_decode("open", &err);
    if (!famqp_string_eq(open_perf.container_id, DEMO_CONTAINER_ID) ||
        open_perf.max_frame_size != DEMO_MAX_FRAME_SIZE || open_perf.channel_max != 15 ||
        open_perf.offered_capabilities.count != 1)
        return fail("decoded open differs from the one encoded");
    famqp_value product;
    famqp_string product_name;
    if (!famqp_map_get_symbol_key(&open_perf.properties, "product", &product) ||
        !famqp_value_get_string(product, &product_name) ||
        !famqp_string_eq(product_name, "flatamqp"))
        return fail("open.properties lost its product entry");
    return 0;
}

static int decode_message(const uint8_t *p, size_t n)
{
    unsigned sections = 0;
    bool body_ok = false, tenant_ok = false;
    size_t off = 0;
    while (off < n) {
        famqp_any_section section;
        famqp_error err;
        size_t used = famqp_any_section_decode(p + off, n - off, &section, &err);
        if (used == 0)
            return fail_decode("message section", &err);
        printf("  section %u at payload offset %zu (%zu bytes): ", sections, off, used);
        famqp_any_section_print(stdout, &section);
        putchar('\n');

        if (section.kind == FAMQP_ANY_SECTION_DATA) {
            famqp_binary b = section.u.data.value;
            body_ok = b.len == strlen(DEMO_BODY) && memcmp(b.ptr, DEMO_BODY, b.len) == 0;
        } else if (section.kind == FAMQP_ANY_SECTION_APPLICATION_PROPERTIES) {
            famqp_value v;
            famqp_string s;
            tenant_ok = famqp_map_get_string_key(&section.u.application_properties.value,
                                                 "tenant", &v) &&
                        famqp_value_get_string(v, &s) && famqp_string_eq(s, "acme");
        } else if (section.kind == FAMQP_ANY_SECTION_PROPERTIES) {
            const famqp_properties *pr = &section.u.properties;
            if (pr->message_id.kind != FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING ||
                !famqp_string_eq(pr->message_id.u.message_id_string, DEMO_MESSAGE_ID))
                return fail("properties.message-id differs from the one encoded");
        }
        off += used;
        sections++;
    }
    if (sections != 4 || !body_ok || !tenant_ok)
        return fail("decoded message differs from the one encoded");
    return 0;
}

static int decode_stream(const uint8_t *p, size_t n)
{
    size_t off = 0;
    unsigned frames = 0;
    bool saw_open = false, saw_transfer = false;
    while (off < n) {
        famqp_frame frame;
        famqp_error err;
        size_t used = 0;
        famqp_status st = famqp_frame_parse(p + off, n - off, DEMO_MAX_FRAME_SIZE, &frame, &used, &err);
        if (st != FAMQP_OK)
            return fail_decode("frame", &err);
        printf("frame %u: size %" PRIu32 ", doff %u, type %u, channel %u\n", frames, frame.size,
               (unsigned)frame.doff, (unsigned)frame.type, (unsigned)frame.channel);

        famqp_any_frame perf;
        size_t perf_len = famqp_any_frame_decode(frame.body.ptr, frame.body.len, &perf, &err);
        if (perf_len == 0)
            return fail_decode("performative", &err);
        printf("  ");
        famqp_any_frame_print(stdout, &perf);
        putchar('\n');

        switch (perf.kind) {
        case FAMQP_ANY_FRAME_OPEN:
            if (check_open(frame.body))
                return 1;
            saw_open = true;
            break;
        case FAMQP_ANY_FRAME_TRANSFER:
            if (perf.u.transfer.handle != 0 || !perf.u.transfer.settled)
                return fail("decoded transfer differs from the one encoded");
            if (decode_message(frame.body.ptr + perf_len, frame.body.len - perf_len))
                return 1;
            saw_transfer = true;
            break;
        default:
            return fail("unexpected performative");
        }
        off += used;
        frames++;
    }
    if (!saw_open || !saw_transfer)
        return fail("expected an open frame and a transfer frame");
    printf("decoded %u frames, %zu bytes: ok\n", frames, n);
    return 0;
}

int main(void)
{
    static demo_buf stream;
    static uint8_t scratch[DEMO_MAX_FRAME_SIZE];

    if (!build_open_frame(&stream, scratch, sizeof scratch))
        return fail("encoding the open frame failed");
    size_t open_len = stream.len;
    if (!build_transfer_frame(&stream, scratch, sizeof scratch))
        return fail("encoding the transfer frame failed");

    hex_dump("open frame", stream.bytes, open_len);
    hex_dump("transfer frame (message as payload)", stream.bytes + open_len, stream.len - open_len);
    putchar('\n');
    return decode_stream(stream.bytes, stream.len) ? EXIT_FAILURE : EXIT_SUCCESS;
}
