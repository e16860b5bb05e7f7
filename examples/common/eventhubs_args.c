/* The tools' Event Hubs options (azure_args.h): partition and consumer
 * group addresses, the receiver's position filter, the partition key
 * annotation, and famqp-recv's lines of x-opt-* annotations. */
#include "azure_args.h"

#include <inttypes.h>
#include <string.h>

#include "tool.h"

#define PARTITION_KEY "x-opt-partition-key"

/* The annotation map of the partition key on m, in az->annotations. */
static famqp_status key_map(tool_azure *az, famqp_message *m)
{
    famqp_map_builder b;
    famqp_map_builder_init(&b, FAMQP_ANY_SECTION_MESSAGE_ANNOTATIONS, az->annotations, sizeof az->annotations);
    famqp_map_builder_put_string(&b, PARTITION_KEY, az->partition_key);
    return famqp_message_set_map(m, &b);
}

static bool partition_key_arg(tool_azure *az, const char *v)
{
    /* The batch checks the key as Event Hubs wants it (length, UTF-8). */
    famqp_batch b;
    az->partition_key = v;
    if (v && *v && famqp_batch_init(&b, az->annotations, sizeof az->annotations, -1, v) == FAMQP_OK)
        return true;
    fprintf(stderr, "%s: --partition-key needs a value: UTF-8 text of 1 to %d bytes\n", az->prog,
            FAMQP_BATCH_PARTITION_KEY_MAX);
    return false;
}

/* --from-offset X, --from-sequence N, --from-time MS: one of them. */
static int from_arg(tool_azure *az, const char *a, const char *v)
{
    famqp_eventhubs_position_kind kind = !strcmp(a, "--from-offset")     ? FAMQP_EVENTHUBS_FROM_OFFSET
                                         : !strcmp(a, "--from-sequence") ? FAMQP_EVENTHUBS_FROM_SEQUENCE_NUMBER
                                                                         : FAMQP_EVENTHUBS_FROM_ENQUEUED_TIME;
    if (az->from_opt) {
        fprintf(stderr, "%s: %s and %s exclude each other: give one position\n", az->prog, az->from_opt, a);
        return -1;
    }
    uint64_t n = 0;
    if (kind != FAMQP_EVENTHUBS_FROM_OFFSET && !tool_arg_u64(az->prog, a, v, 0, INT64_MAX, &n))
        return -1;
    if (kind == FAMQP_EVENTHUBS_FROM_OFFSET && (!v || !*v || strchr(v, '\''))) {
        fprintf(stderr, "%s: --from-offset needs an offset (e.g. 1024, -1 for the start, @latest), without quotes\n",
                az->prog);
        return -1;
    }
    if (kind != FAMQP_EVENTHUBS_FROM_OFFSET) { /* in decimal, as the SDKs write it ("007" is 7) */
        snprintf(az->from_number, sizeof az->from_number, "%" PRIu64, n);
        v = az->from_number;
    }
    az->from_opt = a;
    az->from_value = v;
    az->from_kind = kind;
    return 2;
}

int tool_eventhubs_arg(tool_azure *az, const char *a, const char *v)
{
    if (!strcmp(a, "--partition")) {
        if (!tool_arg_u64(az->prog, a, v, 0, TOOL_AZURE_MAX_PARTITION, &az->partition))
            return -1;
        az->has_partition = true;
        return 2;
    }
    if (!az->recv)
        return !strcmp(a, "--partition-key") ? (partition_key_arg(az, v) ? 2 : -1) : 0;
    if (!strcmp(a, "--consumer-group")) {
        if (!v || !*v || strchr(v, '/')) {
            fprintf(stderr, "%s: --consumer-group needs a name (without '/'), e.g. $Default\n", az->prog);
            return -1;
        }
        az->consumer_group = v;
        return 2;
    }
    if (!strncmp(a, "--from-", 7) &&
        (!strcmp(a + 7, "offset") || !strcmp(a + 7, "sequence") || !strcmp(a + 7, "time")))
        return from_arg(az, a, v);
    bool *flag = !strcmp(a, "--inclusive") ? &az->inclusive : !strcmp(a, "--print-annotations") ? &az->print : NULL;
    if (flag)
        *flag = true;
    return flag ? 1 : 0;
}

bool tool_azure_finish(tool_azure *az, const char **address)
{
    const char *bad = az->consumer_group && !az->has_partition ? "--consumer-group goes with --partition"
                      : az->inclusive && !az->from_opt ? "--inclusive goes with --from-offset, --from-sequence or --from-time"
                      : az->partition_key && az->has_partition
                          ? "--partition-key and --partition exclude each other (the key chooses the partition)"
                          : NULL;
    if (bad) {
        fprintf(stderr, "%s: %s\n", az->prog, bad);
        return false;
    }
    if (az->has_partition) {
        char n[24];
        snprintf(n, sizeof n, "%" PRIu64, az->partition);
        const char *group = az->recv ? (az->consumer_group ? az->consumer_group : FAMQP_EVENTHUBS_DEFAULT_CONSUMER_GROUP)
                                     : NULL;
        if (famqp_eventhubs_partition_address(az->address, sizeof az->address, *address, group, n, NULL) != FAMQP_OK) {
            fprintf(stderr, "%s: --partition: the partition's address is longer than %zu bytes\n", az->prog,
                    sizeof az->address - 1);
            return false;
        }
        *address = az->address;
    }
    if (az->from_opt && famqp_eventhubs_position_filter(az->selector, sizeof az->selector, az->from_kind,
                                                        az->from_value, az->inclusive, NULL) != FAMQP_OK) {
        fprintf(stderr, "%s: %s: the value is longer than the filter allows\n", az->prog, az->from_opt);
        return false;
    }
    return true;
}

void tool_azure_receiver(const tool_azure *az, famqp_receiver_options *ro)
{
    if (az->from_opt)
        ro->selector = az->selector;
}

void tool_azure_message(tool_azure *az, famqp_message *m)
{
    if (az->partition_key)
        key_map(az, m); /* checked when the option was read */
}

void tool_azure_print(const tool_azure *az, FILE *out, uint64_t n, const uint8_t *msg, size_t len)
{
    (void)az;
    famqp_message m;
    famqp_error err;
    fprintf(out, "annotations %" PRIu64 ":", n);
    if (famqp_message_decode(msg, len, &m, &err) != FAMQP_OK) {
        char why[256];
        famqp_error_format(&err, why, sizeof why);
        fprintf(out, " (not a message: %s)\n", why);
        return;
    }
    famqp_iter it;
    famqp_map_entry e;
    int shown = 0;
    famqp_map_iter(&m.message_annotations.value, &it);
    while ((m.present & FAMQP_MESSAGE_HAS_MESSAGE_ANNOTATIONS) && famqp_map_next_entry(&it, &e)) {
        if (e.k.kind != FAMQP_KIND_SYMBOL || e.k.u.sym.len < 6 || memcmp(e.k.u.sym.ptr, "x-opt-", 6) != 0)
            continue;
        fprintf(out, " %.*s=", (int)e.k.u.sym.len, e.k.u.sym.ptr);
        famqp_value_print(out, e.value);
        shown++;
    }
    fputs(shown ? "\n" : " none\n", out);
}
