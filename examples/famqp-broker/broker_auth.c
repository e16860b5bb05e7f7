/* famqp-broker: SASL PLAIN checked against --user/--password without
 * leaking by its timing (CRYPTO_memcmp over the full length), an authzid
 * naming anyone but the user refused (unless --allow-authzid), and
 * guessing slowed: each source address (a bounded table, AUTH_ADDRS
 * entries, the oldest reused) waits AUTH_STEP_MS, doubled per failed
 * attempt up to AUTH_MAX_STEP_MS, between its connections' handshakes
 * (connections queue behind each other, so opening many at once does not
 * help), and no more than --max-auth-rate attempts a second are checked
 * across all addresses. */
#define _POSIX_C_SOURCE 200809L

#include <openssl/crypto.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "broker.h"

enum {
    AUTH_ADDRS = 4096,        /* addresses remembered (about 300 KiB) */
    AUTH_ADDR_MAX = 64,       /* "[v6 address]" fits */
    AUTH_STEP_MS = 100,       /* the wait after the first failure */
    AUTH_MAX_STEP_MS = 10000, /* the longest wait per attempt */
    AUTH_MAX_QUEUE_MS = 60000 /* connections that would wait longer are closed */
};

typedef struct auth_entry {
    char addr[AUTH_ADDR_MAX];
    uint32_t failures;
    uint64_t next_ms; /* the earliest time the next connection's handshake is read */
    uint64_t used_ms; /* last seen */
} auth_entry;

struct auth_guard {
    pthread_mutex_t mu;
    auth_entry e[AUTH_ADDRS];
    uint64_t second;   /* of the global count */
    uint32_t attempts; /* PLAIN checks in that second */
};

bool auth_guard_init(broker *b)
{
    b->auth = calloc(1, sizeof *b->auth);
    if (!b->auth || pthread_mutex_init(&b->auth->mu, NULL) != 0) {
        free(b->auth);
        b->auth = NULL;
        return false;
    }
    return true;
}

void auth_guard_free(broker *b)
{
    if (!b->auth)
        return;
    pthread_mutex_destroy(&b->auth->mu);
    free(b->auth);
    b->auth = NULL;
}

/* The host part of "HOST:PORT" / "[V6]:PORT". */
static void peer_host(const char *peer, char out[AUTH_ADDR_MAX])
{
    const char *colon = strrchr(peer, ':');
    size_t n = colon ? (size_t)(colon - peer) : strlen(peer);
    if (n >= AUTH_ADDR_MAX)
        n = AUTH_ADDR_MAX - 1;
    memcpy(out, peer, n);
    out[n] = '\0';
}

/* mu held: addr's entry (made, reusing the least recently used, when
 * create). */
static auth_entry *entry_for(struct auth_guard *g, const char *addr, bool create, uint64_t now)
{
    auth_entry *oldest = &g->e[0];
    for (size_t i = 0; i < AUTH_ADDRS; i++) {
        auth_entry *e = &g->e[i];
        if (e->addr[0] && strcmp(e->addr, addr) == 0) {
            e->used_ms = now;
            return e;
        }
        if (!e->addr[0] || e->used_ms < oldest->used_ms)
            oldest = e;
        if (!e->addr[0])
            break;
    }
    if (!create)
        return NULL;
    memset(oldest, 0, sizeof *oldest);
    strcpy(oldest->addr, addr);
    oldest->used_ms = now;
    return oldest;
}

uint64_t auth_wait_ms(broker *b, const char *peer)
{
    if (!b->auth)
        return 0;
    char addr[AUTH_ADDR_MAX];
    peer_host(peer, addr);
    uint64_t now = famqp_io_now_ms();
    uint64_t wait = 0;
    pthread_mutex_lock(&b->auth->mu);
    auth_entry *e = entry_for(b->auth, addr, false, now);
    if (e && e->failures) {
        uint32_t shift = e->failures - 1 < 16 ? e->failures - 1 : 16;
        uint64_t step = (uint64_t)AUTH_STEP_MS << shift;
        if (step > AUTH_MAX_STEP_MS)
            step = AUTH_MAX_STEP_MS;
        uint64_t start = e->next_ms > now ? e->next_ms : now;
        wait = start - now;
        if (wait + step > AUTH_MAX_QUEUE_MS)
            wait = UINT64_MAX;
        else
            e->next_ms = start + step;
        if (b->cfg.verbose && wait != UINT64_MAX)
            peer_log("%s: %u failed logins: its handshake waits %llu ms (then %llu ms per attempt)", addr,
                     (unsigned)e->failures, (unsigned long long)wait, (unsigned long long)step);
    }
    pthread_mutex_unlock(&b->auth->mu);
    return wait;
}

static void auth_result(broker *b, const char *peer, bool ok)
{
    char addr[AUTH_ADDR_MAX];
    peer_host(peer, addr);
    uint64_t now = famqp_io_now_ms();
    pthread_mutex_lock(&b->auth->mu);
    auth_entry *e = entry_for(b->auth, addr, !ok, now);
    if (e) {
        if (ok)
            e->failures = 0;
        else if (e->failures < UINT32_MAX)
            e->failures++;
    }
    pthread_mutex_unlock(&b->auth->mu);
}

/* Equal in time that depends on the lengths only. */
static bool secret_eq(famqp_string s, const char *z)
{
    size_t n = strlen(z);
    if (s.len != n)
        return false;
    return n == 0 || CRYPTO_memcmp(s.ptr, z, n) == 0;
}

bool auth_check_plain(void *ctx, famqp_string authzid, famqp_string user, famqp_string password)
{
    client *cl = ctx;
    broker *b = cl->w->b;
    const char *peer = famqp_io_peer(cl->io);
    uint64_t s = famqp_io_now_ms() / 1000;
    pthread_mutex_lock(&b->auth->mu);
    if (s != b->auth->second) {
        b->auth->second = s;
        b->auth->attempts = 0;
    }
    bool over = b->auth->attempts >= b->cfg.max_auth_rate;
    if (!over)
        b->auth->attempts++;
    pthread_mutex_unlock(&b->auth->mu);
    if (over) {
        peer_log("%s: login refused unchecked: more than %u attempts this second (--max-auth-rate)", peer,
                 (unsigned)b->cfg.max_auth_rate);
        return false;
    }
    /* Both compared whatever the first says, so the time does not tell
     * which was wrong. */
    bool user_ok = secret_eq(user, b->cfg.user);
    bool pass_ok = secret_eq(password, b->cfg.password);
    bool ok = user_ok && pass_ok;
    auth_result(b, peer, ok);
    if (!ok) {
        peer_log("%s: login failed (wrong user name or password)", peer);
        return false;
    }
    if (authzid.len && !b->cfg.allow_authzid &&
        !(authzid.len == user.len && memcmp(authzid.ptr, user.ptr, user.len) == 0)) {
        peer_log("%s: login refused: the PLAIN authzid (%zu bytes) names another identity than the user "
                 "(--allow-authzid accepts it)",
                 peer, authzid.len);
        return false;
    }
    return true;
}
