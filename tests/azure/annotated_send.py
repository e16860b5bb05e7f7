"""Test support: sends one message carrying the message annotations an
Event Hubs event has (x-opt-sequence-number a long, x-opt-offset a string,
x-opt-enqueued-time a timestamp, x-opt-partition-key a string) plus one
that is not x-opt-* (x-other, an int), with Qpid Proton's Python binding
(python3-qpid-proton), so that famqp-recv --print-annotations reads what
another AMQP stack encoded.

  annotated_send.py URL ADDRESS

Exits 0 once the broker accepted the message.
"""
import sys

from proton import Message, int32, symbol, timestamp
from proton.utils import BlockingConnection

url, address = sys.argv[1:3]
conn = BlockingConnection(url, timeout=30)
sender = conn.create_sender(address)
sender.send(Message(body="event", annotations={
    symbol("x-opt-sequence-number"): 41,  # a Python int: a long
    symbol("x-opt-offset"): "4096",
    symbol("x-opt-enqueued-time"): timestamp(1700000000000),
    symbol("x-opt-partition-key"): "device-42",
    symbol("x-other"): int32(7),
}))
conn.close()
