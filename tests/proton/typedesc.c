/* Field tables of the generated structs, written from the AMQP 1.0
 * specification (field order = list position = presence bit). */
#include "typedesc.h"

#include "famqp_spec.h"

/* Typed encode/decode wrappers: calling the generated functions through a
 * pointer of a different type would be undefined behaviour. */
#define CODEC_WRAPPERS(t)                                                                    \
    static size_t enc_##t(uint8_t *buf, size_t cap, const void *v)                           \
    {                                                                                        \
        return famqp_##t##_encode(buf, cap, v);                                              \
    }                                                                                        \
    static size_t dec_##t(const uint8_t *p, size_t n, void *out, famqp_error *err)           \
    {                                                                                        \
        return famqp_##t##_decode(p, n, out, err);                                           \
    }

#define COMPOSITE(t, S, CODE, FIELDS)                                                        \
    CODEC_WRAPPERS(t)                                                                        \
    const type_desc td_##t = {#t, CODE, sizeof(S), false, offsetof(S, present),             \
                              sizeof(((S *)0)->present), FIELDS, sizeof FIELDS / sizeof FIELDS[0], \
                              &famqp_##t##_defaults, enc_##t, dec_##t}

#define EMPTY_COMPOSITE(t, S, CODE)                                                          \
    CODEC_WRAPPERS(t)                                                                        \
    const type_desc td_##t = {#t, CODE, sizeof(S), false, offsetof(S, present),             \
                              sizeof(((S *)0)->present), NULL, 0, &famqp_##t##_defaults,    \
                              enc_##t, dec_##t}

#define RESTRICTED(t, S, CODE, KIND)                                                         \
    CODEC_WRAPPERS(t)                                                                        \
    static const field_desc fields_##t[] = {{"value", KIND, offsetof(S, value), 0, NULL, NULL}}; \
    const type_desc td_##t = {#t, CODE, sizeof(S), true, 0, 0, fields_##t, 1,               \
                              &famqp_##t##_defaults, enc_##t, dec_##t}

/* Union kind accessors (the kind member is an enum of its own type). */
#define ANY_ACCESS(r)                                                                        \
    static int get_kind_##r(const void *a) { return (int)((const famqp_any_##r *)a)->kind; } \
    static void set_kind_##r(void *a, int k) { ((famqp_any_##r *)a)->kind = (famqp_any_##r##_kind)k; }

#define ANY_DESC(r, NAME, UPPER, MEMBERS, N)                                                 \
    ANY_ACCESS(r)                                                                            \
    static size_t enc_any_##r(uint8_t *buf, size_t cap, const void *v)                       \
    {                                                                                        \
        return famqp_any_##r##_encode(buf, cap, v);                                          \
    }                                                                                        \
    static size_t dec_any_##r(const uint8_t *p, size_t n, void *out, famqp_error *err)       \
    {                                                                                        \
        return famqp_any_##r##_decode(p, n, out, err);                                       \
    }                                                                                        \
    const any_desc any_##r = {NAME, sizeof(famqp_any_##r), offsetof(famqp_any_##r, u),      \
                              FAMQP_ANY_##UPPER##_NONE, FAMQP_ANY_##UPPER##_OTHER,           \
                              get_kind_##r, set_kind_##r, MEMBERS, N, enc_any_##r, dec_any_##r}

#define COMPOSITE_MEMBER(KIND, td) {KIND, &td, TV_NULL, FK_BOOL}
#define PRIMITIVE_MEMBER(KIND, prim, fk) {KIND, NULL, prim, fk}
#define COUNT(a) (sizeof a / sizeof a[0])

static const any_member members_delivery_state[] = {
    COMPOSITE_MEMBER(FAMQP_ANY_DELIVERY_STATE_RECEIVED, td_received),
    COMPOSITE_MEMBER(FAMQP_ANY_DELIVERY_STATE_ACCEPTED, td_accepted),
    COMPOSITE_MEMBER(FAMQP_ANY_DELIVERY_STATE_REJECTED, td_rejected),
    COMPOSITE_MEMBER(FAMQP_ANY_DELIVERY_STATE_RELEASED, td_released),
    COMPOSITE_MEMBER(FAMQP_ANY_DELIVERY_STATE_MODIFIED, td_modified),
    COMPOSITE_MEMBER(FAMQP_ANY_DELIVERY_STATE_DECLARED, td_declared),
    COMPOSITE_MEMBER(FAMQP_ANY_DELIVERY_STATE_TRANSACTIONAL_STATE, td_transactional_state),
};
ANY_DESC(delivery_state, "delivery-state", DELIVERY_STATE, members_delivery_state,
         COUNT(members_delivery_state));

static const any_member members_outcome[] = {
    COMPOSITE_MEMBER(FAMQP_ANY_OUTCOME_ACCEPTED, td_accepted),
    COMPOSITE_MEMBER(FAMQP_ANY_OUTCOME_REJECTED, td_rejected),
    COMPOSITE_MEMBER(FAMQP_ANY_OUTCOME_RELEASED, td_released),
    COMPOSITE_MEMBER(FAMQP_ANY_OUTCOME_MODIFIED, td_modified),
    COMPOSITE_MEMBER(FAMQP_ANY_OUTCOME_DECLARED, td_declared),
};
ANY_DESC(outcome, "outcome", OUTCOME, members_outcome, COUNT(members_outcome));

static const any_member members_source[] = {
    COMPOSITE_MEMBER(FAMQP_ANY_SOURCE_SOURCE, td_source),
};
ANY_DESC(source, "source", SOURCE, members_source, COUNT(members_source));

static const any_member members_target[] = {
    COMPOSITE_MEMBER(FAMQP_ANY_TARGET_TARGET, td_target),
    COMPOSITE_MEMBER(FAMQP_ANY_TARGET_COORDINATOR, td_coordinator),
};
ANY_DESC(target, "target", TARGET, members_target, COUNT(members_target));

static const any_member members_address[] = {
    PRIMITIVE_MEMBER(FAMQP_ANY_ADDRESS_ADDRESS_STRING, TV_STRING, FK_STRING),
};
ANY_DESC(address, "address", ADDRESS, members_address, COUNT(members_address));

static const any_member members_message_id[] = {
    PRIMITIVE_MEMBER(FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_ULONG, TV_ULONG, FK_ULONG),
    PRIMITIVE_MEMBER(FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_UUID, TV_UUID, FK_UUID),
    PRIMITIVE_MEMBER(FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_BINARY, TV_BINARY, FK_BINARY),
    PRIMITIVE_MEMBER(FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING, TV_STRING, FK_STRING),
};
ANY_DESC(message_id, "message-id", MESSAGE_ID, members_message_id, COUNT(members_message_id));

static const any_member members_txn_id[] = {
    PRIMITIVE_MEMBER(FAMQP_ANY_TXN_ID_TRANSACTION_ID, TV_BINARY, FK_BINARY),
};
ANY_DESC(txn_id, "txn-id", TXN_ID, members_txn_id, COUNT(members_txn_id));

static const any_member members_frame[] = {
    COMPOSITE_MEMBER(FAMQP_ANY_FRAME_OPEN, td_open),
    COMPOSITE_MEMBER(FAMQP_ANY_FRAME_BEGIN, td_begin),
    COMPOSITE_MEMBER(FAMQP_ANY_FRAME_ATTACH, td_attach),
    COMPOSITE_MEMBER(FAMQP_ANY_FRAME_FLOW, td_flow),
    COMPOSITE_MEMBER(FAMQP_ANY_FRAME_TRANSFER, td_transfer),
    COMPOSITE_MEMBER(FAMQP_ANY_FRAME_DISPOSITION, td_disposition),
    COMPOSITE_MEMBER(FAMQP_ANY_FRAME_DETACH, td_detach),
    COMPOSITE_MEMBER(FAMQP_ANY_FRAME_END, td_end),
    COMPOSITE_MEMBER(FAMQP_ANY_FRAME_CLOSE, td_close),
};
ANY_DESC(frame, "frame", FRAME, members_frame, COUNT(members_frame));

static const any_member members_sasl_frame[] = {
    COMPOSITE_MEMBER(FAMQP_ANY_SASL_FRAME_SASL_MECHANISMS, td_sasl_mechanisms),
    COMPOSITE_MEMBER(FAMQP_ANY_SASL_FRAME_SASL_INIT, td_sasl_init),
    COMPOSITE_MEMBER(FAMQP_ANY_SASL_FRAME_SASL_CHALLENGE, td_sasl_challenge),
    COMPOSITE_MEMBER(FAMQP_ANY_SASL_FRAME_SASL_RESPONSE, td_sasl_response),
    COMPOSITE_MEMBER(FAMQP_ANY_SASL_FRAME_SASL_OUTCOME, td_sasl_outcome),
};
ANY_DESC(sasl_frame, "sasl-frame", SASL_FRAME, members_sasl_frame, COUNT(members_sasl_frame));

static const any_member members_section[] = {
    COMPOSITE_MEMBER(FAMQP_ANY_SECTION_HEADER, td_header),
    COMPOSITE_MEMBER(FAMQP_ANY_SECTION_DELIVERY_ANNOTATIONS, td_delivery_annotations),
    COMPOSITE_MEMBER(FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS, td_message_annotations),
    COMPOSITE_MEMBER(FAMQP_ANY_SECTION_PROPERTIES, td_properties),
    COMPOSITE_MEMBER(FAMQP_ANY_SECTION_APPLICATION_PROPERTIES, td_application_properties),
    COMPOSITE_MEMBER(FAMQP_ANY_SECTION_DATA, td_data),
    COMPOSITE_MEMBER(FAMQP_ANY_SECTION_AMQP_SEQUENCE, td_amqp_sequence),
    COMPOSITE_MEMBER(FAMQP_ANY_SECTION_AMQP_VALUE, td_amqp_value),
    COMPOSITE_MEMBER(FAMQP_ANY_SECTION_FOOTER, td_footer),
};
ANY_DESC(section, "section", SECTION, members_section, COUNT(members_section));

static const any_member members_lifetime_policy[] = {
    COMPOSITE_MEMBER(FAMQP_ANY_LIFETIME_POLICY_DELETE_ON_CLOSE, td_delete_on_close),
    COMPOSITE_MEMBER(FAMQP_ANY_LIFETIME_POLICY_DELETE_ON_NO_LINKS, td_delete_on_no_links),
    COMPOSITE_MEMBER(FAMQP_ANY_LIFETIME_POLICY_DELETE_ON_NO_MESSAGES, td_delete_on_no_messages),
    COMPOSITE_MEMBER(FAMQP_ANY_LIFETIME_POLICY_DELETE_ON_NO_LINKS_OR_MESSAGES, td_delete_on_no_links_or_messages),
};
ANY_DESC(lifetime_policy, "lifetime-policy", LIFETIME_POLICY, members_lifetime_policy,
         COUNT(members_lifetime_policy));

/* global-tx-id has no provider in the standard: only NONE and OTHER. */
ANY_DESC(global_tx_id, "global-tx-id", GLOBAL_TX_ID, NULL, 0);

static const field_desc fields_open[] = {
    {"container_id", FK_STRING, offsetof(famqp_open, container_id), FAMQP_OPEN_HAS_CONTAINER_ID, NULL, NULL},
    {"hostname", FK_STRING, offsetof(famqp_open, hostname), FAMQP_OPEN_HAS_HOSTNAME, NULL, NULL},
    {"max_frame_size", FK_UINT, offsetof(famqp_open, max_frame_size), FAMQP_OPEN_HAS_MAX_FRAME_SIZE, NULL, NULL},
    {"channel_max", FK_USHORT, offsetof(famqp_open, channel_max), FAMQP_OPEN_HAS_CHANNEL_MAX, NULL, NULL},
    {"idle_time_out", FK_UINT, offsetof(famqp_open, idle_time_out), FAMQP_OPEN_HAS_IDLE_TIME_OUT, NULL, NULL},
    {"outgoing_locales", FK_MULTI_SYMBOL, offsetof(famqp_open, outgoing_locales), FAMQP_OPEN_HAS_OUTGOING_LOCALES, NULL, NULL},
    {"incoming_locales", FK_MULTI_SYMBOL, offsetof(famqp_open, incoming_locales), FAMQP_OPEN_HAS_INCOMING_LOCALES, NULL, NULL},
    {"offered_capabilities", FK_MULTI_SYMBOL, offsetof(famqp_open, offered_capabilities), FAMQP_OPEN_HAS_OFFERED_CAPABILITIES, NULL, NULL},
    {"desired_capabilities", FK_MULTI_SYMBOL, offsetof(famqp_open, desired_capabilities), FAMQP_OPEN_HAS_DESIRED_CAPABILITIES, NULL, NULL},
    {"properties", FK_MAP, offsetof(famqp_open, properties), FAMQP_OPEN_HAS_PROPERTIES, NULL, NULL},
};
COMPOSITE(open, famqp_open, FAMQP_OPEN_CODE, fields_open);

static const field_desc fields_begin[] = {
    {"remote_channel", FK_USHORT, offsetof(famqp_begin, remote_channel), FAMQP_BEGIN_HAS_REMOTE_CHANNEL, NULL, NULL},
    {"next_outgoing_id", FK_UINT, offsetof(famqp_begin, next_outgoing_id), FAMQP_BEGIN_HAS_NEXT_OUTGOING_ID, NULL, NULL},
    {"incoming_window", FK_UINT, offsetof(famqp_begin, incoming_window), FAMQP_BEGIN_HAS_INCOMING_WINDOW, NULL, NULL},
    {"outgoing_window", FK_UINT, offsetof(famqp_begin, outgoing_window), FAMQP_BEGIN_HAS_OUTGOING_WINDOW, NULL, NULL},
    {"handle_max", FK_UINT, offsetof(famqp_begin, handle_max), FAMQP_BEGIN_HAS_HANDLE_MAX, NULL, NULL},
    {"offered_capabilities", FK_MULTI_SYMBOL, offsetof(famqp_begin, offered_capabilities), FAMQP_BEGIN_HAS_OFFERED_CAPABILITIES, NULL, NULL},
    {"desired_capabilities", FK_MULTI_SYMBOL, offsetof(famqp_begin, desired_capabilities), FAMQP_BEGIN_HAS_DESIRED_CAPABILITIES, NULL, NULL},
    {"properties", FK_MAP, offsetof(famqp_begin, properties), FAMQP_BEGIN_HAS_PROPERTIES, NULL, NULL},
};
COMPOSITE(begin, famqp_begin, FAMQP_BEGIN_CODE, fields_begin);

static const field_desc fields_attach[] = {
    {"name", FK_STRING, offsetof(famqp_attach, name), FAMQP_ATTACH_HAS_NAME, NULL, NULL},
    {"handle", FK_UINT, offsetof(famqp_attach, handle), FAMQP_ATTACH_HAS_HANDLE, NULL, NULL},
    {"role", FK_BOOL, offsetof(famqp_attach, role), FAMQP_ATTACH_HAS_ROLE, NULL, NULL},
    {"snd_settle_mode", FK_UBYTE, offsetof(famqp_attach, snd_settle_mode), FAMQP_ATTACH_HAS_SND_SETTLE_MODE, NULL, NULL},
    {"rcv_settle_mode", FK_UBYTE, offsetof(famqp_attach, rcv_settle_mode), FAMQP_ATTACH_HAS_RCV_SETTLE_MODE, NULL, NULL},
    {"source", FK_ANY, offsetof(famqp_attach, source), FAMQP_ATTACH_HAS_SOURCE, NULL, &any_source},
    {"target", FK_ANY, offsetof(famqp_attach, target), FAMQP_ATTACH_HAS_TARGET, NULL, &any_target},
    {"unsettled", FK_MAP, offsetof(famqp_attach, unsettled), FAMQP_ATTACH_HAS_UNSETTLED, NULL, NULL},
    {"incomplete_unsettled", FK_BOOL, offsetof(famqp_attach, incomplete_unsettled), FAMQP_ATTACH_HAS_INCOMPLETE_UNSETTLED, NULL, NULL},
    {"initial_delivery_count", FK_UINT, offsetof(famqp_attach, initial_delivery_count), FAMQP_ATTACH_HAS_INITIAL_DELIVERY_COUNT, NULL, NULL},
    {"max_message_size", FK_ULONG, offsetof(famqp_attach, max_message_size), FAMQP_ATTACH_HAS_MAX_MESSAGE_SIZE, NULL, NULL},
    {"offered_capabilities", FK_MULTI_SYMBOL, offsetof(famqp_attach, offered_capabilities), FAMQP_ATTACH_HAS_OFFERED_CAPABILITIES, NULL, NULL},
    {"desired_capabilities", FK_MULTI_SYMBOL, offsetof(famqp_attach, desired_capabilities), FAMQP_ATTACH_HAS_DESIRED_CAPABILITIES, NULL, NULL},
    {"properties", FK_MAP, offsetof(famqp_attach, properties), FAMQP_ATTACH_HAS_PROPERTIES, NULL, NULL},
};
COMPOSITE(attach, famqp_attach, FAMQP_ATTACH_CODE, fields_attach);

static const field_desc fields_flow[] = {
    {"next_incoming_id", FK_UINT, offsetof(famqp_flow, next_incoming_id), FAMQP_FLOW_HAS_NEXT_INCOMING_ID, NULL, NULL},
    {"incoming_window", FK_UINT, offsetof(famqp_flow, incoming_window), FAMQP_FLOW_HAS_INCOMING_WINDOW, NULL, NULL},
    {"next_outgoing_id", FK_UINT, offsetof(famqp_flow, next_outgoing_id), FAMQP_FLOW_HAS_NEXT_OUTGOING_ID, NULL, NULL},
    {"outgoing_window", FK_UINT, offsetof(famqp_flow, outgoing_window), FAMQP_FLOW_HAS_OUTGOING_WINDOW, NULL, NULL},
    {"handle", FK_UINT, offsetof(famqp_flow, handle), FAMQP_FLOW_HAS_HANDLE, NULL, NULL},
    {"delivery_count", FK_UINT, offsetof(famqp_flow, delivery_count), FAMQP_FLOW_HAS_DELIVERY_COUNT, NULL, NULL},
    {"link_credit", FK_UINT, offsetof(famqp_flow, link_credit), FAMQP_FLOW_HAS_LINK_CREDIT, NULL, NULL},
    {"available", FK_UINT, offsetof(famqp_flow, available), FAMQP_FLOW_HAS_AVAILABLE, NULL, NULL},
    {"drain", FK_BOOL, offsetof(famqp_flow, drain), FAMQP_FLOW_HAS_DRAIN, NULL, NULL},
    {"echo", FK_BOOL, offsetof(famqp_flow, echo), FAMQP_FLOW_HAS_ECHO, NULL, NULL},
    {"properties", FK_MAP, offsetof(famqp_flow, properties), FAMQP_FLOW_HAS_PROPERTIES, NULL, NULL},
};
COMPOSITE(flow, famqp_flow, FAMQP_FLOW_CODE, fields_flow);

static const field_desc fields_transfer[] = {
    {"handle", FK_UINT, offsetof(famqp_transfer, handle), FAMQP_TRANSFER_HAS_HANDLE, NULL, NULL},
    {"delivery_id", FK_UINT, offsetof(famqp_transfer, delivery_id), FAMQP_TRANSFER_HAS_DELIVERY_ID, NULL, NULL},
    {"delivery_tag", FK_BINARY, offsetof(famqp_transfer, delivery_tag), FAMQP_TRANSFER_HAS_DELIVERY_TAG, NULL, NULL},
    {"message_format", FK_UINT, offsetof(famqp_transfer, message_format), FAMQP_TRANSFER_HAS_MESSAGE_FORMAT, NULL, NULL},
    {"settled", FK_BOOL, offsetof(famqp_transfer, settled), FAMQP_TRANSFER_HAS_SETTLED, NULL, NULL},
    {"more", FK_BOOL, offsetof(famqp_transfer, more), FAMQP_TRANSFER_HAS_MORE, NULL, NULL},
    {"rcv_settle_mode", FK_UBYTE, offsetof(famqp_transfer, rcv_settle_mode), FAMQP_TRANSFER_HAS_RCV_SETTLE_MODE, NULL, NULL},
    {"state", FK_ANY, offsetof(famqp_transfer, state), FAMQP_TRANSFER_HAS_STATE, NULL, &any_delivery_state},
    {"resume", FK_BOOL, offsetof(famqp_transfer, resume), FAMQP_TRANSFER_HAS_RESUME, NULL, NULL},
    {"aborted", FK_BOOL, offsetof(famqp_transfer, aborted), FAMQP_TRANSFER_HAS_ABORTED, NULL, NULL},
    {"batchable", FK_BOOL, offsetof(famqp_transfer, batchable), FAMQP_TRANSFER_HAS_BATCHABLE, NULL, NULL},
};
COMPOSITE(transfer, famqp_transfer, FAMQP_TRANSFER_CODE, fields_transfer);

static const field_desc fields_disposition[] = {
    {"role", FK_BOOL, offsetof(famqp_disposition, role), FAMQP_DISPOSITION_HAS_ROLE, NULL, NULL},
    {"first", FK_UINT, offsetof(famqp_disposition, first), FAMQP_DISPOSITION_HAS_FIRST, NULL, NULL},
    {"last", FK_UINT, offsetof(famqp_disposition, last), FAMQP_DISPOSITION_HAS_LAST, NULL, NULL},
    {"settled", FK_BOOL, offsetof(famqp_disposition, settled), FAMQP_DISPOSITION_HAS_SETTLED, NULL, NULL},
    {"state", FK_ANY, offsetof(famqp_disposition, state), FAMQP_DISPOSITION_HAS_STATE, NULL, &any_delivery_state},
    {"batchable", FK_BOOL, offsetof(famqp_disposition, batchable), FAMQP_DISPOSITION_HAS_BATCHABLE, NULL, NULL},
};
COMPOSITE(disposition, famqp_disposition, FAMQP_DISPOSITION_CODE, fields_disposition);

static const field_desc fields_detach[] = {
    {"handle", FK_UINT, offsetof(famqp_detach, handle), FAMQP_DETACH_HAS_HANDLE, NULL, NULL},
    {"closed", FK_BOOL, offsetof(famqp_detach, closed), FAMQP_DETACH_HAS_CLOSED, NULL, NULL},
    {"error", FK_NESTED, offsetof(famqp_detach, error), FAMQP_DETACH_HAS_ERROR, &td_error, NULL},
};
COMPOSITE(detach, famqp_detach, FAMQP_DETACH_CODE, fields_detach);

static const field_desc fields_end[] = {
    {"error", FK_NESTED, offsetof(famqp_end, error), FAMQP_END_HAS_ERROR, &td_error, NULL},
};
COMPOSITE(end, famqp_end, FAMQP_END_CODE, fields_end);

static const field_desc fields_close[] = {
    {"error", FK_NESTED, offsetof(famqp_close, error), FAMQP_CLOSE_HAS_ERROR, &td_error, NULL},
};
COMPOSITE(close, famqp_close, FAMQP_CLOSE_CODE, fields_close);

static const field_desc fields_error[] = {
    {"condition", FK_SYMBOL, offsetof(famqp_error_t, condition), FAMQP_ERROR_HAS_CONDITION, NULL, NULL},
    {"description", FK_STRING, offsetof(famqp_error_t, description), FAMQP_ERROR_HAS_DESCRIPTION, NULL, NULL},
    {"info", FK_MAP, offsetof(famqp_error_t, info), FAMQP_ERROR_HAS_INFO, NULL, NULL},
};
COMPOSITE(error, famqp_error_t, FAMQP_ERROR_CODE, fields_error);

static const field_desc fields_sasl_mechanisms[] = {
    {"sasl_server_mechanisms", FK_MULTI_SYMBOL, offsetof(famqp_sasl_mechanisms, sasl_server_mechanisms), FAMQP_SASL_MECHANISMS_HAS_SASL_SERVER_MECHANISMS, NULL, NULL},
};
COMPOSITE(sasl_mechanisms, famqp_sasl_mechanisms, FAMQP_SASL_MECHANISMS_CODE, fields_sasl_mechanisms);

static const field_desc fields_sasl_init[] = {
    {"mechanism", FK_SYMBOL, offsetof(famqp_sasl_init, mechanism), FAMQP_SASL_INIT_HAS_MECHANISM, NULL, NULL},
    {"initial_response", FK_BINARY, offsetof(famqp_sasl_init, initial_response), FAMQP_SASL_INIT_HAS_INITIAL_RESPONSE, NULL, NULL},
    {"hostname", FK_STRING, offsetof(famqp_sasl_init, hostname), FAMQP_SASL_INIT_HAS_HOSTNAME, NULL, NULL},
};
COMPOSITE(sasl_init, famqp_sasl_init, FAMQP_SASL_INIT_CODE, fields_sasl_init);

static const field_desc fields_sasl_challenge[] = {
    {"challenge", FK_BINARY, offsetof(famqp_sasl_challenge, challenge), FAMQP_SASL_CHALLENGE_HAS_CHALLENGE, NULL, NULL},
};
COMPOSITE(sasl_challenge, famqp_sasl_challenge, FAMQP_SASL_CHALLENGE_CODE, fields_sasl_challenge);

static const field_desc fields_sasl_response[] = {
    {"response", FK_BINARY, offsetof(famqp_sasl_response, response), FAMQP_SASL_RESPONSE_HAS_RESPONSE, NULL, NULL},
};
COMPOSITE(sasl_response, famqp_sasl_response, FAMQP_SASL_RESPONSE_CODE, fields_sasl_response);

static const field_desc fields_sasl_outcome[] = {
    {"code", FK_UBYTE, offsetof(famqp_sasl_outcome, code), FAMQP_SASL_OUTCOME_HAS_CODE, NULL, NULL},
    {"additional_data", FK_BINARY, offsetof(famqp_sasl_outcome, additional_data), FAMQP_SASL_OUTCOME_HAS_ADDITIONAL_DATA, NULL, NULL},
};
COMPOSITE(sasl_outcome, famqp_sasl_outcome, FAMQP_SASL_OUTCOME_CODE, fields_sasl_outcome);

static const field_desc fields_received[] = {
    {"section_number", FK_UINT, offsetof(famqp_received, section_number), FAMQP_RECEIVED_HAS_SECTION_NUMBER, NULL, NULL},
    {"section_offset", FK_ULONG, offsetof(famqp_received, section_offset), FAMQP_RECEIVED_HAS_SECTION_OFFSET, NULL, NULL},
};
COMPOSITE(received, famqp_received, FAMQP_RECEIVED_CODE, fields_received);

EMPTY_COMPOSITE(accepted, famqp_accepted, FAMQP_ACCEPTED_CODE);

static const field_desc fields_rejected[] = {
    {"error", FK_NESTED, offsetof(famqp_rejected, error), FAMQP_REJECTED_HAS_ERROR, &td_error, NULL},
};
COMPOSITE(rejected, famqp_rejected, FAMQP_REJECTED_CODE, fields_rejected);

EMPTY_COMPOSITE(released, famqp_released, FAMQP_RELEASED_CODE);

static const field_desc fields_modified[] = {
    {"delivery_failed", FK_BOOL, offsetof(famqp_modified, delivery_failed), FAMQP_MODIFIED_HAS_DELIVERY_FAILED, NULL, NULL},
    {"undeliverable_here", FK_BOOL, offsetof(famqp_modified, undeliverable_here), FAMQP_MODIFIED_HAS_UNDELIVERABLE_HERE, NULL, NULL},
    {"message_annotations", FK_MAP, offsetof(famqp_modified, message_annotations), FAMQP_MODIFIED_HAS_MESSAGE_ANNOTATIONS, NULL, NULL},
};
COMPOSITE(modified, famqp_modified, FAMQP_MODIFIED_CODE, fields_modified);

static const field_desc fields_source[] = {
    {"address", FK_ANY, offsetof(famqp_source, address), FAMQP_SOURCE_HAS_ADDRESS, NULL, &any_address},
    {"durable", FK_UINT, offsetof(famqp_source, durable), FAMQP_SOURCE_HAS_DURABLE, NULL, NULL},
    {"expiry_policy", FK_SYMBOL, offsetof(famqp_source, expiry_policy), FAMQP_SOURCE_HAS_EXPIRY_POLICY, NULL, NULL},
    {"timeout", FK_UINT, offsetof(famqp_source, timeout), FAMQP_SOURCE_HAS_TIMEOUT, NULL, NULL},
    {"dynamic", FK_BOOL, offsetof(famqp_source, dynamic), FAMQP_SOURCE_HAS_DYNAMIC, NULL, NULL},
    {"dynamic_node_properties", FK_MAP, offsetof(famqp_source, dynamic_node_properties), FAMQP_SOURCE_HAS_DYNAMIC_NODE_PROPERTIES, NULL, NULL},
    {"distribution_mode", FK_SYMBOL, offsetof(famqp_source, distribution_mode), FAMQP_SOURCE_HAS_DISTRIBUTION_MODE, NULL, NULL},
    {"filter", FK_MAP, offsetof(famqp_source, filter), FAMQP_SOURCE_HAS_FILTER, NULL, NULL},
    {"default_outcome", FK_ANY, offsetof(famqp_source, default_outcome), FAMQP_SOURCE_HAS_DEFAULT_OUTCOME, NULL, &any_outcome},
    {"outcomes", FK_MULTI_SYMBOL, offsetof(famqp_source, outcomes), FAMQP_SOURCE_HAS_OUTCOMES, NULL, NULL},
    {"capabilities", FK_MULTI_SYMBOL, offsetof(famqp_source, capabilities), FAMQP_SOURCE_HAS_CAPABILITIES, NULL, NULL},
};
COMPOSITE(source, famqp_source, FAMQP_SOURCE_CODE, fields_source);

static const field_desc fields_target[] = {
    {"address", FK_ANY, offsetof(famqp_target, address), FAMQP_TARGET_HAS_ADDRESS, NULL, &any_address},
    {"durable", FK_UINT, offsetof(famqp_target, durable), FAMQP_TARGET_HAS_DURABLE, NULL, NULL},
    {"expiry_policy", FK_SYMBOL, offsetof(famqp_target, expiry_policy), FAMQP_TARGET_HAS_EXPIRY_POLICY, NULL, NULL},
    {"timeout", FK_UINT, offsetof(famqp_target, timeout), FAMQP_TARGET_HAS_TIMEOUT, NULL, NULL},
    {"dynamic", FK_BOOL, offsetof(famqp_target, dynamic), FAMQP_TARGET_HAS_DYNAMIC, NULL, NULL},
    {"dynamic_node_properties", FK_MAP, offsetof(famqp_target, dynamic_node_properties), FAMQP_TARGET_HAS_DYNAMIC_NODE_PROPERTIES, NULL, NULL},
    {"capabilities", FK_MULTI_SYMBOL, offsetof(famqp_target, capabilities), FAMQP_TARGET_HAS_CAPABILITIES, NULL, NULL},
};
COMPOSITE(target, famqp_target, FAMQP_TARGET_CODE, fields_target);

EMPTY_COMPOSITE(delete_on_close, famqp_delete_on_close, FAMQP_DELETE_ON_CLOSE_CODE);

EMPTY_COMPOSITE(delete_on_no_links, famqp_delete_on_no_links, FAMQP_DELETE_ON_NO_LINKS_CODE);

EMPTY_COMPOSITE(delete_on_no_messages, famqp_delete_on_no_messages, FAMQP_DELETE_ON_NO_MESSAGES_CODE);

EMPTY_COMPOSITE(delete_on_no_links_or_messages, famqp_delete_on_no_links_or_messages, FAMQP_DELETE_ON_NO_LINKS_OR_MESSAGES_CODE);

static const field_desc fields_coordinator[] = {
    {"capabilities", FK_MULTI_SYMBOL, offsetof(famqp_coordinator, capabilities), FAMQP_COORDINATOR_HAS_CAPABILITIES, NULL, NULL},
};
COMPOSITE(coordinator, famqp_coordinator, FAMQP_COORDINATOR_CODE, fields_coordinator);

static const field_desc fields_declare[] = {
    {"global_id", FK_ANY, offsetof(famqp_declare, global_id), FAMQP_DECLARE_HAS_GLOBAL_ID, NULL, &any_global_tx_id},
};
COMPOSITE(declare, famqp_declare, FAMQP_DECLARE_CODE, fields_declare);

static const field_desc fields_discharge[] = {
    {"txn_id", FK_ANY, offsetof(famqp_discharge, txn_id), FAMQP_DISCHARGE_HAS_TXN_ID, NULL, &any_txn_id},
    {"fail", FK_BOOL, offsetof(famqp_discharge, fail), FAMQP_DISCHARGE_HAS_FAIL, NULL, NULL},
};
COMPOSITE(discharge, famqp_discharge, FAMQP_DISCHARGE_CODE, fields_discharge);

static const field_desc fields_declared[] = {
    {"txn_id", FK_ANY, offsetof(famqp_declared, txn_id), FAMQP_DECLARED_HAS_TXN_ID, NULL, &any_txn_id},
};
COMPOSITE(declared, famqp_declared, FAMQP_DECLARED_CODE, fields_declared);

static const field_desc fields_transactional_state[] = {
    {"txn_id", FK_ANY, offsetof(famqp_transactional_state, txn_id), FAMQP_TRANSACTIONAL_STATE_HAS_TXN_ID, NULL, &any_txn_id},
    {"outcome", FK_ANY, offsetof(famqp_transactional_state, outcome), FAMQP_TRANSACTIONAL_STATE_HAS_OUTCOME, NULL, &any_outcome},
};
COMPOSITE(transactional_state, famqp_transactional_state, FAMQP_TRANSACTIONAL_STATE_CODE, fields_transactional_state);

static const field_desc fields_header[] = {
    {"durable", FK_BOOL, offsetof(famqp_header, durable), FAMQP_HEADER_HAS_DURABLE, NULL, NULL},
    {"priority", FK_UBYTE, offsetof(famqp_header, priority), FAMQP_HEADER_HAS_PRIORITY, NULL, NULL},
    {"ttl", FK_UINT, offsetof(famqp_header, ttl), FAMQP_HEADER_HAS_TTL, NULL, NULL},
    {"first_acquirer", FK_BOOL, offsetof(famqp_header, first_acquirer), FAMQP_HEADER_HAS_FIRST_ACQUIRER, NULL, NULL},
    {"delivery_count", FK_UINT, offsetof(famqp_header, delivery_count), FAMQP_HEADER_HAS_DELIVERY_COUNT, NULL, NULL},
};
COMPOSITE(header, famqp_header, FAMQP_HEADER_CODE, fields_header);

static const field_desc fields_properties[] = {
    {"message_id", FK_ANY, offsetof(famqp_properties, message_id), FAMQP_PROPERTIES_HAS_MESSAGE_ID, NULL, &any_message_id},
    {"user_id", FK_BINARY, offsetof(famqp_properties, user_id), FAMQP_PROPERTIES_HAS_USER_ID, NULL, NULL},
    {"to", FK_ANY, offsetof(famqp_properties, to), FAMQP_PROPERTIES_HAS_TO, NULL, &any_address},
    {"subject", FK_STRING, offsetof(famqp_properties, subject), FAMQP_PROPERTIES_HAS_SUBJECT, NULL, NULL},
    {"reply_to", FK_ANY, offsetof(famqp_properties, reply_to), FAMQP_PROPERTIES_HAS_REPLY_TO, NULL, &any_address},
    {"correlation_id", FK_ANY, offsetof(famqp_properties, correlation_id), FAMQP_PROPERTIES_HAS_CORRELATION_ID, NULL, &any_message_id},
    {"content_type", FK_SYMBOL, offsetof(famqp_properties, content_type), FAMQP_PROPERTIES_HAS_CONTENT_TYPE, NULL, NULL},
    {"content_encoding", FK_SYMBOL, offsetof(famqp_properties, content_encoding), FAMQP_PROPERTIES_HAS_CONTENT_ENCODING, NULL, NULL},
    {"absolute_expiry_time", FK_TIMESTAMP, offsetof(famqp_properties, absolute_expiry_time), FAMQP_PROPERTIES_HAS_ABSOLUTE_EXPIRY_TIME, NULL, NULL},
    {"creation_time", FK_TIMESTAMP, offsetof(famqp_properties, creation_time), FAMQP_PROPERTIES_HAS_CREATION_TIME, NULL, NULL},
    {"group_id", FK_STRING, offsetof(famqp_properties, group_id), FAMQP_PROPERTIES_HAS_GROUP_ID, NULL, NULL},
    {"group_sequence", FK_UINT, offsetof(famqp_properties, group_sequence), FAMQP_PROPERTIES_HAS_GROUP_SEQUENCE, NULL, NULL},
    {"reply_to_group_id", FK_STRING, offsetof(famqp_properties, reply_to_group_id), FAMQP_PROPERTIES_HAS_REPLY_TO_GROUP_ID, NULL, NULL},
};
COMPOSITE(properties, famqp_properties, FAMQP_PROPERTIES_CODE, fields_properties);

RESTRICTED(delivery_annotations, famqp_delivery_annotations, FAMQP_DELIVERY_ANNOTATIONS_CODE, FK_MAP);
RESTRICTED(message_annotations, famqp_message_annotations, FAMQP_MESSAGE_ANNOTATIONS_CODE, FK_MAP);
RESTRICTED(application_properties, famqp_application_properties, FAMQP_APPLICATION_PROPERTIES_CODE, FK_MAP);
RESTRICTED(data, famqp_data, FAMQP_DATA_CODE, FK_BINARY);
RESTRICTED(amqp_sequence, famqp_amqp_sequence, FAMQP_AMQP_SEQUENCE_CODE, FK_LIST);
RESTRICTED(amqp_value, famqp_amqp_value, FAMQP_AMQP_VALUE_CODE, FK_VALUE);
RESTRICTED(footer, famqp_footer, FAMQP_FOOTER_CODE, FK_MAP);
