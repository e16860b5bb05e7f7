"""The property the atheris run (python/fuzz/run.sh) checks on every
input, and test_corpus.py replays over the committed corpus
(python/tests/corpus): the decoders take any bytes and either return a
value or raise flatamqp.DecodeError (with its offset inside the input) --
never another exception, a crash or a hang; and what they return encodes
again and decodes to an equal value (arrays of described values, which
decode but do not encode, excepted: docs/python.md).

The first byte picks the decoder (decode, decode_message, decode_frame,
decode_prefix), the rest is its input."""
import math

import flatamqp

DECODERS = ("decode", "decode_message", "decode_frame", "decode_prefix")


def _same(a, b):
    """Equality that counts NaN equal to NaN (an AMQP float may be NaN)."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):  # in order (a NaN key is found by no lookup)
        return _same(list(a.items()), list(b.items()))
    if isinstance(a, memoryview):
        a = bytes(a)
    if isinstance(b, memoryview):
        b = bytes(b)
    return a == b


def _encodes_again(obj):
    """encode (or encode_value) of a decoded value decodes to an equal value
    -- except arrays of described values, which decode but do not encode
    (docs/python.md says so): that ValueError is accepted."""
    try:
        _reencode(obj)
    except ValueError as e:
        if "encoding arrays of 'described' is not supported" not in str(e):
            raise


def _reencode(obj):
    if isinstance(obj, flatamqp.Message):
        again = flatamqp.decode_message(flatamqp.encode(obj))
    elif type(obj).__module__ == "flatamqp" and hasattr(type(obj), "descriptor"):
        again = flatamqp.decode(flatamqp.encode(obj))
    else:
        again = flatamqp.decode(flatamqp.encode_value(obj))
    assert _same(obj, again), (obj, again)


def one_input(data: bytes):
    if not data:
        return
    which, buf = DECODERS[data[0] % len(DECODERS)], data[1:]
    try:
        if which == "decode":
            obj = flatamqp.decode(buf)
        elif which == "decode_message":
            obj = flatamqp.decode_message(buf)
        elif which == "decode_frame":
            channel, obj, payload = flatamqp.decode_frame(buf)
            assert 0 <= channel <= 0xFFFF and len(payload) <= len(buf)
            if obj is None:
                return
        else:
            obj, end = flatamqp.decode_prefix(buf)
            assert 0 < end <= len(buf)
    except flatamqp.DecodeError as e:
        assert 0 <= e.offset <= len(buf), (e.offset, len(buf))
        assert e.payload == bytes(buf)
        return
    _encodes_again(obj)
