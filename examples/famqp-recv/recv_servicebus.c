/* famqp-recv's Service Bus options (famqp/servicebus.h): --peek-lock,
 * --settle complete|abandon|dead-letter|defer, --session ID and
 * --next-session.  famqp-recv.c hands them here and, when any was given,
 * opens, settles and closes its receiver through these functions. */
#include <stdio.h>
#include <string.h>

#include "recv.h"

#define PROG "famqp-recv"

int recv_sb_arg(recv_sb *s, const char *a, const char *v)
{
    if (!strcmp(a, "--peek-lock")) {
        s->peek_lock = s->on = true;
        return 1;
    }
    if (!strcmp(a, "--next-session")) {
        s->next_session = s->on = true;
        return 1;
    }
    if (strcmp(a, "--settle") && strcmp(a, "--session"))
        return 0;
    if (!v || !*v) {
        fprintf(stderr, PROG ": %s needs a value\n", a);
        return -1;
    }
    if (!strcmp(a, "--session")) {
        s->session_id = v;
        s->on = true;
        return 2;
    }
    static const famqp_sb_settlement all[] = {FAMQP_SB_COMPLETE, FAMQP_SB_ABANDON, FAMQP_SB_DEAD_LETTER, FAMQP_SB_DEFER};
    for (size_t k = 0; k < sizeof all / sizeof all[0]; k++)
        if (!strcmp(v, famqp_sb_settlement_name(all[k]))) {
            s->settle = all[k];
            s->settle_given = true;
            return 2;
        }
    fprintf(stderr, PROG ": --settle %s: not one of complete, abandon, dead-letter, defer\n", v);
    return -1;
}

bool recv_sb_check(const recv_sb *s)
{
    if (s->settle_given && !s->peek_lock) {
        fprintf(stderr, PROG ": --settle needs --peek-lock (receive-and-delete settles nothing)\n");
        return false;
    }
    if (s->session_id && s->next_session) {
        fprintf(stderr, PROG ": --session and --next-session exclude each other\n");
        return false;
    }
    return true;
}

famqp_client_status recv_sb_open(recv_sb *s, famqp_client *c, const char *address, uint32_t credit,
                                 int timeout_ms, famqp_receiver **out)
{
    famqp_sb_receiver_options o;
    famqp_sb_receiver_options_init(&o);
    o.mode = s->peek_lock ? FAMQP_SB_PEEK_LOCK : FAMQP_SB_RECEIVE_AND_DELETE;
    o.prefetch = credit;
    o.session = s->session_id || s->next_session;
    o.session_id = s->session_id;
    o.attach_timeout_ms = timeout_ms;
    *out = NULL;
    famqp_client_status st = famqp_sb_receiver_open(c, address, &o, &s->r);
    if (st != FAMQP_CLIENT_OK)
        return st;
    if (o.session)
        fprintf(stderr, PROG ": session %s\n", famqp_sb_receiver_session_id(s->r));
    *out = famqp_sb_receiver_base(s->r);
    return FAMQP_CLIENT_OK;
}

int recv_sb_settle(recv_sb *s, famqp_client *c, famqp_delivery *d, int timeout_ms)
{
    const char *reason = s->settle == FAMQP_SB_DEAD_LETTER ? "dead-lettered by famqp-recv" : NULL;
    if (famqp_sb_settle(s->r, d, s->peek_lock ? s->settle : FAMQP_SB_COMPLETE, NULL, reason, NULL, timeout_ms) ==
        FAMQP_CLIENT_OK)
        return 0;
    fprintf(stderr, PROG ": %s failed: %s\n", famqp_sb_settlement_name(s->settle),
            famqp_client_last_error(c)->message);
    return 1;
}

famqp_client_status recv_sb_close(recv_sb *s, famqp_receiver *r, int timeout_ms)
{
    if (!s->on)
        return famqp_receiver_close(r, timeout_ms);
    famqp_client_status st = famqp_sb_receiver_close(s->r, timeout_ms);
    s->r = NULL;
    return st;
}
