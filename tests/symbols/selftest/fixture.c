/* Built with -fvisibility=hidden like the library. */
#include "famqp/fixture.h"

int famqp_fixture_good(void) { return 1; }
int famqp_fixture_unmarked(void) { return 2; }
int famqp__fixture_unlisted(void) { return 3; }
int fixture_unprefixed(void) { return 4; }
/* Exported without any public declaration: a leak. */
__attribute__((visibility("default"))) int famqp_fixture_leak(void) { return 5; }
