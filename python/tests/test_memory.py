"""Reference counting: 1,000,000 encodes and decodes of a message (and a
decode error every 100th time) leave the process's resident memory where
it was after a warm-up (a leak of one object per call would add tens of
MB)."""
import os
import uuid

import flatamqp
from flatamqp import types


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def make_message(i):
    return flatamqp.Message(
        header=flatamqp.Header(durable=True),
        message_annotations={types.symbol("x-opt-sequence-number"): i, types.symbol("x-opt-offset"): "1"},
        properties=flatamqp.Properties(message_id=uuid.UUID(int=i), to="q", creation_time=1700000000000),
        application_properties={"k": i, "s": "v", "l": [1, 2.5, None], "u": types.uint(3)},
        body=b"x" * 100,
    )


def run(n, msg, transfer, buf):
    bad = flatamqp.encode(msg)[:-3]
    for i in range(n):
        data = flatamqp.encode(msg)
        flatamqp.decode_message(data)
        flatamqp.encode_into(transfer, buf)
        flatamqp.decode(buf)
        if i % 100 == 0:
            try:
                flatamqp.decode_message(bad)
            except flatamqp.DecodeError:
                pass


def test_rss_flat_over_a_million_encodes_and_decodes():
    msg = make_message(7)
    transfer = flatamqp.Transfer(handle=1, delivery_id=2, delivery_tag=b"0123456789abcdef", message_format=0,
                                 state=flatamqp.Accepted())
    buf = bytearray()
    run(50_000, msg, transfer, buf)
    before = rss_bytes()
    run(1_000_000, msg, transfer, buf)
    grown = rss_bytes() - before
    assert grown < 4 * 1024 * 1024, f"RSS grew by {grown} bytes over 1,000,000 iterations"
