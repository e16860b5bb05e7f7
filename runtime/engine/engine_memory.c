/* Engine memory: every allocation goes through the connection's allocator
 * hook, and a failed allocation fails the connection (never a crash). */
#include <stdlib.h>
#include <string.h>

#include "engine_internal.h"

void *eng_alloc(famqp_connection *c, size_t n)
{
    void *p = c->a.malloc_fn ? c->a.malloc_fn(c->a.ctx, n) : malloc(n);
    if (!p) {
        eng_nomem(c);
        return NULL;
    }
    memset(p, 0, n);
    return p;
}

void *eng_realloc(famqp_connection *c, void *p, size_t n)
{
    void *q = c->a.realloc_fn ? c->a.realloc_fn(c->a.ctx, p, n) : realloc(p, n);
    if (!q)
        eng_nomem(c);
    return q;
}

void eng_free(famqp_connection *c, void *p)
{
    if (!p)
        return;
    if (c->a.free_fn)
        c->a.free_fn(c->a.ctx, p);
    else
        free(p);
}

char *eng_strndup(famqp_connection *c, const char *s, size_t n, bool *ok)
{
    char *d = eng_alloc(c, n + 1);
    if (!d) {
        if (ok)
            *ok = false;
        return NULL;
    }
    if (n)
        memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *eng_strdup(famqp_connection *c, const char *s, bool *ok)
{
    return s ? eng_strndup(c, s, strlen(s), ok) : NULL;
}

bool eng_buf_reserve(famqp_connection *c, eng_buf *b, size_t extra)
{
    if (extra > SIZE_MAX / 2 - b->len) {
        eng_nomem(c);
        return false;
    }
    size_t need = b->len + extra;
    if (need <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    uint8_t *p = eng_realloc(c, b->ptr, cap);
    if (!p)
        return false;
    b->ptr = p;
    b->cap = cap;
    return true;
}

bool eng_buf_append(famqp_connection *c, eng_buf *b, const void *p, size_t n)
{
    if (!eng_buf_reserve(c, b, n))
        return false;
    if (n)
        memcpy(b->ptr + b->len, p, n);
    b->len += n;
    return true;
}

void eng_buf_free(famqp_connection *c, eng_buf *b)
{
    eng_free(c, b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

bool eng_table_fit(famqp_connection *c, void *table, uint32_t *n, uint32_t i)
{
    if (i < *n)
        return true;
    uint32_t cap = *n ? *n : 8;
    while (cap <= i)
        cap *= 2;
    /* `table` is the address of a T ** of any object type T; its value is
     * moved with memcpy so no T ** is accessed as a void ** (aliasing). */
    void *old;
    memcpy(&old, table, sizeof old);
    void **t = eng_realloc(c, old, (size_t)cap * sizeof *t);
    if (!t)
        return false;
    for (uint32_t k = *n; k < cap; k++)
        t[k] = NULL;
    memcpy(table, &t, sizeof t);
    *n = cap;
    return true;
}

void eng_cond_free(famqp_connection *c, eng_cond *cnd)
{
    eng_free(c, cnd->name);
    eng_free(c, cnd->description);
    cnd->name = cnd->description = NULL;
    eng_free(c, (void *)cnd->map.items);
    cnd->map = (famqp_map){0};
}

bool eng_cond_set(famqp_connection *c, eng_cond *dst, const famqp_error_t *e)
{
    bool ok = true;
    eng_cond_free(c, dst);
    dst->name = eng_strndup(c, e->condition.ptr, e->condition.len, &ok);
    /* An absent description stays NULL, unlike an empty one. */
    if ((e->present & FAMQP_ERROR_HAS_DESCRIPTION) && e->description.ptr)
        dst->description = eng_strndup(c, e->description.ptr, e->description.len, &ok);
    return ok;
}

famqp_condition eng_cond_view(const eng_cond *cnd)
{
    famqp_condition v = {cnd->name, cnd->description};
    return v;
}
