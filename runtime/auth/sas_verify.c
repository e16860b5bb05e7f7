/* SAS token verification (famqp_sas_token_verify): the server side of
 * what sas.c makes.  The signature covers the sr field exactly as the
 * token carries it, so nothing is re-encoded here and signers that encode
 * differently from us still verify. */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth_internal.h"

static const char prefix[] = "SharedAccessSignature ";

/* The four fields, as they appear in the token. */
typedef struct sas_fields {
    famqp_string sr, sig, se, skn;
} sas_fields;

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Percent-decodes in into out[0..cap) (NUL-terminated); false when in has
 * a malformed escape, decodes to invalid UTF-8 or a NUL, or does not fit.
 * plus_is_space: '+' is a space (form encoding, Python's quote_plus); not
 * in a signature, whose base64 may carry a literal '+'. */
static bool percent_decode(famqp_string in, char *out, size_t cap, bool plus_is_space)
{
    size_t n = 0;
    for (size_t i = 0; i < in.len; i++) {
        char c = in.ptr[i];
        if (c == '%') {
            if (i + 2 >= in.len || hex_value(in.ptr[i + 1]) < 0 || hex_value(in.ptr[i + 2]) < 0)
                return false;
            c = (char)(hex_value(in.ptr[i + 1]) << 4 | hex_value(in.ptr[i + 2]));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            c = ' '; /* form encoding, as some signers write a space */
        }
        if (c == '\0' || n + 1 >= cap)
            return false;
        out[n++] = c;
    }
    out[n] = '\0';
    return auth_utf8_valid(out, n);
}

static famqp_auth_status parse_fields(const char *token, size_t len, sas_fields *f, famqp_auth_error *err)
{
    size_t plen = sizeof prefix - 1;
    if (len < plen || memcmp(token, prefix, plen) != 0)
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: does not start with '%s'", prefix);
    memset(f, 0, sizeof *f);
    const char *p = token + plen, *end = token + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *field_end = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(field_end - p));
        if (!eq)
            return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: a field without '=': '%.*s'",
                             (int)(field_end - p > 40 ? 40 : field_end - p), p);
        famqp_string name = {p, (size_t)(eq - p)}, value = {eq + 1, (size_t)(field_end - eq - 1)};
        famqp_string *slot = NULL;
        if (name.len == 2 && !memcmp(name.ptr, "sr", 2))
            slot = &f->sr;
        else if (name.len == 3 && !memcmp(name.ptr, "sig", 3))
            slot = &f->sig;
        else if (name.len == 2 && !memcmp(name.ptr, "se", 2))
            slot = &f->se;
        else if (name.len == 3 && !memcmp(name.ptr, "skn", 3))
            slot = &f->skn;
        if (slot) {
            if (slot->ptr)
                return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: field '%.*s' given twice", (int)name.len,
                                 name.ptr);
            if (!value.len)
                return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: field '%.*s' is empty", (int)name.len,
                                 name.ptr);
            *slot = value;
        }
        p = amp ? amp + 1 : end;
    }
    const char *missing = !f->sr.ptr ? "sr" : !f->sig.ptr ? "sig" : !f->se.ptr ? "se" : !f->skn.ptr ? "skn" : NULL;
    if (missing)
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: no '%s' field", missing);
    return FAMQP_AUTH_OK;
}

static bool parse_expiry(famqp_string se, uint64_t *out)
{
    uint64_t v = 0;
    if (se.len > 19)
        return false; /* beyond any time in this millennium: not a real expiry, and no overflow */
    for (size_t i = 0; i < se.len; i++) {
        if (se.ptr[i] < '0' || se.ptr[i] > '9')
            return false;
        v = v * 10 + (uint64_t)(se.ptr[i] - '0');
    }
    *out = v;
    return true;
}

famqp_auth_status famqp_sas_token_verify(const char *token, size_t len, const famqp_sas_key *keys, size_t nkeys,
                                         uint64_t now_epoch_s, famqp_sas_claims *claims, famqp_auth_error *err)
{
    famqp_sas_claims local;
    famqp_sas_claims *c = claims ? claims : &local;
    memset(c, 0, sizeof *c);
    if (!token || (!keys && nkeys))
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: %s is NULL", !token ? "token" : "keys");
    if (len > FAMQP_SAS_MAX_TOKEN)
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: %zu bytes, more than the %u accepted", len,
                         (unsigned)FAMQP_SAS_MAX_TOKEN);
    sas_fields f;
    famqp_auth_status st = parse_fields(token, len, &f, err);
    if (st != FAMQP_AUTH_OK)
        return st;
    char sig[128];
    if (!percent_decode(f.sr, c->audience, sizeof c->audience, true) ||
        !percent_decode(f.skn, c->key_name, sizeof c->key_name, true) || !percent_decode(f.sig, sig, sizeof sig, false) ||
        !parse_expiry(f.se, &c->expiry_epoch_s)) {
        memset(c, 0, sizeof *c);
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: a field is badly encoded or too long");
    }
    const famqp_sas_key *key = NULL;
    for (size_t i = 0; i < nkeys && !key; i++)
        if (keys[i].name && keys[i].key && strcmp(keys[i].name, c->key_name) == 0)
            key = &keys[i];
    if (!key) {
        st = auth_fail(err, FAMQP_AUTH_ERR_DENIED, "SAS token: no key named '%.100s'", c->key_name);
        memset(c, 0, sizeof *c);
        return st;
    }
    /* string to sign: sr as carried, "\n", se as carried */
    unsigned char data[FAMQP_SAS_MAX_TOKEN + 1];
    memcpy(data, f.sr.ptr, f.sr.len);
    data[f.sr.len] = '\n';
    memcpy(data + f.sr.len + 1, f.se.ptr, f.se.len);
    unsigned char md[32];
    size_t md_len = 0;
    if (!EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key->key, strlen(key->key), data, f.sr.len + 1 + f.se.len,
                   md, sizeof md, &md_len) ||
        md_len != sizeof md) {
        memset(c, 0, sizeof *c);
        return auth_fail(err, FAMQP_AUTH_ERR_CRYPTO, "SAS token: OpenSSL could not compute HMAC-SHA256");
    }
    char want[45];
    EVP_EncodeBlock((unsigned char *)want, md, (int)sizeof md);
    if (strlen(sig) != 44 || CRYPTO_memcmp(sig, want, 44) != 0) {
        memset(c, 0, sizeof *c);
        return auth_fail(err, FAMQP_AUTH_ERR_DENIED, "SAS token: the signature does not match key '%.100s'",
                         key->name);
    }
    if (c->expiry_epoch_s <= now_epoch_s) {
        unsigned long long ago = (unsigned long long)(now_epoch_s - c->expiry_epoch_s);
        memset(c, 0, sizeof *c);
        return auth_fail(err, FAMQP_AUTH_ERR_DENIED, "SAS token: expired %llu s ago", ago);
    }
    auth_ok(err);
    return FAMQP_AUTH_OK;
}
