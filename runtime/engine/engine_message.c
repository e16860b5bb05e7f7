/* Received deliveries read as messages: the engine's one use of the
 * message layer (famqp/message.h sits below the engine). */
#include "engine_internal.h"

famqp_status famqp_delivery_read_message(const famqp_delivery *d, famqp_message *m, famqp_error *err)
{
    famqp_binary b = famqp_delivery_message(d);
    famqp_status st = famqp_message_decode(b.ptr, b.len, m, err);
    if (st != FAMQP_OK)
        famqp_message_init(m); /* nothing half-decoded is left behind */
    return st;
}
