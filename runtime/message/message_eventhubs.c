/* Event Hubs helpers (famqp/eventhubs.h): addresses, position filters as
 * Microsoft's SDKs write them, and typed x-opt-* annotation getters. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "famqp/eventhubs.h"

static bool named(const char *s) { return s && *s; }

static famqp_status put(char *out, size_t cap, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(out, out ? cap : 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return FAMQP_ERR_INVALID_VALUE;
    if (len)
        *len = (size_t)n;
    return (size_t)n < cap && out ? FAMQP_OK : FAMQP_ERR_LIMIT;
}

famqp_status famqp_eventhubs_partition_address(char *out, size_t cap, const char *hub, const char *group,
                                               const char *partition, size_t *len)
{
    if (!named(hub) || !named(partition) || (group && !*group))
        return FAMQP_ERR_INVALID_VALUE;
    if (!group)
        return put(out, cap, len, "%s/Partitions/%s", hub, partition);
    return put(out, cap, len, "%s/ConsumerGroups/%s/Partitions/%s", hub, group, partition);
}

famqp_status famqp_eventhubs_position_filter(char *out, size_t cap, famqp_eventhubs_position_kind kind,
                                             const char *value, bool inclusive, size_t *len)
{
    static const char *const names[] = {"x-opt-offset", "x-opt-sequence-number", "x-opt-enqueued-time"};
    /* a quote would end the selector's literal early */
    if ((unsigned)kind > FAMQP_EVENTHUBS_FROM_ENQUEUED_TIME || !named(value) || strchr(value, '\''))
        return FAMQP_ERR_INVALID_VALUE;
    return put(out, cap, len, "amqp.annotation.%s %s '%s'", names[kind], inclusive ? ">=" : ">", value);
}

bool famqp_event_offset(const famqp_message *m, famqp_string *out)
{
    famqp_value v;
    return famqp_message_annotation(m, "x-opt-offset", &v) && famqp_value_get_string(v, out);
}

bool famqp_event_sequence_number(const famqp_message *m, int64_t *out)
{
    famqp_value v;
    return famqp_message_annotation(m, "x-opt-sequence-number", &v) && famqp_value_get_long(v, out);
}

bool famqp_event_enqueued_time(const famqp_message *m, int64_t *out)
{
    famqp_value v;
    return famqp_message_annotation(m, "x-opt-enqueued-time", &v) && famqp_value_get_timestamp(v, out);
}

bool famqp_event_partition_key(const famqp_message *m, famqp_string *out)
{
    famqp_value v;
    return famqp_message_annotation(m, "x-opt-partition-key", &v) && famqp_value_get_string(v, out);
}
