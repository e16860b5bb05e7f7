/* The codec sits below the generated code: it may not include it. */
#include "famqp/gen/wire.h"
#include "famqp_spec.h"
