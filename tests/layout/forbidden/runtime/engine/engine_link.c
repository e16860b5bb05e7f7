/* The engine may not use the message API (a layer beside it). */
#include "famqp/engine.h"
#include "famqp/message.h"
#include "message_internal.h"
