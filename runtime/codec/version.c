/* famqp_version: the version this library was built as. */
#include "famqp/version.h"

const char *famqp_version(void) { return FAMQP_VERSION_STRING; }
