/* SASL layer: client ANONYMOUS/PLAIN/EXTERNAL, server ANONYMOUS/PLAIN with
 * an application credential check.  A failed outcome becomes a connection
 * failure whose description says what the sasl-outcome code means. */
#include <string.h>

#include "engine_internal.h"

#define COND_UNAUTHORIZED FAMQP_AMQP_ERROR_UNAUTHORIZED_ACCESS_SYMBOL

static const char *mech_name(unsigned m)
{
    switch (m) {
    case FAMQP_SASL_ANONYMOUS: return "ANONYMOUS";
    case FAMQP_SASL_PLAIN: return "PLAIN";
    case FAMQP_SASL_EXTERNAL: return "EXTERNAL";
    case FAMQP_SASL_MSSBCBS: return "MSSBCBS";
    }
    return "?";
}

static const char *code_meaning(uint8_t code)
{
    switch (code) {
    case FAMQP_SASL_CODE_AUTH: return "authentication failed: bad credentials or mechanism not allowed";
    case FAMQP_SASL_CODE_SYS: return "system error at the server (unspecified)";
    case FAMQP_SASL_CODE_SYS_PERM: return "permanent system error at the server; retrying will not help";
    case FAMQP_SASL_CODE_SYS_TEMP: return "temporary system error at the server; try again later";
    }
    return "unknown code";
}

void eng_sasl_start_client(famqp_connection *c)
{
    eng_write_raw(c, famqp_protocol_header_sasl, FAMQP_PROTOCOL_HEADER_SIZE);
}

void eng_sasl_start_server(famqp_connection *c)
{
    if (!eng_write_raw(c, famqp_protocol_header_sasl, FAMQP_PROTOCOL_HEADER_SIZE))
        return;
    famqp_symbol mechs[2];
    uint32_t n = 0;
    if (c->opts.sasl_mechanisms & FAMQP_SASL_PLAIN)
        mechs[n++] = famqp_symbol_of("PLAIN");
    if (c->opts.sasl_mechanisms & FAMQP_SASL_ANONYMOUS)
        mechs[n++] = famqp_symbol_of("ANONYMOUS");
    famqp_any_sasl_frame f = {.kind = FAMQP_ANY_SASL_FRAME_SASL_MECHANISMS};
    f.u.sasl_mechanisms = famqp_sasl_mechanisms_defaults;
    f.u.sasl_mechanisms.present = FAMQP_SASL_MECHANISMS_HAS_SASL_SERVER_MECHANISMS;
    f.u.sasl_mechanisms.sasl_server_mechanisms.count = n;
    f.u.sasl_mechanisms.sasl_server_mechanisms.items = mechs;
    eng_write_sasl_frame(c, &f);
}

/* SASL is over: the AMQP header follows (client: ours first). */
static void sasl_succeeded(famqp_connection *c)
{
    c->sasl_done = true;
    c->phase = ENG_PHASE_AMQP_HEADER;
    if (c->opts.role == FAMQP_CONNECTION_CLIENT)
        eng_send_amqp_header(c);
    eng_event(c, FAMQP_EVENT_SASL_DONE, NULL, NULL, NULL, (famqp_condition){0});
}

/* ---- client ------------------------------------------------------------- */

static void client_mechanisms(famqp_connection *c, const famqp_sasl_mechanisms *m)
{
    unsigned want = c->opts.sasl_mechanisms;
    const char *name = mech_name(want);
    bool offered = false;
    char list[160] = "";
    size_t used = 0;
    famqp_iter it;
    famqp_multiple_iter(&m->sasl_server_mechanisms, &it);
    famqp_symbol s;
    while (famqp_array_next_symbol(&it, &s)) {
        if (s.len == strlen(name) && memcmp(s.ptr, name, s.len) == 0)
            offered = true;
        if (used + s.len + 2 < sizeof list)
            used += (size_t)snprintf(list + used, sizeof list - used, "%s%.*s", used ? " " : "", (int)s.len, s.ptr);
    }
    if (!offered) {
        eng_fail(c, COND_UNAUTHORIZED, "server does not offer SASL %s (it offers: %s)", name,
                 used ? list : "nothing");
        return;
    }
    famqp_any_sasl_frame f = {.kind = FAMQP_ANY_SASL_FRAME_SASL_INIT};
    famqp_sasl_init *in = &f.u.sasl_init;
    *in = famqp_sasl_init_defaults;
    in->mechanism = famqp_symbol_of(name);
    in->present = FAMQP_SASL_INIT_HAS_MECHANISM | FAMQP_SASL_INIT_HAS_INITIAL_RESPONSE;
    if (c->hostname) {
        in->hostname = famqp_string_of(c->hostname);
        in->present |= FAMQP_SASL_INIT_HAS_HOSTNAME;
    }
    uint8_t *resp = NULL;
    if (want == FAMQP_SASL_PLAIN) {
        /* RFC 4616: authzid NUL authcid NUL passwd (authzid empty). */
        size_t ul = strlen(c->sasl_username), pl = strlen(c->sasl_password);
        resp = eng_alloc(c, ul + pl + 2);
        if (!resp)
            return;
        memcpy(resp + 1, c->sasl_username, ul);
        memcpy(resp + 2 + ul, c->sasl_password, pl);
        in->initial_response = famqp_binary_of(resp, ul + pl + 2);
    } else if (want == FAMQP_SASL_ANONYMOUS) {
        in->initial_response = famqp_binary_of("anonymous", 9);
    } else {
        /* EXTERNAL: identity from TLS; MSSBCBS: the token comes later by
         * CBS, and uAMQP sends an empty response too. */
        in->initial_response = famqp_binary_of("", 0);
    }
    eng_write_sasl_frame(c, &f);
    if (resp) {
        memset(resp, 0, in->initial_response.len);
        eng_free(c, resp);
    }
}

static void client_outcome(famqp_connection *c, const famqp_sasl_outcome *o)
{
    if (o->code == FAMQP_SASL_CODE_OK) {
        sasl_succeeded(c);
        return;
    }
    eng_fail(c, COND_UNAUTHORIZED, "SASL %s failed: sasl-outcome code %u (%s)", mech_name(c->opts.sasl_mechanisms),
             o->code, code_meaning(o->code));
}

/* ---- server ------------------------------------------------------------- */

static void server_outcome(famqp_connection *c, uint8_t code, const char *user)
{
    famqp_any_sasl_frame f = {.kind = FAMQP_ANY_SASL_FRAME_SASL_OUTCOME};
    f.u.sasl_outcome = famqp_sasl_outcome_defaults;
    f.u.sasl_outcome.code = code;
    f.u.sasl_outcome.present = FAMQP_SASL_OUTCOME_HAS_CODE;
    c->sasl_outcome_sent = true;
    if (!eng_write_sasl_frame(c, &f))
        return;
    if (code == FAMQP_SASL_CODE_OK) {
        bool ok = true;
        c->sasl_user = eng_strdup(c, user, &ok);
        if (ok)
            sasl_succeeded(c);
    } else {
        eng_fail(c, COND_UNAUTHORIZED, "client failed SASL authentication (sasl-outcome code %u sent: %s)", code,
                 code_meaning(code));
    }
}

/* PLAIN response: [authzid] NUL authcid NUL passwd. */
static void server_plain(famqp_connection *c, famqp_binary r)
{
    const uint8_t *nul1 = r.len ? memchr(r.ptr, 0, r.len) : NULL;
    const uint8_t *nul2 = nul1 ? memchr(nul1 + 1, 0, r.len - (size_t)(nul1 + 1 - r.ptr)) : NULL;
    if (!nul2) {
        server_outcome(c, FAMQP_SASL_CODE_AUTH, NULL);
        return;
    }
    famqp_string authzid = {(const char *)r.ptr, (size_t)(nul1 - r.ptr)};
    famqp_string user = {(const char *)nul1 + 1, (size_t)(nul2 - nul1 - 1)};
    famqp_string pass = {(const char *)nul2 + 1, r.len - (size_t)(nul2 + 1 - r.ptr)};
    if (!c->opts.sasl_check(c->opts.sasl_check_ctx, authzid, user, pass)) {
        server_outcome(c, FAMQP_SASL_CODE_AUTH, NULL);
        return;
    }
    char name[256];
    size_t n = user.len < sizeof name - 1 ? user.len : sizeof name - 1;
    memcpy(name, user.ptr, n);
    name[n] = '\0';
    server_outcome(c, FAMQP_SASL_CODE_OK, name);
}

static void server_init(famqp_connection *c, const famqp_sasl_init *in)
{
    unsigned offered = c->opts.sasl_mechanisms;
    if (famqp_symbol_eq(in->mechanism, "ANONYMOUS") && (offered & FAMQP_SASL_ANONYMOUS)) {
        server_outcome(c, FAMQP_SASL_CODE_OK, "anonymous");
        return;
    }
    if (famqp_symbol_eq(in->mechanism, "PLAIN") && (offered & FAMQP_SASL_PLAIN)) {
        if (!(in->present & FAMQP_SASL_INIT_HAS_INITIAL_RESPONSE)) {
            /* No initial response: ask for it with an empty challenge. */
            famqp_any_sasl_frame f = {.kind = FAMQP_ANY_SASL_FRAME_SASL_CHALLENGE};
            f.u.sasl_challenge = famqp_sasl_challenge_defaults;
            f.u.sasl_challenge.challenge = famqp_binary_of("", 0);
            f.u.sasl_challenge.present = FAMQP_SASL_CHALLENGE_HAS_CHALLENGE;
            eng_write_sasl_frame(c, &f);
            return;
        }
        server_plain(c, in->initial_response);
        return;
    }
    server_outcome(c, FAMQP_SASL_CODE_AUTH, NULL);
}

/* ---- dispatch ------------------------------------------------------------- */

void eng_sasl_frame(famqp_connection *c, const famqp_frame *fr)
{
    if (fr->type != FAMQP_FRAME_TYPE_SASL) {
        eng_fail(c, FAMQP_CONNECTION_ERROR_FRAMING_ERROR_SYMBOL,
                 "frame type 0x%02x during SASL (expected a SASL frame, type 1)", fr->type);
        return;
    }
    famqp_any_sasl_frame f;
    famqp_error err;
    if (!famqp_any_sasl_frame_decode_ex(fr->body.ptr, fr->body.len, &f, &c->opts.decode_limits, &err)) {
        char buf[200];
        famqp_error_format(&err, buf, sizeof buf);
        eng_fail(c, FAMQP_AMQP_ERROR_DECODE_ERROR_SYMBOL, "cannot decode SASL frame: %s", buf);
        return;
    }
    eng_trace_sasl(c, false, &f);
    bool server = c->opts.role == FAMQP_CONNECTION_SERVER;
    switch (f.kind) {
    case FAMQP_ANY_SASL_FRAME_SASL_MECHANISMS:
        if (!server) {
            client_mechanisms(c, &f.u.sasl_mechanisms);
            return;
        }
        break;
    case FAMQP_ANY_SASL_FRAME_SASL_CHALLENGE:
        if (!server) {
            /* Our mechanisms need no challenge; answer empty so that a
             * server probing for more can decide. */
            famqp_any_sasl_frame r = {.kind = FAMQP_ANY_SASL_FRAME_SASL_RESPONSE};
            r.u.sasl_response = famqp_sasl_response_defaults;
            r.u.sasl_response.response = famqp_binary_of("", 0);
            r.u.sasl_response.present = FAMQP_SASL_RESPONSE_HAS_RESPONSE;
            eng_write_sasl_frame(c, &r);
            return;
        }
        break;
    case FAMQP_ANY_SASL_FRAME_SASL_OUTCOME:
        if (!server) {
            client_outcome(c, &f.u.sasl_outcome);
            return;
        }
        break;
    case FAMQP_ANY_SASL_FRAME_SASL_INIT:
        if (server && !c->sasl_outcome_sent) {
            server_init(c, &f.u.sasl_init);
            return;
        }
        break;
    case FAMQP_ANY_SASL_FRAME_SASL_RESPONSE:
        if (server && !c->sasl_outcome_sent && (c->opts.sasl_mechanisms & FAMQP_SASL_PLAIN)) {
            server_plain(c, f.u.sasl_response.response);
            return;
        }
        break;
    default:
        break;
    }
    eng_fail(c, FAMQP_AMQP_ERROR_NOT_ALLOWED_SYMBOL, "unexpected SASL frame for a %s at this point",
             server ? "server" : "client");
}
