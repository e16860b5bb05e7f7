/* Fuzz target: famqp-broker's reader of the Azure emulators' Config.json
 * (examples/famqp-broker/emulator_config.c), whose input comes from the
 * user's files.  The input is read twice into one model (the second time
 * it must be refused as a second configuration of its kind, or refused as
 * the first was, leaving the model as it was); every refusal is one line
 * naming the input; an accepted model prints; all memory is freed. */
#include <string.h>

#include "emulator_config.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    emu_config c;
    emu_config_init(&c);
    char why[600];
    bool ok = emu_config_load_text(&c, "fuzz", (const char *)data, size, why, sizeof why);
    if (!ok) {
        FUZZ_CHECK(strncmp(why, "fuzz", 4) == 0 && !strchr(why, '\n'), "refusal: %s", why);
        FUZZ_CHECK(!emu_config_any(&c) && !c.eh_namespace && !c.sb_namespace, "a refused input left entities");
    } else {
        FUZZ_CHECK(c.eh_namespace || c.sb_namespace, "accepted without a namespace");
        emu_config_print(fuzz_sink(), &c);
        size_t hubs = c.nhubs, queues = c.nqueues, topics = c.ntopics;
        FUZZ_CHECK(!emu_config_load_text(&c, "fuzz", (const char *)data, size, why, sizeof why),
                   "the same configuration accepted twice");
        FUZZ_CHECK(c.nhubs == hubs && c.nqueues == queues && c.ntopics == topics, "a refusal changed the model");
        emu_config_print(fuzz_sink(), &c);
    }
    emu_config_free(&c);
    return 0;
}
