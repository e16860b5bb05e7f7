#!/usr/bin/env python3
"""Per-message codec cost from Python: encode and decode of a typical event
and of a transfer frame, flatamqp against pyamqp (azure-eventhub's
pure-Python codec), python-qpid-proton (Proton-C under Python) and uamqp
(Azure's C stack under Cython, when its wheel installs: run.sh gives it its
own venv and passes --uamqp-python).

    perf/python/run.sh BUILD         (the venv of scripts/install-deps.sh,
                                      PYTHONPATH=BUILD/python)
    perf/python/run.sh BUILD --instructions

Each cell: the median of REPEAT timeit runs of NUMBER calls, in
microseconds per call (one run, this machine).  Each implementation's
decode is checked against what was encoded before anything is timed.
With --instructions, each cell is instead the CPU instructions per call
that callgrind counts (valgrind): a process doing N calls less one doing
none, divided by N; exact where the machine is shared and times are not.

The typical event is the talk's: properties (message-id, to, subject,
content-type, creation-time), application properties {"tenant": "acme",
"priority": 5, "retry": False}, message annotations {x-opt-partition-key},
a 100-byte body.  The transfer frame is a whole frame: header, transfer
performative (handle, delivery-id, delivery-tag, message-format, settled)
and that event as its payload; decoding a frame reads the performative and
the message in it.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import timeit

BODY = bytes(range(100))
TAG = b"\x00\x00\x00\x00\x00\x00\x30\x39"


def flatamqp_event(to="/queues/orders"):
    """The typical event as a flatamqp.Message (also perf/python/e2e.py's)."""
    import flatamqp
    from flatamqp import types
    return flatamqp.Message(
        message_annotations={types.symbol("x-opt-partition-key"): "pk-1"},
        properties=flatamqp.Properties(message_id="msg-12345", to=to, subject="order.created",
                                       content_type="application/json", creation_time=1700000000000),
        application_properties={"tenant": "acme", "priority": 5, "retry": False},
        body=BODY)


def flatamqp_impl(mod):
    import flatamqp
    msg = flatamqp_event()
    transfer = flatamqp.Transfer(handle=0, delivery_id=12345, delivery_tag=TAG, message_format=0, settled=False)

    def enc_event():
        return flatamqp.encode(msg)

    def dec_event(b):
        return flatamqp.decode_message(b)

    def enc_frame():
        return flatamqp.encode_frame(transfer, msg)

    def dec_frame(b):
        _, perf, payload = flatamqp.decode_frame(b)
        return perf, flatamqp.decode_message(payload)

    def check(ev, fr):
        m = flatamqp.decode_message(ev)
        assert m.application_properties == msg.application_properties and bytes(m.body.value) == BODY
        perf, m2 = dec_frame(fr)
        assert perf == transfer and bytes(m2.body.value) == BODY

    return enc_event, dec_event, enc_frame, dec_frame, check


def pyamqp_model():
    from azure.eventhub._pyamqp.message import Message, Properties
    from azure.eventhub._pyamqp.performatives import TransferFrame
    msg = Message(
        message_annotations={b"x-opt-partition-key": "pk-1"},
        properties=Properties(message_id="msg-12345", to="/queues/orders", subject="order.created",
                              content_type="application/json", creation_time=1700000000000),
        application_properties={"tenant": "acme", "priority": 5, "retry": False},
        data=[BODY])
    return msg, TransferFrame


def pyamqp_impl(encode_payload, decode_payload):
    from azure.eventhub._pyamqp._decode import decode_frame
    from azure.eventhub._pyamqp._encode import encode_frame
    msg, TransferFrame = pyamqp_model()

    def enc_event():
        return encode_payload(bytearray(), msg)

    def dec_event(b):
        return decode_payload(memoryview(b))

    def enc_frame():
        payload = encode_payload(bytearray(), msg)
        header, body = encode_frame(TransferFrame(handle=0, delivery_id=12345, delivery_tag=TAG, message_format=0,
                                                  settled=False, payload=payload))
        return header + b"\x00\x00" + body  # the transport writes the channel between them

    def dec_frame(b):
        _, fields = decode_frame(memoryview(b)[8:])
        return fields, decode_payload(fields[-1])

    def check(ev, fr):
        m = decode_payload(memoryview(bytes(ev)))
        assert m.data == [BODY] and m.application_properties[b"priority"] == 5
        fields, m2 = dec_frame(fr)
        assert fields[1] == 12345 and m2.data == [BODY]

    return enc_event, dec_event, enc_frame, dec_frame, check


def pyamqp_pure():
    from azure.eventhub._pyamqp._decode import decode_payload
    from azure.eventhub._pyamqp._encode import encode_payload
    return pyamqp_impl(encode_payload, decode_payload)


def pyamqp_on_flatamqp():
    from flatamqp.pyamqp import decode_payload, encode_payload

    def decode(b):  # flatamqp.pyamqp takes any buffer
        return decode_payload(b)
    return pyamqp_impl(encode_payload, decode)


def proton_event(to="/queues/orders"):
    """The typical event as a proton.Message (also perf/python/e2e.py's)."""
    import proton
    msg = proton.Message()
    msg.id = "msg-12345"
    msg.address = to
    msg.subject = "order.created"
    msg.content_type = "application/json"
    msg.creation_time = 1700000000.0
    msg.properties = {"tenant": "acme", "priority": 5, "retry": False}
    msg.annotations = {proton.symbol("x-opt-partition-key"): "pk-1"}
    msg.body = BODY
    return msg


def proton_impl():
    import proton
    from proton import Data
    msg = proton_event()

    def enc_event():
        return msg.encode()

    def dec_event(b):
        m = proton.Message()
        m.decode(b)
        return m.id, m.address, m.subject, m.content_type, m.creation_time, m.properties, m.annotations, m.body

    def enc_frame():
        d = Data()
        d.put_described()
        d.enter()
        d.put_ulong(0x14)
        d.put_list()
        d.enter()
        d.put_uint(0)
        d.put_uint(12345)
        d.put_binary(TAG)
        d.put_uint(0)
        d.put_bool(False)
        d.exit()
        d.exit()
        body = d.encode() + msg.encode()
        return (len(body) + 8).to_bytes(4, "big") + b"\x02\x00\x00\x00" + body

    def dec_frame(b):
        d = Data()
        used = d.decode(b[8:])
        d.rewind()
        d.next()
        perf = d.get_object()
        return perf, dec_event(b[8 + used:])

    def check(ev, fr):
        assert dec_event(ev)[-1] == BODY
        perf, m = dec_frame(fr)
        assert perf.value[1] == 12345 and m[-1] == BODY

    return enc_event, dec_event, enc_frame, dec_frame, check


def uamqp_impl():
    """uamqp 1.6: Message.encode_message / Message.decode_from_bytes (its
    C message codec).  It has no frame or performative codec reachable from
    Python (frames are made inside its C connection): those cells are n/a."""
    import uamqp
    import uamqp.types
    from uamqp.message import MessageProperties
    msg = uamqp.Message(
        body=BODY,
        properties=MessageProperties(message_id="msg-12345", to="/queues/orders", subject="order.created",
                                     content_type="application/json", creation_time=1700000000000),
        application_properties={"tenant": "acme", "priority": 5, "retry": False},
        annotations={uamqp.types.AMQPSymbol("x-opt-partition-key"): "pk-1"})

    def enc_event():
        return msg.encode_message()

    def dec_event(b):
        m = uamqp.Message.decode_from_bytes(b)
        return m.properties.message_id, m.application_properties, m.annotations, list(m.get_data())

    def check(ev, fr):
        pid, app, ann, data = dec_event(ev)
        assert pid == b"msg-12345" and app[b"priority"] == 5 and data == [BODY]

    return enc_event, dec_event, None, None, check


IMPLS = {
    "flatamqp": flatamqp_impl,
    "flatamqp.pyamqp": pyamqp_on_flatamqp,
    "pyamqp": pyamqp_pure,
    "proton": proton_impl,
    "uamqp": uamqp_impl,
}


OPS = ["event enc", "event dec", "frame enc", "frame dec"]


def make(name):
    return IMPLS[name](None) if name == "flatamqp" else IMPLS[name]()


def encoded(enc_e, enc_f):
    return bytes(enc_e()), bytes(enc_f()) if enc_f else b""


def op_callable(name, op):
    enc_e, dec_e, enc_f, dec_f, check = make(name)
    ev, fr = encoded(enc_e, enc_f)
    check(ev, fr)
    return {"event enc": enc_e, "event dec": lambda: dec_e(ev), "frame enc": enc_f, "frame dec": lambda: dec_f(fr)}[op]


def run_one(name, op, n):
    fn = op_callable(name, op)
    for _ in range(n):
        fn()


def instructions(name, op, n):
    """Instructions per call under callgrind: n calls less none."""
    counts = []
    for k in (0, n):
        out = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
                              os.path.abspath(__file__), "--one", name, op, str(k)],
                             capture_output=True, text=True, check=True).stderr
        counts.append(int(re.search(r"Collected : (\d+)", out).group(1)))
    return (counts[1] - counts[0]) / n


def measure(name, args):
    """(name, event bytes, frame bytes, [cell per op, None where n/a])."""
    enc_e, dec_e, enc_f, dec_f, check = make(name)
    ev, fr = encoded(enc_e, enc_f)
    check(ev, fr)
    fns = {"event enc": enc_e, "event dec": lambda: dec_e(ev), "frame enc": enc_f,
           "frame dec": dec_f and (lambda: dec_f(fr))}
    if args.instructions:
        cells = [instructions(name, op, args.instructions) if fns[op] else None for op in OPS]
    else:
        cells = [median_us(fns[op], args.number, args.repeat) if fns[op] else None for op in OPS]
    return name, len(ev), len(fr), cells


def median_us(fn, number, repeat):
    runs = timeit.repeat(fn, number=number, repeat=repeat)
    return statistics.median(runs) / number * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--number", type=int, default=20000, help="calls per timeit run")
    ap.add_argument("--repeat", type=int, default=7, help="timeit runs; the median is reported")
    ap.add_argument("--impls", help="comma-separated: " + ", ".join(IMPLS) + " (default: all; uamqp with "
                    "--uamqp-python)")
    ap.add_argument("--instructions", type=int, nargs="?", const=2000, metavar="N",
                    help="callgrind instructions per call over N calls (default 2000) instead of times")
    ap.add_argument("--uamqp-python", metavar="PYTHON",
                    help="the interpreter of a venv holding uamqp (run.sh's): its row is measured there")
    ap.add_argument("--one", nargs=3, metavar=("IMPL", "OP", "N"), help=argparse.SUPPRESS)
    ap.add_argument("--row", metavar="IMPL", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.one:
        run_one(args.one[0], args.one[1], int(args.one[2]))
        return
    if args.row:
        print(json.dumps(measure(args.row, args)))
        return
    rows = []
    impls = args.impls or ",".join(n for n in IMPLS if n != "uamqp" or args.uamqp_python)
    for name in impls.split(","):
        if name == "uamqp" and args.uamqp_python:
            cmd = [args.uamqp_python, os.path.abspath(__file__), "--row", name, "--number", str(args.number),
                   "--repeat", str(args.repeat)] + (["--instructions", str(args.instructions)] if args.instructions
                                                    else [])
            rows.append(tuple(json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)))
        else:
            rows.append(measure(name, args))
    if args.instructions:
        print(f"python {sys.version.split()[0]}; callgrind instructions per call ({args.instructions} calls less 0)")
    else:
        print(f"python {sys.version.split()[0]}; median of {args.repeat} x {args.number} calls; microseconds per call")
    print(f"{'implementation':<18}{'event B':>8}{'frame B':>8}{'event enc':>11}{'event dec':>11}"
          f"{'frame enc':>11}{'frame dec':>11}")
    base = {r[0]: r[3] for r in rows}
    for name, ne, nf, c in rows:
        print(f"{name:<18}{ne:>8}{nf or 'n/a':>8}" + "".join(
            f"{'n/a':>11}" if x is None else f"{x:>11.0f}" if args.instructions else f"{x:>11.2f}" for x in c))
    for other in ("pyamqp", "proton", "uamqp"):
        if other in base and "flatamqp" in base:
            ratio = [None if p is None else p / f for p, f in zip(base[other], base["flatamqp"])]
            print(f"{other + ' / flatamqp':<34}" + "".join(f"{'n/a':>11}" if x is None else f"{x:>10.1f}x"
                                                           for x in ratio))


if __name__ == "__main__":
    main()
