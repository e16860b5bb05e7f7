// auth_crosscheck_node: SAS tokens and connection strings, byte for byte,
// from Microsoft's @azure/core-amqp (pinned in package-lock.json) and from
// flatamqp (the auth_crosscheck program, run over the same table).
//
//   node crosscheck.js AUTH_CROSSCHECK_PROGRAM
//
// Prints each difference with both outputs and exits 1 on any; prints the
// number of inputs compared.  Tokens are made through core-amqp's public
// createSasTokenProvider(...).getToken(audience), with Date.now fixed so
// that its expiry (now + 3600 s) is the table's.
"use strict";
const { spawnSync } = require("child_process");
const { createSasTokenProvider, ConnectionConfig, parseConnectionString } = require("@azure/core-amqp");
// core-amqp's own test for a SharedAccessSignature connection string
// (isSharedAccessSignature in its connectionConfig.js, not exported).
const isSharedAccessSignature = (s) => /;{0,1}SharedAccessSignature=SharedAccessSignature /.test(s);

const program = process.argv[2];
if (!program) {
    console.error("usage: node crosscheck.js AUTH_CROSSCHECK_PROGRAM");
    process.exit(2);
}

// ---- the table --------------------------------------------------------------
const KEY = "gYBAavmsqJ0vmsBh8JAUPyHfh9FkYvRzU3XzjSfS6B4="; // a real-looking base64 key, used as text
const sas = [
    ["sb://ns.servicebus.windows.net/hub", "RootManageSharedAccessKey", KEY, 1700000000],
    ["sb://ns.servicebus.windows.net/", "RootManageSharedAccessKey", KEY, 1700000000],
    ["sb://NS.ServiceBus.Windows.NET/Hub", "Send", KEY, 1700000000], // case kept, not lower-cased
    ["amqps://host:5671/queue/a b", "key name with spaces", "k", 1],
    ["sb://ns/x?y=1&z=2#frag", "p+q/r=s", "+/=", 4102444800],
    ["sb://ns/-_.!~*'()", "-_.!~*'()", "-_.!~*'()", 0],
    ["sb://ns/%41%", "100%", "%%", 2147483647],
    ["sb://ns/\u00e9v\u00e9nements", "cl\u00e9", "cl\u00e9-\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9", 1700000000],
    ["sb://\u65e5\u672c.example/\u30cf\u30d6", "\u540d\u524d", "\u9375\u{1F511}", 1700000000],
    ["sb://ns/\u{1F600}/\u{10FFFF}", "\u{1F600}", "\u{1F600}\u{10FFFF}", 9007199254740991],
    ["sb://ns/tab\there/nl\nhere", "ctl\u0001\u007f", "ctl\u0001\u007f", 1700000000],
    ["sb://ns/" + "x".repeat(2000), "n".repeat(256), "k".repeat(1000), 1700000000],
    ["sb://ns/hub", "name", "K".repeat(64), 4294967296],
    ["sb://ns/hub", "name", "K".repeat(65), 1700000000], // longer than SHA-256's block: hashed first
    ["sb://ns/hub", "name", "\u0000".repeat(0) + "a", 1700000000],
    ["sb://ns/hub", "name", "", 1700000000], // both refuse an empty key
];
// Every printable ASCII byte in the URI, key name and key.
let printable = "";
for (let c = 0x20; c < 0x7f; c++) printable += String.fromCharCode(c);
sas.push(["sb://ns/" + printable, printable, printable, 1700000000]);
// Some pseudo-random ones (fixed seed): mixed code points of every UTF-8 length.
let seed = 12345;
const rnd = (n) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
const pool = ["a", "Z", "0", " ", "+", "/", "=", "%", "&", "?", "#", "~", "'", "\u00e9", "\u0800", "\uffee",
              "\u{10000}", "\u{1F4A9}", ";", ":", "@", "\\", "\""];
const rstr = (n) => Array.from({ length: n }, () => pool[rnd(pool.length)]).join("");
for (let i = 0; i < 40; i++)
    sas.push(["sb://ns/" + rstr(1 + rnd(40)), rstr(1 + rnd(20)), rstr(1 + rnd(60)), rnd(2147483647)]);

// Connection strings both read alike (core-amqp's keys are case-sensitive and
// it checks neither the scheme nor duplicates: those differences are left out
// here and tested in tests/auth/test_connection_string.c).
const EP = "Endpoint=sb://ns.servicebus.windows.net/";
const cs = [
    `${EP};SharedAccessKeyName=Root;SharedAccessKey=${KEY};EntityPath=hub`,
    `${EP};SharedAccessKeyName=Root;SharedAccessKey=${KEY}`,
    `Endpoint=sb://ns.servicebus.windows.net;SharedAccessKeyName=Root;SharedAccessKey=${KEY};EntityPath=q`,
    `  ${EP} ; SharedAccessKeyName = Root ;SharedAccessKey=  ${KEY}  ; EntityPath=hub ;;; `,
    `${EP};SharedAccessKeyName=Root;SharedAccessKey=abc==;EntityPath=hub;`,
    `${EP};SharedAccessKeyName=Root;SharedAccessKey=a=b=c;EntityPath=topic/Subscriptions/sub`,
    `${EP};SharedAccessKeyName=Root;SharedAccessKey=${KEY};EntityPath=hub;Unknown=x;TransportType=Amqp`,
    `Endpoint=sb://ns.servicebus.windows.net:5671/;SharedAccessKeyName=Root;SharedAccessKey=${KEY};EntityPath=hub`,
    `Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;`,
    `Endpoint=sb://localhost:6765;SharedAccessKeyName=Root;SharedAccessKey=k;UseDevelopmentEmulator=true;EntityPath=eh1`,
    `Endpoint=sb://127.0.0.1:5672/;SharedAccessKeyName=Root;SharedAccessKey=k;UseDevelopmentEmulator=false`,
    `Endpoint=sb://[::1]:5672/;SharedAccessKeyName=Root;SharedAccessKey=k;UseDevelopmentEmulator=true`,
    `${EP};SharedAccessKeyName=cl\u00e9 \u{1F511};SharedAccessKey=\u00e9\u00e9;EntityPath=\u00e9v\u00e9nements`,
    `${EP};SharedAccessKeyName=Root;SharedAccessKey=${"k".repeat(500)};EntityPath=${"e".repeat(300)}`,
    `${EP};SharedAccessSignature=SharedAccessSignature sr=sb%3A%2F%2Fns.servicebus.windows.net%2Fhub&sig=abc%3D&se=1700000000&skn=Root;EntityPath=hub`,
    `${EP};EntityPath=hub;SharedAccessSignature=SharedAccessSignature sr=x&sig=y&se=1&skn=z`,
    // Rejected by both.
    `SharedAccessKeyName=Root;SharedAccessKey=${KEY};EntityPath=hub`,
    `${EP};SharedAccessKeyName=Root;EntityPath=hub`,
    `${EP};SharedAccessKey=${KEY};EntityPath=hub`,
    `${EP};SharedAccessKeyName=Root;SharedAccessKey=${KEY};Garbage`,
    `${EP};SharedAccessKeyName=Root;SharedAccessKey=${KEY};=value`,
    ``,
];

// ---- core-amqp's answers ------------------------------------------------------
async function jsToken(data, audience, expiry) {
    const realNow = Date.now;
    Date.now = () => (expiry - 3600) * 1000; // getToken's expiry is now + 3600 s
    try {
        return (await createSasTokenProvider(data).getToken(audience)).token;
    } finally {
        Date.now = realNow;
    }
}

async function jsSas([uri, name, key, expiry]) {
    try {
        return await jsToken({ sharedAccessKeyName: name, sharedAccessKey: key }, uri, expiry);
    } catch (e) {
        return "ERR";
    }
}

async function jsCs(text, expiry) {
    try {
        const config = ConnectionConfig.create(text);
        ConnectionConfig.validate(config);
        // The audience and port as @azure/event-hubs and ConnectionContextBase derive them.
        const audience = config.endpoint + (config.entityPath ?? "");
        const port = config.port ?? (config.useDevelopmentEmulator ? 5672 : 5671);
        const token = isSharedAccessSignature(text)
            ? await jsToken({ sharedAccessSignature: parseConnectionString(text).SharedAccessSignature }, audience, expiry)
            : await jsToken(config, audience, expiry);
        return `endpoint=${config.endpoint};host=${config.host};port=${port};` +
            `keyName=${config.sharedAccessKeyName ?? ""};key=${config.sharedAccessKey ?? ""};` +
            `entityPath=${config.entityPath ?? ""};emulator=${config.useDevelopmentEmulator};` +
            `audience=${audience};token=${token}`;
    } catch (e) {
        return "ERR";
    }
}

const hex = (s) => Buffer.from(s, "utf8").toString("hex") || "-"; // "-": the empty string

(async () => {
    const lines = [], expected = [], labels = [];
    for (const row of sas) {
        lines.push(`sas ${hex(row[0])} ${hex(row[1])} ${hex(row[2])} ${row[3]}`);
        expected.push(await jsSas(row));
        labels.push(`SAS token for ${JSON.stringify(row).slice(0, 200)}`);
    }
    for (const text of cs) {
        lines.push(`cs ${hex(text)} 1700000000`);
        expected.push(await jsCs(text, 1700000000));
        labels.push(`connection string ${JSON.stringify(text).slice(0, 200)}`);
    }
    const r = spawnSync(program, [], { input: lines.join("\n") + "\n", encoding: "utf8", timeout: 60000,
                                       maxBuffer: 64 << 20 });
    if (r.status !== 0) {
        console.error(`${program} failed (status ${r.status}, signal ${r.signal}): ${r.stderr}`);
        process.exit(1);
    }
    const got = r.stdout.split("\n");
    let bad = 0, tokens = 0, strings = 0, refused = 0;
    for (let i = 0; i < expected.length; i++) {
        if (got[i] !== expected[i]) {
            bad++;
            console.log(`DIFFERENT: ${labels[i]}\n  @azure/core-amqp: ${expected[i]}\n  flatamqp:         ${got[i]}`);
        }
        if (expected[i] === "ERR") refused++;
        else if (lines[i].startsWith("sas")) tokens++;
        else strings++;
    }
    console.log(`${expected.length} inputs: ${tokens} SAS tokens and ${strings} connection strings equal to ` +
        `@azure/core-amqp's byte for byte, ${refused} refused by both; ${bad} different`);
    process.exit(bad || expected.length === 0 ? 1 : 0);
})();
