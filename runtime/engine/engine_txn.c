/* Transactional delivery states (AMQP 1.0 part 4): transactional-state
 * {txn-id, outcome} around an outcome, and declared{txn-id}, the
 * coordinator's answer to declare.  famqp_outcome carries both as its
 * txn_id (engine.h); this file maps them to and from the wire types. */
#include <string.h>

#include "engine_internal.h"

bool eng_txn_outcome_ok(const famqp_outcome *o, bool for_transfer)
{
    if (o->txn_id.len > FAMQP_ENGINE_MAX_TXN_ID || (o->txn_id.len && !o->txn_id.ptr))
        return false;
    if (o->kind == FAMQP_OUTCOME_DECLARED)
        return o->txn_id.len > 0 && !for_transfer;
    if (o->kind == FAMQP_OUTCOME_OTHER)
        return false;
    if (o->kind == FAMQP_OUTCOME_RECEIVED && (o->txn_id.len || for_transfer))
        return false; /* transactional-state wraps outcomes only */
    if (for_transfer && (o->error.name || o->error_info.count || o->message_annotations.count))
        return false;
    return true;
}

void eng_txn_state_put(const famqp_outcome *o, famqp_any_delivery_state *st)
{
    famqp_any_txn_id id = {.kind = FAMQP_ANY_TXN_ID_TRANSACTION_ID};
    id.u.transaction_id = o->txn_id;
    if (o->kind == FAMQP_OUTCOME_DECLARED) {
        st->kind = FAMQP_ANY_DELIVERY_STATE_DECLARED;
        st->u.declared = famqp_declared_defaults;
        st->u.declared.txn_id = id;
        st->u.declared.present = FAMQP_DECLARED_HAS_TXN_ID;
        return;
    }
    if (!o->txn_id.len)
        return;
    famqp_transactional_state ts = famqp_transactional_state_defaults;
    ts.txn_id = id;
    ts.present = FAMQP_TRANSACTIONAL_STATE_HAS_TXN_ID;
    famqp_any_outcome *out = &ts.outcome;
    switch (st->kind) {
    case FAMQP_ANY_DELIVERY_STATE_ACCEPTED:
        out->kind = FAMQP_ANY_OUTCOME_ACCEPTED;
        out->u.accepted = st->u.accepted;
        break;
    case FAMQP_ANY_DELIVERY_STATE_REJECTED:
        out->kind = FAMQP_ANY_OUTCOME_REJECTED;
        out->u.rejected = st->u.rejected;
        break;
    case FAMQP_ANY_DELIVERY_STATE_RELEASED:
        out->kind = FAMQP_ANY_OUTCOME_RELEASED;
        out->u.released = st->u.released;
        break;
    case FAMQP_ANY_DELIVERY_STATE_MODIFIED:
        out->kind = FAMQP_ANY_OUTCOME_MODIFIED;
        out->u.modified = st->u.modified;
        break;
    default: out->kind = FAMQP_ANY_OUTCOME_NONE; break; /* eng_txn_outcome_ok let nothing else through */
    }
    if (out->kind != FAMQP_ANY_OUTCOME_NONE)
        ts.present |= FAMQP_TRANSACTIONAL_STATE_HAS_OUTCOME;
    memset(st, 0, sizeof *st);
    st->kind = FAMQP_ANY_DELIVERY_STATE_TRANSACTIONAL_STATE;
    st->u.transactional_state = ts;
}

/* Copies a received txn-id; fails the connection when it is unusable. */
static bool txn_copy(famqp_connection *c, const famqp_any_txn_id *id, const char *what, uint8_t *txn,
                     size_t *txn_len)
{
    if (id->kind != FAMQP_ANY_TXN_ID_TRANSACTION_ID) {
        eng_fail(c, FAMQP_AMQP_ERROR_INVALID_FIELD_SYMBOL, "%s without a binary txn-id", what);
        return false;
    }
    if (id->u.transaction_id.len > FAMQP_ENGINE_MAX_TXN_ID) {
        eng_fail(c, FAMQP_AMQP_ERROR_INVALID_FIELD_SYMBOL, "%s with a txn-id of %zu bytes (at most %u)", what,
                 id->u.transaction_id.len, FAMQP_ENGINE_MAX_TXN_ID);
        return false;
    }
    if (id->u.transaction_id.len)
        memcpy(txn, id->u.transaction_id.ptr, id->u.transaction_id.len);
    *txn_len = id->u.transaction_id.len;
    return true;
}

int eng_txn_state_get(famqp_connection *c, const famqp_any_delivery_state *st, famqp_any_delivery_state *inner,
                      uint8_t *txn, size_t *txn_len)
{
    memset(inner, 0, sizeof *inner);
    if (st->kind == FAMQP_ANY_DELIVERY_STATE_DECLARED)
        return txn_copy(c, &st->u.declared.txn_id, "declared", txn, txn_len) ? 1 : -1;
    if (st->kind != FAMQP_ANY_DELIVERY_STATE_TRANSACTIONAL_STATE)
        return 0;
    const famqp_transactional_state *ts = &st->u.transactional_state;
    if (!txn_copy(c, &ts->txn_id, "transactional-state", txn, txn_len))
        return -1;
    const famqp_any_outcome *o = &ts->outcome;
    switch (o->kind) {
    case FAMQP_ANY_OUTCOME_NONE: inner->kind = FAMQP_ANY_DELIVERY_STATE_NONE; break;
    case FAMQP_ANY_OUTCOME_ACCEPTED:
        inner->kind = FAMQP_ANY_DELIVERY_STATE_ACCEPTED;
        inner->u.accepted = o->u.accepted;
        break;
    case FAMQP_ANY_OUTCOME_REJECTED:
        inner->kind = FAMQP_ANY_DELIVERY_STATE_REJECTED;
        inner->u.rejected = o->u.rejected;
        break;
    case FAMQP_ANY_OUTCOME_RELEASED:
        inner->kind = FAMQP_ANY_DELIVERY_STATE_RELEASED;
        inner->u.released = o->u.released;
        break;
    case FAMQP_ANY_OUTCOME_MODIFIED:
        inner->kind = FAMQP_ANY_DELIVERY_STATE_MODIFIED;
        inner->u.modified = o->u.modified;
        break;
    case FAMQP_ANY_OUTCOME_DECLARED: /* declared inside transactional-state means nothing */
    case FAMQP_ANY_OUTCOME_OTHER:
    default: inner->kind = FAMQP_ANY_DELIVERY_STATE_OTHER; break;
    }
    return 1;
}
