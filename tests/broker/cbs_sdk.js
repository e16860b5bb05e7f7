// famqp-broker --sas-key against Microsoft's own CBS client: @azure/core-amqp
// (pinned in tests/auth/node) connects with an emulator connection string,
// negotiates claims on $cbs with tokens from its SAS provider, then sends
// and receives through 'hub' with rhea links on the same connection.
// Checks: a good key is answered 200 and the links work; a wrong key is
// refused (the SDK's error carries the 401 and our description); a link
// without a claim is refused with amqp:unauthorized-access.
// usage: node cbs_sdk.js PORT KEY_NAME KEY
"use strict";
const path = require("path");
const modules = path.join(__dirname, "..", "auth", "node", "node_modules");
const amqp = require(path.join(modules, "@azure", "core-amqp"));
const [port, keyName, key] = process.argv.slice(2);

function fail(what) {
    console.error("FAILED: " + what);
    process.exit(1);
}

async function context(k) {
    const cs = `Endpoint=sb://127.0.0.1:${port}/;SharedAccessKeyName=${keyName};SharedAccessKey=${k};` +
        "UseDevelopmentEmulator=true";
    const config = amqp.ConnectionConfig.create(cs, "hub");
    const ctx = amqp.ConnectionContextBase.create({
        config,
        connectionProperties: { product: "famqp-test", version: "1", userAgent: "/famqp-cbs-sdk" },
    });
    await ctx.cbsSession.init();
    const provider = amqp.createSasTokenProvider({ name: keyName, key: k });
    return { ctx, config, provider };
}

async function claim(c, entity) {
    const audience = `${c.config.endpoint}${entity}`;
    const token = await c.provider.getToken(audience);
    return c.ctx.cbsSession.negotiateClaim(audience, token.token, amqp.TokenType.CbsTokenTypeSas);
}

async function main() {
    // 1. the right key: 200, then a sender and a receiver on 'hub'
    const good = await context(key);
    const r = await claim(good, "hub");
    if (r.statusCode !== 200) fail("put-token answered " + JSON.stringify(r));
    const sender = await good.ctx.connection.createAwaitableSender({ target: { address: "hub" } });
    for (let i = 0; i < 10; i++) {
        const d = await sender.send({ body: "sdk-" + i }, { timeoutInSeconds: 10 });
        if (!d.remote_state || d.remote_state.constructor.composite_type !== "accepted")
            fail("send " + i + " not accepted");
    }
    const got = [];
    const receiver = await good.ctx.connection.createReceiver({ source: { address: "hub" }, credit_window: 10 });
    await new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error("timed out receiving")), 10000);
        receiver.on("message", (ctx) => {
            got.push(ctx.message.body);
            if (got.length === 10) {
                clearTimeout(t);
                resolve();
            }
        });
    });
    if (got.join(",") !== [...Array(10).keys()].map((i) => "sdk-" + i).join(","))
        fail("received " + JSON.stringify(got));
    console.log("ok 1: @azure/core-amqp's claim answered 200; 10 messages through 'hub'");

    // 2. a link to an entity without a claim on this connection
    let refused = null;
    try {
        await good.ctx.connection.createAwaitableSender({ target: { address: "other" } });
    } catch (e) {
        refused = e;
    }
    const cond = refused && (refused.condition || (refused.innerError && refused.innerError.condition) || "");
    if (!refused || !/unauthorized-access/.test(String(cond) + " " + String(refused.message)))
        fail("a link without a claim: " + (refused ? refused.message : "not refused"));
    const desc = refused.description || (refused.innerError && refused.innerError.description) || refused.message;
    console.log("ok 2: a link without a claim refused: " + cond + ": " + desc);
    await good.ctx.connection.close();

    // 3. a wrong key: the SDK's negotiateClaim fails with our 401 description
    const bad = await context("not-the-key");
    let err = null;
    try {
        await claim(bad, "hub");
    } catch (e) {
        err = e;
    }
    if (!err || !/signature does not match/.test(err.message)) fail("wrong key: " + (err ? err.message : "accepted"));
    console.log("ok 3: a wrong key refused: " + err.name + ": " + err.message);
    await bad.ctx.connection.close();
}

const guard = setTimeout(() => fail("timed out"), 60000);
main().then(() => clearTimeout(guard), (e) => fail(e.stack || String(e)));
