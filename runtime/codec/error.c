/* Decode errors: status names, the first-error-wins failure path shared by
 * every reader, error formatting, and reader setup with default limits. */
#include "codec_internal.h"

const famqp_limits famqp_default_limits = {FAMQP_DEFAULT_MAX_DEPTH, FAMQP_DEFAULT_MAX_COUNT,
                                           FAMQP_DEFAULT_MAX_EMPTY_ELEMENTS};

static const char *const status_names[FAMQP_STATUS_COUNT] = {
    [FAMQP_OK] = "ok",
    [FAMQP_ERR_TRUNCATED] = "truncated",
    [FAMQP_ERR_BAD_CONSTRUCTOR] = "bad constructor",
    [FAMQP_ERR_TYPE_MISMATCH] = "type mismatch",
    [FAMQP_ERR_MISSING_MANDATORY] = "missing mandatory field",
    [FAMQP_ERR_INVALID_UTF8] = "invalid utf-8",
    [FAMQP_ERR_INVALID_VALUE] = "invalid value",
    [FAMQP_ERR_DEPTH] = "nesting too deep",
    [FAMQP_ERR_LIMIT] = "limit exceeded",
};

const char *famqp_status_name(famqp_status s)
{
    return ((unsigned)s < FAMQP_STATUS_COUNT) ? status_names[s] : "unknown status";
}

size_t famqp_error_format(const famqp_error *e, char *buf, size_t cap)
{
    char tmp[1];
    if (cap == 0) { /* snprintf(NULL, 0) is fine, but keep one code path */
        buf = tmp;
        cap = sizeof tmp;
    }
    if (e->status == FAMQP_OK)
        return (size_t)snprintf(buf, cap, "ok");
    /* "status[: type[.field]] at offset N[ (detail)]" */
    const char *type = e->type ? e->type : "";
    const char *dot = (e->type && e->field) ? "." : "";
    const char *field = e->field ? e->field : "";
    const char *colon = (e->type || e->field) ? ": " : "";
    const char *open = e->detail ? " (" : "", *detail = e->detail ? e->detail : "", *close = e->detail ? ")" : "";
    int n = snprintf(buf, cap, "%s%s%s%s%s at offset %zu%s%s%s", famqp_status_name(e->status), colon, type, dot,
                     field, e->offset, open, detail, close);
    return n < 0 ? 0 : (size_t)n;
}

/* An empty input still needs a non-null pointer: pointer arithmetic on
 * NULL is undefined even with a zero offset. */
static const uint8_t empty_input[1];

void famqp_reader_init(famqp_reader *r, const uint8_t *p, size_t n, famqp_error *err,
                       const famqp_limits *lim)
{
    if (!p) {
        p = empty_input;
        n = 0;
    }
    r->p = p;
    r->end = p + n;
    r->base = p;
    r->err = err;
    r->limits = lim ? lim : &famqp_default_limits;
    r->depth = 0;
    r->type = NULL;
    memset(err, 0, sizeof *err);
}

int famqp_fail(famqp_reader *r, famqp_status s, const char *field, const char *detail)
{
    famqp_error *e = r->err;
    if (e->status == FAMQP_OK) {
        e->status = s;
        e->type = r->type;
        e->field = field;
        e->offset = (size_t)(r->p - r->base);
        e->detail = detail;
    }
    r->p = r->end;
    return 0;
}

const uint8_t *famqp__fail_at(famqp_reader *r, const uint8_t *at, famqp_status s, const char *field,
                              const char *detail)
{
    r->p = at;
    famqp_fail(r, s, field, detail);
    return NULL;
}
