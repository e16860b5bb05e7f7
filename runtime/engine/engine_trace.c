/* FAMQP_TRACE=1: every frame in and out, human-readable, through the
 * generated printers.  SASL credentials never reach the trace. */
#include <string.h>

#include "engine_internal.h"

static void prefix(famqp_connection *c, bool out, uint16_t channel)
{
    fprintf(c->trace_file, "[%p]:%u %s ", (void *)c, channel, out ? "->" : "<-");
}

void eng_trace_frame(famqp_connection *c, bool out, uint16_t channel, const famqp_any_frame *f, size_t payload_len)
{
    if (!c->trace)
        return;
    prefix(c, out, channel);
    famqp_any_frame_print(c->trace_file, f);
    if (f->kind == FAMQP_ANY_FRAME_TRANSFER)
        fprintf(c->trace_file, " (%zu payload bytes)", payload_len);
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
