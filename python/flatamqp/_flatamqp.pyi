# Stubs of the extension module flatamqp._flatamqp.  The AMQP classes are in
# _generated.pyi (written by famqp-gen --emit python).
from typing import Any, NamedTuple

from ._generated import *  # noqa: F401,F403
from ._generated import AmqpSequence, AmqpValue, Data, Header, Properties

_Buffer = bytes | bytearray | memoryview

class DecodeError(ValueError):
    status: str        # "truncated", "bad constructor", "type mismatch", ...
    type: str          # the AMQP type being decoded, e.g. "transfer"
    field: str | None  # its field, e.g. "delivery-tag"
    offset: int        # byte offset into the input
    detail: str | None
    payload: bytes     # the input

class EncodeError(ValueError):
    type: str
    field: str | None

class Message(NamedTuple):
    header: Header | None = None
    delivery_annotations: dict[Any, Any] | None = None
    message_annotations: dict[Any, Any] | None = None
    properties: Properties | None = None
    application_properties: dict[Any, Any] | None = None
    # one Data/AmqpSequence/AmqpValue, or a list of Data or AmqpSequence;
    # to encode also bytes (one Data) or any other value (one AmqpValue)
    body: Any = None
    footer: dict[Any, Any] | None = None

def encode(obj: Any) -> bytes: ...
def encode_value(obj: Any) -> bytes: ...
def encode_into(obj: Any, buffer: bytearray | memoryview, offset: int = 0) -> int: ...
def decode(buffer: _Buffer, offset: int = 0) -> Any: ...
def decode_prefix(buffer: _Buffer, offset: int = 0) -> tuple[Any, int]: ...
def decode_message(buffer: _Buffer, offset: int = 0) -> Message: ...
def encode_frame(performative: Any, payload: _Buffer | Message | None = None, channel: int = 0) -> bytes: ...
def decode_frame(buffer: _Buffer) -> tuple[int, Any, memoryview]: ...
def _register_value_types(classes: dict[str, type]) -> None: ...
