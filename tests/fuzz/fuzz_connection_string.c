/* Fuzz target: the connection-string parser (famqp/auth.h).  The input up
 * to its first NUL is the string.  Every answer must be OK or ERR_ARG with
 * a message and an all-zero struct; a success must hold trimmed views
 * inside the text with no ';' in them, a host and a port, give a URL and
 * audience whose size queries match, a token or a UTF-8 refusal, and parse
 * to the same fields again when written back in canonical form. */
#include <string.h>

#include "famqp/auth.h"
#include "fuzz_target.h"

static bool inside(famqp_string v, const char *text, size_t n)
{
    return v.len == 0 || (v.ptr >= text && v.ptr + v.len <= text + n);
}

static bool clean(famqp_string v)
{
    if (v.len == 0)
        return true;
    if (memchr(v.ptr, ';', v.len))
        return false;
    const char *ws = " \t\n\r\v\f";
    return !strchr(ws, v.ptr[0]) && !strchr(ws, v.ptr[v.len - 1]);
}

static bool same(famqp_string a, famqp_string b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

static void check_text(famqp_auth_status (*fn)(const famqp_connection_string *, char *, size_t, size_t *,
                                               famqp_auth_error *),
                       const famqp_connection_string *cs, const char *what)
{
    size_t need = 0, len = 0;
    FUZZ_CHECK(fn(cs, NULL, 0, &need, NULL) == FAMQP_AUTH_ERR_SPACE, "%s: size query", what);
    char *out = malloc(need + 1);
    FUZZ_CHECK(out != NULL, "out of memory");
    FUZZ_CHECK(fn(cs, out, need + 1, &len, NULL) == FAMQP_AUTH_OK && len == need && strlen(out) == need,
               "%s: %zu bytes asked for, %zu written", what, need, len);
    free(out);
}

static void put(char **p, const char *key, famqp_string v)
{
    if (!v.len)
        return;
    *p += sprintf(*p, "%s=%.*s;", key, (int)v.len, v.ptr);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    FUZZ_CHECK(text != NULL, "out of memory");
    memcpy(text, data, size);
    text[size] = '\0';
    size_t n = strlen(text);

    famqp_connection_string cs;
    famqp_auth_error err;
    famqp_auth_status st = famqp_connection_string_parse(text, &cs, &err);
    if (st != FAMQP_AUTH_OK) {
        static const famqp_connection_string zero;
        FUZZ_CHECK(st == FAMQP_AUTH_ERR_ARG && err.status == st, "status %d", (int)st);
        FUZZ_CHECK(err.message[0] != '\0', "no message");
        FUZZ_CHECK(memcmp(&cs, &zero, sizeof cs) == 0, "a failed parse left fields set");
        free(text);
        return 0;
    }
    famqp_string views[] = {cs.endpoint, cs.host, cs.shared_access_key_name, cs.shared_access_key,
                            cs.shared_access_signature, cs.entity_path};
    for (size_t i = 0; i < sizeof views / sizeof views[0]; i++)
        FUZZ_CHECK(inside(views[i], text, n) && clean(views[i]), "view %zu '%.*s'", i, (int)views[i].len,
                   views[i].ptr);
    FUZZ_CHECK(cs.endpoint.len && cs.host.len && cs.port, "endpoint, host or port missing");
    FUZZ_CHECK((cs.shared_access_key.len && cs.shared_access_key_name.len) != (cs.shared_access_signature.len != 0),
               "credentials");
    check_text(famqp_connection_string_amqp_url, &cs, "URL");
    check_text(famqp_connection_string_audience, &cs, "audience");
    char token[1024];
    size_t len;
    st = famqp_connection_string_token(&cs, 1700000000, token, sizeof token, &len, &err);
    FUZZ_CHECK(st == FAMQP_AUTH_OK || st == FAMQP_AUTH_ERR_SPACE ||
                   (st == FAMQP_AUTH_ERR_ARG && strstr(err.message, "not valid UTF-8")),
               "token: %s", err.message);

    /* Written back canonically, it parses to the same fields. */
    char *again = malloc(n + 160), *p = again;
    FUZZ_CHECK(again != NULL, "out of memory");
    put(&p, "Endpoint", cs.endpoint);
    put(&p, "SharedAccessKeyName", cs.shared_access_key_name);
    put(&p, "SharedAccessKey", cs.shared_access_key);
    put(&p, "SharedAccessSignature", cs.shared_access_signature);
    put(&p, "EntityPath", cs.entity_path);
    if (cs.use_development_emulator)
        p += sprintf(p, "UseDevelopmentEmulator=true");
    famqp_connection_string cs2;
    st = famqp_connection_string_parse(again, &cs2, &err);
    FUZZ_CHECK(st == FAMQP_AUTH_OK, "canonical form '%s' refused: %s", again, err.message);
    FUZZ_CHECK(same(cs.endpoint, cs2.endpoint) && same(cs.host, cs2.host) && cs.port == cs2.port &&
                   cs.port_given == cs2.port_given && same(cs.shared_access_key_name, cs2.shared_access_key_name) &&
                   same(cs.shared_access_key, cs2.shared_access_key) &&
                   same(cs.shared_access_signature, cs2.shared_access_signature) &&
                   same(cs.entity_path, cs2.entity_path) &&
                   cs.use_development_emulator == cs2.use_development_emulator,
               "canonical form '%s' parses differently", again);
    free(again);
    free(text);
    return 0;
}
