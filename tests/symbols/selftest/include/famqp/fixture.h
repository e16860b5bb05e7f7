/* Fixture of the exported_symbols self-test: one correct declaration and
 * one of each mistake check_exports.py must name. */
#ifndef FAMQP_FIXTURE_H
#define FAMQP_FIXTURE_H
#include "famqp/export.h"

FAMQP_API int famqp_fixture_good(void);
int famqp_fixture_unmarked(void);            /* no FAMQP_API */
FAMQP_API int famqp__fixture_unlisted(void); /* internal, not in the list */
FAMQP_API int famqp_fixture_undefined(void); /* never defined */
FAMQP_API int fixture_unprefixed(void);      /* no famqp_ prefix */

#endif
