/* Minimal downstream program: uses only installed headers and the installed
 * library.  Encodes an open performative, decodes it back and checks the
 * fields survived; exit status 0 only when they did. */
#include <famqp/frame.h>
#include <famqp_spec.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    famqp_open out = famqp_open_defaults;
    out.container_id = famqp_string_of("consumer");
    out.present |= FAMQP_OPEN_HAS_CONTAINER_ID;
    out.channel_max = 7;
    out.present |= FAMQP_OPEN_HAS_CHANNEL_MAX;

    uint8_t buf[256];
    size_t len = famqp_open_encode(buf, sizeof buf, &out);
    if (len == 0 || len > sizeof buf) {
        fprintf(stderr, "consumer: encode failed (%zu)\n", len);
        return 1;
    }

    famqp_open back;
    famqp_error err;
    if (famqp_open_decode(buf, len, &back, &err) != len) {
        char msg[256];
        famqp_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "consumer: decode failed: %s\n", msg);
        return 1;
    }
    if (!famqp_string_eq(back.container_id, "consumer") || back.channel_max != 7 ||
        back.max_frame_size != UINT32_MAX) {
        fprintf(stderr, "consumer: decoded open differs from the one encoded\n");
        return 1;
    }
    printf("consumer: open round trip ok (%zu bytes)\n", len);
    return 0;
}
