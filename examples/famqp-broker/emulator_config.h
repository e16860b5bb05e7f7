/* famqp-broker as an Azure emulator: the entities it serves, read from the
 * official emulators' Config.json files (Event Hubs:
 * UserConfig.NamespaceConfig[].Entities[]; Service Bus:
 * UserConfig.Namespaces[].Queues[] / Topics[].Subscriptions[]) with
 * jansson, or added by the quick flags (--event-hub, --sb-queue,
 * --sb-topic).  Every value is checked against the emulators' published
 * schemas (names, ranges, ISO 8601 durations, unknown keys); a problem is
 * one line naming the file, the path in the document and what is wrong.
 *
 * Threads: built before the broker starts and read-only afterwards. */
#ifndef FAMQP_EMULATOR_CONFIG_H
#define FAMQP_EMULATOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Largest Config.json read, in bytes. */
#define EMU_MAX_FILE_BYTES (1u << 20)

typedef struct emu_hub {
    char *name;
    uint32_t partitions;  /* PartitionCount, 1 to 32 */
    char **groups;        /* ConsumerGroups[].Name; "$default" always first */
    size_t ngroups;
} emu_hub;

/* A Service Bus entity's Properties (each with the schema's default). */
typedef struct emu_sb_props {
    bool dead_lettering_on_expiration; /* DeadLetteringOnMessageExpiration (false) */
    uint64_t default_ttl_ms;           /* DefaultMessageTimeToLive (PT1H) */
    uint64_t duplicate_window_ms;      /* DuplicateDetectionHistoryTimeWindow (PT20S) */
    char *forward_to;                  /* ForwardTo ("") */
    char *forward_dead_lettered_to;    /* ForwardDeadLetteredMessagesTo ("") */
    uint64_t lock_duration_ms;         /* LockDuration (PT1M) */
    uint32_t max_delivery_count;       /* MaxDeliveryCount, 1 to 10 (3) */
    bool requires_duplicate_detection; /* RequiresDuplicateDetection (false) */
    bool requires_session;             /* RequiresSession (false) */
} emu_sb_props;

/* A subscription rule: a correlation filter (its fields, NULL when
 * absent, and its application Properties as key = JSON text) or a SQL
 * filter, and an optional SQL action. */
enum { EMU_CORRELATION_FIELDS = 8 };
typedef struct emu_rule {
    char *name;
    bool sql;
    char *sql_expression;                     /* SqlFilter.SqlExpression */
    char *action;                             /* Action.SqlExpression, NULL: none */
    char *correlation[EMU_CORRELATION_FIELDS]; /* emu_correlation_fields order */
    char **property_keys, **property_values;  /* CorrelationFilter.Properties */
    size_t nproperties;
} emu_rule;

typedef struct emu_queue {
    char *name;
    emu_sb_props props;
} emu_queue;

typedef struct emu_subscription {
    char *name;
    emu_sb_props props;
    emu_rule *rules;
    size_t nrules;
} emu_subscription;

typedef struct emu_topic {
    char *name;
    emu_sb_props props; /* only the TTL and duplicate detection apply */
    emu_subscription *subs;
    size_t nsubs;
} emu_topic;

typedef struct emu_config {
    char *eh_namespace; /* NULL: no Event Hubs file */
    emu_hub *hubs;
    size_t nhubs;
    char *sb_namespace; /* NULL: no Service Bus file */
    emu_queue *queues;
    size_t nqueues;
    emu_topic *topics;
    size_t ntopics;
} emu_config;

/* The CorrelationFilter fields, in emu_rule.correlation's order. */
extern const char *const emu_correlation_fields[EMU_CORRELATION_FIELDS];

void emu_config_init(emu_config *c);
void emu_config_free(emu_config *c);

/* Reads an Event Hubs or a Service Bus Config.json (told apart by
 * UserConfig.NamespaceConfig vs UserConfig.Namespaces) into c; // and
 * / * * / comments outside strings are allowed, as in the official samples.
 * False with why[0..cap) = "FILE: ..." on any problem (c keeps what it had
 * before the call). */
bool emu_config_load_file(emu_config *c, const char *path, char *why, size_t cap);
/* The same from text[0..len) (name: what the messages call it). */
bool emu_config_load_text(emu_config *c, const char *name, const char *text, size_t len, char *why, size_t cap);

/* Quick flags: --event-hub NAME[:PARTITIONS] (default 2 partitions, the
 * consumer group $default), --sb-queue NAME, --sb-topic NAME:SUB[,SUB...];
 * the defaults of a Config.json entity without Properties.  False with
 * why on a bad name, count or a duplicate. */
bool emu_config_add_event_hub(emu_config *c, const char *spec, char *why, size_t cap);
bool emu_config_add_sb_queue(emu_config *c, const char *name, char *why, size_t cap);
bool emu_config_add_sb_topic(emu_config *c, const char *spec, char *why, size_t cap);

/* Any entity configured. */
bool emu_config_any(const emu_config *c);
/* Writes the entities, one per line (--check-config). */
void emu_config_print(FILE *f, const emu_config *c);

#endif
