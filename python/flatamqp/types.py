"""The Python classes of AMQP values that Python has no type of its own for.

Decoding gives them for values whose AMQP type a plain int, str, float or
bytes would lose (a ubyte, a symbol, a timestamp, ...); encoding takes them
to choose that AMQP type.  Plain Python values map as: None = null,
bool = boolean, int = long (ulong above the long range), float = double,
str = string, bytes/bytearray/memoryview = binary, list/tuple = list,
dict = map, uuid.UUID = uuid.
"""
from __future__ import annotations

import uuid
from typing import Any, NamedTuple

__all__ = [
    "symbol", "char", "ubyte", "ushort", "uint", "ulong", "byte", "short", "int32",
    "float32", "timestamp", "decimal32", "decimal64", "decimal128", "Described", "Array",
]


class symbol(str):
    """AMQP symbol (ASCII)."""
    __slots__ = ()

    def __repr__(self) -> str:
        return f"symbol({str.__repr__(self)})"


class char(str):
    """AMQP char: one Unicode scalar value."""
    __slots__ = ()


class _Int(int):
    __slots__ = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({int.__repr__(self)})"


class ubyte(_Int):
    """AMQP ubyte (0..255)."""
    __slots__ = ()


class ushort(_Int):
    """AMQP ushort (0..65535)."""
    __slots__ = ()


class uint(_Int):
    """AMQP uint (0..2**32-1)."""
    __slots__ = ()


class ulong(_Int):
    """AMQP ulong (0..2**64-1)."""
    __slots__ = ()


class byte(_Int):
    """AMQP byte (-128..127)."""
    __slots__ = ()


class short(_Int):
    """AMQP short (-32768..32767)."""
    __slots__ = ()


class int32(_Int):
    """AMQP int (32 bits; a plain Python int is an AMQP long)."""
    __slots__ = ()


class timestamp(_Int):
    """AMQP timestamp: milliseconds since the Unix epoch."""
    __slots__ = ()


class float32(float):
    """AMQP float (32 bits; a plain Python float is an AMQP double)."""
    __slots__ = ()


class decimal32(bytes):
    """AMQP decimal32: its 4 IEEE 754 bytes, network order."""


class decimal64(bytes):
    """AMQP decimal64: its 8 IEEE 754 bytes, network order."""


class decimal128(bytes):
    """AMQP decimal128: its 16 IEEE 754 bytes, network order."""


class Described(NamedTuple):
    """A described value whose descriptor is none of the spec's types."""
    descriptor: Any
    value: Any


class Array(NamedTuple):
    """AMQP array: the elements' AMQP type name ("symbol", "int", "list",
    ...) and the elements.  Arrays of described values decode (type
    "described") but do not encode."""
    type: str
    items: list[Any]


def _value_classes() -> dict[str, type]:
    return {
        "symbol": symbol, "char": char, "ubyte": ubyte, "ushort": ushort, "uint": uint,
        "ulong": ulong, "byte": byte, "short": short, "int32": int32, "float32": float32,
        "timestamp": timestamp, "decimal32": decimal32, "decimal64": decimal64,
        "decimal128": decimal128, "Described": Described, "Array": Array, "UUID": uuid.UUID,
    }
