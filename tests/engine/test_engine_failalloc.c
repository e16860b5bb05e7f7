/* Allocation-failure injection: a full connection (SASL PLAIN, open,
 * session, attach, 100 unsettled transfers, some split into several
 * frames, with dispositions of every outcome, detach, end, close) is run once cleanly to count the allocations of each side, then
 * once per allocation with exactly that one failing, on the client and on
 * the server separately.  Every run must end in a clean error on the side
 * that failed (amqp:internal-error "out of memory", or famqp_connection_new
 * returning FAMQP_ENGINE_ERR_NOMEM), never a crash, and free every block. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define TRANSFERS 100

typedef struct run {
    bool created;          /* both connections were created */
    famqp_engine_status client_new, server_new; /* what famqp_connection_new returned */
    bool client_failed, server_failed;
    char client_cond[64], server_cond[64];
    char client_desc[128], server_desc[128];
    size_t received, outcomes;
} run;

static bool check_guest(void *ctx, famqp_string authzid, famqp_string user, famqp_string pass)
{
    (void)ctx;
    (void)authzid;
    return user.len == 5 && memcmp(user.ptr, "guest", 5) == 0 && pass.len == 6 && memcmp(pass.ptr, "secret", 6) == 0;
}

static void record(famqp_connection *c, bool *failed, char *cond, size_t cc, char *desc, size_t dc)
{
    *failed = famqp_connection_failed(c);
    famqp_condition k = famqp_connection_condition(c);
    snprintf(cond, cc, "%s", *failed && k.name ? k.name : "");
    snprintf(desc, dc, "%s", *failed && k.description ? k.description : "");
}

static void scenario(counting *ccnt, counting *scnt, run *r)
{
    memset(r, 0, sizeof *r);
    famqp_connection_options co, so;
    harness_client_options(&co);
    harness_server_options(&so);
    co.alloc = counting_allocator(ccnt);
    so.alloc = counting_allocator(scnt);
    co.trace = so.trace = 0;
    co.sasl_mechanisms = FAMQP_SASL_PLAIN;
    co.sasl_username = "guest";
    co.sasl_password = "secret";
    so.sasl_mechanisms = FAMQP_SASL_PLAIN | FAMQP_SASL_ANONYMOUS;
    so.sasl_check = check_guest;
    co.max_frame_size = so.max_frame_size = 512; /* big messages take several frames */
    famqp_connection *c, *s;
    r->client_new = famqp_connection_new(&co, &c);
    r->server_new = famqp_connection_new(&so, &s);
    if (!c || !s) {
        famqp_connection_free(c);
        famqp_connection_free(s);
        return;
    }
    r->created = true;
    pair *p = calloc(1, sizeof *p);
    ck_assert_ptr_nonnull(p);
    p->a.c = c;
    p->b.c = s;
    p->a.name = "client";
    p->b.name = "server";
    p->a.answer = p->b.answer = true;
    famqp_link_options_init(&p->b.answer_opts);
    p->b.answer_opts.credit_window = 20; /* several credit flows on the way */
    p->b.on_delivery = DELIV_ACCEPT;
    p->rng = 1;

    famqp_connection_open(c);
    famqp_session *ses;
    famqp_session_new(c, &ses);
    if (ses)
        famqp_session_open(ses);
    famqp_link *l = NULL;
    if (ses)
        famqp_link_new(ses, "q", FAMQP_LINK_SENDER, NULL, &l);
    if (l)
        famqp_link_open(l);
    pair_pump(p);
    /* batches of ten share an outcome (dispositions go out as ranges);
     * rejections carry an error condition */
    static const enum on_delivery outcomes[] = {DELIV_ACCEPT, DELIV_REJECT, DELIV_RELEASE, DELIV_MODIFY};
    static uint8_t body[3000];
    for (uint32_t i = 0; l && i < TRANSFERS && !famqp_connection_failed(c) && !famqp_connection_failed(s); i++) {
        for (int tries = 0; famqp_link_credit(l) == 0 && tries < 10; tries++)
            pair_pump(p);
        p->b.on_delivery = outcomes[(i / 10) % 4];
        memset(body, (int)i, sizeof body);
        size_t len = i % 10 == 3 ? sizeof body : 64; /* one in ten is split into frames */
        if (famqp_link_send(l, famqp_binary_of(&i, 4), body, len, false, NULL) != FAMQP_ENGINE_OK)
            break;
        if (i % 10 == 9)
            pair_pump(p);
    }
    pair_pump(p);
    r->received = p->b.nrecv;
    for (int k = 0; k <= FAMQP_OUTCOME_DECLARED; k++)
        r->outcomes += p->a.outcome[k];
    if (p->a.outcome[FAMQP_OUTCOME_REJECTED] == 0 || p->a.outcome[FAMQP_OUTCOME_MODIFIED] == 0)
        r->outcomes = 0; /* every kind must have been seen */
    /* detach and end from the client, answered by the server */
    if (l)
        famqp_link_close(l, NULL, NULL);
    pair_pump(p);
    if (p->b.last_link)
        famqp_link_close(p->b.last_link, NULL, NULL);
    if (ses)
        famqp_session_close(ses, NULL, NULL);
    pair_pump(p);
    if (p->b.last_session)
        famqp_session_close(p->b.last_session, NULL, NULL);
    famqp_connection_close(c, NULL, NULL);
    pair_pump(p);
    famqp_connection_close(s, NULL, NULL);
    pair_pump(p);
    record(c, &r->client_failed, r->client_cond, sizeof r->client_cond, r->client_desc, sizeof r->client_desc);
    record(s, &r->server_failed, r->server_cond, sizeof r->server_cond, r->server_desc, sizeof r->server_desc);
    famqp_connection_free(c);
    famqp_connection_free(s);
    free(p);
}

/* Fails allocation i of one side (client or server) for every i. */
static long inject_all(bool client_side, long total)
{
    long covered = 0;
    for (long i = 1; i <= total; i++) {
        counting cc = {0, 0, client_side ? i : 0};
        counting sc = {0, 0, client_side ? 0 : i};
        run r;
        scenario(&cc, &sc, &r);
        const char *side = client_side ? "client" : "server";
        REQUIRE(cc.live == 0 && sc.live == 0, "%s allocation %ld of %ld: %ld client and %ld server blocks leaked", side,
                i, total, cc.live, sc.live);
        counting *hit = client_side ? &cc : &sc;
        REQUIRE(hit->calls >= i, "%s allocation %ld of %ld never happened (%ld calls): the scenario is not repeatable",
                side, i, total, hit->calls);
        /* A connection that could not be created says why: out of memory,
         * never a bad argument (the options are valid), and no object. */
        famqp_engine_status created_st = client_side ? r.client_new : r.server_new;
        REQUIRE(r.created || created_st == FAMQP_ENGINE_ERR_NOMEM,
                "%s allocation %ld of %ld: famqp_connection_new returned %s, not ERR_NOMEM", side, i, total,
                famqp_engine_status_name(created_st));
        if (r.created) {
            bool failed = client_side ? r.client_failed : r.server_failed;
            const char *cond = client_side ? r.client_cond : r.server_cond;
            const char *desc = client_side ? r.client_desc : r.server_desc;
            REQUIRE(failed, "%s allocation %ld of %ld failed but the connection did not report it", side, i, total);
            REQUIRE(strcmp(cond, "amqp:internal-error") == 0 && strstr(desc, "out of memory"),
                    "%s allocation %ld of %ld: unexpected error %s: %s", side, i, total, cond, desc);
        }
        covered++;
    }
    return covered;
}

START_TEST(test_every_allocation_fails_once)
{
    counting cc = {0, 0, 0}, sc = {0, 0, 0};
    run r;
    scenario(&cc, &sc, &r);
    /* the clean run did all of it */
    ck_assert(r.created);
    ck_assert_msg(!r.client_failed && !r.server_failed, "clean run failed: %s %s / %s %s", r.client_cond, r.client_desc,
                  r.server_cond, r.server_desc);
    ck_assert_uint_eq(r.received, TRANSFERS);
    ck_assert_uint_eq(r.outcomes, TRANSFERS);
    ck_assert_int_eq(cc.live, 0);
    ck_assert_int_eq(sc.live, 0);
    ck_assert_int_gt(cc.calls, 10);
    ck_assert_int_gt(sc.calls, 10);
    long client_points = inject_all(true, cc.calls);
    long server_points = inject_all(false, sc.calls);
    printf("allocation-failure injection: %ld allocation points covered (%ld client, %ld server); every run ended in "
           "a clean error with no leaks\n",
           client_points + server_points, client_points, server_points);
    fflush(stdout);
}
END_TEST

Suite *engine_failalloc_suite(void);
Suite *engine_failalloc_suite(void)
{
    Suite *s = suite_create("engine_failalloc");
    TCase *tc = tcase_create("failalloc");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_every_allocation_fails_once);
    suite_add_tcase(s, tc);
    return s;
}
