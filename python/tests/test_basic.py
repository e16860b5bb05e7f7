"""The module's surface: encode, encode_into, decode, decode_prefix,
decode_message, and the errors, on a few hand-checked values."""
import pytest

import flatamqp
from flatamqp import types


def test_transfer_bytes_are_the_spec_encoding():
    t = flatamqp.Transfer(handle=0, delivery_id=1, delivery_tag=b"tag", message_format=0, settled=False)
    # described 0x14, list8 of 5: uint0, smalluint 1, vbin8 "tag", uint0, false
    assert flatamqp.encode(t) == bytes.fromhex("005314c00b05435201a00374616743" "42")
    assert flatamqp.decode(flatamqp.encode(t)) == t


def test_absent_fields_are_none_and_stay_absent():
    t = flatamqp.decode(flatamqp.encode(flatamqp.Transfer(handle=3)))
    assert t.handle == 3 and t.delivery_id is None and t.settled is None


def test_encode_into_bytearray_grows_and_returns_length():
    buf = bytearray(b"ab")
    n = flatamqp.encode_into(flatamqp.Flow(incoming_window=1, next_outgoing_id=2, outgoing_window=3), buf, 2)
    assert buf[:2] == b"ab" and n == len(buf) - 2
    assert flatamqp.decode(buf, 2).outgoing_window == 3


def test_encode_into_fixed_buffer_too_small():
    with pytest.raises(ValueError):
        flatamqp.encode_into(flatamqp.Open(container_id="c" * 100), memoryview(bytearray(10)))


def test_decode_prefix_leaves_the_payload():
    body = flatamqp.encode(flatamqp.Transfer(handle=1)) + b"payload"
    t, end = flatamqp.decode_prefix(body)
    assert t.handle == 1 and body[end:] == b"payload"


def test_message_round_trip_and_zero_copy_body():
    m = flatamqp.Message(
        header=flatamqp.Header(durable=True, priority=4),
        message_annotations={types.symbol("x-opt-partition-key"): "p"},
        properties=flatamqp.Properties(message_id="id-1", to="queue", creation_time=1700000000000),
        application_properties={"n": 1, "s": "x"},
        body=b"hello",
    )
    data = flatamqp.encode(m)
    d = flatamqp.decode_message(data)
    assert d.header == m.header and d.properties == m.properties
    assert d.message_annotations == m.message_annotations
    assert d.application_properties == m.application_properties
    assert isinstance(d.body, flatamqp.Data) and isinstance(d.body.value, memoryview)
    assert d.body.value.obj is data  # a view into the input, not a copy
    assert bytes(d.body.value) == b"hello"


def test_decode_error_names_type_field_offset_and_keeps_payload():
    data = flatamqp.encode(flatamqp.Transfer(handle=0, delivery_id=1, delivery_tag=b"tag"))
    bad = data[:-1]
    with pytest.raises(flatamqp.DecodeError) as e:
        flatamqp.decode(bad)
    assert e.value.type == "transfer" and e.value.status == "truncated"
    assert e.value.payload == bad and 0 <= e.value.offset <= len(bad)


def test_decode_error_field_of_a_wrong_type():
    # transfer whose handle is a string
    bad = bytes.fromhex("005314c00401a10178")
    with pytest.raises(flatamqp.DecodeError) as e:
        flatamqp.decode(bad)
    assert (e.value.type, e.value.field, e.value.offset, e.value.status) == ("transfer", "handle", 6, "type mismatch")


def test_encode_error_names_field():
    with pytest.raises(flatamqp.EncodeError) as e:
        flatamqp.encode(flatamqp.Transfer(handle="x"))
    assert (e.value.type, e.value.field) == ("transfer", "handle")
    with pytest.raises(flatamqp.EncodeError, match="mandatory"):
        flatamqp.encode(flatamqp.Attach(name="l", handle=1))


def test_encode_rejects_foreign_objects():
    with pytest.raises(TypeError):
        flatamqp.encode(object())


def test_frames_round_trip_with_payload_and_channel():
    t = flatamqp.Transfer(handle=1, delivery_id=5, delivery_tag=b"t", message_format=0)
    m = flatamqp.Message(properties=flatamqp.Properties(message_id="m"), body=b"hi")
    frame = flatamqp.encode_frame(t, m, channel=3)
    assert int.from_bytes(frame[:4], "big") == len(frame) and frame[4:8] == b"\x02\x00\x00\x03"
    channel, perf, payload = flatamqp.decode_frame(frame)
    assert (channel, perf) == (3, t) and isinstance(payload, memoryview)
    assert flatamqp.decode_message(payload) == flatamqp.decode_message(flatamqp.encode(m))
    sasl = flatamqp.encode_frame(flatamqp.SaslInit(mechanism="ANONYMOUS"))
    assert sasl[5] == 1 and flatamqp.decode_frame(sasl)[1].mechanism == "ANONYMOUS"
    assert flatamqp.decode_frame(b"\x00\x00\x00\x08\x02\x00\x00\x00") == (0, None, b"")


def test_bad_frames_raise_decode_error():
    frame = flatamqp.encode_frame(flatamqp.Flow(next_incoming_id=1, incoming_window=2, next_outgoing_id=3,
                                                outgoing_window=4))
    for bad in (frame[:5], frame[:-1], frame[:4] + b"\x01" + frame[5:], frame + b"x"):
        with pytest.raises(flatamqp.DecodeError):
            flatamqp.decode_frame(bad)
