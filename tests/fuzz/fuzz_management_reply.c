/* Fuzz target: reading a management or CBS response, what every
 * requester (blocking and async) and CBS client runs on whatever a peer
 * sends to its reply-to address.  The whole input is the message's
 * sections: decoded with famqp_message_decode, then its correlation-id
 * (famqp_management_correlation_id) and status (famqp_management_status,
 * both spellings) read.  A description is a view inside the input
 * (read whether or not a code was found); no code found means -1. */
#include <string.h>

#include "famqp/management.h"
#include "fuzz_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    famqp_message m;
    famqp_error err;
    if (famqp_message_decode(data, size, &m, &err) != FAMQP_OK) {
        FUZZ_CHECK(err.status != FAMQP_OK && err.offset <= size, "a refusal without a status or past the input");
        return 0;
    }
    uint64_t id = 0;
    (void)famqp_management_correlation_id(&m, &id);
    int32_t code = 0;
    famqp_string desc = {"x", 1};
    bool found = famqp_management_status(&m, &code, &desc);
    FUZZ_CHECK(found || code == -1, "no status but code %d", (int)code);
    /* The description is read whether or not a code was found. */
    if (desc.len)
        FUZZ_CHECK((const uint8_t *)desc.ptr >= data && (const uint8_t *)desc.ptr + desc.len <= data + size,
                   "description outside the input");
    /* Without a description out-parameter the code is the same. */
    int32_t again = 0;
    (void)famqp_management_status(&m, &again, NULL);
    FUZZ_CHECK(again == code, "status code %d, then %d without the description", (int)code, (int)again);
    return 0;
}
