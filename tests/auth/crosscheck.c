/* auth_crosscheck: our side of the byte-for-byte comparison with
 * Microsoft's @azure/core-amqp (node/crosscheck.js runs both over one
 * table).  Reads lines from stdin, answers one line each on stdout:
 *
 *   sas URI KEYNAME KEY EXPIRY  ->  the token of famqp_sas_token, or ERR
 *   cs TEXT EXPIRY              ->  the fields of famqp_connection_string_parse
 *                                   that core-amqp's ConnectionConfig also
 *                                   gives, the audience and the token, or ERR
 *
 * Text fields are hex (any bytes survive the trip), "-" for the empty
 * string; EXPIRY is decimal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "famqp/auth.h"

static char *unhex(const char *h)
{
    if (strcmp(h, "-") == 0)
        h = "";
    size_t n = strlen(h);
    if (n % 2)
        return NULL;
    char *out = malloc(n / 2 + 1);
    if (!out)
        return NULL;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v;
        if (sscanf(h + 2 * i, "%2x", &v) != 1) {
            free(out);
            return NULL;
        }
        out[i] = (char)v;
    }
    out[n / 2] = '\0';
    return out;
}

static void print_view(const char *name, famqp_string s)
{
    printf("%s=%.*s;", name, (int)s.len, s.ptr ? s.ptr : "");
}

static int do_sas(char *args)
{
    char *uri_h = strtok(args, " "), *name_h = strtok(NULL, " "), *key_h = strtok(NULL, " ");
    char *exp_s = strtok(NULL, " \n");
    if (!uri_h || !name_h || !key_h || !exp_s)
        return 1;
    char *uri = unhex(uri_h), *name = unhex(name_h), *key = unhex(key_h);
    char token[8192];
    size_t len;
    famqp_auth_error err;
    if (uri && name && key &&
        famqp_sas_token(uri, name, key, strtoull(exp_s, NULL, 10), token, sizeof token, &len, &err) == FAMQP_AUTH_OK)
        printf("%s\n", token);
    else
        printf("ERR\n");
    free(uri), free(name), free(key);
    return 0;
}

static int do_cs(char *args)
{
    char *text_h = strtok(args, " "), *exp_s = strtok(NULL, " \n");
    if (!text_h || !exp_s)
        return 1;
    char *text = unhex(text_h);
    famqp_connection_string cs;
    famqp_auth_error err;
    char audience[4096], token[8192];
    if (!text || famqp_connection_string_parse(text, &cs, &err) != FAMQP_AUTH_OK ||
        famqp_connection_string_audience(&cs, audience, sizeof audience, NULL, &err) != FAMQP_AUTH_OK ||
        famqp_connection_string_token(&cs, strtoull(exp_s, NULL, 10), token, sizeof token, NULL, &err) !=
            FAMQP_AUTH_OK) {
        printf("ERR\n");
        free(text);
        return 0;
    }
    /* core-amqp's endpoint ends in '/' (it adds one). */
    bool slash = cs.endpoint.ptr[cs.endpoint.len - 1] == '/';
    printf("endpoint=%.*s%s;", (int)cs.endpoint.len, cs.endpoint.ptr, slash ? "" : "/");
    print_view("host", cs.host);
    printf("port=%u;", (unsigned)cs.port);
    print_view("keyName", cs.shared_access_key_name);
    print_view("key", cs.shared_access_key);
    print_view("entityPath", cs.entity_path);
    printf("emulator=%s;audience=%s;token=%s\n", cs.use_development_emulator ? "true" : "false", audience, token);
    free(text);
    return 0;
}

int main(void)
{
    static char line[1 << 16];
    while (fgets(line, sizeof line, stdin)) {
        int bad = 1;
        if (strncmp(line, "sas ", 4) == 0)
            bad = do_sas(line + 4);
        else if (strncmp(line, "cs ", 3) == 0)
            bad = do_cs(line + 3);
        if (bad) {
            fprintf(stderr, "auth_crosscheck: bad input line: %s", line);
            return 2;
        }
        fflush(stdout);
    }
    return 0;
}
