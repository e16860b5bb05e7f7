/* Connection strings (famqp_connection_string_*): Key=Value entries
 * separated by ';', read into views of the caller's text, and what
 * Microsoft's SDKs derive from them (the AMQP URL, the SAS audience). */
#include <string.h>

#include "auth_internal.h"

/* The keys we read, in the spelling messages use. */
enum { K_ENDPOINT, K_KEY_NAME, K_KEY, K_SIGNATURE, K_ENTITY_PATH, K_EMULATOR, K_COUNT };
static const char *const key_names[K_COUNT] = {
    "Endpoint", "SharedAccessKeyName", "SharedAccessKey", "SharedAccessSignature", "EntityPath",
    "UseDevelopmentEmulator",
};

static bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static famqp_string trim(const char *p, size_t n)
{
    while (n && is_space(*p))
        p++, n--;
    while (n && is_space(p[n - 1]))
        n--;
    return (famqp_string){p, n};
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool eq_nocase(famqp_string s, const char *word)
{
    size_t n = strlen(word);
    if (s.len != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (lower(s.ptr[i]) != lower(word[i]))
            return false;
    return true;
}

static bool starts_nocase(famqp_string s, const char *word)
{
    size_t n = strlen(word);
    return s.len >= n && eq_nocase((famqp_string){s.ptr, n}, word);
}

/* At most 60 bytes of s for a message, marked when cut: a connection
 * string holds secrets and may be long. */
#define SHOW_MAX 60
#define SHOW(s) (int)((s).len > SHOW_MAX ? SHOW_MAX : (s).len), (s).ptr, ((s).len > SHOW_MAX ? "..." : "")

static bool host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_';
}

/* Endpoint = sb://HOST[:PORT][/], HOST a name or [IPv6]. */
static famqp_auth_status parse_endpoint(famqp_string ep, famqp_connection_string *cs, famqp_auth_error *err)
{
    const char *p = ep.ptr, *end = ep.ptr + ep.len;
    const char *colon_slash = NULL;
    for (const char *q = p; q + 2 < end; q++) {
        if (q[0] == ':' && q[1] == '/' && q[2] == '/') {
            colon_slash = q;
            break;
        }
        if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') || (q > p && (*q == '+' || *q == '-' || *q == '.'))))
            break;
    }
    if (!colon_slash)
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: key 'Endpoint': '%.*s%s' is not sb://HOST/",
                         SHOW(ep));
    famqp_string scheme = {p, (size_t)(colon_slash - p)};
    if (!eq_nocase(scheme, "sb"))
        return auth_fail(err, FAMQP_AUTH_ERR_ARG,
                         "connection string: key 'Endpoint': unknown scheme '%.*s%s' (use sb://HOST/)", SHOW(scheme));
    p = colon_slash + 3;
    const char *host = p;
    size_t host_len;
    if (p < end && *p == '[') {
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (!close)
            return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: key 'Endpoint': '[' without ']' in '%.*s%s'",
                             SHOW(ep));
        host = p + 1;
        host_len = (size_t)(close - host);
        for (size_t i = 0; i < host_len; i++) {
            char c = host[i];
            if (!((c >= '0' && c <= '9') || (lower(c) >= 'a' && lower(c) <= 'f') || c == ':' || c == '.'))
                return auth_fail(err, FAMQP_AUTH_ERR_ARG,
                                 "connection string: key 'Endpoint': '%.*s%s' is not an IPv6 address",
                                 SHOW(((famqp_string){host, host_len})));
        }
        p = close + 1;
    } else {
        while (p < end && host_char(*p))
            p++;
        host_len = (size_t)(p - host);
    }
    if (host_len == 0)
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: key 'Endpoint': no host in '%.*s%s'", SHOW(ep));
    cs->host = (famqp_string){host, host_len};
    if (p < end && *p == ':') {
        const char *digits = ++p;
        unsigned long port = 0;
        while (p < end && *p >= '0' && *p <= '9' && port <= 65535)
            port = port * 10 + (unsigned long)(*p++ - '0');
        while (p < end && *p >= '0' && *p <= '9')
            p++;
        if (p == digits || port == 0 || port > 65535)
            return auth_fail(err, FAMQP_AUTH_ERR_ARG,
                             "connection string: key 'Endpoint': port '%.*s%s' is not a number from 1 to 65535",
                             SHOW(((famqp_string){digits, (size_t)(p - digits)})));
        cs->port = (uint16_t)port;
        cs->port_given = true;
    }
    if (p < end && *p == '/')
        p++;
    if (p < end)
        return auth_fail(err, FAMQP_AUTH_ERR_ARG,
                         "connection string: key 'Endpoint': unexpected '%.*s%s' after the host (the entity goes in "
                         "EntityPath)",
                         SHOW(((famqp_string){p, (size_t)(end - p)})));
    return FAMQP_AUTH_OK;
}

static famqp_auth_status parse(const char *text, famqp_connection_string *cs, famqp_auth_error *err)
{
    famqp_string values[K_COUNT] = {{0}};
    bool seen[K_COUNT] = {false};
    size_t entries = 0;
    const char *p = text;
    for (;;) {
        const char *semi = strchr(p, ';');
        size_t n = semi ? (size_t)(semi - p) : strlen(p);
        famqp_string entry = trim(p, n);
        if (entry.len) {
            entries++;
            const char *eq = memchr(entry.ptr, '=', entry.len);
            if (!eq)
                return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: entry '%.*s%s' is not Key=Value",
                                 SHOW(entry));
            famqp_string key = trim(entry.ptr, (size_t)(eq - entry.ptr));
            famqp_string value = trim(eq + 1, entry.len - (size_t)(eq + 1 - entry.ptr));
            if (key.len == 0)
                return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: entry '%.*s%s' has no key",
                                 SHOW(entry));
            for (int k = 0; k < K_COUNT; k++) {
                if (!eq_nocase(key, key_names[k]))
                    continue;
                if (seen[k])
                    return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: key '%s' is given twice",
                                     key_names[k]);
                if (value.len == 0)
                    return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: key '%s' has an empty value",
                                     key_names[k]);
                seen[k] = true;
                values[k] = value;
            }
        }
        if (!semi)
            break;
        p = semi + 1;
    }
    if (entries == 0)
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string is empty");
    if (!seen[K_ENDPOINT])
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: key 'Endpoint' is missing");
    if (seen[K_KEY_NAME] && !seen[K_KEY])
        return auth_fail(err, FAMQP_AUTH_ERR_ARG,
                         "connection string: key 'SharedAccessKeyName' is given without 'SharedAccessKey'");
    if (seen[K_KEY] && !seen[K_KEY_NAME])
        return auth_fail(err, FAMQP_AUTH_ERR_ARG,
                         "connection string: key 'SharedAccessKey' is given without 'SharedAccessKeyName'");
    if (seen[K_KEY] && seen[K_SIGNATURE])
        return auth_fail(err, FAMQP_AUTH_ERR_ARG,
                         "connection string: keys 'SharedAccessKey' and 'SharedAccessSignature' exclude each other");
    if (!seen[K_KEY] && !seen[K_SIGNATURE])
        return auth_fail(err, FAMQP_AUTH_ERR_ARG,
                         "connection string: no credentials: give 'SharedAccessKeyName' and 'SharedAccessKey', "
                         "or 'SharedAccessSignature'");
    if (seen[K_SIGNATURE] && !starts_nocase(values[K_SIGNATURE], "SharedAccessSignature "))
        return auth_fail(err, FAMQP_AUTH_ERR_ARG,
                         "connection string: key 'SharedAccessSignature' must hold a whole token, "
                         "'SharedAccessSignature sr=...'");
    if (seen[K_EMULATOR]) {
        if (eq_nocase(values[K_EMULATOR], "true"))
            cs->use_development_emulator = true;
        else if (!eq_nocase(values[K_EMULATOR], "false"))
            return auth_fail(err, FAMQP_AUTH_ERR_ARG,
                             "connection string: key 'UseDevelopmentEmulator' must be true or false, not '%.*s%s'",
                             SHOW(values[K_EMULATOR]));
    }
    famqp_auth_status st = parse_endpoint(values[K_ENDPOINT], cs, err);
    if (st != FAMQP_AUTH_OK)
        return st;
    if (!cs->port_given)
        cs->port = cs->use_development_emulator ? FAMQP_CONNECTION_STRING_EMULATOR_PORT
                                                : FAMQP_CONNECTION_STRING_TLS_PORT;
    cs->endpoint = values[K_ENDPOINT];
    cs->shared_access_key_name = values[K_KEY_NAME];
    cs->shared_access_key = values[K_KEY];
    cs->shared_access_signature = values[K_SIGNATURE];
    cs->entity_path = values[K_ENTITY_PATH];
    return FAMQP_AUTH_OK;
}

famqp_auth_status famqp_connection_string_parse(const char *text, famqp_connection_string *out,
                                                famqp_auth_error *err)
{
    if (!out)
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: out is NULL");
    memset(out, 0, sizeof *out);
    if (!text)
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string is NULL");
    famqp_auth_status st = parse(text, out, err);
    if (st != FAMQP_AUTH_OK)
        memset(out, 0, sizeof *out);
    else
        auth_ok(err);
    return st;
}

famqp_auth_status famqp_connection_string_amqp_url(const famqp_connection_string *cs, char *out, size_t cap,
                                                   size_t *len, famqp_auth_error *err)
{
    auth_out o;
    auth_out_init(&o, out, cap);
    if (!cs || !cs->host.len) {
        auth_out_fail(&o, len);
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: no parsed connection string");
    }
    bool ipv6 = memchr(cs->host.ptr, ':', cs->host.len) != NULL;
    auth_out_str(&o, cs->use_development_emulator ? "amqp://" : "amqps://");
    if (ipv6)
        auth_out_str(&o, "[");
    auth_out_bytes(&o, cs->host.ptr, cs->host.len);
    auth_out_str(&o, ipv6 ? "]:" : ":");
    auth_out_u64(&o, cs->port);
    return auth_out_finish(&o, len, err, "AMQP URL");
}

/* The audience's parts: Endpoint, '/' when it lacks one, EntityPath. */
static size_t audience_parts(const famqp_connection_string *cs, famqp_string parts[3])
{
    size_t n = 0;
    parts[n++] = cs->endpoint;
    if (cs->endpoint.ptr[cs->endpoint.len - 1] != '/')
        parts[n++] = (famqp_string){"/", 1};
    if (cs->entity_path.len)
        parts[n++] = cs->entity_path;
    return n;
}

famqp_auth_status famqp_connection_string_audience(const famqp_connection_string *cs, char *out, size_t cap,
                                                   size_t *len, famqp_auth_error *err)
{
    auth_out o;
    auth_out_init(&o, out, cap);
    if (!cs || !cs->endpoint.len) {
        auth_out_fail(&o, len);
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: no parsed connection string");
    }
    famqp_string parts[3];
    size_t n = audience_parts(cs, parts);
    for (size_t i = 0; i < n; i++)
        auth_out_bytes(&o, parts[i].ptr, parts[i].len);
    return auth_out_finish(&o, len, err, "SAS audience");
}

famqp_auth_status famqp_connection_string_token(const famqp_connection_string *cs, uint64_t expiry_epoch_s,
                                                char *out, size_t cap, size_t *len, famqp_auth_error *err)
{
    auth_out o;
    auth_out_init(&o, out, cap);
    if (!cs || !cs->endpoint.len) {
        auth_out_fail(&o, len);
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "connection string: no parsed connection string");
    }
    if (cs->shared_access_signature.len) {
        auth_out_bytes(&o, cs->shared_access_signature.ptr, cs->shared_access_signature.len);
        return auth_out_finish(&o, len, err, "SAS token");
    }
    if (!cs->shared_access_key.len || !cs->shared_access_key_name.len) {
        auth_out_fail(&o, len);
        return auth_fail(err, FAMQP_AUTH_ERR_ARG,
                         "connection string: no credentials: neither SharedAccessKey nor SharedAccessSignature");
    }
    famqp_string parts[3];
    size_t n = audience_parts(cs, parts);
    return auth_sas_token(parts, n, cs->shared_access_key_name, cs->shared_access_key,
                          (unsigned long long)expiry_epoch_s, &o, len, err);
}
