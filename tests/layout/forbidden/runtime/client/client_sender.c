/* Allowed: the client may use every layer below it. */
#include "famqp/client.h"
#include "famqp/io.h"
#include "famqp/message.h"
#include <famqp/unknown.h>
