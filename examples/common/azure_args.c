/* --connection-string and --websocket for the tools (azure_args.h). */
#include "azure_args.h"

#include <stdlib.h>
#include <string.h>

void tool_azure_init(tool_azure *az, const char *prog, bool recv)
{
    memset(az, 0, sizeof *az);
    az->prog = prog;
    az->recv = recv;
}

int tool_azure_arg(tool_azure *az, const char *a, const char *v)
{
    if (!strcmp(a, "--connection-string")) {
        if (!v || !*v) {
            fprintf(stderr, "%s: --connection-string needs a value (Endpoint=sb://HOST/;SharedAccessKeyName=...)\n",
                    az->prog);
            return -1;
        }
        if (az->cs_text) {
            fprintf(stderr, "%s: --connection-string is given twice\n", az->prog);
            return -1;
        }
        az->cs_text = v;
        az->cs_origin = "--connection-string";
        return 2;
    }
    if (!strcmp(a, "--websocket")) {
        az->websocket = true;
        return 1;
    }
    return tool_eventhubs_arg(az, a, v);
}

bool tool_azure_given(const tool_azure *az)
{
    return az->cs_text || az->websocket || az->has_partition || az->consumer_group || az->from_opt || az->inclusive ||
           az->print;
}

static bool is_url(const char *s) { return s && strstr(s, "://"); }

/* v as a NUL-terminated string in buf; false (printed, naming the key but
 * never its value) when it does not fit. */
static bool copy_value(const tool_azure *az, const char *key, famqp_string v, char *buf, size_t cap)
{
    if (v.len >= cap) {
        fprintf(stderr, "%s: %s: key '%s' is longer than %zu bytes\n", az->prog, az->cs_origin, key, cap - 1);
        return false;
    }
    if (v.len)
        memcpy(buf, v.ptr, v.len);
    buf[v.len] = '\0';
    return true;
}

/* The URL the connection string names: amqps:// or amqp:// (the library's
 * rule), or with --websocket the endpoint's WebSocket URL. */
static bool make_url(tool_azure *az)
{
    const famqp_connection_string *cs = &az->cs;
    famqp_auth_error err;
    if (!az->websocket) {
        if (famqp_connection_string_amqp_url(cs, az->url, sizeof az->url, NULL, &err) == FAMQP_AUTH_OK)
            return true;
        fprintf(stderr, "%s: %s: %s\n", az->prog, az->cs_origin, err.message);
        return false;
    }
    /* As Microsoft's SDKs: wss on port 443 (the Endpoint's port when it
     * names one); the emulator's plain ws on its AMQP port. */
    bool emulator = cs->use_development_emulator;
    unsigned port = emulator || cs->port_given ? cs->port : FAMQP_URL_PORT_WSS;
    bool v6 = memchr(cs->host.ptr, ':', cs->host.len) != NULL;
    int n = snprintf(az->url, sizeof az->url, "%s://%s%.*s%s:%u%s", emulator ? "ws" : "wss", v6 ? "[" : "",
                     (int)cs->host.len, cs->host.ptr, v6 ? "]" : "", port, FAMQP_URL_WS_PATH);
    if (n < 0 || (size_t)n >= sizeof az->url) {
        fprintf(stderr, "%s: %s: key 'Endpoint': the host is too long\n", az->prog, az->cs_origin);
        return false;
    }
    return true;
}

bool tool_azure_resolve(tool_azure *az, const char **url, const char **address)
{
    if (!az->cs_text && !is_url(*url)) {
        const char *env = getenv(TOOL_AZURE_ENV);
        if (env && *env) {
            az->cs_text = env;
            az->cs_origin = TOOL_AZURE_ENV;
        }
    }
    if (!az->cs_text) {
        if (az->websocket)
            fprintf(stderr, "%s: --websocket goes with --connection-string (with a URL, write ws:// or wss://)\n",
                    az->prog);
        return !az->websocket;
    }
    if (is_url(*url)) {
        fprintf(stderr, "%s: give URL or --connection-string, not both\n", az->prog);
        return false;
    }
    if (*address) {
        fprintf(stderr, "%s: unexpected argument %s (with a connection string, the one argument is ADDRESS)\n",
                az->prog, *address);
        return false;
    }
    famqp_auth_error err;
    if (famqp_connection_string_parse(az->cs_text, &az->cs, &err) != FAMQP_AUTH_OK) {
        fprintf(stderr, "%s: %s: %s\n", az->prog, az->cs_origin, err.message);
        return false;
    }
    const famqp_connection_string *cs = &az->cs;
    /* ADDRESS when given (it may name a part of the entity, e.g.
     * "queue/$DeadLetterQueue"), else the EntityPath. */
    *address = *url;
    if (!*address && !cs->entity_path.len) {
        fprintf(stderr, "%s: no address: the connection string has no EntityPath; give ADDRESS\n", az->prog);
        return false;
    }
    if (!*address) {
        if (!copy_value(az, "EntityPath", cs->entity_path, az->entity, sizeof az->entity))
            return false;
        *address = az->entity;
    }
    if (!make_url(az))
        return false;
    *url = az->url;
    /* The audience of address A is the Endpoint, a '/', then A (as
     * @azure/core-amqp forms it): the namespace's audience is the prefix. */
    famqp_connection_string ns = *cs;
    ns.entity_path = (famqp_string){0};
    if (famqp_connection_string_audience(&ns, az->audience_prefix, sizeof az->audience_prefix, NULL, &err) !=
        FAMQP_AUTH_OK) {
        fprintf(stderr, "%s: %s: %s\n", az->prog, az->cs_origin, err.message);
        return false;
    }
    if (cs->shared_access_signature.len)
        return copy_value(az, "SharedAccessSignature", cs->shared_access_signature, az->token, sizeof az->token);
    return copy_value(az, "SharedAccessKeyName", cs->shared_access_key_name, az->key_name, sizeof az->key_name) &&
           copy_value(az, "SharedAccessKey", cs->shared_access_key, az->key, sizeof az->key);
}

bool tool_azure_apply(tool_azure *az, famqp_client_options *co)
{
    if (!az->cs_text)
        return true;
    if (co->cbs.sas_key_name || co->cbs.sas_token || co->cbs.provider) {
        fprintf(stderr, "%s: --sas-key-name/--sas-key and a connection string both give a key: give it once\n",
                az->prog);
        return false;
    }
    /* SASL ANONYMOUS and a token put to $cbs per address, as the SDKs. */
    if (az->key[0])
        famqp_cbs_use_sas(co, az->key_name, az->key, 0);
    else
        co->cbs.sas_token = az->token;
    co->cbs.audience_prefix = az->audience_prefix;
    return true;
}
