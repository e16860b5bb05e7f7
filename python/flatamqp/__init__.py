"""flatamqp: AMQP 1.0 codecs for Python, generated from the standard's XML.

    import flatamqp
    data = flatamqp.encode(flatamqp.Transfer(handle=0, delivery_id=1, delivery_tag=b"t"))
    flatamqp.decode(data)           # Transfer(handle=0, delivery_id=1, ...)
    msg = flatamqp.Message(application_properties={"k": 1}, body=b"hello")
    flatamqp.decode_message(flatamqp.encode(msg))

    with flatamqp.Client("amqp://127.0.0.1:5672") as c:
        with c.sender("queue") as s:
            s.send(msg)                 # 'accepted', or raises MessageRejected
        with c.receiver("queue") as r:
            d = r.receive(timeout=5)    # a Delivery, or None
            d.message; d.accept()

One class per AMQP composite and section (a namedtuple with the spec's
field names; None is absent on the wire), Message for a whole message,
DecodeError and EncodeError; the client (Client, Sender, Receiver,
Delivery, AMQPError and its subclasses).  See docs/python.md.
"""
from . import types
from ._flatamqp import *  # noqa: F401,F403  (the classes, encode, decode, ...)
from ._flatamqp import (AMQPError, AuthenticationError, Client, ConnectError, ConnectionClosed, Delivery,
                        Interrupted, Link, LinkError, MessageRejected, OperationTimeout, Receiver, Sender)
from ._flatamqp import (DecodeError, EncodeError, Message, decode, decode_frame, decode_message, decode_prefix,
                        encode, encode_frame, encode_into, encode_value)
from ._flatamqp import _register_value_types
from .types import Array, Described, symbol

_register_value_types(types._value_classes())

__all__ = [n for n in dir() if not n.startswith("_") and n != "types"] + ["types"]
