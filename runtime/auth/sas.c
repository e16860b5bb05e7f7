/* SAS tokens (famqp_sas_token), as Microsoft's @azure/core-amqp makes
 * them (createToken in its auth/tokenProvider.js): the URI and key name
 * through encodeURIComponent, the key's UTF-8 bytes as the HMAC-SHA256
 * key, the base64 signature through encodeURIComponent again. */
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include "auth_internal.h"

/* encodeURIComponent's output goes both into the token and into the HMAC;
 * it is made in chunks on the stack, so no buffer holds the whole. */
typedef struct encode_sink {
    auth_out *out;    /* NULL: not written out */
    EVP_MAC_CTX *mac; /* NULL: not signed */
    bool mac_failed;
} encode_sink;

static void sink_bytes(encode_sink *s, const char *p, size_t n)
{
    if (s->out)
        auth_out_bytes(s->out, p, n);
    if (s->mac && !s->mac_failed && !EVP_MAC_update(s->mac, (const unsigned char *)p, n))
        s->mac_failed = true;
}

static void encode_uri_component(encode_sink *s, famqp_string text)
{
    static const char hex[] = "0123456789ABCDEF";
    char chunk[192];
    size_t used = 0;
    for (size_t i = 0; i < text.len; i++) {
        unsigned char c = (unsigned char)text.ptr[i];
        if (used + 3 > sizeof chunk) {
            sink_bytes(s, chunk, used);
            used = 0;
        }
        if (auth_uri_unreserved(c)) {
            chunk[used++] = (char)c;
        } else {
            chunk[used++] = '%';
            chunk[used++] = hex[c >> 4];
            chunk[used++] = hex[c & 15];
        }
    }
    sink_bytes(s, chunk, used);
}

static famqp_auth_status check_text(famqp_string s, const char *name, famqp_auth_error *err)
{
    if (!s.ptr)
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: %s is NULL", name);
    if (s.len == 0)
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: %s is empty", name);
    if (!auth_utf8_valid(s.ptr, s.len))
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: %s is not valid UTF-8", name);
    return FAMQP_AUTH_OK;
}

/* HMAC-SHA256 of E(uri) "\n" expiry under key, base64 into sig (45 bytes
 * with the NUL). */
static famqp_auth_status sign(const famqp_string *uri_parts, size_t n_parts, famqp_string key,
                              unsigned long long expiry, char sig[45], famqp_auth_error *err)
{
    famqp_auth_status st = FAMQP_AUTH_ERR_CRYPTO;
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end(),
    };
    unsigned char md[32];
    size_t md_len = 0;
    if (!ctx || !EVP_MAC_init(ctx, (const unsigned char *)key.ptr, key.len, params))
        goto done;
    encode_sink s = {.out = NULL, .mac = ctx, .mac_failed = false};
    for (size_t i = 0; i < n_parts; i++)
        encode_uri_component(&s, uri_parts[i]);
    char tail[24];
    int n = snprintf(tail, sizeof tail, "\n%llu", expiry);
    sink_bytes(&s, tail, (size_t)n);
    if (s.mac_failed || !EVP_MAC_final(ctx, md, &md_len, sizeof md) || md_len != sizeof md)
        goto done;
    EVP_EncodeBlock((unsigned char *)sig, md, (int)sizeof md); /* 44 characters and a NUL */
    st = FAMQP_AUTH_OK;
done:
    EVP_MAC_CTX_free(ctx);
    EVP_MAC_free(mac);
    if (st != FAMQP_AUTH_OK)
        return auth_fail(err, st, "SAS token: OpenSSL could not compute HMAC-SHA256");
    return st;
}

famqp_auth_status auth_sas_token(const famqp_string *uri_parts, size_t n_parts, famqp_string key_name,
                                 famqp_string key, unsigned long long expiry_epoch_s, auth_out *o, size_t *len,
                                 famqp_auth_error *err)
{
    famqp_auth_status st = FAMQP_AUTH_OK;
    size_t uri_len = 0;
    for (size_t i = 0; i < n_parts && st == FAMQP_AUTH_OK; i++) {
        if (!uri_parts[i].ptr && uri_parts[i].len)
            st = auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: uri is NULL");
        else if (uri_parts[i].len && !auth_utf8_valid(uri_parts[i].ptr, uri_parts[i].len))
            st = auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: uri is not valid UTF-8");
        uri_len += uri_parts[i].len;
    }
    if (st == FAMQP_AUTH_OK && uri_len == 0)
        st = auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: uri is empty");
    if (st == FAMQP_AUTH_OK)
        st = check_text(key_name, "key name", err);
    if (st == FAMQP_AUTH_OK)
        st = check_text(key, "key", err);
    char sig[45];
    if (st == FAMQP_AUTH_OK)
        st = sign(uri_parts, n_parts, key, expiry_epoch_s, sig, err);
    if (st != FAMQP_AUTH_OK) {
        auth_out_fail(o, len);
        return st;
    }
    encode_sink s = {.out = o, .mac = NULL, .mac_failed = false};
    auth_out_str(o, "SharedAccessSignature sr=");
    for (size_t i = 0; i < n_parts; i++)
        encode_uri_component(&s, uri_parts[i]);
    auth_out_str(o, "&sig=");
    encode_uri_component(&s, (famqp_string){sig, strlen(sig)});
    auth_out_str(o, "&se=");
    auth_out_u64(o, expiry_epoch_s);
    auth_out_str(o, "&skn=");
    encode_uri_component(&s, key_name);
    return auth_out_finish(o, len, err, "SAS token");
}

famqp_auth_status famqp_sas_token(const char *uri, const char *key_name, const char *key, uint64_t expiry_epoch_s,
                                  char *out, size_t cap, size_t *len, famqp_auth_error *err)
{
    auth_out o;
    auth_out_init(&o, out, cap);
    if (!uri || !key_name || !key) {
        auth_out_fail(&o, len);
        return auth_fail(err, FAMQP_AUTH_ERR_ARG, "SAS token: %s is NULL", !uri ? "uri" : !key_name ? "key name" : "key");
    }
    famqp_string u = {uri, strlen(uri)};
    return auth_sas_token(&u, 1, (famqp_string){key_name, strlen(key_name)}, (famqp_string){key, strlen(key)},
                          (unsigned long long)expiry_epoch_s, &o, len, err);
}
