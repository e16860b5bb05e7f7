/* Fixture: the async client sits beside the blocking one, not on it. */
#include "famqp/loop.h"
#include "famqp/client.h"
#include "famqp/async.h"
