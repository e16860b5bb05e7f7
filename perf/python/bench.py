#!/usr/bin/env python3
"""Per-message codec cost from Python: encode and decode of a typical event
and of a transfer frame, flatamqp against pyamqp (azure-eventhub's
pure-Python codec) and python-qpid-proton (Proton-C under Python).

    perf/python/run.sh BUILD         (the venv of scripts/install-deps.sh,
                                      PYTHONPATH=BUILD/python)

Each cell: the median of REPEAT timeit runs of NUMBER calls, in
microseconds per call (one run, this machine).  Each implementation's
decode is checked against what was encoded before anything is timed.

The typical event is the talk's: properties (message-id, to, subject,
content-type, creation-time), application properties {"tenant": "acme",
"priority": 5, "retry": False}, message annotations {x-opt-partition-key},
a 100-byte body.  The transfer frame is a whole frame: header, transfer
performative (handle, delivery-id, delivery-tag, message-format, settled)
and that event as its payload; decoding a frame reads the performative and
the message in it.
"""
import argparse
import statistics
import sys
import timeit
import uuid

BODY = bytes(range(100))
TAG = b"\x00\x00\x00\x00\x00\x00\x30\x39"


def flatamqp_impl(mod):
    import flatamqp
    from flatamqp import types
    msg = flatamqp.Message(
        message_annotations={types.symbol("x-opt-partition-key"): "pk-1"},
        properties=flatamqp.Properties(message_id="msg-12345", to="/queues/orders", subject="order.created",
                                       content_type="application/json", creation_time=1700000000000),
        application_properties={"tenant": "acme", "priority": 5, "retry": False},
        body=BODY)
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


def proton_impl():
    import proton
    from proton import Data
    msg = proton.Message()
    msg.id = "msg-12345"
    msg.address = "/queues/orders"
    msg.subject = "order.created"
    msg.content_type = "application/json"
    msg.creation_time = 1700000000.0
    msg.properties = {"tenant": "acme", "priority": 5, "retry": False}
    msg.annotations = {proton.symbol("x-opt-partition-key"): "pk-1"}
    msg.body = BODY

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


IMPLS = {
    "flatamqp": flatamqp_impl,
    "flatamqp.pyamqp": pyamqp_on_flatamqp,
    "pyamqp": pyamqp_pure,
    "proton": proton_impl,
}


def median_us(fn, number, repeat):
    runs = timeit.repeat(fn, number=number, repeat=repeat)
    return statistics.median(runs) / number * 1e6


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--number", type=int, default=20000, help="calls per timeit run")
    ap.add_argument("--repeat", type=int, default=7, help="timeit runs; the median is reported")
    ap.add_argument("--impls", default=",".join(IMPLS), help="comma-separated: " + ", ".join(IMPLS))
    args = ap.parse_args()
    rows = []
    for name in args.impls.split(","):
        if name == "flatamqp":
            enc_e, dec_e, enc_f, dec_f, check = IMPLS[name](None)
        else:
            enc_e, dec_e, enc_f, dec_f, check = IMPLS[name]()
        ev, fr = bytes(enc_e()), bytes(enc_f())
        check(ev, fr)
        cells = [median_us(enc_e, args.number, args.repeat), median_us(lambda: dec_e(ev), args.number, args.repeat),
                 median_us(enc_f, args.number, args.repeat), median_us(lambda: dec_f(fr), args.number, args.repeat)]
        rows.append((name, len(ev), len(fr), cells))
    print(f"python {sys.version.split()[0]}; median of {args.repeat} x {args.number} calls; microseconds per call")
    print(f"{'implementation':<18}{'event B':>8}{'frame B':>8}{'event enc':>11}{'event dec':>11}"
          f"{'frame enc':>11}{'frame dec':>11}")
    base = {r[0]: r[3] for r in rows}
    for name, ne, nf, c in rows:
        print(f"{name:<18}{ne:>8}{nf:>8}" + "".join(f"{x:>11.2f}" for x in c))
    if "pyamqp" in base and "flatamqp" in base:
        ratio = [p / f for p, f in zip(base["pyamqp"], base["flatamqp"])]
        print(f"{'pyamqp / flatamqp':<34}" + "".join(f"{x:>10.1f}x" for x in ratio))
    if "proton" in base and "flatamqp" in base:
        ratio = [p / f for p, f in zip(base["proton"], base["flatamqp"])]
        print(f"{'proton / flatamqp':<34}" + "".join(f"{x:>10.1f}x" for x in ratio))


if __name__ == "__main__":
    main()
