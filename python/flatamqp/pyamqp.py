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

from typing import Any, NamedTuple, Optional

from . import _flatamqp as _f

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


def decode_payload(buffer: Any) -> Any:
    """Decodes the sections of a message into a pyamqp Message (pyamqp's
    ``decode_payload``)."""
    fields: dict[str, Any] = {}
    for name, value in _f._pyamqp_sections(buffer):
        if name == "header":
            fields["header"] = Header(*value)
        elif name == "properties":
            fields["properties"] = Properties(*value)
        elif name in _LISTS:
            fields.setdefault(_LISTS[name], []).append(value)
        elif name in _FIELDS:
            fields[_FIELDS[name]] = value
    return Message(**fields)


_LISTS = {"data": "data", "amqp-sequence": "sequence"}
_FIELDS = {"delivery-annotations": "delivery_annotations", "message-annotations": "message_annotations",
           "application-properties": "application_properties", "amqp-value": "value", "footer": "footer"}
