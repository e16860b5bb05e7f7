/* Private state of the Service Bus receivers (famqp/servicebus.h), shared
 * by client_servicebus.c, client_sb_management.c and client_sb_session.c. */
#ifndef FAMQP_CLIENT_SB_INTERNAL_H
#define FAMQP_CLIENT_SB_INTERNAL_H

#include "client_internal.h"
#include "famqp/request.h"
#include "famqp/servicebus.h"

struct famqp_sb_receiver {
    famqp_client *client;
    famqp_receiver *base;
    char *entity;
    char *link_name;
    famqp_requester *mgmt; /* <entity>/$management, attached on first use */
    char *session_id;      /* the session granted (session receivers) */
    bool has_locked_until;
    int64_t locked_until_ms;
};

/* ---- client_sb_session.c ---- */

/* The filter-set {com.microsoft:session-filter: session_id or null} in
 * buf; false when buf is too small. */
bool sb_session_filter(void *buf, size_t cap, const char *session_id, famqp_map *out);
/* After the attach: the session the broker granted and its lock's end.
 * ERR_REFUSED (c's error set) when it granted none, or another than asked. */
famqp_client_status sb_session_accept(famqp_sb_receiver *r, const char *wanted);

#endif
