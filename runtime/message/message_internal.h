/* Private to runtime/message/: the message API's sources share the
 * generated section types (famqp_spec.h) and the public message header. */
#ifndef FAMQP_MESSAGE_INTERNAL_H
#define FAMQP_MESSAGE_INTERNAL_H

#include "famqp_spec.h"
#include "famqp/message.h"

#endif
