"""The recorded connections of real peers (tests/vectors/data: Qpid Proton,
RabbitMQ, rhea): every frame's performative decodes into the class its
descriptor names and round-trips; every message, its transfers' payloads
joined, decodes and round-trips; the big message's body is exactly the
307,200 bytes that were sent."""
import collections

import flatamqp
from conftest import recorded_frames

FRAMES = recorded_frames()


def test_recordings_are_there():
    assert len(FRAMES) > 1000
    assert {f[0].split(".")[0] for f in FRAMES} >= {"proton-client_rabbitmq", "rhea-client_rabbitmq"}


def test_every_performative_and_message_round_trips():
    payloads = collections.defaultdict(bytearray)
    messages = 0
    big = []
    for stream, index, kind, desc, body in FRAMES:
        if not body:
            continue  # an empty frame (heartbeat)
        perf, end = flatamqp.decode_prefix(body)
        assert perf.descriptor == desc, (stream, index)
        assert flatamqp.decode(flatamqp.encode(perf)) == perf, (stream, index, perf)
        if not isinstance(perf, flatamqp.Transfer):
            assert end == len(body), (stream, index)
            continue
        key = (stream, perf.handle)
        payloads[key] += body[end:]
        if perf.more:
            continue
        data = bytes(payloads.pop(key))
        msg = flatamqp.decode_message(data)
        assert msg.body is not None, (stream, index)
        again = flatamqp.decode_message(flatamqp.encode(msg))
        assert again == msg, (stream, index, msg)
        if ".big." in stream:
            big.append(msg)
        messages += 1
    assert messages > 500
    assert len(big) >= 6
    for msg in big:
        body = msg.body.value if isinstance(msg.body, flatamqp.Data) else msg.body.value
        assert bytes(body) == bytes(range(256)) * 1200
