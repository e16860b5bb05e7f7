/* Fuzz target: SAS token verification (famqp_sas_token_verify), what a
 * $cbs node runs on every put-token a peer sends.  The whole input is the
 * token.  Every answer must be OK, ERR_ARG or ERR_DENIED; a refusal has a
 * message and all-zero claims; an acceptance names one of the keys, an
 * expiry after now and a NUL-terminated audience that fits the claims. */
#include <string.h>

#include "famqp/auth.h"
#include "fuzz_target.h"

static const famqp_sas_key keys[] = {{"RootManageSharedAccessKey", "SAS_KEY_VALUE"}, {"k", "key"}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    famqp_sas_claims c;
    famqp_auth_error e;
    famqp_auth_status st = famqp_sas_token_verify((const char *)data, size, keys, 2, 1000000, &c, &e);
    if (st != FAMQP_AUTH_OK) {
        FUZZ_CHECK(st == FAMQP_AUTH_ERR_ARG || st == FAMQP_AUTH_ERR_DENIED, "status %d", (int)st);
        FUZZ_CHECK(e.message[0] != '\0', "a refusal without a reason");
        static const famqp_sas_claims zero;
        FUZZ_CHECK(memcmp(&c, &zero, sizeof c) == 0, "claims left after a refusal");
        return 0;
    }
    FUZZ_CHECK(e.message[0] == '\0', "a reason with an acceptance: %s", e.message);
    FUZZ_CHECK(c.expiry_epoch_s > 1000000, "accepted an expired token");
    FUZZ_CHECK(!strcmp(c.key_name, keys[0].name) || !strcmp(c.key_name, keys[1].name), "unknown key accepted");
    FUZZ_CHECK(memchr(c.audience, '\0', sizeof c.audience) != NULL && c.audience[0], "audience");
    return 0;
}
