/* Fuzz target: famqp-broker's Service Bus $management request parser
 * (examples/famqp-broker/servicebus_protocol.c), whose input comes from any
 * client.  The input is a request message: decoded, then sb_mgmt_parse.
 * A request it takes has a known operation, at most SB_MGMT_MAX_ITEMS lock
 * tokens or sequence numbers (at least one where the operation needs
 * them), views (session id, reason, description, session state, the
 * schedule's messages) inside the input, and each scheduled message read
 * by sb_mgmt_scheduled_message is a view inside the input or a one-line
 * refusal; a refusal is 400 or 501 with a one-line description.  All on
 * the stack; nothing to free. */
#include <string.h>

#include "fuzz_target.h"
#include "servicebus_protocol.h"

static bool inside(const void *ptr, size_t len, const uint8_t *p, size_t n)
{
    return len == 0 || ((const uint8_t *)ptr >= p && (const uint8_t *)ptr + len <= p + n);
}

static bool one_line(const char *s) { return s[0] && !strchr(s, '\n'); }

static void accepted(const sb_mgmt_request *r, const uint8_t *p, size_t n)
{
    FUZZ_CHECK(r->op >= SB_OP_RENEW_LOCK && r->op <= SB_OP_SET_SESSION_STATE, "op %d", (int)r->op);
    FUZZ_CHECK(r->nlocks <= SB_MGMT_MAX_ITEMS && r->nseqs <= SB_MGMT_MAX_ITEMS, "%zu locks, %zu seqs", r->nlocks,
               r->nseqs);
    bool needs_locks = r->op == SB_OP_RENEW_LOCK || r->op == SB_OP_UPDATE_DISPOSITION;
    bool needs_seqs = r->op == SB_OP_RECEIVE_BY_SEQUENCE || r->op == SB_OP_CANCEL_SCHEDULED;
    FUZZ_CHECK(!needs_locks || r->nlocks > 0, "no lock tokens");
    FUZZ_CHECK(!needs_seqs || r->nseqs > 0, "no sequence numbers");
    FUZZ_CHECK(r->op != SB_OP_PEEK || r->count >= 1, "peek count %d", (int)r->count);
    FUZZ_CHECK(r->op != SB_OP_UPDATE_DISPOSITION || strchr("cadx", r->disposition), "disposition %d",
               r->disposition);
    bool session_op = r->op == SB_OP_RENEW_SESSION_LOCK || r->op == SB_OP_GET_SESSION_STATE ||
                      r->op == SB_OP_SET_SESSION_STATE;
    FUZZ_CHECK(!session_op || r->has_session, "a session operation without session-id");
    FUZZ_CHECK(inside(r->session.ptr, r->session.len, p, n) && inside(r->reason.ptr, r->reason.len, p, n) &&
                   inside(r->description.ptr, r->description.len, p, n) &&
                   inside(r->state.ptr, r->state.len, p, n) && inside(r->props.items, r->props.len, p, n) &&
                   inside(r->messages.items, r->messages.len, p, n),
               "a view outside the input");
    if (r->op != SB_OP_SCHEDULE)
        return;
    FUZZ_CHECK(r->messages.count > 0, "schedule without messages");
    famqp_iter it;
    famqp_value item;
    famqp_list_iter(&r->messages, &it);
    while (famqp_list_next(&it, &item)) {
        famqp_binary msg;
        char why[300] = "";
        if (sb_mgmt_scheduled_message(r, item, &msg, why, sizeof why))
            FUZZ_CHECK(inside(msg.ptr, msg.len, p, n), "a scheduled message outside the input");
        else
            FUZZ_CHECK(one_line(why), "refusal '%s'", why);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *p, size_t n)
{
    famqp_message m;
    if (famqp_message_decode(p, n, &m, NULL) != FAMQP_OK)
        return 0;
    sb_mgmt_request r;
    char why[300];
    why[0] = '\0';
    int st = sb_mgmt_parse(&m, &r, why, sizeof why);
    if (st == 0)
        accepted(&r, p, n);
    else
        FUZZ_CHECK((st == 400 || st == 501) && one_line(why), "status %d, '%s'", st, why);
    return 0;
}
