/* Private to runtime/src/message_*.c.  Some test builds compile runtime/src
 * against a partial spec (no messaging sections); there the message
 * sources compile to nothing. */
#ifndef FAMQP_MESSAGE_INTERNAL_H
#define FAMQP_MESSAGE_INTERNAL_H

#include "famqp_spec.h"

#if defined(FAMQP_HEADER_CODE) && defined(FAMQP_AMQP_VALUE_CODE) && defined(FAMQP_FOOTER_CODE)
#define FAMQP_MESSAGE_AVAILABLE 1
#include "famqp/message.h"
#else
#define FAMQP_MESSAGE_AVAILABLE 0
#endif

#endif
