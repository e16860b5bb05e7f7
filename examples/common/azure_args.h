/* famqp-send's and famqp-recv's Azure options: --connection-string STR
 * (or the environment's FAMQP_CONNECTION_STRING) in place of URL and
 * ADDRESS, and --websocket (the connection string's endpoint over
 * wss://HOST:443/$servicebus/websocket).  azure_args.c reads the
 * connection string and makes the URL, the address and the client's
 * claims-based security from it.  Each function that can fail prints one
 * line naming the option or connection-string key and returns false; the
 * tools then exit 2 (a usage error). */
#ifndef FAMQP_TOOL_AZURE_ARGS_H
#define FAMQP_TOOL_AZURE_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <famqp/auth.h>
#include <famqp/client.h>

/* The environment variable read when no --connection-string and no URL
 * are given. */
#define TOOL_AZURE_ENV "FAMQP_CONNECTION_STRING"
/* Longest SharedAccessKeyName and SharedAccessKey the tools take. */
#define TOOL_AZURE_MAX_KEY_NAME 256
#define TOOL_AZURE_MAX_KEY 512
/* The --help lines of these options. */
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
    "              one; ws:// on the Endpoint's port with the emulator)\n"

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
/* Claims-based security from the connection string's key or signature;
 * false (printed) when --sas-key-name/--sas-key were given as well. */
bool tool_azure_apply(tool_azure *az, famqp_client_options *co);

#endif
