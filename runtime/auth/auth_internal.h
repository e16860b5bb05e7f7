/* Private to runtime/auth/: the output buffer every call writes its text
 * into, error reporting, UTF-8 checking and encodeURIComponent. */
#ifndef FAMQP_AUTH_INTERNAL_H
#define FAMQP_AUTH_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "famqp/auth.h"

/* A caller's (out, cap) buffer.  len counts every byte appended, also past
 * cap, so a too small buffer still learns the length it needed. */
typedef struct auth_out {
    char *buf;
    size_t cap;
    size_t len;
} auth_out;

void auth_out_init(auth_out *o, char *buf, size_t cap);
void auth_out_bytes(auth_out *o, const char *p, size_t n);
void auth_out_str(auth_out *o, const char *s);
void auth_out_u64(auth_out *o, unsigned long long v);
/* NUL-terminates (or empties the buffer on ERR_SPACE), reports *len and
 * the status. */
famqp_auth_status auth_out_finish(auth_out *o, size_t *len, famqp_auth_error *err, const char *what);
/* Empties the caller's buffer after a failure. */
void auth_out_fail(auth_out *o, size_t *len);

/* Fills err (may be NULL) and returns status. */
famqp_auth_status auth_fail(famqp_auth_error *err, famqp_auth_status status, const char *fmt, ...)
#if defined(__GNUC__) || defined(__clang__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void auth_ok(famqp_auth_error *err);

/* Well-formed UTF-8 (no overlongs, surrogates or code points above U+10FFFF). */
bool auth_utf8_valid(const char *p, size_t n);

/* The bytes JavaScript's encodeURIComponent leaves as they are. */
bool auth_uri_unreserved(unsigned char c);

/* famqp_sas_token over views: the URI is the concatenation of uri_parts
 * (the connection string's audience is built of several).  Checks its
 * arguments (names in messages as the public API's), writes to *o. */
famqp_auth_status auth_sas_token(const famqp_string *uri_parts, size_t n_parts, famqp_string key_name,
                                 famqp_string key, unsigned long long expiry_epoch_s, auth_out *o, size_t *len,
                                 famqp_auth_error *err);

#endif
