/* Private state of the protocol engine (famqp/engine.h), shared by the
 * runtime/engine/ files.  Not installed. */
#ifndef FAMQP_ENGINE_INTERNAL_H
#define FAMQP_ENGINE_INTERNAL_H

#include <stdarg.h>

#include "famqp/engine.h"
#include "famqp/frame.h"
#include "famqp_spec.h"

/* A delivery-tag is binary of at most 32 octets (AMQP 1.0 2.8.7): kept
 * inline in the delivery, longer ones are refused. */
#define ENG_TAG_MAX 32u

/* Endpoint state in one direction (ours or the peer's). */
typedef enum eng_state { ENG_UNINIT = 0, ENG_ACTIVE, ENG_CLOSED } eng_state;

/* What the input side expects next. */
typedef enum eng_phase {
    ENG_PHASE_HEADER,     /* the first protocol header */
    ENG_PHASE_SASL,       /* SASL frames */
    ENG_PHASE_AMQP_HEADER,/* the AMQP header after SASL */
    ENG_PHASE_AMQP,       /* AMQP frames */
    ENG_PHASE_DONE        /* nothing more is read */
} eng_phase;

/* A growable byte buffer (through the connection's allocator). */
typedef struct eng_buf {
    uint8_t *ptr;
    size_t len, cap;
} eng_buf;

/* An owned copy of an error condition (strings NUL-terminated or NULL). */
typedef struct eng_cond {
    char *name;
    char *description;
    famqp_map map; /* a delivery state's error info or message-annotations (owned) */
} eng_cond;

/* An owned symbol list: `view` for the application, `wire` (the same
 * symbols as famqp_symbol views) for the encoder; both point into `block`,
 * one allocation. */
typedef struct eng_syms {
    famqp_symbols view;
    const famqp_symbol *wire;
    void *block;
} eng_syms;

/* An owned copy of a terminus the peer sent (famqp_terminus_info views
 * point into it). */
typedef struct eng_terminus {
    bool present;
    char *address, *expiry_policy, *distribution_mode;
    uint32_t durable, timeout;
    bool dynamic;
    famqp_map node_props, filter; /* items owned */
    eng_syms caps;
} eng_terminus;

struct famqp_delivery {
    uint32_t refs;               /* events holding it */
    bool dead;                   /* freed when refs drops to 0 */
    bool in_list;                /* linked into the session's unsettled list */
    bool outgoing;               /* we are the sender */
    famqp_link *link;
    famqp_delivery *prev, *next; /* session unsettled list (out or in) */
    famqp_delivery *qnext;       /* link send queue */
    bool queued;                 /* on the link send queue */
    uint32_t id;
    uint32_t format;
    uint8_t tag[ENG_TAG_MAX];
    size_t tag_len;
    bool local_settled, remote_settled;
    bool first_sent;             /* sender: a frame of it was written */
    bool abort_pending;          /* sender: abort once the window allows */
    famqp_outcome remote_state;  /* error strings point into remote_err */
    eng_cond remote_err;
    uint8_t remote_txn[FAMQP_ENGINE_MAX_TXN_ID]; /* remote_state.txn_id */
    /* The transfer's state: a sender's to send, a receiver's as received
     * (kind and txn_id only; txn_id points into xfer_txn). */
    famqp_outcome xfer_state;
    uint8_t xfer_txn[FAMQP_ENGINE_MAX_TXN_ID];
    uint8_t *data;               /* receiver: message; sender: unsent bytes */
    size_t len, cap;
    size_t sent;                 /* sender: bytes of data already framed */
    size_t partial;              /* receiver: bytes counted in conn->incoming_bytes
                                    while the message is incomplete */
    famqp_delivery *pool_next;   /* free list of the connection */
};

struct famqp_link {
    uint32_t refs;
    bool dead;
    famqp_session *session;
    famqp_link *prev, *next;
    char *name;
    famqp_link_role role;
    eng_state local, remote;
    uint32_t handle;           /* ours */
    uint32_t remote_handle;
    bool has_remote_handle;
    famqp_link_options opts;   /* addresses point to src_addr/tgt_addr */
    char *src_addr, *tgt_addr;
    char *remote_source, *remote_target;
    /* Owned copies of what opts points at beyond the addresses and filter. */
    char *expiry_policy;
    famqp_map node_props, props;  /* items owned; opts views point here */
    eng_syms src_caps, tgt_caps, offered, desired;
    /* The peer's attach: properties, capabilities, termini. */
    famqp_map remote_props;
    eng_syms remote_offered, remote_desired;
    eng_terminus remote_src, remote_tgt;
    bool remote_coordinator; /* the peer's target is a transaction coordinator */
    uint8_t remote_snd_mode, remote_rcv_mode;
    uint64_t remote_max_message_size;
    eng_cond remote_cond;
    uint32_t delivery_count;
    uint32_t credit;
    uint32_t overrun;            /* transfers beyond credit since our last grant */
    uint32_t overrun_allowed;    /* how many are tolerated (eng_link_grant) */
    uint32_t max_granted;        /* largest credit granted so far */
    uint32_t available;
    bool drain;                /* sender: drain requested; receiver: drain sent */
    bool output_refused;       /* sender: a send refused for max_output_bytes */
    uint32_t credit_events;    /* sender: LINK_CREDIT events not yet released;
                                  a drain completes only after the application
                                  saw them (it may still send) */
    uint32_t nunsettled;       /* deliveries of this link on the session lists */
    famqp_delivery *incoming;  /* receiver: delivery being reassembled */
    famqp_delivery *sendq_head, *sendq_tail;
    void *ctx;
};

/* A queued disposition covering ids first..last. */
typedef struct eng_disp {
    famqp_session *session;
    bool role_receiver;
    uint32_t first, last;
    bool settled;
    famqp_outcome state; /* error strings owned (eng_str_dup); txn_id.ptr set when written */
    uint8_t txn[FAMQP_ENGINE_MAX_TXN_ID]; /* state.txn_id's bytes */
} eng_disp;

struct famqp_session {
    uint32_t refs;
    bool dead;
    famqp_connection *conn;
    famqp_session *prev, *next;
    eng_state local, remote;
    uint16_t channel;
    uint16_t remote_channel;
    bool has_remote_channel;   /* the peer's channel maps to us now */
    bool peer_began;           /* the peer began first: our begin answers it */
    uint32_t next_outgoing_id;
    uint32_t incoming_window;        /* what we still accept */
    uint32_t next_incoming_id;
    uint32_t remote_incoming_window; /* what the peer still accepts from us */
    uint32_t remote_outgoing_window;
    uint32_t next_delivery_id;       /* outgoing */
    uint32_t remote_handle_max;
    famqp_link **local_links;        /* by our handle */
    uint32_t nlocal;
    famqp_link **remote_links;       /* by the peer's handle */
    uint32_t nremote;
    famqp_link *links_head, *links_tail;
    famqp_delivery *out_head, *out_tail; /* unsettled deliveries we sent */
    famqp_delivery *in_head, *in_tail;   /* unsettled deliveries we received */
    eng_cond remote_cond;
    void *ctx;
};

struct famqp_connection {
    famqp_connection_options opts;
    famqp_allocator a;
    char *container_id, *hostname, *sasl_username, *sasl_password; /* owned copies */
    bool destroying;

    /* input */
    eng_phase phase;
    uint8_t hdr[FAMQP_PROTOCOL_HEADER_SIZE];
    size_t hdr_len;
    eng_buf in;          /* an incomplete frame, copied */
    bool input_closed;

    /* output */
    eng_buf out;
    size_t out_pos;      /* consumed prefix of out */
    size_t trace_pos;    /* prefix of out already traced (>= out_pos) */
    eng_buf deferred;    /* AMQP frames written before our AMQP header */
    bool amqp_header_sent;
    uint32_t writes_since_tick; /* frames and raw chunks: any output postpones our heartbeat */

    /* SASL */
    bool sasl_done;
    bool sasl_outcome_sent;
    char *sasl_user;     /* server: authenticated identity */

    /* connection endpoint */
    eng_state local, remote;
    bool failed;
    eng_cond remote_cond;
    const char *fail_name;   /* static condition symbol */
    char fail_desc[256];
    char *remote_container_id, *remote_hostname;
    uint32_t remote_max_frame_size;
    uint16_t remote_channel_max;
    uint32_t ended_channel_plus1; /* the peer's channel whose session it ended last, + 1; 0: none */
    uint32_t remote_idle_timeout;
    famqp_map props, remote_props;    /* items owned */
    eng_syms offered, desired, remote_offered, remote_desired;

    /* sessions */
    famqp_session *sessions_head, *sessions_tail;
    famqp_session **local_sessions;  /* by our channel */
    uint32_t nlocal;
    famqp_session **remote_sessions; /* by the peer's channel */
    uint32_t nremote;

    /* freed deliveries kept for reuse (with their buffers, when small), so
     * a steady stream of messages allocates nothing */
    famqp_delivery *pool;
    size_t pool_bytes; /* of the pooled deliveries and their buffers */
    uint64_t incoming_bytes; /* of incomplete incoming messages (max_incoming_bytes) */

    /* pending dispositions (coalesced into ranges) */
    eng_disp *disps;
    size_t ndisps, disps_cap;

    /* events: ring buffer */
    famqp_event *events;
    size_t ev_head, ev_count, ev_cap;
    famqp_event current;
    bool has_current;
    bool fail_reported;  /* CONNECTION_ERROR returned */

    /* sender links with a drain to complete (see eng_drain_complete) */
    bool drain_pending;
    /* output above opts.max_output_bytes held something back (see
     * eng_output_over); released once it drained to half */
    bool output_blocked;

    /* flood limits: frames without progress in the current second */
    uint64_t now_ms;           /* the last time given to tick */
    uint64_t flood_window_ms;  /* start of the current one-second window */
    uint32_t empty_frames, idle_flows;

    /* time */
    bool time_init;
    bool rx_since_tick;
    uint64_t last_rx_ms, last_tx_ms;

    bool trace;
    FILE *trace_file;
};

/* ---- memory (engine_memory.c) ------------------------------------------ */
void *eng_alloc(famqp_connection *c, size_t n);   /* zeroed; fails the connection on NULL */
void *eng_realloc(famqp_connection *c, void *p, size_t n);
void eng_free(famqp_connection *c, void *p);
char *eng_strndup(famqp_connection *c, const char *s, size_t n, bool *ok);
char *eng_strdup(famqp_connection *c, const char *s, bool *ok); /* NULL in, NULL out, ok stays */
bool eng_buf_reserve(famqp_connection *c, eng_buf *b, size_t extra);
bool eng_buf_append(famqp_connection *c, eng_buf *b, const void *p, size_t n);
void eng_buf_free(famqp_connection *c, eng_buf *b);
/* Grows a pointer table (table: the address of a T ** of *n entries) so that
 * index i exists; new entries are NULL. */
bool eng_table_fit(famqp_connection *c, void *table, uint32_t *n, uint32_t i);
/* Copies the error a peer sent (close, end, detach, rejected). */
bool eng_cond_set(famqp_connection *c, eng_cond *dst, const famqp_error_t *e);
void eng_cond_free(famqp_connection *c, eng_cond *cnd);
famqp_condition eng_cond_view(const eng_cond *cnd);

/* ---- properties, capabilities, filters (engine_fields.c) --------------- */
/* Copies (and frees) maps and symbol lists through the connection's
 * allocator; false when out of memory (the connection then failed). */
bool eng_map_copy(famqp_connection *c, famqp_map *dst, famqp_map src);
void eng_map_free(famqp_connection *c, famqp_map *m);
bool eng_syms_copy(famqp_connection *c, eng_syms *dst, famqp_symbols src);
bool eng_syms_from_wire(famqp_connection *c, eng_syms *dst, const famqp_multiple *m);
void eng_syms_free(famqp_connection *c, eng_syms *s);
/* The encoder's view of a list (count 0: nothing to send). */
famqp_multiple eng_syms_multiple(const eng_syms *s);
/* Validation of what the application asks us to send: ERR_ARG or
 * ERR_LIMIT with a reason in why. */
famqp_engine_status eng_check_map(famqp_map m, const char *what, char *why, size_t cap);
/* eng_check_map with keys of any type (an outcome's maps: Service Bus
 * sends string keys where the standard says symbols). */
famqp_engine_status eng_check_any_map(famqp_map m, const char *what, char *why, size_t cap);
famqp_engine_status eng_check_syms(famqp_symbols s, const char *what, char *why, size_t cap);
/* Copies a terminus from the peer's attach. */
bool eng_terminus_from_source(famqp_connection *c, eng_terminus *t, const famqp_source *s);
bool eng_terminus_from_target(famqp_connection *c, eng_terminus *t, const famqp_target *tg);
void eng_terminus_free(famqp_connection *c, eng_terminus *t);
void eng_terminus_view(const eng_terminus *t, famqp_terminus_info *out);

/* ---- connection core (engine_connection.c) ----------------------------- */
/* Fails the connection: records the condition, sends close (after open
 * when needed), emits CONNECTION_ERROR, stops reading.  name is static. */
void eng_fail(famqp_connection *c, const char *name, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void eng_nomem(famqp_connection *c);
/* Counts a frame that carries no progress (kind: "empty frames" or "flow
 * frames without progress") against its per-second limit; false when the
 * limit was exceeded and the connection failed. */
bool eng_flood_count(famqp_connection *c, uint32_t *count, uint32_t limit, const char *kind, const char *option);
bool eng_usable(const famqp_connection *c); /* not failed, local open and not closed */

/* ---- output (engine_output.c) ------------------------------------------- */
/* Writes an AMQP frame (flushing queued dispositions first). */
bool eng_write_frame(famqp_connection *c, uint16_t channel, const famqp_any_frame *f,
                     const uint8_t *payload, size_t payload_len);
/* A frame body as the connection writes them: famqp_any_frame_encode, or
 * its _full form with options.full_performatives. */
size_t eng_frame_encode(const famqp_connection *c, uint8_t *buf, size_t cap, const famqp_any_frame *f);
/* Writes without flushing dispositions (used by the flush itself). */
bool eng_emit_frame(famqp_connection *c, uint16_t channel, const famqp_any_frame *f,
                    const uint8_t *payload, size_t payload_len);
bool eng_write_sasl_frame(famqp_connection *c, const famqp_any_sasl_frame *f);
bool eng_write_heartbeat(famqp_connection *c);
bool eng_write_raw(famqp_connection *c, const uint8_t *p, size_t n); /* to the wire directly */
/* Output is at or above opts.max_output_bytes: the caller holds back
 * (marked blocked, released by famqp_connection_output_consume). */
bool eng_output_over(famqp_connection *c);
void eng_send_amqp_header(famqp_connection *c); /* then any deferred frames */
uint32_t eng_out_frame_max(const famqp_connection *c);
/* Fills the error of a close, end, detach or rejected outcome we send;
 * false, e untouched, when there is no condition (then no error field). */
bool eng_error_put(famqp_error_t *e, const char *condition, const char *description);

/* ---- events (engine_events.c) ------------------------------------------- */
void eng_event(famqp_connection *c, famqp_event_type t, famqp_session *s, famqp_link *l,
               famqp_delivery *d, famqp_condition cond);
void eng_events_free(famqp_connection *c);
void eng_session_unref(famqp_session *s);
void eng_link_unref(famqp_link *l);
void eng_delivery_unref(famqp_delivery *d);
void eng_session_free(famqp_session *s);
void eng_link_free(famqp_link *l);
void eng_delivery_free(famqp_delivery *d);
void eng_delivery_pool_free(famqp_connection *c);

/* ---- SASL (engine_sasl.c) ------------------------------------------------ */
void eng_sasl_start_client(famqp_connection *c);
void eng_sasl_start_server(famqp_connection *c);
void eng_sasl_frame(famqp_connection *c, const famqp_frame *fr);

/* Receiver: credit_window renewed once half is used (engine_delivery.c). */
void eng_receiver_credit_topup(famqp_link *l);

/* ---- sessions (engine_session.c) ------------------------------------------ */
famqp_session *eng_session_new(famqp_connection *c);
void eng_on_begin(famqp_connection *c, uint16_t channel, const famqp_begin *b);
void eng_on_end(famqp_connection *c, famqp_session *s, const famqp_end *e);
famqp_session *eng_session_by_remote(famqp_connection *c, uint16_t channel);
bool eng_session_write(famqp_session *s, const famqp_any_frame *f, const uint8_t *payload, size_t n);
void eng_session_flow_write(famqp_session *s, famqp_link *l, bool echo);
void eng_session_pump(famqp_session *s); /* continues queued sends of its links */
void eng_session_incoming_replenish(famqp_session *s);
void eng_session_finish_if_done(famqp_session *s);

/* ---- links (engine_link.c) ------------------------------------------------- */
void eng_on_attach(famqp_session *s, const famqp_attach *a);
void eng_on_detach(famqp_session *s, const famqp_detach *d);
void eng_on_flow(famqp_session *s, const famqp_flow *f);
famqp_link *eng_link_by_remote(famqp_session *s, uint32_t handle, const char *what);
void eng_link_finish(famqp_link *l);
void eng_link_options_free(famqp_link *l); /* what famqp_link_set_options copied */
void eng_link_finish_if_done(famqp_link *l);
void eng_link_grant(famqp_link *l, uint32_t credit); /* receiver: sets credit, resets the overrun allowance */
/* Completes the drains of sender links that have nothing queued and whose
 * LINK_CREDIT events the application has seen (called when output is taken). */
void eng_drain_complete(famqp_connection *c);

/* ---- deliveries (engine_delivery.c) ---------------------------------------- */
void eng_on_transfer(famqp_session *s, const famqp_transfer *t, const uint8_t *payload, size_t n);
void eng_on_disposition(famqp_session *s, const famqp_disposition *d);
/* Frames l's queued deliveries while the session window allows. */
void eng_link_send_queued(famqp_link *l);
void eng_flush_dispositions(famqp_connection *c);
void eng_disps_free(famqp_connection *c);
void eng_delivery_unlink(famqp_delivery *d);
/* Unlinks d from its session list and link, marks it dead, frees it when unreferenced. */
void eng_delivery_kill(famqp_delivery *d);
/* A received delivery is complete (or gone): its bytes leave the
 * connection's incoming_bytes. */
void eng_delivery_complete(famqp_delivery *d);
/* A received state into *o: strings and maps into err, a txn-id into
 * txn[FAMQP_ENGINE_MAX_TXN_ID].  False when it failed the connection (a
 * txn-id that is not binary or too long). */
bool eng_outcome_from_state(famqp_connection *c, const famqp_any_delivery_state *st, famqp_outcome *o,
                            eng_cond *err, uint8_t *txn);

/* ---- transactional states (engine_txn.c) --------------------------------------- */
/* Whether o may be sent: a txn_id within FAMQP_ENGINE_MAX_TXN_ID, DECLARED
 * with one, transactional-state only around a terminal outcome or none;
 * on a transfer (for_transfer) nothing but the kind and txn_id. */
bool eng_txn_outcome_ok(const famqp_outcome *o, bool for_transfer);
/* st holds the plain state of o (state_from_outcome); wraps it in
 * transactional-state when o has a txn_id, or makes it declared. */
void eng_txn_state_put(const famqp_outcome *o, famqp_any_delivery_state *st);
/* When st is transactional-state: *inner becomes its outcome as a plain
 * delivery state and the txn-id is copied to txn (*txn_len); declared: its
 * txn-id likewise.  Returns 1 when it did, 0 when st is neither, -1 when it
 * failed the connection (txn-id not binary or too long). */
int eng_txn_state_get(famqp_connection *c, const famqp_any_delivery_state *st, famqp_any_delivery_state *inner,
                      uint8_t *txn, size_t *txn_len);

/* ---- trace (engine_trace.c) -------------------------------------------------- */
/* A frame in or out (a transfer's line shows the first payload bytes). */
void eng_trace_frame(famqp_connection *c, bool out, uint16_t channel, const famqp_any_frame *f,
                     const uint8_t *payload, size_t payload_len);
void eng_trace_sasl(famqp_connection *c, bool out, const famqp_any_sasl_frame *f);
void eng_trace_text(famqp_connection *c, bool out, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* Traces what the output buffer gained since the last call, in wire order
 * (called when the application takes output). */
void eng_trace_output(famqp_connection *c);

#endif /* FAMQP_ENGINE_INTERNAL_H */
