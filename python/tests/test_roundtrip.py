"""Every composite and section of the spec: random valid encodings made by
the C encoder (python/tests/make_vectors.c) decode into their class, and
encode -> decode gives the same object; every truncation of every vector
raises DecodeError naming the type."""
import pytest

import flatamqp

CLASSES = {c.amqp_name: c for c in vars(flatamqp).values() if isinstance(c, type) and hasattr(c, "amqp_name")}


def test_every_type_has_vectors(vectors):
    names = {name for name, _ in vectors}
    assert names == set(CLASSES), set(CLASSES) ^ names
    assert len(CLASSES) >= 40


def test_decode_encode_decode(vectors):
    for name, data in vectors:
        obj = flatamqp.decode(data)
        assert type(obj) is CLASSES[name], (name, obj)
        again = flatamqp.encode(obj)
        obj2 = flatamqp.decode(again)
        assert obj2 == obj, (name, data.hex(), again.hex())
        # the second encoding is stable: the first was already canonical
        assert flatamqp.encode(obj2) == again, name


def test_encode_matches_the_c_encoder_without_untyped_values(vectors):
    """Where a value holds no untyped field (maps, lists and amqp-value are
    written by the generic writer, with 32-bit compound sizes), the bytes
    are the C encoder's, byte for byte."""
    compared = 0
    for name, data in vectors:
        obj = flatamqp.decode(data)
        if any(isinstance(v, (dict, list)) or (v is not None and not isinstance(
                v, (int, str, bytes, float, memoryview))) for v in obj):
            continue
        if name == "amqp-value":
            continue
        assert flatamqp.encode(obj) == data, (name, data.hex())
        compared += 1
    assert compared > 100


def test_every_truncation_raises_decode_error(vectors):
    for name, data in vectors:
        for k in range(len(data)):
            with pytest.raises(flatamqp.DecodeError) as e:
                flatamqp.decode(data[:k])
            err = e.value
            assert err.payload == data[:k]
            assert 0 <= err.offset <= k, (name, k, err.offset)
            assert err.status == "truncated", (name, k, str(err))
            # within the descriptor "described", past it the type itself
            assert err.type == name or (err.type == "described" and k <= 10), (name, k, str(err))


def test_trailing_bytes_are_an_error_for_decode_not_for_decode_prefix(vectors):
    name, data = vectors[0]
    with pytest.raises(flatamqp.DecodeError) as e:
        flatamqp.decode(data + b"\x40")
    assert e.value.offset == len(data)
    obj, end = flatamqp.decode_prefix(data + b"\x40")
    assert end == len(data) and obj == flatamqp.decode(data)


def test_mutated_vectors_never_crash(vectors):
    """Each byte of each vector replaced by a few values: decode either
    succeeds or raises DecodeError, nothing else."""
    seen = 0
    for name, data in vectors[::4]:
        for i in range(len(data)):
            for b in (0x00, 0x40, 0xff, data[i] ^ 0x80):
                bad = data[:i] + bytes([b]) + data[i + 1:]
                try:
                    flatamqp.decode(bad)
                except flatamqp.DecodeError:
                    seen += 1
    assert seen > 1000
