/* A message delivered again after a failed delivery: modified with
 * delivery-failed (AMQP 1.0 3.4.5) means its header's delivery-count goes
 * up by one, so the next consumer sees how often it was tried.  The
 * message's bytes are rewritten with the new header in front of the other
 * sections, which stay as they were. */
#include <string.h>

#include "broker.h"

/* Most bytes a header takes: a described list of five fields, the largest
 * encodings (bool, ubyte, uint, bool, uint) and its constructors. */
enum { HEADER_MAX = 48 };

message *message_count_failed_delivery(worker *w, message *m)
{
    famqp_any_section s;
    size_t old = 0;
    famqp_header h = famqp_header_defaults;
    if (m->len && famqp_any_section_decode(m->data, m->len, &s, NULL) && s.kind == FAMQP_ANY_SECTION_HEADER) {
        h = s.u.header;
        old = famqp_any_section_decode(m->data, m->len, &s, NULL);
    }
    if (h.delivery_count == UINT32_MAX)
        return m; /* as high as it goes */
    h.delivery_count++;
    h.present |= FAMQP_HEADER_HAS_DELIVERY_COUNT;
    uint8_t head[HEADER_MAX];
    size_t hl = famqp_header_encode(head, sizeof head, &h);
    message *n = hl ? pool_get(w, hl + m->len - old) : NULL;
    if (!n)
        return m; /* out of memory: delivered again as it was, not lost */
    uint16_t home = n->home;
    uint8_t pool_class = n->pool_class;
    memcpy(n, m, offsetof(message, len));
    n->home = home;
    n->pool_class = pool_class;
    n->format = m->format;
    n->len = hl + m->len - old;
    memcpy(n->data, head, hl);
    memcpy(n->data + hl, m->data + old, m->len - old);
    pool_put(w, m);
    return n;
}
