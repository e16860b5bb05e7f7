/* The stream printers write to during fuzzing: /dev/null, opened once. */
#include "fuzz_target.h"

FILE *fuzz_sink(void)
{
    static FILE *sink;
    if (!sink) {
        sink = fopen("/dev/null", "w");
        FUZZ_CHECK(sink != NULL, "cannot open /dev/null");
    }
    return sink;
}
