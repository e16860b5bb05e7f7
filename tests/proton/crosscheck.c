/* The cross-check engine (see crosscheck.h). */
#include "crosscheck.h"

#include <check.h>
#include <stdio.h>

/* ---- filling a struct from a test value ------------------------------- */


static void expect_tv(const tv *v, tv_kind k, const char *field)
{
    ck_assert_msg(v->kind == k, "test value for %s has the wrong kind (%d, want %d)", field, v->kind, k);
}

static void field_fill(const field_desc *f, const tv *v, uint8_t *p)
{
    switch (f->kind) {
    case FK_BOOL: expect_tv(v, TV_BOOL, f->name); *(bool *)p = v->u != 0; break;
    case FK_UBYTE: expect_tv(v, TV_UBYTE, f->name); *(uint8_t *)p = (uint8_t)v->u; break;
    case FK_USHORT: expect_tv(v, TV_USHORT, f->name); *(uint16_t *)p = (uint16_t)v->u; break;
    case FK_UINT: expect_tv(v, TV_UINT, f->name); *(uint32_t *)p = (uint32_t)v->u; break;
    case FK_ULONG: expect_tv(v, TV_ULONG, f->name); *(uint64_t *)p = v->u; break;
    case FK_TIMESTAMP: expect_tv(v, TV_TIMESTAMP, f->name); *(int64_t *)p = v->i; break;
    case FK_UUID: expect_tv(v, TV_UUID, f->name); memcpy(((famqp_uuid *)p)->bytes, v->bytes, 16); break;
    case FK_BINARY:
        expect_tv(v, TV_BINARY, f->name);
        *(famqp_binary *)p = famqp_binary_of(v->bytes, v->len);
        break;
    case FK_STRING:
        expect_tv(v, TV_STRING, f->name);
        *(famqp_string *)p = (famqp_string){(const char *)v->bytes, v->len};
        break;
    case FK_SYMBOL:
        expect_tv(v, TV_SYMBOL, f->name);
        *(famqp_symbol *)p = (famqp_symbol){(const char *)v->bytes, v->len};
        break;
    case FK_MAP: {
        expect_tv(v, TV_MAP, f->name);
        famqp_value enc = tv_encode(v);
        ck_assert_msg(famqp_map_of(enc.ptr, enc.len, (famqp_map *)p), "famqp_map_of failed for %s", f->name);
        break;
    }
    case FK_LIST: {
        expect_tv(v, TV_LIST, f->name);
        famqp_value enc = tv_encode(v);
        ck_assert_msg(famqp_list_of(enc.ptr, enc.len, (famqp_list *)p), "famqp_list_of failed for %s", f->name);
        break;
    }
    case FK_VALUE: *(famqp_value *)p = tv_encode(v); break;
    case FK_MULTI_SYMBOL: {
        famqp_multiple *m = (famqp_multiple *)p;
        size_t n = v->kind == TV_SYMBOL ? 1 : v->n;
        const tv *items = v->kind == TV_SYMBOL ? v : v->items;
        ck_assert_msg(v->kind == TV_SYMBOL || v->kind == TV_SYMBOL_ARRAY, "test value for %s: want symbols",
                      f->name);
        famqp_symbol *syms = arena_alloc((n + 1) * sizeof *syms);
        for (size_t i = 0; i < n; i++)
            syms[i] = (famqp_symbol){(const char *)items[i].bytes, items[i].len};
        memset(m, 0, sizeof *m);
        m->count = (uint32_t)n;
        m->items = syms;
        break;
    }
    case FK_NESTED: struct_fill(f->nested, v, p); break;
    case FK_ANY: any_fill(f->any, v, p); break;
    }
}

static void set_present(const type_desc *td, void *s, uint64_t bits)
{
    uint8_t *p = (uint8_t *)s + td->present_offset;
    if (td->present_size == 4) {
        uint32_t b32 = (uint32_t)bits;
        memcpy(p, &b32, 4);
    } else {
        memcpy(p, &bits, 8);
    }
}

static uint64_t get_present(const type_desc *td, const void *s)
{
    const uint8_t *p = (const uint8_t *)s + td->present_offset;
    if (td->present_size == 4) {
        uint32_t b32;
        memcpy(&b32, p, 4);
        return b32;
    }
    uint64_t b64;
    memcpy(&b64, p, 8);
    return b64;
}

void struct_fill(const type_desc *td, const tv *v, void *out)
{
    ck_assert_msg(v->kind == TV_DESCRIBED, "test value for %s is not described", td->name);
    memset(out, 0, td->size);
    const tv *body = &v->items[0];
    if (td->restricted) {
        field_fill(&td->fields[0], body, (uint8_t *)out + td->fields[0].offset);
        return;
    }
    ck_assert_msg(body->kind == TV_LIST, "test value for %s: want a list", td->name);
    ck_assert_msg(body->n <= td->nfields, "test value for %s has too many fields", td->name);
    uint64_t present = 0;
    for (size_t i = 0; i < body->n; i++) {
        if (body->items[i].kind == TV_NULL)
            continue;
        present |= td->fields[i].has_bit;
        field_fill(&td->fields[i], &body->items[i], (uint8_t *)out + td->fields[i].offset);
    }
    set_present(td, out, present);
}

static const any_member *find_composite_member(const any_desc *ad, const tv *v)
{
    for (size_t i = 0; i < ad->nmembers; i++) {
        const type_desc *td = ad->members[i].td;
        if (!td)
            continue;
        if (!v->bytes && td->code == v->u)
            return &ad->members[i];
        if (v->bytes) {
            /* Descriptor names follow "amqp:<type-name>:list" for composites. */
            char name[96];
            snprintf(name, sizeof name, "amqp:%s:list", td->name);
            for (char *c = name; *c; c++)
                if (*c == '_')
                    *c = '-';
            if (strlen(name) == v->len && memcmp(name, v->bytes, v->len) == 0)
                return &ad->members[i];
        }
    }
    return NULL;
}

static const any_member *find_primitive_member(const any_desc *ad, const tv *v)
{
    for (size_t i = 0; i < ad->nmembers; i++)
        if (!ad->members[i].td && ad->members[i].prim == v->kind)
            return &ad->members[i];
    return NULL;
}

void any_fill(const any_desc *ad, const tv *v, void *out)
{
    uint8_t *p = out;
    memset(p, 0, ad->size);
    uint8_t *u = p + ad->u_offset;
    if (v->kind == TV_NULL) {
        ad->set_kind(p, ad->none_kind);
        return;
    }
    const any_member *m = v->kind == TV_DESCRIBED ? find_composite_member(ad, v) : find_primitive_member(ad, v);
    if (!m) {
        ad->set_kind(p, ad->other_kind);
        *(famqp_value *)u = tv_encode(v);
        return;
    }
    ad->set_kind(p, m->kind);
    if (m->td) {
        struct_fill(m->td, v, u);
    } else {
        field_desc f = {ad->name, m->prim_field, 0, 0, NULL, NULL};
        field_fill(&f, v, u);
    }
}

/* ---- checking a decoded struct ---------------------------------------- */


static void view_eq(const void *got, size_t got_len, const void *want, size_t want_len, const char *what,
                    const char *path)
{
    ck_assert_msg(got_len == want_len, "%s: %s length %zu, want %zu", path, what, got_len, want_len);
    ck_assert_msg(want_len == 0 || memcmp(got, want, want_len) == 0, "%s: %s content differs", path, what);
}

static void field_check(const field_desc *f, const tv *v, const uint8_t *p, const char *path)
{
    switch (f->kind) {
    case FK_BOOL:
        ck_assert_msg(*(const bool *)p == (v->u != 0), "%s: boolean %d, want %d", path, *(const bool *)p,
                      (int)v->u);
        break;
    case FK_UBYTE:
        ck_assert_msg(*p == v->u, "%s: ubyte %u, want %llu", path, *p, (unsigned long long)v->u);
        break;
    case FK_USHORT:
        ck_assert_msg(*(const uint16_t *)p == v->u, "%s: ushort %u, want %llu", path, *(const uint16_t *)p,
                      (unsigned long long)v->u);
        break;
    case FK_UINT:
        ck_assert_msg(*(const uint32_t *)p == v->u, "%s: uint %u, want %llu", path, *(const uint32_t *)p,
                      (unsigned long long)v->u);
        break;
    case FK_ULONG:
        ck_assert_msg(*(const uint64_t *)p == v->u, "%s: ulong %llu, want %llu", path,
                      (unsigned long long)*(const uint64_t *)p, (unsigned long long)v->u);
        break;
    case FK_TIMESTAMP:
        ck_assert_msg(*(const int64_t *)p == v->i, "%s: timestamp %lld, want %lld", path,
                      (long long)*(const int64_t *)p, (long long)v->i);
        break;
    case FK_UUID: view_eq(((const famqp_uuid *)p)->bytes, 16, v->bytes, 16, "uuid", path); break;
    case FK_BINARY: {
        const famqp_binary *b = (const famqp_binary *)p;
        view_eq(b->ptr, b->len, v->bytes, v->len, "binary", path);
        break;
    }
    case FK_STRING: {
        const famqp_string *s = (const famqp_string *)p;
        view_eq(s->ptr, s->len, v->bytes, v->len, "string", path);
        break;
    }
    case FK_SYMBOL: {
        const famqp_symbol *s = (const famqp_symbol *)p;
        view_eq(s->ptr, s->len, v->bytes, v->len, "symbol", path);
        break;
    }
    case FK_MAP: tv_check_map_view((const famqp_map *)p, v, path); break;
    case FK_LIST: tv_check_list_view((const famqp_list *)p, v, path); break;
    case FK_VALUE: tv_check_value(*(const famqp_value *)p, v, path); break;
    case FK_MULTI_SYMBOL: tv_check_multiple_symbols((const famqp_multiple *)p, v, path); break;
    case FK_NESTED: struct_check(f->nested, v, p, path); break;
    case FK_ANY: any_check(f->any, v, p, path); break;
    }
}

/* An absent field must hold the type's default after decoding. */
static void default_check(const field_desc *f, const uint8_t *got, const uint8_t *def, const char *path)
{
    switch (f->kind) {
    case FK_BOOL: ck_assert_msg(*(const bool *)got == *(const bool *)def, "%s: not the default", path); break;
    case FK_UBYTE: ck_assert_msg(*got == *def, "%s: not the default", path); break;
    case FK_USHORT:
        ck_assert_msg(*(const uint16_t *)got == *(const uint16_t *)def, "%s: not the default", path);
        break;
    case FK_UINT:
        ck_assert_msg(*(const uint32_t *)got == *(const uint32_t *)def, "%s: %u, not the default %u", path,
                      *(const uint32_t *)got, *(const uint32_t *)def);
        break;
    case FK_ULONG:
    case FK_TIMESTAMP: ck_assert_msg(memcmp(got, def, 8) == 0, "%s: not the default", path); break;
    case FK_UUID: ck_assert_msg(memcmp(got, def, 16) == 0, "%s: not the default", path); break;
    case FK_BINARY:
    case FK_STRING:
    case FK_SYMBOL: {
        /* All three views are {pointer, length}. */
        const famqp_binary *g = (const famqp_binary *)got, *d = (const famqp_binary *)def;
        view_eq(g->ptr, g->len, d->ptr, d->len, "default", path);
        break;
    }
    case FK_MAP:
        ck_assert_msg(((const famqp_map *)got)->count == ((const famqp_map *)def)->count, "%s: not the default",
                      path);
        break;
    case FK_LIST:
        ck_assert_msg(((const famqp_list *)got)->count == ((const famqp_list *)def)->count,
                      "%s: not the default", path);
        break;
    case FK_VALUE: ck_assert_msg(((const famqp_value *)got)->len == 0, "%s: want no value", path); break;
    case FK_MULTI_SYMBOL: ck_assert_msg(((const famqp_multiple *)got)->count == 0, "%s: want no symbols", path); break;
    case FK_NESTED: break; /* its presence bit is what says it is absent */
    case FK_ANY:
        ck_assert_msg(f->any->get_kind(got) == f->any->none_kind, "%s: absent union not NONE (kind %d)", path,
                      f->any->get_kind(got));
        break;
    }
}

void struct_check(const type_desc *td, const tv *v, const void *got, const char *path)
{
    const uint8_t *g = got;
    const tv *body = &v->items[0];
    if (td->restricted) {
        field_check(&td->fields[0], body, g + td->fields[0].offset, path_join(path, ".value"));
        return;
    }
    uint64_t present = get_present(td, got);
    ck_assert_msg(td->nfields == 64 || (present >> td->nfields) == 0, "%s: presence bits beyond the last field: 0x%llx",
                  path, (unsigned long long)present);
    for (size_t i = 0; i < td->nfields; i++) {
        const field_desc *f = &td->fields[i];
        const char *fpath = path_join(path, ".%s", f->name);
        ck_assert_msg(f->has_bit == (1ull << i), "%s: HAS bit is 0x%llx, want bit %zu", fpath,
                      (unsigned long long)f->has_bit, i);
        const tv *fv = i < body->n ? &body->items[i] : NULL;
        if (fv && fv->kind != TV_NULL) {
            ck_assert_msg(present & f->has_bit, "%s: present bit not set", fpath);
            field_check(f, fv, g + f->offset, fpath);
        } else {
            ck_assert_msg(!(present & f->has_bit), "%s: present bit set for an absent field", fpath);
            default_check(f, g + f->offset, (const uint8_t *)td->defaults + f->offset, fpath);
        }
    }
}

void any_check(const any_desc *ad, const tv *v, const void *got, const char *path)
{
    const uint8_t *p = got;
    int kind = ad->get_kind(p);
    const uint8_t *u = p + ad->u_offset;
    if (v->kind == TV_NULL) {
        ck_assert_msg(kind == ad->none_kind, "%s: union %s kind %d, want NONE", path, ad->name, kind);
        return;
    }
    const any_member *m = v->kind == TV_DESCRIBED ? find_composite_member(ad, v) : find_primitive_member(ad, v);
    if (!m) {
        ck_assert_msg(kind == ad->other_kind, "%s: union %s kind %d, want OTHER (%d)", path, ad->name, kind,
                      ad->other_kind);
        tv_check_value(*(const famqp_value *)u, v, path);
        return;
    }
    ck_assert_msg(kind == m->kind, "%s: union %s kind %d, want %d", path, ad->name, kind, m->kind);
    if (m->td) {
        struct_check(m->td, v, u, path);
    } else {
        field_desc f = {ad->name, m->prim_field, 0, 0, NULL, NULL};
        field_check(&f, v, u, path);
    }
}

/* ---- the cross-check -------------------------------------------------- */

famqp_binary proton_encode(const tv *v)
{
    pn_data_t *d = pn_data(16);
    tv_put(d, v);
    ssize_t need = pn_data_encoded_size(d);
    ck_assert_msg(need > 0, "pn_data_encoded_size failed: %zd", need);
    uint8_t *buf = arena_alloc((size_t)need);
    ssize_t n = pn_data_encode(d, (char *)buf, (size_t)need);
    ck_assert_msg(n == need, "pn_data_encode wrote %zd, expected %zd", n, need);
    pn_data_free(d);
    return famqp_binary_of(buf, (size_t)n);
}

void decode_and_check(const type_desc *td, const uint8_t *p, size_t n, const tv *v, const char *path)
{
    void *got = arena_alloc(td->size);
    /* Garbage first: decode must fill every field (defaults included). */
    memset(got, 0x5a, td->size);
    famqp_error err;
    memset(&err, 0, sizeof err);
    size_t used = td->decode(p, n, got, &err);
    char msg[256];
    famqp_error_format(&err, msg, sizeof msg);
    ck_assert_msg(used == n, "%s: famqp_%s_decode used %zu of %zu bytes (%s) input: %s", path, td->name, used, n,
                  msg, hex(p, n));
    struct_check(td, v, got, path);
}

static void encode_ours(const type_desc *td, const tv *v, famqp_binary *out)
{
    void *s = arena_alloc(td->size);
    struct_fill(td, v, s);
    size_t need = td->encode(NULL, 0, s);
    ck_assert_msg(need > 0, "famqp_%s_encode counted 0 bytes", td->name);
    uint8_t *buf = arena_alloc(need + 1);
    /* One byte short: nothing written, size needed returned. */
    memset(buf, 0xee, need + 1);
    ck_assert_uint_eq(td->encode(buf, need - 1, s), need);
    for (size_t i = 0; i <= need; i++)
        ck_assert_msg(buf[i] == 0xee, "famqp_%s_encode wrote into a too-small buffer", td->name);
    size_t n = td->encode(buf, need, s);
    ck_assert_msg(n == need, "famqp_%s_encode wrote %zu, counted %zu", td->name, n, need);
    ck_assert_msg(buf[need] == 0xee, "famqp_%s_encode wrote past the counted size", td->name);
    *out = famqp_binary_of(buf, n);
}

void crosscheck(const type_desc *td, const tv *v, unsigned flags)
{
    famqp_binary theirs = proton_encode(v);

    /* Proton -> flatamqp */
    decode_and_check(td, theirs.ptr, theirs.len, v, path_join("ours<-proton ", "%s", td->name));
    if (flags & XC_DECODE_ONLY)
        return;

    famqp_binary ours;
    encode_ours(td, v, &ours);
    if (flags & XC_EXACT)
        ck_assert_msg(ours.len == theirs.len && memcmp(ours.ptr, theirs.ptr, ours.len) == 0,
                      "%s: encodings differ\n  ours:   %s\n  proton: %s", td->name, hex(ours.ptr, ours.len),
                      hex(theirs.ptr, theirs.len));

    /* flatamqp -> Proton: Proton reads every byte, and its tree holds v. */
    pn_data_t *d = pn_data(16);
    ssize_t r = pn_data_decode(d, (const char *)ours.ptr, ours.len);
    ck_assert_msg(r == (ssize_t)ours.len, "%s: pn_data_decode returned %zd of %zu for %s", td->name, r, ours.len,
                  hex(ours.ptr, ours.len));
    pn_data_rewind(d);
    ck_assert(pn_data_next(d));
    tv_check_pn(d, v, path_join("proton<-ours ", "%s", td->name));

    /* Proton normalises both encodings the same way: re-encoding what it
     * read from our bytes must give exactly its own encoding of v. */
    if (!(flags & XC_NOT_CANONICAL)) {
        ssize_t need = pn_data_encoded_size(d);
        ck_assert(need > 0);
        uint8_t *again = arena_alloc((size_t)need);
        ck_assert(pn_data_encode(d, (char *)again, (size_t)need) == need);
        ck_assert_msg((size_t)need == theirs.len && memcmp(again, theirs.ptr, theirs.len) == 0,
                      "%s: Proton re-encoding our bytes differs from its own encoding\n  ours:      %s\n"
                      "  re-encoded: %s\n  proton:     %s",
                      td->name, hex(ours.ptr, ours.len), hex(again, (size_t)need), hex(theirs.ptr, theirs.len));
    }
    pn_data_free(d);

    /* flatamqp -> flatamqp */
    decode_and_check(td, ours.ptr, ours.len, v, path_join("ours<-ours ", "%s", td->name));
}

void crosscheck_union(const any_desc *ad, const tv *v)
{
    const char *path = path_join("union ", "%s", ad->name);
    famqp_binary theirs = proton_encode(v);

    void *got = arena_alloc(ad->size);
    memset(got, 0x5a, ad->size);
    famqp_error err;
    size_t used = ad->decode(theirs.ptr, theirs.len, got, &err);
    char msg[256];
    famqp_error_format(&err, msg, sizeof msg);
    ck_assert_msg(used == theirs.len, "%s: famqp_any_%s_decode used %zu of %zu (%s)", path, ad->name, used,
                  theirs.len, msg);
    any_check(ad, v, got, path);

    void *s = arena_alloc(ad->size);
    any_fill(ad, v, s);
    size_t need = ad->encode(NULL, 0, s);
    uint8_t *buf = arena_alloc(need ? need : 1);
    ck_assert_uint_eq(ad->encode(buf, need, s), need);
    pn_data_t *d = pn_data(16);
    ssize_t r = pn_data_decode(d, (const char *)buf, need);
    ck_assert_msg(r == (ssize_t)need, "%s: pn_data_decode returned %zd of %zu for %s", path, r, need, hex(buf, need));
    pn_data_rewind(d);
    ck_assert(pn_data_next(d));
    tv_check_pn(d, v, path);
    pn_data_free(d);
}
