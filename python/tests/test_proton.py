"""Cross-checks with Qpid Proton's codec (Debian's python3-qpid-proton,
proton.Data and proton.Message), both directions, over a table of values
and of messages: what Proton encodes, flatamqp decodes to the same values
and types; what flatamqp encodes, Proton decodes to the same."""
import uuid

import proton
import pytest
from proton import Data

import flatamqp
from flatamqp import types

# AMQP type name of an Array's elements: Proton's names to famqp's
P2F_KIND = {"bool": "boolean"}
# the class an array element of that type decodes to
ELEMENT_CLASS = {"int": types.int32, "uint": types.uint, "ulong": types.ulong, "ushort": types.ushort,
                 "ubyte": types.ubyte, "byte": types.byte, "short": types.short, "float": types.float32,
                 "timestamp": types.timestamp, "symbol": types.symbol, "char": types.char}


def p2f(v):
    """A Proton-typed value as the flatamqp-typed value it must decode to."""
    name = type(v).__name__
    if name in ("decimal32", "decimal64"):
        return getattr(types, name)(int(v).to_bytes(4 if name == "decimal32" else 8, "big"))
    if name == "decimal128":
        return types.decimal128(bytes(v))
    if name in ("ubyte", "ushort", "uint", "ulong", "byte", "short", "int32", "float32", "char",
                "timestamp", "symbol"):
        return getattr(types, name)(v)
    if isinstance(v, proton.Described):
        return types.Described(p2f(v.descriptor), p2f(v.value))
    if isinstance(v, proton.Array):
        kind = P2F_KIND.get(Data.type_names[v.type], Data.type_names[v.type])
        cls = ELEMENT_CLASS.get(kind)
        return types.Array(kind, [cls(x) if cls else p2f(x) for x in v.elements])
    if isinstance(v, dict):
        return {p2f(k): p2f(x) for k, x in v.items()}
    if isinstance(v, list):
        return [p2f(x) for x in v]
    return v


def same(a, b):
    """Equal values of the same Python types, all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return len(a) == len(b) and all(any(same(k, k2) and same(v, b[k2]) for k2 in b) for k, v in a.items())
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


ARR = proton.Array
U = proton.UNDESCRIBED
VALUES = [
    None, True, False, 0, 1, -1, 2**40, -(2**63), 2**63 - 1,
    proton.ulong(0), proton.ulong(2**64 - 1), proton.uint(7), proton.uint(2**32 - 1), proton.ushort(65535),
    proton.ubyte(255), proton.byte(-128), proton.short(-32768), proton.int32(-(2**31)), proton.int32(5),
    proton.float32(1.5), 2.25, -0.0, proton.char("x"), proton.char("\U0001f600"), proton.timestamp(1700000000123),
    uuid.UUID("12345678-1234-5678-9abc-def012345678"), b"", b"\x00\xff" * 200, "", "h\u00e9llo", "x" * 300,
    proton.symbol("a:b"), proton.symbol("s" * 256),
    proton.decimal32(0x01020304), proton.decimal64(0x0102030405060708),
    [], [1, "a", None], [[1, [2, [3]]]], {}, {"k": 1, proton.symbol("s"): [1, 2], 3: {"n": None}},
    proton.Described(proton.symbol("x:y"), "v"), proton.Described(proton.ulong(0x1234), [1, 2]),
    ARR(U, Data.INT, 1, 2, 3), ARR(U, Data.SYMBOL, proton.symbol("a"), proton.symbol("b")),
    ARR(U, Data.STRING, "a", "bc"), ARR(U, Data.ULONG, proton.ulong(1)), ARR(U, Data.BOOL, True, False),
    ARR(U, Data.DOUBLE, 1.0, 2.5), ARR(U, Data.UUID, uuid.UUID(int=1)), ARR(U, Data.BINARY, b"a", b""),
    ARR(U, Data.TIMESTAMP, proton.timestamp(5)), ARR(U, Data.INT),
]


def proton_encode(v):
    d = Data()
    d.put_object(v)
    return d.encode()


def proton_decode(b):
    d = Data()
    d.decode(b)
    d.rewind()
    d.next()
    return d.get_object()


@pytest.mark.parametrize("v", VALUES, ids=[f"{type(v).__name__}-{i}" for i, v in enumerate(VALUES)])
def test_values_proton_to_flatamqp(v):
    got = flatamqp.decode(proton_encode(v))
    assert same(got, p2f(v)), (got, p2f(v))


@pytest.mark.parametrize("v", VALUES, ids=[f"{type(v).__name__}-{i}" for i, v in enumerate(VALUES)])
def test_values_flatamqp_to_proton(v):
    got = proton_decode(flatamqp.encode_value(p2f(v)))
    assert same(p2f(got), p2f(v)), (got, v)


def proton_message(i):
    m = proton.Message()
    m.id = [7, "id-%d" % i, uuid.UUID(int=i + 1), b"bin-id"][i % 4]
    m.correlation_id = "c-%d" % i
    m.address = "queue-%d" % i
    m.reply_to = "reply"
    m.subject = "subject"
    m.user_id = b"user"
    m.content_type = "text/plain"
    m.content_encoding = "utf-8"
    m.group_id = "g"
    m.group_sequence = 3
    m.reply_to_group_id = "rg"
    m.creation_time = 1700000000.5
    m.expiry_time = 1700000100.25
    m.durable = bool(i % 2)
    m.priority = 7
    m.ttl = 2.5
    m.first_acquirer = True
    m.delivery_count = i
    m.properties = {"n": i, "s": "str", "f": 1.5, "b": True}
    m.annotations = {proton.symbol("x-opt-partition-key"): "p", proton.symbol("x-opt-sequence-number"): i}
    m.instructions = {proton.symbol("x-opt-lock-token"): uuid.UUID(int=99)}
    m.body = [b"bytes body", "string body", {"map": [1, 2]}, None][i % 4]
    return m


@pytest.mark.parametrize("i", range(8))
def test_messages_proton_to_flatamqp(i):
    pm = proton_message(i)
    fm = flatamqp.decode_message(pm.encode())
    p = fm.properties
    assert p.message_id == pm.id and p.correlation_id == pm.correlation_id
    assert (p.to, p.reply_to, p.subject, p.user_id) == (pm.address, pm.reply_to, pm.subject, pm.user_id)
    assert (p.content_type, p.content_encoding, p.group_id, p.group_sequence, p.reply_to_group_id) == (
        "text/plain", "utf-8", "g", 3, "rg")
    assert p.creation_time == 1700000000500 and p.absolute_expiry_time == 1700000100250
    h = fm.header
    assert (h.durable or False, h.priority, h.ttl, h.first_acquirer, h.delivery_count or 0) == (
        pm.durable, 7, 2500, True, i)
    assert same(fm.application_properties, p2f(pm.properties))
    assert same(fm.message_annotations, p2f(pm.annotations))
    assert same(fm.delivery_annotations, p2f(pm.instructions))
    body = pm.body
    if body is None:  # Proton sends no body section then
        assert fm.body is None
    else:  # Proton 0.37 sends every body, bytes too, as an amqp-value
        assert isinstance(fm.body, flatamqp.AmqpValue) and same(fm.body.value, p2f(body))


@pytest.mark.parametrize("i", range(8))
def test_messages_flatamqp_to_proton(i):
    fm = flatamqp.Message(
        header=flatamqp.Header(durable=bool(i % 2), priority=6, ttl=1500, first_acquirer=False, delivery_count=i),
        delivery_annotations={types.symbol("x-opt-d"): i},
        message_annotations={types.symbol("x-opt-partition-key"): "p", types.symbol("x-opt-offset"): "12"},
        properties=flatamqp.Properties(message_id=[i, "id", uuid.UUID(int=5), b"b"][i % 4], to="q",
                                       subject="s", reply_to="r", correlation_id="c", content_type="ct",
                                       creation_time=1700000000250, group_id="g", group_sequence=9),
        application_properties={"n": i, "s": "x", "u": types.uint(4), "l": [1, "a"]},
        body=[b"payload", "text", [1, 2], flatamqp.AmqpSequence([1, 2])][i % 4],
    )
    pm = proton.Message()
    pm.decode(flatamqp.encode(fm))
    assert pm.durable == bool(i % 2) and pm.priority == 6 and pm.ttl == 1.5 and pm.delivery_count == i
    assert pm.id == fm.properties.message_id and pm.address == "q" and pm.subject == "s"
    assert pm.reply_to == "r" and pm.correlation_id == "c" and pm.content_type == "ct"
    assert pm.creation_time == 1700000000.25 and pm.group_id == "g" and pm.group_sequence == 9
    assert same(p2f(pm.properties), fm.application_properties)
    assert same(p2f(pm.annotations), fm.message_annotations)
    assert same(p2f(pm.instructions), fm.delivery_annotations)
    if i % 4 == 0:
        assert pm.body == b"payload"
    elif i % 4 == 3:
        assert pm.body == [1, 2]
    else:
        assert same(p2f(pm.body), fm.body)
