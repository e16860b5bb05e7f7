"""pyamqp-compatible codec functions: the shapes of pyamqp's
``encode_payload(output, message)`` and ``decode_payload(buffer)``
(pyamqp is the pure-Python AMQP stack inside azure-eventhub and
azure-servicebus) over its ``Message`` model, so a pyamqp user can swap
the hot path:

    from flatamqp.pyamqp import encode_payload, decode_payload

``encode_payload`` writes the bytes pyamqp's encoder writes for the same
message, byte for byte (in C: its section order with delivery-annotations
last, every header and properties field, booleans as 0x56, untyped ints as
AMQP int, {"TYPE": ..., "VALUE": ...} typed values).  Not supported:
``Decimal`` values and typed arrays (TypeError).

``decode_payload`` gives what pyamqp's decoder gives: strings and symbols
as ``bytes``, ints without their AMQP width, a described value as its value
(outcomes as ``{"accepted": [...]}``), sections in any order.

The Message, Header and Properties classes are pyamqp's own when
azure-eventhub (or azure-servicebus) is installed, else look-alikes with
the same fields.
"""
from __future__ import annotations

import uuid
from typing import Any, NamedTuple, Optional

from . import _flatamqp as _f
from . import types as _t

__all__ = ["encode_payload", "decode_payload", "Message", "Header", "Properties"]

try:  # pyamqp's model, when it is installed
    from azure.eventhub._pyamqp.message import Header, Message, Properties  # type: ignore
except ImportError:  # pragma: no cover - exercised without azure-eventhub
    try:
        from azure.servicebus._pyamqp.message import Header, Message, Properties  # type: ignore
    except ImportError:
        class Header(NamedTuple):  # type: ignore[no-redef]
            durable: Optional[bool] = None
            priority: Optional[int] = None
            ttl: Optional[int] = None
            first_acquirer: Optional[bool] = None
            delivery_count: Optional[int] = None

        class Properties(NamedTuple):  # type: ignore[no-redef]
            message_id: Any = None
            user_id: Any = None
            to: Any = None
            subject: Any = None
            reply_to: Any = None
            correlation_id: Any = None
            content_type: Any = None
            content_encoding: Any = None
            absolute_expiry_time: Optional[int] = None
            creation_time: Optional[int] = None
            group_id: Any = None
            group_sequence: Optional[int] = None
            reply_to_group_id: Any = None

        class Message(NamedTuple):  # type: ignore[no-redef]
            header: Optional[Header] = None
            delivery_annotations: Optional[dict] = None
            message_annotations: Optional[dict] = None
            properties: Optional[Properties] = None
            application_properties: Optional[dict] = None
            data: Optional[list] = None
            sequence: Optional[list] = None
            value: Any = None
            footer: Optional[dict] = None


def encode_payload(output: bytearray, payload: Any) -> bytearray:
    """Appends the encoded sections of a pyamqp Message to output and
    returns it (pyamqp's ``encode_payload``)."""
    return _f._pyamqp_encode_payload(output, payload)


# described values pyamqp's decoder names (its _COMPOSITES)
_OUTCOMES = {0x23: "received", 0x24: "accepted", 0x25: "rejected", 0x26: "released", 0x27: "modified"}


def _plain(v: Any) -> Any:
    """A value decoded by flatamqp as pyamqp's decoder gives it."""
    if v is None or v is True or v is False:
        return v
    if isinstance(v, str):
        return v.encode("utf-8")
    if isinstance(v, int):
        return int(v)
    if isinstance(v, float):
        return float(v)
    if isinstance(v, (bytes, memoryview)):
        return bytes(v)
    if isinstance(v, dict):
        return {_plain(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    if isinstance(v, _t.Array):
        return [_plain(x) for x in v.items]
    if isinstance(v, _t.Described):
        value = _plain(v.value)
        name = _OUTCOMES.get(v.descriptor) if isinstance(v.descriptor, int) else None
        return {name: value} if name else value
    if isinstance(v, tuple) and hasattr(v, "descriptor"):  # a spec class: its fields as on the wire
        fields = list(v)
        while fields and fields[-1] is None:
            fields.pop()
        value = [_plain(x) for x in fields]
        name = _OUTCOMES.get(v.descriptor)
        return {name: value} if name else value
    if isinstance(v, uuid.UUID):
        return v
    return v


def decode_payload(buffer: Any) -> Any:
    """Decodes the sections of a message into a pyamqp Message (pyamqp's
    ``decode_payload``)."""
    fields: dict[str, Any] = {}
    pos, end = 0, len(buffer)
    while pos < end:
        section, pos = _f.decode_prefix(buffer, pos)
        kind = type(section)
        if kind is _f.Header:
            fields["header"] = Header(*section)
        elif kind is _f.Properties:
            fields["properties"] = Properties(*[_plain(x) for x in section])
        elif kind is _f.DeliveryAnnotations:
            fields["delivery_annotations"] = _plain(section.value)
        elif kind is _f.MessageAnnotations:
            fields["message_annotations"] = _plain(section.value)
        elif kind is _f.ApplicationProperties:
            fields["application_properties"] = _plain(section.value)
        elif kind is _f.Data:
            fields.setdefault("data", []).append(bytes(section.value))
        elif kind is _f.AmqpSequence:
            fields.setdefault("sequence", []).append(_plain(section.value))
        elif kind is _f.AmqpValue:
            fields["value"] = _plain(section.value)
        elif kind is _f.Footer:
            fields["footer"] = _plain(section.value)
    return Message(**fields)
