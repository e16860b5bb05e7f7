/* famqp-send's and famqp-recv's Azure options: --connection-string STR
 * (or the environment's FAMQP_CONNECTION_STRING) in place of URL and
 * ADDRESS, --websocket (the connection string's endpoint over
 * wss://HOST:443/$servicebus/websocket), and the Event Hubs options
 * (--partition, --consumer-group, --from-offset / --from-sequence /
 * --from-time, --inclusive, --print-annotations for famqp-recv;
 * --partition, --partition-key for famqp-send).
 *
 * azure_args.c reads the connection string and makes the URL, the address
 * and the client's claims-based security from it; eventhubs_args.c makes
 * the Event Hubs addresses, the receiver's position filter, the partition
 * key annotation and the annotation lines.  Each function that can fail
 * prints one line naming the option or connection-string key and returns
 * false; the tools then exit 2 (a usage error). */
#ifndef FAMQP_TOOL_AZURE_ARGS_H
#define FAMQP_TOOL_AZURE_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <famqp/auth.h>
#include <famqp/batch.h>
#include <famqp/client.h>
#include <famqp/eventhubs.h>

/* The environment variable read when no --connection-string and no URL
 * are given. */
#define TOOL_AZURE_ENV "FAMQP_CONNECTION_STRING"
/* Bytes the partition key's message-annotations add to an encoded message
 * (the map, its descriptor, the symbol key and the longest key). */
#define TOOL_AZURE_ANNOTATION_ROOM (FAMQP_BATCH_PARTITION_KEY_MAX + 64)
/* Longest SharedAccessKeyName and SharedAccessKey the tools take. */
#define TOOL_AZURE_MAX_KEY_NAME 256
#define TOOL_AZURE_MAX_KEY 512
/* Largest partition number --partition takes. */
#define TOOL_AZURE_MAX_PARTITION 1023u
/* The --help lines both tools share, and each one's own. */
#define TOOL_AZURE_HELP                                                                              \
    "  --connection-string STR\n"                                                                   \
    "              connect as an Azure Event Hubs / Service Bus connection string says\n"          \
    "              (Endpoint=sb://HOST[:PORT]/;SharedAccessKeyName=...;SharedAccessKey=...\n"       \
    "              [;EntityPath=...][;UseDevelopmentEmulator=true], or SharedAccessSignature=...)\n" \
    "              instead of URL: amqps://HOST:5671 (amqp://HOST:5672 with the emulator; the\n"  \
    "              Endpoint's port when it names one), the address from EntityPath unless\n"     \
    "              ADDRESS is given, SASL ANONYMOUS and a token put to $cbs; without URL\n"        \
    "              and this option, the environment's " TOOL_AZURE_ENV " is used\n"                \
    "  --websocket with --connection-string: AMQP over WebSockets to\n"                           \
    "              wss://HOST:443/$servicebus/websocket (the Endpoint's port when it names\n"     \
    "              one; ws:// on the Endpoint's port with the emulator)\n"                        \
    "  --partition N  Event Hubs: partition N, 0 to 1023, of the event hub ADDRESS names\n"
#define TOOL_AZURE_SEND_HELP                                                                         \
    "              (address ADDRESS/Partitions/N)\n"                                                 \
    "  --partition-key KEY  Event Hubs: the x-opt-partition-key annotation on every\n"              \
    "              message (and on each --batch), so the hub routes them to one partition\n"      \
    "              (not with --partition)\n"
#define TOOL_AZURE_RECV_HELP                                                                         \
    "              (address ADDRESS/ConsumerGroups/GROUP/Partitions/N)\n"                            \
    "  --consumer-group GROUP  with --partition: the consumer group (default $Default)\n"         \
    "  --from-offset X | --from-sequence N | --from-time MS\n"                                     \
    "              Event Hubs: start after the event with offset X, sequence number N\n"         \
    "              (0 to 9223372036854775807) or enqueued at MS (ms since 1970, same\n"           \
    "              range); offset -1 is the start, @latest the end (a selector filter)\n"         \
    "  --inclusive with --from-*: start at that event, not after it\n"                           \
    "  --print-annotations  print each message's x-opt-* annotations (sequence number,\n"         \
    "              offset, enqueued time, partition key, ...) on stdout, one line each\n"

typedef struct tool_azure {
    const char *prog;
    bool recv;                /* famqp-recv: its options are taken */
    /* --connection-string (or the environment's) */
    const char *cs_text;
    const char *cs_origin;    /* "--connection-string" or TOOL_AZURE_ENV */
    bool websocket;
    famqp_connection_string cs;
    char url[1100];           /* what the client connects to */
    char entity[1024];        /* EntityPath, NUL-terminated */
    char audience_prefix[1100];
    char key_name[TOOL_AZURE_MAX_KEY_NAME];
    char key[TOOL_AZURE_MAX_KEY];
    char token[FAMQP_CBS_MAX_TOKEN_BYTES];
    /* Event Hubs */
    bool has_partition;       /* --partition */
    uint64_t partition;
    const char *consumer_group;
    const char *partition_key;
    const char *from_opt;     /* the --from-* option given; NULL: none */
    const char *from_value;
    char from_number[24];     /* --from-sequence / --from-time in decimal */
    famqp_eventhubs_position_kind from_kind;
    bool inclusive;
    bool print;               /* --print-annotations */
    char address[1024];       /* the partition's address */
    char selector[600];       /* the position filter */
    uint8_t annotations[TOOL_AZURE_ANNOTATION_ROOM];
} tool_azure;

void tool_azure_init(tool_azure *az, const char *prog, bool recv);
/* Looks at argv option a with value v (the next argument, NULL when
 * none): how many arguments it took (0: not ours, 1: a flag, 2: with its
 * value), or -1 when the value is bad (printed). */
int tool_azure_arg(tool_azure *az, const char *a, const char *v);
/* Whether any of these options was given (famqp-recv --listen takes none). */
bool tool_azure_given(const tool_azure *az);
/* After the command line, before URL and ADDRESS are used: with a
 * connection string (the option's, or the environment's when the first
 * argument is not a URL), *url becomes the URL it names and *address the
 * first argument, else its EntityPath.  False (printed) for a bad
 * string, a URL and --connection-string both, no address, --websocket
 * without a connection string. */
bool tool_azure_resolve(tool_azure *az, const char **url, const char **address);
/* Once the address is known: the Event Hubs partition address replaces
 * it when --partition was given; the position filter is made.  False
 * (printed) for options that do not go together. */
bool tool_azure_finish(tool_azure *az, const char **address);
/* Claims-based security from the connection string's key or signature;
 * false (printed) when --sas-key-name/--sas-key were given as well. */
bool tool_azure_apply(tool_azure *az, famqp_client_options *co);

/* famqp-recv: the position filter (--from-*). */
void tool_azure_receiver(const tool_azure *az, famqp_receiver_options *ro);
/* famqp-send: the partition key annotation on m (views into az). */
void tool_azure_message(tool_azure *az, famqp_message *m);
/* famqp-recv --print-annotations: "annotations N: x-opt-...=V ..." for
 * message n, its encoded sections msg[0..len). */
void tool_azure_print(const tool_azure *az, FILE *out, uint64_t n, const uint8_t *msg, size_t len);

/* The Event Hubs options, as tool_azure_arg (azure_args.c hands them on). */
int tool_eventhubs_arg(tool_azure *az, const char *a, const char *v);

#endif
