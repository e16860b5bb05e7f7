/* FAMQP_TRACE=1: every frame in and out, human-readable, through the
 * generated printers.  Outgoing bytes are traced when the application takes
 * them (famqp_connection_output), by reading back the output buffer, so the
 * trace shows the order of the wire even where frames were written ahead
 * (open and begin wait behind the SASL exchange).  Incoming frames are
 * traced as they are decoded.  SASL credentials never reach the trace. */
#include <string.h>

#include "engine_internal.h"

/* Transfer payload shown per frame, like Proton's PN_TRACE_FRM. */
#define TRACE_PAYLOAD_MAX 64

static void prefix(famqp_connection *c, bool out, uint16_t channel)
{
    fprintf(c->trace_file, "[%p]:%u %s ", (void *)c, channel, out ? "->" : "<-");
}

/* The first bytes of a payload, printable ASCII as is, the rest \xHH. */
static void print_payload(FILE *f, const uint8_t *p, size_t n)
{
    size_t shown = n < TRACE_PAYLOAD_MAX ? n : TRACE_PAYLOAD_MAX;
    fputc('"', f);
    for (size_t i = 0; i < shown; i++) {
        uint8_t b = p[i];
        if (b >= 0x20 && b < 0x7f && b != '"' && b != '\\')
            fputc(b, f);
        else
            fprintf(f, "\\x%02x", b);
    }
    fputc('"', f);
    if (shown < n)
        fputs("...", f);
}

void eng_trace_frame(famqp_connection *c, bool out, uint16_t channel, const famqp_any_frame *f,
                     const uint8_t *payload, size_t payload_len)
{
    if (!c->trace)
        return;
    prefix(c, out, channel);
    famqp_any_frame_print(c->trace_file, f);
    if (f->kind == FAMQP_ANY_FRAME_TRANSFER) {
        fprintf(c->trace_file, " (%zu payload bytes) ", payload_len);
        print_payload(c->trace_file, payload, payload_len);
    }
    fputc('\n', c->trace_file);
}

void eng_trace_sasl(famqp_connection *c, bool out, const famqp_any_sasl_frame *f)
{
    if (!c->trace)
        return;
    famqp_any_sasl_frame masked = *f;
    static const char stars[] = "***";
    /* PLAIN carries the password in the initial response or a response;
     * print a placeholder instead (ANONYMOUS trace text is harmless, but
     * one rule for all is simpler to trust). */
    if (masked.kind == FAMQP_ANY_SASL_FRAME_SASL_INIT &&
        (masked.u.sasl_init.present & FAMQP_SASL_INIT_HAS_INITIAL_RESPONSE) && masked.u.sasl_init.initial_response.len)
        masked.u.sasl_init.initial_response = famqp_binary_of(stars, 3);
    if (masked.kind == FAMQP_ANY_SASL_FRAME_SASL_RESPONSE && masked.u.sasl_response.response.len)
        masked.u.sasl_response.response = famqp_binary_of(stars, 3);
    prefix(c, out, 0);
    famqp_any_sasl_frame_print(c->trace_file, &masked);
    fputc('\n', c->trace_file);
}

void eng_trace_text(famqp_connection *c, bool out, const char *fmt, ...)
{
    if (!c->trace)
        return;
    prefix(c, out, 0);
    va_list ap;
    va_start(ap, fmt);
    vfprintf(c->trace_file, fmt, ap);
    va_end(ap);
    fputc('\n', c->trace_file);
}

/* One outgoing frame, read back from the output buffer. */
static void trace_out_frame(famqp_connection *c, const famqp_frame *fr)
{
    if (fr->type == FAMQP_FRAME_TYPE_SASL) {
        famqp_any_sasl_frame f;
        if (famqp_any_sasl_frame_decode(fr->body.ptr, fr->body.len, &f, NULL)) {
            eng_trace_sasl(c, true, &f);
            return;
        }
    } else if (fr->body.len == 0) {
        eng_trace_text(c, true, "(empty frame)");
        return;
    } else {
        famqp_any_frame f;
        size_t used = famqp_any_frame_decode(fr->body.ptr, fr->body.len, &f, NULL);
        if (used) {
            eng_trace_frame(c, true, fr->channel, &f, fr->body.ptr + used, fr->body.len - used);
            return;
        }
    }
    /* We encoded it, so this does not happen; say so rather than hide it. */
    eng_trace_text(c, true, "(frame type %u of %" PRIu32 " bytes that does not decode)", fr->type, fr->size);
}

void eng_trace_output(famqp_connection *c)
{
    if (!c->trace) {
        c->trace_pos = c->out.len;
        return;
    }
    /* The buffer holds whole protocol headers and frames, in wire order. */
    while (c->trace_pos < c->out.len) {
        const uint8_t *p = c->out.ptr + c->trace_pos;
        size_t n = c->out.len - c->trace_pos;
        uint8_t id;
        if (famqp_protocol_header_parse(p, n, &id) == FAMQP_OK) {
            eng_trace_text(c, true, "AMQP %u.1.0.0 protocol header", id);
            c->trace_pos += FAMQP_PROTOCOL_HEADER_SIZE;
            continue;
        }
        famqp_frame fr;
        size_t used;
        if (famqp_frame_parse(p, n, UINT32_MAX, &fr, &used, NULL) != FAMQP_OK) {
            eng_trace_text(c, true, "(%zu bytes that are neither a protocol header nor a frame)", n);
            c->trace_pos = c->out.len;
            return;
        }
        trace_out_frame(c, &fr);
        c->trace_pos += used;
    }
}
