#!/usr/bin/env python3
"""Regenerates the seed corpora in tests/fuzz/corpus/ from the recorded
streams in tests/vectors/data (run by hand; the output is checked in).

    tests/fuzz/make_corpus.py BUILD_DIR

BUILD_DIR is a configured and built tree: the type indexes of the `types`
and `roundtrip` targets are read from BUILD_DIR/testgen/famqp_spec_tests.c
(registry order) and generated/famqp_spec.h (descriptor codes).  Seeds are
named after their content hash, so reruns only add what is new."""
import hashlib
import os
import re
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
VECTORS = os.path.join(ROOT, "tests", "vectors", "data")


def registry(build):
    """[(name, code or None)] in famqp_test_types then famqp_test_unions order."""
    codes = {}
    with open(os.path.join(ROOT, "generated", "famqp_spec.h")) as f:
        for m in re.finditer(r"#define (FAMQP_\w+_CODE) UINT64_C\((0x[0-9a-fA-F]+)\)", f.read()):
            codes[m.group(1)] = int(m.group(2), 16)
    with open(os.path.join(build, "testgen", "famqp_spec_tests.c")) as f:
        text = f.read()
    types = text[text.index("famqp_test_types[] = {"):text.index("famqp_test_type_count")]
    unions = text[text.index("famqp_test_unions[] = {"):text.index("famqp_test_union_count")]
    out = [(n, codes[c]) for n, c in re.findall(r'\{"([^"]+)", (FAMQP_\w+_CODE)', types)]
    out += [(n, None) for n in re.findall(r'\{"([^"]+)", 0', unions)]
    return out


def frames(stream):
    """(kind, body) of each frame of a recorded stream; 'header' entries
    carry the 8 header bytes."""
    at = 0
    while at + 8 <= len(stream):
        if stream[at:at + 4] == b"AMQP":
            yield "header", stream[at:at + 8]
            at += 8
            continue
        size, doff, ftype, _channel = struct.unpack(">IBBH", stream[at:at + 8])
        yield ("sasl" if ftype == 1 else "amqp"), stream[at + 4 * doff:at + size]
        at += size


def value_len(p, i=0):
    """Length of the encoded value at p[i:] (inputs are valid recordings)."""
    c = p[i]
    if c == 0x00:
        d = value_len(p, i + 1)
        return 1 + d + value_len(p, i + 1 + d)
    w = c >> 4
    fixed = {0x4: 0, 0x5: 1, 0x6: 2, 0x7: 4, 0x8: 8, 0x9: 16}
    if w in fixed:
        return 1 + fixed[w]
    if w in (0xa, 0xc, 0xe):
        return 2 + p[i + 1]
    return 5 + struct.unpack(">I", p[i + 1:i + 5])[0]


def descriptor_code(v):
    if len(v) >= 3 and v[0] == 0x00 and v[1] == 0x53:
        return v[2]
    if len(v) >= 10 and v[0] == 0x00 and v[1] == 0x80:
        return struct.unpack(">Q", v[2:10])[0]
    return None


def write(target, data, seen):
    h = hashlib.sha1(data).hexdigest()[:16]
    if h in seen:
        return
    seen.add(h)
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, h), "wb") as f:
        f.write(data)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    reg = registry(sys.argv[1])
    index = {code: i for i, (_, code) in enumerate(reg) if code is not None}
    any_frame = [n for n, _ in reg].index("any frame")
    any_section = [n for n, _ in reg].index("any section")
    any_sasl = [n for n, _ in reg].index("any sasl-frame")
    streams = sorted(f[:-4] for f in os.listdir(VECTORS) if f.endswith(".bin"))
    seen = set()
    per_code = {}
    for name in streams:
        with open(os.path.join(VECTORS, name + ".bin"), "rb") as f:
            stream = f.read()
        for kind, body in frames(stream):
            if kind == "header" or not body:
                continue
            perf_len = value_len(body)
            perf, payload = body[:perf_len], body[perf_len:]
            code = descriptor_code(perf)
            # Keep a bounded number of distinct examples per performative
            # (transfers of the `types` recording differ in every message).
            n = per_code.get(code, 0)
            if n >= (16 if code == 0x14 else 4) or len(body) > 4096:
                continue
            per_code[code] = n + 1
            write("value", bytes([0x00]) + body, seen)
            write("value", bytes([0x3f]) + perf, seen)
            if code in index:
                write("types", bytes([index[code]]) + perf, seen)
            write("types", bytes([any_sasl if kind == "sasl" else any_frame]) + perf, seen)
            at = 0
            while at < len(payload):
                sec = payload[at:at + value_len(payload, at)]
                at += len(sec)
                write("types", bytes([any_section]) + sec, seen)
                scode = descriptor_code(sec)
                if scode in index:
                    write("types", bytes([index[scode]]) + sec, seen)
    # Structure-aware round trips: every type in every mode.
    for i in range(len(reg)):
        recs = b"".join(bytes([i, mode]) + struct.pack(">Q", 0x9E3779B97F4A7C15 * (i + 1) + mode & (2**64 - 1))
                        for mode in range(3))
        write("roundtrip", recs, seen)
    # The engine: the peer's stream after its first protocol header.  A
    # client gets what servers sent (s2c), a server what clients sent.
    for name in streams:
        with open(os.path.join(VECTORS, name + ".bin"), "rb") as f:
            stream = f.read()
        server = name.endswith(".c2s")
        sasl = stream[4] == 3
        plain = "rabbitmq" in name
        rest = stream[8:]
        if len(rest) > 24576:  # the big/types recordings: their first frames only
            cut = 0
            for kind, body in frames(stream):
                step = 8 if kind == "header" else 8 + len(body)
                if cut + step > 24576:
                    break
                cut += step
            rest = stream[8:cut]
        for chunk in (0, 5):  # whole, then 64-byte chunks
            cfg = (1 if server else 0) | (2 if sasl else 0) | (4 if plain else 0) | chunk << 3
            write("engine", bytes([cfg]) + rest, seen)
        write("engine", bytes([(1 if server else 0) | (2 if sasl else 0) | 0x40 | 0x80 | 1 << 3]) + rest[:2048],
              seen)


main()
