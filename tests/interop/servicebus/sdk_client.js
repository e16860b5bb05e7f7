#!/usr/bin/env node
// Test support: Microsoft's Service Bus client (@azure/service-bus 7.x)
// doing the interop proof's sequence against sb_peer.js: receive four
// peek-lock messages from "q", complete the first, abandon the second
// with {"x-why": "retry"}, dead-letter the third (reason "poison",
// description "could not parse"), renew the fourth's lock, then defer it.
// Then accepts session "s-1" of "sq" (renewing the session's lock and
// completing its first message) and
// the next available session.  Prints "lock N TOKEN" per message,
// "renewed MS", "session ID locked until MS" per session, "session renewed
// MS", then "done".
//
//   node sdk_client.js PORT
'use strict';

const { ServiceBusClient } = require('@azure/service-bus');

async function main() {
    const port = process.argv[2];
    const cs = `Endpoint=sb://127.0.0.1:${port}/;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true`;
    const client = new ServiceBusClient(cs);
    // No automatic lock renewal: the one renewal is the sequence's own.
    const receiver = client.createReceiver('q', { receiveMode: 'peekLock', maxAutoLockRenewalDurationInMs: 0 });
    const msgs = [];
    for (let tries = 0; msgs.length < 4 && tries < 10; tries++)
        msgs.push(...(await receiver.receiveMessages(4 - msgs.length, { maxWaitTimeInMs: 3000 })));
    if (msgs.length !== 4) throw new Error('received ' + msgs.length + ' messages, not 4');
    msgs.sort((a, b) => Number(a.sequenceNumber) - Number(b.sequenceNumber));
    msgs.forEach((m, i) => console.log('lock ' + i + ' ' + m.lockToken));
    await receiver.completeMessage(msgs[0]);
    await receiver.abandonMessage(msgs[1], { 'x-why': 'retry' });
    await receiver.deadLetterMessage(msgs[2], { deadLetterReason: 'poison', deadLetterErrorDescription: 'could not parse' });
    const until = await receiver.renewMessageLock(msgs[3]);
    console.log('renewed ' + until.getTime());
    await receiver.deferMessage(msgs[3]);
    await receiver.close();
    // sessions: the one asked for (complete its first message), then the next available
    const noRenew = { receiveMode: 'peekLock', maxAutoLockRenewalDurationInMs: 0 };
    const s1 = await client.acceptSession('sq', 's-1', noRenew);
    console.log('session ' + s1.sessionId + ' locked until ' + s1.sessionLockedUntilUtc.getTime());
    const got = await s1.receiveMessages(1, { maxWaitTimeInMs: 5000 });
    if (got.length !== 1) throw new Error('no message from session s-1');
    console.log('session renewed ' + (await s1.renewSessionLock()).getTime());
    await s1.completeMessage(got[0]);
    await s1.close();
    const s2 = await client.acceptNextSession('sq', noRenew);
    console.log('session ' + s2.sessionId + ' locked until ' + s2.sessionLockedUntilUtc.getTime());
    await s2.close();
    await client.close();
    console.log('done');
}
main().catch((e) => { console.error('sdk_client.js: ' + (e && e.stack ? e.stack : e)); process.exit(1); });
