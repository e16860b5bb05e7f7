/* famqp-broker's Service Bus subscription rules: which subscriptions of a
 * topic a message goes to.  A subscription without rules takes every
 * message (the service's $Default rule, a true filter); with rules, a
 * message that matches any of them.  Correlation filters are evaluated as
 * the service does (each given system property equal, each given
 * application property equal in type family and value); of SQL filters
 * only the constant ones (1=1, TRUE, 1=0, FALSE) are: any other SQL filter
 * matches every message, and SQL actions are not applied, both said once
 * at start-up.  Rules are compiled once (jansson reads the Config.json
 * property values), so matching allocates nothing. */
#define _POSIX_C_SOURCE 200809L

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "broker_servicebus.h"

enum prop_kind { PROP_STRING, PROP_NUMBER, PROP_BOOL };

typedef struct sb_prop {
    const char *key;
    enum prop_kind kind;
    char *text;   /* PROP_STRING */
    double number;
    bool flag;
} sb_prop;

enum rule_kind { RULE_CORRELATION, RULE_TRUE, RULE_FALSE };

typedef struct sb_rule {
    enum rule_kind kind;
    const char *const *fields; /* emu_rule.correlation: [EMU_CORRELATION_FIELDS], NULL: not given */
    sb_prop *props;
    size_t nprops;
} sb_rule;

struct sb_rules {
    sb_rule *rules;
    size_t n;
};

/* The constant SQL filters, without case and spaces. */
static int constant_sql(const char *expr)
{
    char c[16];
    size_t n = 0;
    for (const char *p = expr; *p && n < sizeof c - 1; p++)
        if (*p != ' ' && *p != '\t')
            c[n++] = *p;
    c[n] = '\0';
    if (!strcasecmp(c, "1=1") || !strcasecmp(c, "TRUE"))
        return 1;
    if (!strcasecmp(c, "1=0") || !strcasecmp(c, "FALSE"))
        return 0;
    return -1;
}

static bool compile_prop(sb_prop *p, const char *key, const char *json)
{
    p->key = key;
    json_t *v = json_loads(json, JSON_DECODE_ANY, NULL);
    bool ok = v != NULL;
    if (ok && json_is_string(v)) {
        p->kind = PROP_STRING;
        ok = (p->text = strdup(json_string_value(v))) != NULL;
    } else if (ok && json_is_number(v)) {
        p->kind = PROP_NUMBER;
        p->number = json_number_value(v);
    } else if (ok && json_is_boolean(v)) {
        p->kind = PROP_BOOL;
        p->flag = json_is_true(v);
    } else {
        ok = false; /* null, arrays and objects: the schema allows none */
    }
    json_decref(v);
    return ok;
}

void sb_rules_free(struct sb_rules *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        for (size_t k = 0; k < r->rules[i].nprops; k++)
            free(r->rules[i].props[k].text);
        free(r->rules[i].props);
    }
    free(r->rules);
    free(r);
}

bool sb_rules_compile(const char *path, const emu_subscription *sub, struct sb_rules **out)
{
    *out = NULL;
    if (!sub->nrules)
        return true;
    struct sb_rules *r = calloc(1, sizeof *r);
    if (!r || !(r->rules = calloc(sub->nrules, sizeof *r->rules))) {
        free(r);
        return false;
    }
    for (size_t i = 0; i < sub->nrules; i++, r->n++) {
        const emu_rule *er = &sub->rules[i];
        sb_rule *ru = &r->rules[i];
        if (er->action)
            fprintf(stderr, "famqp-broker: %s: rule '%s': its action '%s' is not applied (not emulated)\n", path,
                    er->name, er->action);
        if (er->sql) {
            int c = constant_sql(er->sql_expression);
            ru->kind = c == 0 ? RULE_FALSE : RULE_TRUE;
            if (c < 0)
                fprintf(stderr,
                        "famqp-broker: %s: rule '%s': SQL filter '%s' is not evaluated: it matches every message\n",
                        path, er->name, er->sql_expression);
            continue;
        }
        ru->kind = RULE_CORRELATION;
        ru->fields = (const char *const *)er->correlation;
        if (er->nproperties && !(ru->props = calloc(er->nproperties, sizeof *ru->props))) {
            sb_rules_free(r);
            return false;
        }
        for (size_t k = 0; k < er->nproperties; k++, ru->nprops++)
            if (!compile_prop(&ru->props[k], er->property_keys[k], er->property_values[k])) {
                sb_rules_free(r);
                return false;
            }
    }
    *out = r;
    return true;
}

static bool str_eq(famqp_string s, const char *want) { return s.len == strlen(want) && !memcmp(s.ptr, want, s.len); }

static bool id_eq(const famqp_any_message_id *id, const char *want)
{
    return id->kind == FAMQP_ANY_MESSAGE_ID_MESSAGE_ID_STRING && str_eq(id->u.message_id_string, want);
}

static bool address_eq(const famqp_any_address *a, const char *want)
{
    return a->kind == FAMQP_ANY_ADDRESS_ADDRESS_STRING && str_eq(a->u.address_string, want);
}

/* A system property named by emu_correlation_fields[i] equals want. */
static bool field_eq(const famqp_message *m, size_t i, const char *want)
{
    if (!(m->present & FAMQP_MESSAGE_HAS_PROPERTIES))
        return false;
    const famqp_properties *p = &m->properties;
    switch (i) {
    case 0: /* ContentType */
        return (p->present & FAMQP_PROPERTIES_HAS_CONTENT_TYPE) &&
               str_eq((famqp_string){p->content_type.ptr, p->content_type.len}, want);
    case 1: return (p->present & FAMQP_PROPERTIES_HAS_CORRELATION_ID) && id_eq(&p->correlation_id, want);
    case 2: return (p->present & FAMQP_PROPERTIES_HAS_SUBJECT) && str_eq(p->subject, want); /* Label */
    case 3: return (p->present & FAMQP_PROPERTIES_HAS_MESSAGE_ID) && id_eq(&p->message_id, want);
    case 4: return (p->present & FAMQP_PROPERTIES_HAS_REPLY_TO) && address_eq(&p->reply_to, want);
    case 5: return (p->present & FAMQP_PROPERTIES_HAS_REPLY_TO_GROUP_ID) && str_eq(p->reply_to_group_id, want);
    case 6: return (p->present & FAMQP_PROPERTIES_HAS_GROUP_ID) && str_eq(p->group_id, want); /* SessionId */
    default: return (p->present & FAMQP_PROPERTIES_HAS_TO) && address_eq(&p->to, want);
    }
}

static bool number_of(famqp_value v, double *out)
{
    int64_t l;
    int32_t i;
    uint32_t u;
    uint64_t ul;
    int16_t s;
    uint16_t us;
    int8_t b;
    uint8_t ub;
    float f;
    if (famqp_value_get_long(v, &l))
        *out = (double)l;
    else if (famqp_value_get_int(v, &i))
        *out = i;
    else if (famqp_value_get_uint(v, &u))
        *out = u;
    else if (famqp_value_get_ulong(v, &ul))
        *out = (double)ul;
    else if (famqp_value_get_short(v, &s))
        *out = s;
    else if (famqp_value_get_ushort(v, &us))
        *out = us;
    else if (famqp_value_get_byte(v, &b))
        *out = b;
    else if (famqp_value_get_ubyte(v, &ub))
        *out = ub;
    else if (famqp_value_get_double(v, out))
        return true;
    else if (famqp_value_get_float(v, &f))
        *out = f;
    else
        return false;
    return true;
}

static bool prop_matches(const famqp_message *m, const sb_prop *p)
{
    famqp_value v;
    famqp_string s;
    bool flag;
    double d;
    if (!(m->present & FAMQP_MESSAGE_HAS_APPLICATION_PROPERTIES) ||
        !famqp_map_get_string_key(&m->application_properties.value, p->key, &v))
        return false;
    switch (p->kind) {
    case PROP_STRING: return famqp_value_get_string(v, &s) && str_eq(s, p->text);
    case PROP_BOOL: return famqp_value_get_bool(v, &flag) && flag == p->flag;
    default: return number_of(v, &d) && d == p->number;
    }
}

static bool rule_matches(const sb_rule *r, const famqp_message *m)
{
    if (r->kind != RULE_CORRELATION)
        return r->kind == RULE_TRUE;
    for (size_t i = 0; i < EMU_CORRELATION_FIELDS; i++)
        if (r->fields[i] && !field_eq(m, i, r->fields[i]))
            return false;
    for (size_t k = 0; k < r->nprops; k++)
        if (!prop_matches(m, &r->props[k]))
            return false;
    return true;
}

bool sb_rules_match(const struct sb_rules *r, const famqp_message *m)
{
    if (!r)
        return true; /* $Default: every message */
    for (size_t i = 0; i < r->n; i++)
        if (rule_matches(&r->rules[i], m))
            return true;
    return false;
}
