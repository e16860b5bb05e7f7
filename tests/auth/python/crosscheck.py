"""auth_crosscheck_python: SAS tokens from flatamqp (the auth_crosscheck
program) against Microsoft's Python SDK (azure-eventhub's pyamqp
generate_sas_token, pinned in python/requirements-test.txt), over the fixed
rows of tests/auth/node/crosscheck.js, every printable ASCII byte and
pseudo-random rows of mixed code points.

  python crosscheck.py AUTH_CROSSCHECK_PROGRAM

flatamqp follows the JS SDK (encodeURIComponent); pyamqp encodes sr with
quote_plus and the key name twice (quote_plus, then urlencode).  So the
tokens must be equal, byte for byte, exactly when the URI holds none of
` ! * ' ( )` and the key name only [A-Za-z0-9_.~-]; they must differ
otherwise.  Exits 1 on any row that breaks this, printing both tokens.
"""
import random
import subprocess
import sys

from azure.eventhub._pyamqp.utils import generate_sas_token

KEY = "gYBAavmsqJ0vmsBh8JAUPyHfh9FkYvRzU3XzjSfS6B4="
ROWS = [
    ("sb://ns.servicebus.windows.net/hub", "RootManageSharedAccessKey", KEY, 1700000000),
    ("sb://ns.servicebus.windows.net/", "RootManageSharedAccessKey", KEY, 1700000000),
    ("sb://NS.ServiceBus.Windows.NET/Hub", "Send", KEY, 1700000000),
    ("amqps://host:5671/queue/a b", "key name with spaces", "k", 1),
    ("sb://ns/x?y=1&z=2#frag", "p+q/r=s", "+/=", 4102444800),
    ("sb://ns/-_.!~*'()", "-_.!~*'()", "-_.!~*'()", 1),
    ("sb://ns/%41%", "100%", "%%", 2147483647),
    ("sb://ns/\u00e9v\u00e9nements", "cl\u00e9", "cl\u00e9-\u00fc\u00f1\u00ee\u00e7\u00f8d\u00e9", 1700000000),
    ("sb://\u65e5\u672c.example/\u30cf\u30d6", "\u540d\u524d", "\u9375\U0001F511", 1700000000),
    ("sb://ns/hub", "name", "K" * 65, 1700000000),
    ("sb://ns/" + "x" * 2000, "n" * 256, "k" * 1000, 1700000000),
]
PRINTABLE = "".join(chr(c) for c in range(0x20, 0x7F))
ROWS.append(("sb://ns/" + PRINTABLE, PRINTABLE, PRINTABLE, 1700000000))
rng = random.Random(12345)
POOL = ["a", "Z", "0", " ", "+", "/", "=", "%", "&", "?", "#", "~", "'", "(", "!", "\u00e9", "\u0800", "\uffee",
        "\U00010000", "\U0001F4A9", ";", ":", "@", "\\", '"', "-", "_", "."]
for _ in range(60):
    def rstr(n):
        return "".join(rng.choice(POOL) for _ in range(n))
    ROWS.append(("sb://ns/" + rstr(rng.randint(1, 40)), rstr(rng.randint(1, 20)), rstr(rng.randint(1, 60)),
                 rng.randint(1, 2147483647)))
# key names of unreserved characters only: these must match
for _ in range(20):
    name = "".join(rng.choice("abcXYZ019_.~-") for _ in range(rng.randint(1, 20)))
    ROWS.append(("sb://ns/" + "".join(rng.choice(POOL) for _ in range(10)).replace(" ", "").replace("!", "")
                 .replace("'", "").replace("(", ""), name, KEY, rng.randint(1, 2147483647)))


def hexed(s):
    return s.encode("utf-8").hex() or "-"


def expect_equal(uri, name):
    return not any(ch in uri for ch in " !*'()") and all(ch.isascii() and (ch.isalnum() or ch in "_.~-")
                                                        for ch in name)


def main():
    program = sys.argv[1]
    lines = "".join(f"sas {hexed(u)} {hexed(n)} {hexed(k)} {e}\n" for u, n, k, e in ROWS)
    r = subprocess.run([program], input=lines, capture_output=True, text=True, timeout=60, check=False)
    if r.returncode != 0:
        print(f"{program} failed ({r.returncode}): {r.stderr}", file=sys.stderr)
        return 1
    ours = r.stdout.split("\n")
    bad = same = differ = 0
    for i, (uri, name, key, expiry) in enumerate(ROWS):
        theirs = generate_sas_token(uri, name, key, expiry)
        equal = ours[i] == theirs
        if equal != expect_equal(uri, name):
            bad += 1
            print(f"row {i} {(uri[:60], name[:40])!r}: expected {'equal' if expect_equal(uri, name) else 'different'}"
                  f" tokens\n  flatamqp {ours[i][:300]}\n  pyamqp   {theirs[:300]}", file=sys.stderr)
        same += equal
        differ += not equal
    print(f"{len(ROWS)} SAS inputs: {same} tokens byte for byte equal, {differ} different as expected "
          f"(space ! * ' ( ) in the URI, or a reserved character in the key name); {bad} unexpected")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
