// famqp-broker as a Service Bus emulator, driven by Microsoft's own SDK
// (@azure/service-bus, pinned by tests/interop/servicebus/package-lock.json
// and installed there) with the emulator's connection string
// (UseDevelopmentEmulator=true).  The broker serves servicebus.json:
// queues orders (defaults: lock 1 min, MaxDeliveryCount 3), short-lock
// (lock 2 s, MaxDeliveryCount 2), carts (sessions), carts-short (sessions,
// lock 2 s), ttl (1 s, dead-lettered
// on expiry), dedup (duplicate detection, 2 s window), inbox (forwards to
// outbox), fragile (MaxDeliveryCount 1, dead letters forwarded to graveyard); topic events with subscriptions audit and billing; topic
// filtered with subscriptions all, eu, orders (correlation filters) and none
// (SQL 1=0).
// usage: node servicebus_sdk.js PORT SCENARIO
//   complete            peek-lock receive, body/properties/annotations, complete: gone
//   subscribe           the streaming receiver (subscribe, auto-complete, auto lock renewal)
//   abandon             abandon: redelivered with delivery count + 1 and the property set
//   dead_letter         dead-letter with reason and description: in orders/$deadletterqueue
//   defer               defer (a 100 KB message), then receiveDeferredMessages by sequence number (state
//                       deferred), abandon (deferred again, count + 1), complete
//   renew_lock          renewMessageLock keeps a message past LockDuration
//   lock_expiry         an unsettled lock expires: redelivered, count + 1; the late complete fails
//   max_delivery        MaxDeliveryCount abandons dead-letter it (MaxDeliveryCountExceeded)
//   peek                peekMessages sees messages (one of 60 KB) without locking them
//   receive_and_delete  receiveAndDelete: gone once received
//   topic               a topic with two subscriptions: each gets every message
//   rules               topic filtered: correlation filters (application properties,
//                       label, content type and message id) and a false SQL filter
//   sessions            two sessions, each received in order by its own receiver; session state
//   session_lock        a session lock not renewed ends after LockDuration: the receiver
//                       fails with SessionLockLost, another receiver gets the session
//   scheduled           scheduleMessages: not visible before the time, then received; cancel
//   ttl                 an expired message goes to the dead-letter queue (TTLExpiredException)
//   forward             ForwardTo (inbox to outbox) and ForwardDeadLetteredMessagesTo
//                       (fragile's dead letters to graveyard)
//   duplicates          duplicate detection: a message id seen within the window is dropped
//   wrong_key           a wrong SharedAccessKey: UnauthorizedError
// Prints "ok SCENARIO: ..." and exits 0, or "FAILED: ..." and exits 1.
"use strict";
const path = require("path");
const sb = require(path.join(__dirname, "..", "..", "interop", "servicebus", "node_modules", "@azure", "service-bus"));

const [port, scenario] = process.argv.slice(2);
const noRetry = { retryOptions: { maxRetries: 0, timeoutInMs: 10000 } };
const noRenew = { maxAutoLockRenewalDurationInMs: 0 };

function cs(key = "SAS_KEY_VALUE") {
    return `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=RootManageSharedAccessKey;` +
        `SharedAccessKey=${key};UseDevelopmentEmulator=true`;
}

function check(cond, what) {
    if (!cond) throw new Error(what);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Receives exactly n messages (within a few tries).
async function receiveN(receiver, n, waitMs = 3000) {
    const got = [];
    for (let tries = 0; got.length < n && tries < 10; tries++)
        got.push(...(await receiver.receiveMessages(n - got.length, { maxWaitTimeInMs: waitMs })));
    check(got.length === n, `received ${got.length} messages, not ${n}`);
    return got;
}

async function nothingLeft(receiver, what) {
    const more = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    check(more.length === 0, `${what}: a message is still there: ${more.length && JSON.stringify(more[0].body)}`);
}

const scenarios = {
    async complete(c) {
        const s = c.createSender("orders");
        await s.sendMessages({ body: { id: 1 }, messageId: "m-1", subject: "order", applicationProperties: { region: "eu" } });
        const r = c.createReceiver("orders", noRenew);
        const [m] = await receiveN(r, 1);
        check(m.body.id === 1 && m.messageId === "m-1" && m.subject === "order", "body or properties changed: " + JSON.stringify(m.body));
        check(m.applicationProperties.region === "eu", "application property lost");
        check(m.deliveryCount === 0, "delivery count " + m.deliveryCount);
        check(typeof m.lockToken === "string" && /^[0-9a-f-]{36}$/.test(m.lockToken), "lock token " + m.lockToken);
        check(m.sequenceNumber && m.sequenceNumber.toNumber() === 1, "sequence number " + m.sequenceNumber);
        check(m.enqueuedTimeUtc && Math.abs(m.enqueuedTimeUtc.getTime() - Date.now()) < 60000, "enqueued time " + m.enqueuedTimeUtc);
        check(m.lockedUntilUtc && m.lockedUntilUtc.getTime() > Date.now() + 50000, "locked until " + m.lockedUntilUtc);
        await r.completeMessage(m);
        await nothingLeft(r, "after complete");
        return `completed sequence number 1, lock token ${m.lockToken}`;
    },
    async subscribe(c) {
        await c.createSender("orders").sendMessages([1, 2, 3, 4, 5].map((i) => ({ body: i })));
        const r = c.createReceiver("orders");
        const got = [];
        let failed = null;
        await new Promise((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error("subscribe got " + got.join())), 15000);
            const sub = r.subscribe({
                async processMessage(m) {
                    got.push(m.body);
                    if (got.length === 5) { clearTimeout(timer); await sleep(300); sub.close().then(resolve, reject); }
                },
                async processError(args) { failed = args.error; },
            }, { autoCompleteMessages: true, maxConcurrentCalls: 1 });
        });
        check(!failed, "processError: " + failed);
        check(got.join() === "1,2,3,4,5", "subscribe got " + got.join());
        await r.close();
        await nothingLeft(c.createReceiver("orders", noRenew), "after auto-complete");
        return "5 messages through subscribe(), auto-completed";
    },
    async abandon(c) {
        await c.createSender("orders").sendMessages({ body: "again" });
        const r = c.createReceiver("orders", noRenew);
        const [m] = await receiveN(r, 1);
        await r.abandonMessage(m, { "x-why": "retry" });
        const [m2] = await receiveN(r, 1);
        check(m2.body === "again" && m2.deliveryCount === 1, `redelivered with count ${m2.deliveryCount}`);
        check(m2.applicationProperties && m2.applicationProperties["x-why"] === "retry", "property to modify not set");
        check(m2.lockToken !== m.lockToken, "the same lock token twice");
        await r.completeMessage(m2);
        return "abandoned, redelivered with delivery count 1 and x-why=retry";
    },
    async dead_letter(c) {
        await c.createSender("orders").sendMessages({ body: "poison", messageId: "p-1" });
        const r = c.createReceiver("orders", noRenew);
        const [m] = await receiveN(r, 1);
        await r.deadLetterMessage(m, { deadLetterReason: "bad-format", deadLetterErrorDescription: "could not parse" });
        await nothingLeft(r, "after dead-letter");
        const dlq = c.createReceiver("orders", { subQueueType: "deadLetter", ...noRenew });
        const [d] = await receiveN(dlq, 1);
        check(d.body === "poison" && d.messageId === "p-1", "dead-lettered message changed");
        check(d.deadLetterReason === "bad-format" && d.deadLetterErrorDescription === "could not parse",
            `reason ${d.deadLetterReason} / ${d.deadLetterErrorDescription}`);
        await dlq.completeMessage(d);
        await nothingLeft(dlq, "dead-letter queue after complete");
        return "found in orders/$deadletterqueue with its reason and description";
    },
    async defer(c) {
        const later = "later:" + "x".repeat(100000); // larger than one small $management response
        await c.createSender("orders").sendMessages([{ body: later }, { body: "now" }]);
        const r = c.createReceiver("orders", noRenew);
        const [a, b] = await receiveN(r, 2);
        check(a.body === later && b.body === "now", "order");
        const seq = a.sequenceNumber;
        await r.deferMessage(a);
        await r.completeMessage(b);
        await nothingLeft(r, "after defer");
        const [d] = await r.receiveDeferredMessages(seq);
        check(d && d.body === later && d.sequenceNumber.equals(seq), "deferred message not received by sequence number");
        check(typeof d.lockToken === "string" && d.lockedUntilUtc.getTime() > Date.now(), "deferred message not locked");
        check(d.state === "deferred", "state " + d.state);
        await r.abandonMessage(d); // a deferred message abandoned stays deferred
        await nothingLeft(r, "after abandoning the deferred message");
        const [d2] = await r.receiveDeferredMessages(seq);
        check(d2 && d2.deliveryCount === 1, "deferred again with delivery count " + (d2 && d2.deliveryCount));
        await r.completeMessage(d2);
        let gone = false;
        try { await r.receiveDeferredMessages(seq); } catch (e) { gone = true; }
        check(gone, "a completed deferred message was received again");
        return `deferred sequence number ${seq}, received by it, abandoned (deferred again, count 1), completed`;
    },
    async renew_lock(c) {
        await c.createSender("short-lock").sendMessages({ body: "long job" });
        const r = c.createReceiver("short-lock", noRenew);
        const [m] = await receiveN(r, 1);
        const first = m.lockedUntilUtc.getTime();
        for (let i = 0; i < 3; i++) {
            await sleep(1200);
            const until = await r.renewMessageLock(m);
            check(until.getTime() > Date.now() + 1000, "renewed lock ends " + until.toISOString());
        }
        check(Date.now() > first + 1000, "did not outlive the first lock");
        await r.completeMessage(m);
        await nothingLeft(r, "after completing past LockDuration");
        return "kept 3.6 s past a 2 s LockDuration by 3 renewals, then completed";
    },
    async lock_expiry(c) {
        await c.createSender("short-lock").sendMessages({ body: "slow" });
        const r = c.createReceiver("short-lock", noRenew);
        const [m] = await receiveN(r, 1);
        await sleep(2600);
        const [m2] = await receiveN(r, 1, 5000);
        check(m2.body === "slow" && m2.deliveryCount === 1, "redelivered with count " + m2.deliveryCount);
        let lost = null;
        try { await r.completeMessage(m); } catch (e) { lost = e; }
        check(lost && lost.code === "MessageLockLost", "completing the expired lock: " + (lost ? lost.code : "no error"));
        await r.completeMessage(m2);
        return "the lock expired after 2 s: redelivered with delivery count 1; the late complete failed with MessageLockLost";
    },
    async max_delivery(c) {
        await c.createSender("short-lock").sendMessages({ body: "never works", messageId: "x" });
        const r = c.createReceiver("short-lock", noRenew);
        for (let i = 0; i < 2; i++) {
            const [m] = await receiveN(r, 1);
            check(m.deliveryCount === i, "delivery count " + m.deliveryCount);
            await r.abandonMessage(m);
        }
        await nothingLeft(r, "after MaxDeliveryCount abandons");
        const dlq = c.createReceiver("short-lock", { subQueueType: "deadLetter", ...noRenew });
        const [d] = await receiveN(dlq, 1);
        check(d.messageId === "x" && d.deadLetterReason === "MaxDeliveryCountExceeded", "reason " + d.deadLetterReason);
        await dlq.completeMessage(d);
        return "dead-lettered after 2 deliveries: " + d.deadLetterReason + " (" + d.deadLetterErrorDescription + ")";
    },
    async peek(c) {
        const big = "p3:" + "y".repeat(60000);
        await c.createSender("orders").sendMessages([{ body: "p1" }, { body: "p2" }, { body: big }]);
        const r = c.createReceiver("orders", noRenew);
        const peeked = await r.peekMessages(3);
        check(peeked.length === 3 && peeked.map((m) => m.body).join() === ["p1", "p2", big].join(),
            "peeked " + peeked.length + " messages");
        check(peeked.every((m) => !m.lockToken), "peeked messages locked");
        const more = await r.peekMessages(3);
        check(more.length === 0, "a second peek saw " + more.length);
        const got = await receiveN(r, 3);
        check(got.map((m) => m.body).join() === ["p1", "p2", big].join() && got.every((m) => m.deliveryCount === 0),
            "peek locked or counted");
        for (const m of got) await r.completeMessage(m);
        return "peeked 3 messages, all still there to receive";
    },
    async receive_and_delete(c) {
        await c.createSender("orders").sendMessages([{ body: "a" }, { body: "b" }]);
        const r = c.createReceiver("orders", { receiveMode: "receiveAndDelete" });
        const got = await receiveN(r, 2);
        check(got.map((m) => m.body).join() === "a,b", "bodies");
        check(got.every((m) => m.lockToken === undefined), "lock token in receiveAndDelete");
        await nothingLeft(c.createReceiver("orders", noRenew), "after receiveAndDelete");
        return "2 messages received and gone";
    },
    async topic(c) {
        await c.createSender("events").sendMessages([1, 2, 3, 4, 5].map((i) => ({ body: i })));
        for (const sub of ["audit", "billing"]) {
            const r = c.createReceiver("events", sub, noRenew);
            const got = await receiveN(r, 5);
            check(got.map((m) => m.body).join() === "1,2,3,4,5", `${sub} got ${got.map((m) => m.body)}`);
            for (const m of got) await r.completeMessage(m);
            await nothingLeft(r, sub);
        }
        let refused = null;
        try { await c.createReceiver("events", noRenew).receiveMessages(1, { maxWaitTimeInMs: 2000 }); } catch (e) { refused = e; }
        check(refused, "receiving from the topic itself worked");
        return "each of audit and billing got all 5 messages in order";
    },
    async rules(c) {
        await c.createSender("filtered").sendMessages([
            { body: 1, applicationProperties: { region: "eu", prio: 2 } },
            { body: 2, applicationProperties: { region: "eu", prio: 3 } },
            { body: 3, subject: "order" },
            { body: 4, contentType: "application/json", messageId: "m-7", applicationProperties: { region: "us", prio: 2 } },
            { body: 5, contentType: "application/json", messageId: "m-8" },
        ]);
        const want = { all: "1,2,3,4,5", eu: "1", orders: "3,4", none: "" };
        for (const [sub, bodies] of Object.entries(want)) {
            const r = c.createReceiver("filtered", sub, noRenew);
            const n = bodies ? bodies.split(",").length : 0;
            const got = n ? await receiveN(r, n) : [];
            check(got.map((m) => m.body).join() === bodies, `${sub} got ${got.map((m) => m.body)}, not ${bodies}`);
            for (const m of got) await r.completeMessage(m);
            await nothingLeft(r, sub);
        }
        return "all 1-5, eu 1 (region and prio), orders 3 (label) and 4 (content type and id), none nothing";
    },
    async sessions(c) {
        const s = c.createSender("carts");
        const msgs = [];
        for (let i = 0; i < 6; i++) msgs.push({ body: i, sessionId: i % 2 ? "s-odd" : "s-even" });
        await s.sendMessages(msgs);
        let refused = null;
        try { await s.sendMessages({ body: "no session" }); } catch (e) { refused = e; }
        check(refused, "a message without a session id was taken by a session queue");
        const odd = await c.acceptSession("carts", "s-odd", noRenew);
        let second = null;
        try { await c.acceptSession("carts", "s-odd", noRenew); } catch (e) { second = e; }
        check(second && second.code === "SessionCannotBeLocked", "a second receiver of s-odd: " + (second ? second.code : "accepted"));
        const next = await c.acceptNextSession("carts", noRenew);
        check(next.sessionId === "s-even", "next available session " + next.sessionId);
        check(odd.sessionLockedUntilUtc.getTime() > Date.now(), "session locked until " + odd.sessionLockedUntilUtc);
        const o = await receiveN(odd, 3), e = await receiveN(next, 3);
        check(o.map((m) => m.body).join() === "1,3,5" && o.every((m) => m.sessionId === "s-odd"), "s-odd got " + o.map((m) => m.body));
        check(e.map((m) => m.body).join() === "0,2,4", "s-even got " + e.map((m) => m.body));
        for (const m of o) await odd.completeMessage(m);
        for (const m of e) await next.completeMessage(m);
        await odd.setSessionState("checkpoint-3");
        const st = await odd.getSessionState();
        check(String(st) === "checkpoint-3", "session state " + st);
        const renewed = await odd.renewSessionLock();
        check(renewed.getTime() > Date.now(), "renewed session lock " + renewed);
        await odd.close();
        await next.close();
        return "s-odd 1,3,5 and s-even 0,2,4 in order, one receiver each; session state kept";
    },
    async session_lock(c) {
        await c.createSender("carts-short").sendMessages([{ body: 1, sessionId: "s" }, { body: 2, sessionId: "s" }]);
        const a = await c.acceptSession("carts-short", "s", noRenew);
        const [m] = await receiveN(a, 1);
        check(m.body === 1, "first message " + m.body);
        await sleep(2600);
        let lost = null;
        try { await a.receiveMessages(1, { maxWaitTimeInMs: 2000 }); } catch (e) { lost = e; }
        check(lost && lost.code === "SessionLockLost", "after the session lock ended: " + (lost ? lost.code : "no error"));
        const b = await c.acceptSession("carts-short", "s", noRenew);
        const got = await receiveN(b, 2, 4000);
        check(got.map((x) => x.body).join() === "1,2", "the next receiver got " + got.map((x) => x.body));
        check(got[0].deliveryCount === 1, "the first message's delivery count " + got[0].deliveryCount);
        for (const x of got) await b.completeMessage(x);
        await b.close();
        return "the unrenewed session lock ended after 2 s (SessionLockLost); the next receiver got 1 (count 1) and 2";
    },
    async scheduled(c) {
        const s = c.createSender("orders");
        const at = new Date(Date.now() + 2000);
        const [seq] = await s.scheduleMessages({ body: "on time" }, at);
        const [cancelSeq] = await s.scheduleMessages({ body: "cancelled" }, at);
        await s.cancelScheduledMessages(cancelSeq);
        const r = c.createReceiver("orders", noRenew);
        const early = await r.receiveMessages(1, { maxWaitTimeInMs: 1000 });
        check(early.length === 0 || Date.now() >= at.getTime(), "a scheduled message came early");
        const [m] = await receiveN(r, 1, 4000);
        const late = Date.now() - at.getTime();
        check(m.body === "on time" && m.sequenceNumber.equals(seq), "received " + m.body);
        check(late > -100 && late < 2000, `appeared ${late} ms after its time`);
        await r.completeMessage(m);
        await nothingLeft(r, "after the cancelled one's time");
        return `scheduled message received ${late} ms after its time; the cancelled one never`;
    },
    async ttl(c) {
        await c.createSender("ttl").sendMessages({ body: "stale" });
        await sleep(1600);
        const r = c.createReceiver("ttl", noRenew);
        await nothingLeft(r, "after its time to live");
        const dlq = c.createReceiver("ttl", { subQueueType: "deadLetter", ...noRenew });
        const [d] = await receiveN(dlq, 1);
        check(d.body === "stale" && d.deadLetterReason === "TTLExpiredException", "reason " + d.deadLetterReason);
        await dlq.completeMessage(d);
        return "expired after 1 s, found in ttl/$deadletterqueue (TTLExpiredException)";
    },
    async forward(c) {
        await c.createSender("inbox").sendMessages([{ body: "f1" }, { body: "f2" }]);
        await nothingLeft(c.createReceiver("inbox", noRenew), "inbox (it forwards)");
        const out = c.createReceiver("outbox", noRenew);
        const got = await receiveN(out, 2);
        check(got.map((m) => m.body).join() === "f1,f2", "outbox got " + got.map((m) => m.body));
        for (const m of got) await out.completeMessage(m);
        await c.createSender("fragile").sendMessages({ body: "breaks" });
        const fr = c.createReceiver("fragile", noRenew);
        const [m] = await receiveN(fr, 1);
        await fr.abandonMessage(m);
        await nothingLeft(c.createReceiver("fragile", { subQueueType: "deadLetter", ...noRenew }), "fragile's own DLQ");
        const gy = c.createReceiver("graveyard", noRenew);
        const [d] = await receiveN(gy, 1);
        check(d.body === "breaks" && d.deadLetterReason === "MaxDeliveryCountExceeded", "graveyard got " + d.body + " " + d.deadLetterReason);
        await gy.completeMessage(d);
        return "inbox's messages in outbox; fragile's dead letter in graveyard with its reason";
    },
    async duplicates(c) {
        const s = c.createSender("dedup");
        await s.sendMessages([{ body: 1, messageId: "d-1" }, { body: 2, messageId: "d-2" }]);
        await s.sendMessages({ body: 3, messageId: "d-1" });
        await sleep(2300);
        await s.sendMessages({ body: 4, messageId: "d-1" });
        const r = c.createReceiver("dedup", noRenew);
        const got = await receiveN(r, 3);
        check(got.map((m) => m.body).join() === "1,2,4", "received " + got.map((m) => m.body));
        for (const m of got) await r.completeMessage(m);
        await nothingLeft(r, "after the duplicates");
        return "d-1 again within 2 s dropped, after the window taken: received 1,2,4";
    },
    async wrong_key(c) {
        await c.close();
        const bad = new sb.ServiceBusClient(cs("not-the-key"), noRetry);
        let err = null;
        try { await bad.createSender("orders").sendMessages({ body: "x" }); } catch (e) { err = e; }
        await bad.close();
        check(err && (err.code === "UnauthorizedAccess" || /unauthorized/i.test(err.name + err.code)), "error: " + (err ? err.code + " " + err.name : "none"));
        return "refused: " + err.code;
    },
};

async function main() {
    const run = scenarios[scenario];
    if (!run) throw new Error("unknown scenario " + scenario);
    const c = new sb.ServiceBusClient(cs(), noRetry);
    const what = await run(c);
    await c.close();
    console.log(`ok ${scenario}: ${what}`);
}

main().then(() => process.exit(0), (e) => {
    console.log(`FAILED: ${scenario}: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
});
