/* The engine may not use the client API (a layer above it). */
#include "famqp/engine.h"
#include "famqp/client.h"
#include "message_internal.h"
