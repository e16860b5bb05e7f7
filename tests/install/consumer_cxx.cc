// A C++ program that includes every public header of flatamqp (C++11,
// -pedantic, warnings as errors): the headers' extern "C" guards and
// declarations must be valid C++.  It encodes and decodes an open
// performative, builds a message and makes a SAS token, so the declarations
// are also linked.
#include <famqp/async.h>
#include <famqp/auth.h>
#include <famqp/batch.h>
#include <famqp/cbs.h>
#include <famqp/client.h>
#include <famqp/codec.h>
#include <famqp/engine.h>
#include <famqp/eventhubs.h>
#include <famqp/export.h>
#include <famqp/frame.h>
#include <famqp/gen/table.h>
#include <famqp/gen/wire.h>
#include <famqp/io.h>
#include <famqp/loop.h>
#include <famqp/management.h>
#include <famqp/message.h>
#include <famqp/request.h>
#include <famqp/servicebus.h>
/* installed with the libuv adapter only (when libuv was found) */
#if defined(__has_include)
#if __has_include(<famqp/uv.h>)
#include <famqp/uv.h>
#endif
#endif
#include <famqp/version.h>
#include <famqp_spec.h>

#include <cstdio>
#include <cstring>

int main()
{
    famqp_open out = famqp_open_defaults;
    out.container_id = famqp_string_of("consumer-cxx");
    out.present |= FAMQP_OPEN_HAS_CONTAINER_ID;
    uint8_t buf[256];
    size_t len = famqp_open_encode(buf, sizeof buf, &out);
    famqp_open back;
    famqp_error err;
    if (len == 0 || len > sizeof buf || famqp_open_decode(buf, len, &back, &err) != len ||
        back.container_id.len != out.container_id.len) {
        std::fprintf(stderr, "consumer_cxx: open did not round-trip\n");
        return 1;
    }
    famqp_message m;
    famqp_message_init(&m);
    if (std::strcmp(famqp_version(), FAMQP_VERSION_STRING) != 0) {
        std::fprintf(stderr, "consumer_cxx: library %s, headers %s\n", famqp_version(), FAMQP_VERSION_STRING);
        return 1;
    }
    char token[256];
    if (famqp_sas_token("sb://a/b", "name", "key", 1700000000, token, sizeof token, nullptr, nullptr) != FAMQP_AUTH_OK ||
        std::strstr(token, "&sig=jyOyRWMIxD22QWwsstFKNaWpgGO044TafSD%2FXx3dRCQ%3D&") == nullptr) {
        std::fprintf(stderr, "consumer_cxx: SAS token %s\n", token);
        return 1;
    }
    uint8_t batch_buf[256];
    famqp_batch batch;
    if (famqp_batch_init(&batch, batch_buf, sizeof batch_buf, -1, "pk") != FAMQP_OK ||
        famqp_batch_add(&batch, &m) != FAMQP_OK || famqp_batch_count(&batch) != 1) {
        std::fprintf(stderr, "consumer_cxx: batch\n");
        return 1;
    }
    char address[64];
    if (famqp_eventhubs_partition_address(address, sizeof address, "hub", "$Default", "0", nullptr) != FAMQP_OK) {
        std::fprintf(stderr, "consumer_cxx: eventhubs address\n");
        return 1;
    }
    famqp_async_options ao;
    famqp_async_options_init(&ao);
    if (std::strcmp(famqp_async_status_name(FAMQP_ASYNC_ERR_FULL), "FAMQP_ASYNC_ERR_FULL") != 0) {
        std::fprintf(stderr, "consumer_cxx: famqp_async_status_name\n");
        return 1;
    }
    std::printf("consumer_cxx: ok (%s, flatamqp %s)\n", famqp_client_status_name(FAMQP_CLIENT_OK), famqp_version());
    return 0;
}
