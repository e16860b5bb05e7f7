/* Reading the Azure emulators' Config.json (emulator_config.h): jansson
 * parses, the walk below checks each value against the published schemas
 * while it copies it into the model, keeping the path it is at for the
 * error message. */
#define _POSIX_C_SOURCE 200809L /* strtok_r */
#include "emulator_config.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const emu_correlation_fields[EMU_CORRELATION_FIELDS] = {
    "ContentType", "CorrelationId", "Label", "MessageId", "ReplyTo", "ReplyToSessionId", "SessionId", "To"};

enum { NAME_MAX_BYTES = 256 };

/* The walk's state: where it is (for messages) and the first problem. */
typedef struct walk {
    const char *file;
    char path[512];
    size_t len;
    char *why;
    size_t cap;
    bool failed;
} walk;

/* A problem is one line: the document's own bytes quoted in it (a key, or
 * jansson's "near '...'") may hold control characters, shown as '?'. */
static void one_line(char *text)
{
    for (unsigned char *p = (unsigned char *)text; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            *p = '?';
}

static bool fail(walk *w, const char *fmt, ...)
{
    if (w->failed)
        return false;
    w->failed = true;
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(w->why, w->cap, "%s: error: %s%s%s", w->file, w->path, w->len ? ": " : "", msg);
    if (w->cap)
        one_line(w->why);
    return false;
}

/* Enters a key (".Key", or "Key" at the top) or an index ("[i]"); leave
 * restores the path to what enter returned. */
static size_t enter_key(walk *w, const char *key)
{
    size_t was = w->len;
    int n = snprintf(w->path + w->len, sizeof w->path - w->len, "%s%s", w->len ? "." : "", key);
    w->len = n > 0 && (size_t)n < sizeof w->path - w->len ? w->len + (size_t)n : sizeof w->path - 1;
    return was;
}

static size_t enter_index(walk *w, size_t i)
{
    size_t was = w->len;
    int n = snprintf(w->path + w->len, sizeof w->path - w->len, "[%zu]", i);
    w->len = n > 0 && (size_t)n < sizeof w->path - w->len ? w->len + (size_t)n : sizeof w->path - 1;
    return was;
}

static void leave(walk *w, size_t was)
{
    w->len = was;
    w->path[was] = '\0';
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* Every key of obj must be one of known (NULL-terminated). */
static bool only_keys(walk *w, json_t *obj, const char *const *known)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        (void)v;
        bool ok = false;
        for (const char *const *k = known; *k && !ok; k++)
            ok = strcmp(*k, key) == 0;
        if (!ok) {
            char list[300] = "";
            for (const char *const *k = known; *k; k++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", k == known ? "" : ", ", *k);
            return fail(w, "unknown key '%.80s' (known here: %s)", key, list);
        }
    }
    return true;
}

static json_t *member(walk *w, json_t *obj, const char *key, json_type type, bool required)
{
    json_t *v = json_object_get(obj, key);
    if (!v) {
        if (required)
            fail(w, "'%s' is missing", key);
        return NULL;
    }
    bool ok = json_typeof(v) == type || (type == JSON_TRUE && json_is_boolean(v));
    if (!ok) {
        size_t was = enter_key(w, key);
        fail(w, "expected %s, got %s",
             type == JSON_OBJECT  ? "an object"
             : type == JSON_ARRAY ? "an array"
             : type == JSON_STRING ? "a string"
             : type == JSON_INTEGER ? "an integer"
                                    : "a boolean",
             type_name(v));
        leave(w, was);
        return NULL;
    }
    return v;
}

/* ^[A-Za-z0-9]$|^[A-Za-z0-9][\w-.\/]*[A-Za-z0-9]$ of the schemas. */
static bool entity_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > NAME_MAX_BYTES || !isalnum((unsigned char)s[0]) || !isalnum((unsigned char)s[n - 1]))
        return false;
    for (size_t i = 1; i + 1 < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!isalnum(c) && c != '_' && c != '-' && c != '.' && c != '/')
            return false;
    }
    return true;
}

static char *dup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* A name under key: present, a string, the schemas' pattern. */
static char *name_of(walk *w, json_t *obj, const char *key, bool allow_default_group)
{
    json_t *v = member(w, obj, key, JSON_STRING, true);
    if (!v)
        return NULL;
    const char *s = json_string_value(v);
    if (!entity_name_ok(s) && !(allow_default_group && strcmp(s, "$default") == 0)) {
        size_t was = enter_key(w, key);
        fail(w, "'%.80s' is not a valid name (letters, digits, '_', '-', '.', '/'; beginning and ending with a "
                "letter or digit; at most %d bytes)",
             s, NAME_MAX_BYTES);
        leave(w, was);
        return NULL;
    }
    char *d = dup(s);
    if (!d)
        fail(w, "out of memory");
    return d;
}

static bool int_in(walk *w, json_t *obj, const char *key, long long lo, long long hi, bool required, uint32_t *out)
{
    json_t *v = member(w, obj, key, JSON_INTEGER, required);
    if (!v)
        return !w->failed;
    long long n = json_integer_value(v);
    if (n < lo || n > hi) {
        size_t was = enter_key(w, key);
        fail(w, "must be an integer from %lld to %lld (got %lld)", lo, hi, n);
        leave(w, was);
        return false;
    }
    *out = (uint32_t)n;
    return true;
}

static bool bool_of(walk *w, json_t *obj, const char *key, bool *out)
{
    json_t *v = member(w, obj, key, JSON_TRUE, false);
    if (v)
        *out = json_is_true(v);
    return !w->failed;
}

/* ISO 8601 duration as the schemas allow it: P[nY][nM][nD][T[nH][nM][nS]],
 * at least one part; a year counts 365 days and a month 30 (the emulators
 * store TimeSpans).  False on anything else or an overflow. */
static bool parse_duration(const char *s, uint64_t *ms)
{
    static const struct {
        char unit;
        bool time;
        uint64_t ms;
    } parts[] = {{'Y', false, 365ull * 86400000}, {'M', false, 30ull * 86400000}, {'D', false, 86400000},
                 {'H', true, 3600000},            {'M', true, 60000},             {'S', true, 1000}};
    if (*s++ != 'P' || !*s)
        return false;
    uint64_t total = 0;
    size_t next = 0;
    bool time = false, any = false;
    while (*s) {
        if (*s == 'T' && !time) {
            time = true;
            s++;
            while (next < 6 && !parts[next].time)
                next++;
            continue;
        }
        if (!isdigit((unsigned char)*s))
            return false;
        uint64_t n = 0;
        while (isdigit((unsigned char)*s)) {
            if (n > UINT64_MAX / 10 - 9)
                return false;
            n = n * 10 + (uint64_t)(*s++ - '0');
        }
        while (next < 6 && (parts[next].unit != *s || parts[next].time != time))
            next++;
        if (next == 6)
            return false;
        if (n && parts[next].ms > UINT64_MAX / n)
            return false;
        uint64_t add = n * parts[next].ms;
        if (total > UINT64_MAX - add)
            return false;
        total += add;
        next++;
        s++;
        any = true;
    }
    *ms = total;
    return any;
}

static bool duration_of(walk *w, json_t *obj, const char *key, uint64_t *out)
{
    json_t *v = member(w, obj, key, JSON_STRING, false);
    if (!v)
        return !w->failed;
    if (!parse_duration(json_string_value(v), out)) {
        size_t was = enter_key(w, key);
        fail(w, "'%.40s' is not an ISO 8601 duration such as PT1M, PT1H or P1DT12H", json_string_value(v));
        leave(w, was);
        return false;
    }
    return true;
}

/* A forwarding target: "" or a name. */
static bool target_of(walk *w, json_t *obj, const char *key, char **out)
{
    json_t *v = member(w, obj, key, JSON_STRING, false);
    if (!v)
        return !w->failed;
    const char *s = json_string_value(v);
    if (*s && !entity_name_ok(s)) {
        size_t was = enter_key(w, key);
        fail(w, "'%.80s' is not an entity name", s);
        leave(w, was);
        return false;
    }
    free(*out);
    *out = dup(s);
    return *out ? true : fail(w, "out of memory");
}

static void props_defaults(emu_sb_props *p)
{
    memset(p, 0, sizeof *p);
    p->default_ttl_ms = 3600000;
    p->duplicate_window_ms = 20000;
    p->lock_duration_ms = 60000;
    p->max_delivery_count = 3;
}

static void props_free(emu_sb_props *p)
{
    free(p->forward_to);
    free(p->forward_dead_lettered_to);
}

enum props_kind { PROPS_QUEUE, PROPS_TOPIC, PROPS_SUBSCRIPTION };

static bool props_of(walk *w, json_t *entity, enum props_kind kind, emu_sb_props *p)
{
    json_t *o = member(w, entity, "Properties", JSON_OBJECT, false);
    if (!o)
        return !w->failed;
    static const char *const queue_keys[] = {"DeadLetteringOnMessageExpiration", "DefaultMessageTimeToLive",
                                             "DuplicateDetectionHistoryTimeWindow", "ForwardDeadLetteredMessagesTo",
                                             "ForwardTo", "LockDuration", "MaxDeliveryCount",
                                             "RequiresDuplicateDetection", "RequiresSession", NULL};
    static const char *const topic_keys[] = {"DefaultMessageTimeToLive", "DuplicateDetectionHistoryTimeWindow",
                                             "RequiresDuplicateDetection", NULL};
    static const char *const sub_keys[] = {"DeadLetteringOnMessageExpiration", "DefaultMessageTimeToLive",
                                           "LockDuration", "MaxDeliveryCount", "ForwardDeadLetteredMessagesTo",
                                           "ForwardTo", "RequiresSession", NULL};
    size_t was = enter_key(w, "Properties");
    bool ok = only_keys(w, o, kind == PROPS_QUEUE ? queue_keys : kind == PROPS_TOPIC ? topic_keys : sub_keys) &&
              bool_of(w, o, "DeadLetteringOnMessageExpiration", &p->dead_lettering_on_expiration) &&
              duration_of(w, o, "DefaultMessageTimeToLive", &p->default_ttl_ms) &&
              duration_of(w, o, "DuplicateDetectionHistoryTimeWindow", &p->duplicate_window_ms) &&
              target_of(w, o, "ForwardTo", &p->forward_to) &&
              target_of(w, o, "ForwardDeadLetteredMessagesTo", &p->forward_dead_lettered_to) &&
              duration_of(w, o, "LockDuration", &p->lock_duration_ms) &&
              int_in(w, o, "MaxDeliveryCount", 1, 10, false, &p->max_delivery_count) &&
              bool_of(w, o, "RequiresDuplicateDetection", &p->requires_duplicate_detection) &&
              bool_of(w, o, "RequiresSession", &p->requires_session);
    leave(w, was);
    return ok;
}

/* The items of obj[key], an array of at most max (at least min). */
static json_t *array_of(walk *w, json_t *obj, const char *key, size_t min, size_t max, bool required)
{
    json_t *a = member(w, obj, key, JSON_ARRAY, required);
    if (!a)
        return NULL;
    size_t n = json_array_size(a);
    if (n < min || n > max) {
        size_t was = enter_key(w, key);
        fail(w, "holds %zu entries; from %zu to %zu are allowed", n, min, max);
        leave(w, was);
        return NULL;
    }
    return a;
}

static json_t *object_at(walk *w, json_t *a, size_t i)
{
    json_t *o = json_array_get(a, i);
    if (!json_is_object(o))
        fail(w, "expected an object, got %s", type_name(o));
    return json_is_object(o) ? o : NULL;
}

/* ---- the model ---------------------------------------------------------- */

static void hub_free(emu_hub *h)
{
    free(h->name);
    for (size_t i = 0; i < h->ngroups; i++)
        free(h->groups[i]);
    free(h->groups);
}

static void rule_free(emu_rule *r)
{
    free(r->name);
    free(r->sql_expression);
    free(r->action);
    for (size_t i = 0; i < EMU_CORRELATION_FIELDS; i++)
        free(r->correlation[i]);
    for (size_t i = 0; i < r->nproperties; i++) {
        free(r->property_keys[i]);
        free(r->property_values[i]);
    }
    free(r->property_keys);
    free(r->property_values);
}

static void sub_free(emu_subscription *s)
{
    free(s->name);
    props_free(&s->props);
    for (size_t i = 0; i < s->nrules; i++)
        rule_free(&s->rules[i]);
    free(s->rules);
}

static void topic_free(emu_topic *t)
{
    free(t->name);
    props_free(&t->props);
    for (size_t i = 0; i < t->nsubs; i++)
        sub_free(&t->subs[i]);
    free(t->subs);
}

void emu_config_init(emu_config *c) { memset(c, 0, sizeof *c); }

void emu_config_free(emu_config *c)
{
    free(c->eh_namespace);
    for (size_t i = 0; i < c->nhubs; i++)
        hub_free(&c->hubs[i]);
    free(c->hubs);
    free(c->sb_namespace);
    for (size_t i = 0; i < c->nqueues; i++) {
        free(c->queues[i].name);
        props_free(&c->queues[i].props);
    }
    free(c->queues);
    for (size_t i = 0; i < c->ntopics; i++)
        topic_free(&c->topics[i]);
    free(c->topics);
    emu_config_init(c);
}

bool emu_config_any(const emu_config *c) { return c->nhubs || c->nqueues || c->ntopics; }

static bool grow(void **items, size_t n, size_t size)
{
    void *p = realloc(*items, (n + 1) * size);
    if (!p)
        return false;
    *items = p;
    memset((char *)p + n * size, 0, size);
    return true;
}

/* Event hub and Service Bus entity names are unique (without case). */
static bool hub_exists(const emu_config *c, const char *name)
{
    for (size_t i = 0; i < c->nhubs; i++)
        if (strcasecmp(c->hubs[i].name, name) == 0)
            return true;
    return false;
}

static bool sb_exists(const emu_config *c, const char *name)
{
    for (size_t i = 0; i < c->nqueues; i++)
        if (strcasecmp(c->queues[i].name, name) == 0)
            return true;
    for (size_t i = 0; i < c->ntopics; i++)
        if (strcasecmp(c->topics[i].name, name) == 0)
            return true;
    return false;
}

/* ---- Event Hubs ---------------------------------------------------------- */

static bool read_hub(walk *w, emu_config *c, json_t *o)
{
    static const char *const keys[] = {"Name", "PartitionCount", "ConsumerGroups", NULL};
    if (!only_keys(w, o, keys))
        return false;
    emu_hub h = {0};
    h.name = name_of(w, o, "Name", false);
    bool ok = h.name && int_in(w, o, "PartitionCount", 1, 32, true, &h.partitions);
    if (ok && hub_exists(c, h.name))
        ok = fail(w, "a second event hub named '%s'", h.name);
    h.groups = ok ? calloc(21, sizeof *h.groups) : NULL;
    if (ok && (!h.groups || !(h.groups[0] = dup("$default"))))
        ok = fail(w, "out of memory");
    if (ok)
        h.ngroups = 1;
    json_t *groups = ok ? array_of(w, o, "ConsumerGroups", 1, 20, false) : NULL;
    ok = ok && !w->failed;
    size_t was = enter_key(w, "ConsumerGroups");
    for (size_t i = 0; ok && groups && i < json_array_size(groups); i++) {
        size_t at = enter_index(w, i);
        json_t *g = object_at(w, groups, i);
        static const char *const gkeys[] = {"Name", NULL};
        char *name = g && only_keys(w, g, gkeys) ? name_of(w, g, "Name", true) : NULL;
        ok = name != NULL;
        for (size_t k = 1; ok && k < h.ngroups; k++)
            if (strcasecmp(h.groups[k], name) == 0)
                ok = fail(w, "a second consumer group named '%s'", name);
        if (ok && strcmp(name, "$default") != 0)
            h.groups[h.ngroups++] = name;
        else
            free(name);
        leave(w, at);
    }
    leave(w, was);
    if (ok && grow((void **)&c->hubs, c->nhubs, sizeof *c->hubs)) {
        c->hubs[c->nhubs++] = h;
        return true;
    }
    hub_free(&h);
    return ok ? fail(w, "out of memory") : false;
}

static bool read_event_hubs(walk *w, emu_config *c, json_t *user)
{
    json_t *nss = array_of(w, user, "NamespaceConfig", 1, 1, true);
    if (!nss)
        return false;
    size_t was = enter_key(w, "NamespaceConfig");
    size_t at = enter_index(w, 0);
    json_t *ns = object_at(w, nss, 0);
    static const char *const keys[] = {"Type", "Name", "Entities", NULL};
    bool ok = ns && only_keys(w, ns, keys);
    json_t *type = ok ? member(w, ns, "Type", JSON_STRING, false) : NULL;
    if (ok && type && strcmp(json_string_value(type), "EventHub") != 0) {
        size_t t = enter_key(w, "Type");
        ok = fail(w, "must be \"EventHub\" (got \"%.40s\")", json_string_value(type));
        leave(w, t);
    }
    ok = ok && !w->failed;
    char *name = ok ? name_of(w, ns, "Name", false) : NULL;
    json_t *entities = name ? array_of(w, ns, "Entities", 1, 10, true) : NULL;
    ok = entities != NULL;
    size_t e = enter_key(w, "Entities");
    for (size_t i = 0; ok && i < json_array_size(entities); i++) {
        size_t ei = enter_index(w, i);
        json_t *o = object_at(w, entities, i);
        ok = o && read_hub(w, c, o);
        leave(w, ei);
    }
    leave(w, e);
    leave(w, at);
    leave(w, was);
    if (ok)
        c->eh_namespace = name;
    else
        free(name);
    return ok;
}

/* ---- Service Bus ---------------------------------------------------------- */

static bool read_rule(walk *w, json_t *o, emu_rule *r)
{
    static const char *const keys[] = {"Name", "Properties", NULL};
    if (!only_keys(w, o, keys) || !(r->name = name_of(w, o, "Name", false)))
        return false;
    json_t *p = member(w, o, "Properties", JSON_OBJECT, true);
    if (!p)
        return false;
    size_t was = enter_key(w, "Properties");
    static const char *const pkeys[] = {"FilterType", "CorrelationFilter", "SqlFilter", "Action", NULL};
    bool ok = only_keys(w, p, pkeys);
    json_t *type = ok ? member(w, p, "FilterType", JSON_STRING, true) : NULL;
    const char *t = type ? json_string_value(type) : "";
    if (type && strcmp(t, "Correlation") != 0 && strcmp(t, "Sql") != 0) {
        size_t k = enter_key(w, "FilterType");
        fail(w, "must be \"Correlation\" or \"Sql\" (got \"%.40s\")", t);
        leave(w, k);
    }
    ok = type && !w->failed;
    r->sql = ok && strcmp(t, "Sql") == 0;
    const char *filter_key = r->sql ? "SqlFilter" : "CorrelationFilter";
    json_t *f = ok ? member(w, p, filter_key, JSON_OBJECT, true) : NULL;
    ok = f != NULL;
    size_t fk = enter_key(w, filter_key);
    if (ok && r->sql) {
        static const char *const skeys[] = {"SqlExpression", NULL};
        json_t *x = only_keys(w, f, skeys) ? member(w, f, "SqlExpression", JSON_STRING, true) : NULL;
        ok = x && (r->sql_expression = dup(json_string_value(x)));
    } else if (ok) {
        static const char *const ckeys[] = {"ContentType", "CorrelationId", "Label", "MessageId", "ReplyTo",
                                            "ReplyToSessionId", "SessionId", "To", "Properties", NULL};
        ok = only_keys(w, f, ckeys);
        for (size_t i = 0; ok && i < EMU_CORRELATION_FIELDS; i++) {
            json_t *x = member(w, f, emu_correlation_fields[i], JSON_STRING, false);
            ok = !w->failed && (!x || (r->correlation[i] = dup(json_string_value(x))));
        }
        json_t *props = ok ? member(w, f, "Properties", JSON_OBJECT, false) : NULL;
        ok = ok && !w->failed;
        size_t n = props ? json_object_size(props) : 0;
        if (ok && n) {
            r->property_keys = calloc(n, sizeof *r->property_keys);
            r->property_values = calloc(n, sizeof *r->property_values);
            ok = r->property_keys && r->property_values;
        }
        const char *key;
        json_t *v;
        size_t pk = enter_key(w, "Properties");
        if (ok && props)
            json_object_foreach(props, key, v)
            {
                if (!ok)
                    break;
                if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v)) {
                    size_t kk = enter_key(w, key);
                    ok = fail(w, "expected a string, number or boolean, got %s", type_name(v));
                    leave(w, kk);
                    break;
                }
                char *text = json_dumps(v, JSON_ENCODE_ANY);
                r->property_keys[r->nproperties] = dup(key);
                r->property_values[r->nproperties] = text;
                r->nproperties++;
                ok = text && r->property_keys[r->nproperties - 1];
            }
        leave(w, pk);
    }
    leave(w, fk);
    json_t *action = ok ? member(w, p, "Action", JSON_OBJECT, false) : NULL;
    ok = ok && !w->failed;
    if (ok && action) {
        size_t ak = enter_key(w, "Action");
        static const char *const akeys[] = {"SqlExpression", NULL};
        json_t *x = only_keys(w, action, akeys) ? member(w, action, "SqlExpression", JSON_STRING, true) : NULL;
        ok = x && (r->action = dup(json_string_value(x)));
        leave(w, ak);
    }
    leave(w, was);
    return ok || (!w->failed && fail(w, "out of memory"));
}

static bool read_subscription(walk *w, json_t *o, emu_subscription *s)
{
    static const char *const keys[] = {"Name", "Properties", "Rules", NULL};
    props_defaults(&s->props);
    if (!only_keys(w, o, keys) || !(s->name = name_of(w, o, "Name", false)) ||
        !props_of(w, o, PROPS_SUBSCRIPTION, &s->props))
        return false;
    json_t *rules = array_of(w, o, "Rules", 0, 1000, false);
    if (w->failed)
        return false;
    size_t n = rules ? json_array_size(rules) : 0;
    s->rules = n ? calloc(n, sizeof *s->rules) : NULL;
    if (n && !s->rules)
        return fail(w, "out of memory");
    size_t was = enter_key(w, "Rules");
    bool ok = true;
    for (size_t i = 0; ok && i < n; i++) {
        size_t at = enter_index(w, i);
        json_t *r = object_at(w, rules, i);
        ok = r && read_rule(w, r, &s->rules[i]);
        s->nrules = i + 1;
        for (size_t k = 0; ok && k < i; k++)
            if (strcasecmp(s->rules[k].name, s->rules[i].name) == 0)
                ok = fail(w, "a second rule named '%s'", s->rules[i].name);
        leave(w, at);
    }
    leave(w, was);
    return ok;
}

static bool read_topic(walk *w, emu_config *c, json_t *o)
{
    static const char *const keys[] = {"Name", "Properties", "Subscriptions", NULL};
    emu_topic t = {0};
    props_defaults(&t.props);
    bool ok = only_keys(w, o, keys) && (t.name = name_of(w, o, "Name", false)) &&
              props_of(w, o, PROPS_TOPIC, &t.props);
    if (ok && sb_exists(c, t.name))
        ok = fail(w, "a second queue or topic named '%s'", t.name);
    json_t *subs = ok ? array_of(w, o, "Subscriptions", 1, 50, true) : NULL;
    ok = subs != NULL;
    size_t n = ok ? json_array_size(subs) : 0;
    t.subs = n ? calloc(n, sizeof *t.subs) : NULL;
    if (ok && !t.subs)
        ok = fail(w, "out of memory");
    size_t was = enter_key(w, "Subscriptions");
    for (size_t i = 0; ok && i < n; i++) {
        size_t at = enter_index(w, i);
        json_t *s = object_at(w, subs, i);
        ok = s && read_subscription(w, s, &t.subs[i]);
        t.nsubs = i + 1;
        for (size_t k = 0; ok && k < i; k++)
            if (strcasecmp(t.subs[k].name, t.subs[i].name) == 0)
                ok = fail(w, "a second subscription named '%s'", t.subs[i].name);
        leave(w, at);
    }
    leave(w, was);
    if (ok && grow((void **)&c->topics, c->ntopics, sizeof *c->topics)) {
        c->topics[c->ntopics++] = t;
        return true;
    }
    topic_free(&t);
    return ok ? fail(w, "out of memory") : false;
}

static bool read_queue(walk *w, emu_config *c, json_t *o)
{
    static const char *const keys[] = {"Name", "Properties", NULL};
    emu_queue q = {0};
    props_defaults(&q.props);
    bool ok = only_keys(w, o, keys) && (q.name = name_of(w, o, "Name", false)) &&
              props_of(w, o, PROPS_QUEUE, &q.props);
    if (ok && sb_exists(c, q.name))
        ok = fail(w, "a second queue or topic named '%s'", q.name);
    if (ok && grow((void **)&c->queues, c->nqueues, sizeof *c->queues)) {
        c->queues[c->nqueues++] = q;
        return true;
    }
    free(q.name);
    props_free(&q.props);
    return ok ? fail(w, "out of memory") : false;
}

static bool read_service_bus(walk *w, emu_config *c, json_t *user)
{
    json_t *nss = array_of(w, user, "Namespaces", 1, 1, true);
    if (!nss)
        return false;
    size_t was = enter_key(w, "Namespaces");
    size_t at = enter_index(w, 0);
    json_t *ns = object_at(w, nss, 0);
    static const char *const keys[] = {"Name", "Queues", "Topics", NULL};
    bool ok = ns && only_keys(w, ns, keys);
    char *name = ok ? name_of(w, ns, "Name", false) : NULL;
    json_t *queues = name ? array_of(w, ns, "Queues", 0, 50, true) : NULL;
    json_t *topics = queues ? array_of(w, ns, "Topics", 0, 50, true) : NULL;
    ok = topics != NULL;
    size_t k = enter_key(w, "Queues");
    for (size_t i = 0; ok && i < json_array_size(queues); i++) {
        size_t qi = enter_index(w, i);
        json_t *o = object_at(w, queues, i);
        ok = o && read_queue(w, c, o);
        leave(w, qi);
    }
    leave(w, k);
    k = enter_key(w, "Topics");
    for (size_t i = 0; ok && i < json_array_size(topics); i++) {
        size_t ti = enter_index(w, i);
        json_t *o = object_at(w, topics, i);
        ok = o && read_topic(w, c, o);
        leave(w, ti);
    }
    leave(w, k);
    leave(w, at);
    leave(w, was);
    if (ok)
        c->sb_namespace = name;
    else
        free(name);
    return ok;
}

/* ---- files ----------------------------------------------------------------- */

/* A copy of text with comments blanked (newlines kept, so jansson's line
 * numbers stay right); strings are left alone. */
static char *strip_comments(const char *text, size_t len)
{
    char *out = malloc(len + 1);
    if (!out)
        return NULL;
    memcpy(out, text, len);
    out[len] = '\0';
    bool in_string = false;
    for (size_t i = 0; i < len; i++) {
        if (in_string) {
            if (out[i] == '\\' && i + 1 < len)
                i++;
            else if (out[i] == '"')
                in_string = false;
        } else if (out[i] == '"') {
            in_string = true;
        } else if (out[i] == '/' && i + 1 < len && out[i + 1] == '/') {
            while (i < len && out[i] != '\n')
                out[i++] = ' ';
        } else if (out[i] == '/' && i + 1 < len && out[i + 1] == '*') {
            out[i++] = ' ';
            out[i] = ' ';
            while (++i < len && !(out[i] == '*' && i + 1 < len && out[i + 1] == '/'))
                if (out[i] != '\n')
                    out[i] = ' ';
            if (i < len)
                out[i++] = ' ';
            if (i < len)
                out[i] = ' ';
        }
    }
    return out;
}

bool emu_config_load_text(emu_config *c, const char *name, const char *text, size_t len, char *why, size_t cap)
{
    walk w = {.file = name, .why = why, .cap = cap};
    w.path[0] = '\0';
    if (cap)
        why[0] = '\0';
    if (len > EMU_MAX_FILE_BYTES)
        return fail(&w, "%zu bytes, more than the %u read", len, (unsigned)EMU_MAX_FILE_BYTES);
    char *clean = strip_comments(text, len);
    if (!clean)
        return fail(&w, "out of memory");
    json_error_t jerr;
    json_t *root = json_loadb(clean, len, JSON_REJECT_DUPLICATES, &jerr);
    free(clean);
    if (!root) {
        snprintf(why, cap, "%s:%d:%d: error: %s", name, jerr.line, jerr.column, jerr.text);
        if (cap)
            one_line(why);
        return false;
    }
    emu_config next = *c; /* the new entities are added to a copy's arrays... */
    size_t nhubs = c->nhubs, nqueues = c->nqueues, ntopics = c->ntopics;
    bool ok = false;
    json_t *user = NULL;
    if (!json_is_object(root)) {
        fail(&w, "the document must be an object with 'UserConfig'");
    } else if (only_keys(&w, root, (const char *const[]){"UserConfig", NULL}) &&
               (user = member(&w, root, "UserConfig", JSON_OBJECT, true))) {
        size_t was = enter_key(&w, "UserConfig");
        bool eh = json_object_get(user, "NamespaceConfig") != NULL;
        static const char *const eh_keys[] = {"NamespaceConfig", "LoggingConfig", NULL};
        static const char *const sb_keys[] = {"Namespaces", "Logging", NULL};
        if (eh && c->eh_namespace)
            fail(&w, "an Event Hubs configuration was given already");
        else if (!eh && c->sb_namespace)
            fail(&w, "a Service Bus configuration was given already");
        else if (!eh && !json_object_get(user, "Namespaces"))
            fail(&w, "neither 'NamespaceConfig' (Event Hubs) nor 'Namespaces' (Service Bus)");
        else if (only_keys(&w, user, eh ? eh_keys : sb_keys))
            ok = eh ? read_event_hubs(&w, &next, user) : read_service_bus(&w, &next, user);
        leave(&w, was);
    }
    json_decref(root);
    if (!ok) {
        /* ...and dropped again on failure: c keeps what it had. */
        emu_config drop = next;
        for (size_t i = nhubs; i < drop.nhubs; i++)
            hub_free(&drop.hubs[i]);
        for (size_t i = nqueues; i < drop.nqueues; i++) {
            free(drop.queues[i].name);
            props_free(&drop.queues[i].props);
        }
        for (size_t i = ntopics; i < drop.ntopics; i++)
            topic_free(&drop.topics[i]);
        c->hubs = drop.hubs; /* realloc may have moved them */
        c->queues = drop.queues;
        c->topics = drop.topics;
        return false;
    }
    *c = next;
    return true;
}

bool emu_config_load_file(emu_config *c, const char *path, char *why, size_t cap)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(why, cap, "%s: error: cannot open: %s", path, strerror(errno));
        return false;
    }
    char *buf = malloc(EMU_MAX_FILE_BYTES + 1);
    size_t n = buf ? fread(buf, 1, EMU_MAX_FILE_BYTES + 1, f) : 0;
    bool read_error = ferror(f);
    fclose(f);
    bool ok = false;
    if (!buf)
        snprintf(why, cap, "%s: error: out of memory", path);
    else if (read_error)
        snprintf(why, cap, "%s: error: cannot read", path);
    else
        ok = emu_config_load_text(c, path, buf, n, why, cap);
    free(buf);
    return ok;
}

/* ---- quick flags ----------------------------------------------------------- */

static bool flag_fail(char *why, size_t cap, const char *fmt, const char *arg)
{
    snprintf(why, cap, fmt, arg);
    return false;
}

static bool ensure_namespace(char **ns, const char *name)
{
    return *ns || (*ns = dup(name));
}

bool emu_config_add_event_hub(emu_config *c, const char *spec, char *why, size_t cap)
{
    char name[NAME_MAX_BYTES + 1];
    const char *colon = strchr(spec, ':');
    size_t n = colon ? (size_t)(colon - spec) : strlen(spec);
    unsigned long partitions = 2;
    if (n > NAME_MAX_BYTES)
        return flag_fail(why, cap, "--event-hub '%.80s': the name is too long", spec);
    memcpy(name, spec, n);
    name[n] = '\0';
    if (colon) {
        char *end;
        errno = 0;
        partitions = strtoul(colon + 1, &end, 10);
        if (!isdigit((unsigned char)colon[1]) || *end || errno || partitions < 1 || partitions > 32)
            return flag_fail(why, cap, "--event-hub '%.80s': PARTITIONS must be 1 to 32", spec);
    }
    if (!entity_name_ok(name))
        return flag_fail(why, cap, "--event-hub '%.80s': not a valid event hub name", spec);
    if (hub_exists(c, name))
        return flag_fail(why, cap, "--event-hub '%.80s': a second event hub of that name", spec);
    emu_hub h = {.name = dup(name), .partitions = (uint32_t)partitions, .groups = calloc(1, sizeof(char *))};
    if (!h.name || !h.groups || !(h.groups[0] = dup("$default")) || !ensure_namespace(&c->eh_namespace, "emulatorNs1") ||
        !grow((void **)&c->hubs, c->nhubs, sizeof *c->hubs)) {
        hub_free(&h);
        return flag_fail(why, cap, "--event-hub '%.80s': out of memory", spec);
    }
    h.ngroups = 1;
    c->hubs[c->nhubs++] = h;
    return true;
}

bool emu_config_add_sb_queue(emu_config *c, const char *name, char *why, size_t cap)
{
    if (!entity_name_ok(name))
        return flag_fail(why, cap, "--sb-queue '%.80s': not a valid queue name", name);
    if (sb_exists(c, name))
        return flag_fail(why, cap, "--sb-queue '%.80s': a second queue or topic of that name", name);
    emu_queue q = {.name = dup(name)};
    props_defaults(&q.props);
    if (!q.name || !ensure_namespace(&c->sb_namespace, "sbemulatorns") ||
        !grow((void **)&c->queues, c->nqueues, sizeof *c->queues)) {
        free(q.name);
        return flag_fail(why, cap, "--sb-queue '%.80s': out of memory", name);
    }
    c->queues[c->nqueues++] = q;
    return true;
}

bool emu_config_add_sb_topic(emu_config *c, const char *spec, char *why, size_t cap)
{
    const char *colon = strchr(spec, ':');
    if (!colon || !colon[1])
        return flag_fail(why, cap, "--sb-topic '%.80s': give NAME:SUBSCRIPTION[,SUBSCRIPTION...]", spec);
    char *copy = dup(spec);
    if (!copy)
        return flag_fail(why, cap, "--sb-topic '%.80s': out of memory", spec);
    copy[colon - spec] = '\0';
    emu_topic t = {0};
    props_defaults(&t.props);
    bool ok = entity_name_ok(copy) && !sb_exists(c, copy);
    if (!ok)
        flag_fail(why, cap, "--sb-topic '%.80s': not a valid topic name, or a second queue or topic of that name",
                  spec);
    t.name = ok ? dup(copy) : NULL;
    for (char *s = copy + (colon - spec) + 1, *save = NULL, *sub; ok && (sub = strtok_r(s, ",", &save)); s = NULL) {
        ok = entity_name_ok(sub) && t.nsubs < 50;
        for (size_t k = 0; ok && k < t.nsubs; k++)
            ok = strcasecmp(t.subs[k].name, sub) != 0;
        if (!ok) {
            flag_fail(why, cap, "--sb-topic '%.80s': a subscription name is not valid, repeated, or one of more than 50",
                      spec);
            break;
        }
        ok = grow((void **)&t.subs, t.nsubs, sizeof *t.subs) && (t.subs[t.nsubs].name = dup(sub));
        if (ok)
            props_defaults(&t.subs[t.nsubs++].props);
        else
            flag_fail(why, cap, "--sb-topic '%.80s': out of memory", spec);
    }
    if (ok && !t.nsubs)
        ok = flag_fail(why, cap, "--sb-topic '%.80s': no subscription", spec);
    if (ok && (!ensure_namespace(&c->sb_namespace, "sbemulatorns") ||
               !grow((void **)&c->topics, c->ntopics, sizeof *c->topics)))
        ok = flag_fail(why, cap, "--sb-topic '%.80s': out of memory", spec);
    free(copy);
    if (!ok) {
        topic_free(&t);
        return false;
    }
    c->topics[c->ntopics++] = t;
    return true;
}

/* ---- --check-config ------------------------------------------------------- */

static void print_ms(FILE *f, const char *what, uint64_t ms)
{
    if (ms % 1000)
        fprintf(f, "%s %llu ms", what, (unsigned long long)ms);
    else
        fprintf(f, "%s %llu s", what, (unsigned long long)(ms / 1000));
}

static void print_props(FILE *f, const emu_sb_props *p, bool topic)
{
    print_ms(f, "ttl", p->default_ttl_ms);
    if (!topic) {
        print_ms(f, ", lock", p->lock_duration_ms);
        fprintf(f, ", max deliveries %u, sessions %s, dead-letter on expiry %s", p->max_delivery_count,
                p->requires_session ? "yes" : "no", p->dead_lettering_on_expiration ? "yes" : "no");
        if (p->forward_to && *p->forward_to)
            fprintf(f, ", forward to '%s'", p->forward_to);
        if (p->forward_dead_lettered_to && *p->forward_dead_lettered_to)
            fprintf(f, ", dead letters to '%s'", p->forward_dead_lettered_to);
    }
    fprintf(f, ", duplicate detection %s", p->requires_duplicate_detection ? "yes" : "no");
    if (p->requires_duplicate_detection)
        print_ms(f, " over", p->duplicate_window_ms);
}

void emu_config_print(FILE *f, const emu_config *c)
{
    if (c->eh_namespace)
        fprintf(f, "event hubs namespace '%s'\n", c->eh_namespace);
    for (size_t i = 0; i < c->nhubs; i++) {
        fprintf(f, "  event hub '%s': %u partition%s; consumer groups", c->hubs[i].name, c->hubs[i].partitions,
                c->hubs[i].partitions == 1 ? "" : "s");
        for (size_t k = 0; k < c->hubs[i].ngroups; k++)
            fprintf(f, "%s %s", k ? "," : "", c->hubs[i].groups[k]);
        fputc('\n', f);
    }
    if (c->sb_namespace)
        fprintf(f, "service bus namespace '%s'\n", c->sb_namespace);
    for (size_t i = 0; i < c->nqueues; i++) {
        fprintf(f, "  queue '%s': ", c->queues[i].name);
        print_props(f, &c->queues[i].props, false);
        fputc('\n', f);
    }
    for (size_t i = 0; i < c->ntopics; i++) {
        const emu_topic *t = &c->topics[i];
        fprintf(f, "  topic '%s': ", t->name);
        print_props(f, &t->props, true);
        fputc('\n', f);
        for (size_t k = 0; k < t->nsubs; k++) {
            fprintf(f, "    subscription '%s': ", t->subs[k].name);
            print_props(f, &t->subs[k].props, false);
            for (size_t r = 0; r < t->subs[k].nrules; r++) {
                const emu_rule *ru = &t->subs[k].rules[r];
                fprintf(f, "%s rule '%s' (", r ? ";" : ";", ru->name);
                if (ru->sql) {
                    fprintf(f, "sql: %s", ru->sql_expression);
                } else {
                    bool first = true;
                    fprintf(f, "correlation:");
                    for (size_t x = 0; x < EMU_CORRELATION_FIELDS; x++)
                        if (ru->correlation[x]) {
                            fprintf(f, "%s %s=%s", first ? "" : ",", emu_correlation_fields[x], ru->correlation[x]);
                            first = false;
                        }
                    for (size_t x = 0; x < ru->nproperties; x++) {
                        fprintf(f, "%s %s=%s", first ? "" : ",", ru->property_keys[x], ru->property_values[x]);
                        first = false;
                    }
                }
                if (ru->action)
                    fprintf(f, "; action: %s", ru->action);
                fputc(')', f);
            }
            fputc('\n', f);
        }
    }
}
