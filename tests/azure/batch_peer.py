"""A Qpid Proton (python3-qpid-proton) receiver for Event Hubs batches, for
the batch interop test: it takes each batch apart itself, with Proton's
codec only (proton.Data), not with flatamqp.

  batch_peer.py --events N --limit BYTES [--partition-key K] [--timeout S]

Listens on 127.0.0.1 (prints "listening on 127.0.0.1:PORT") and accepts
one connection.  Every transfer must carry message-format 0x80013700 (read
from Proton's frame trace: its Python binding does not expose the format),
every batch payload must be at most BYTES, its outer message only a
message-annotations section (x-opt-partition-key = K when given) and data
sections; each data section is decoded as a message of its own, whose body
must be the string "event-<i>" (padded to 300 characters when i % 50 == 7,
so some data sections need a 32-bit length), i counting 0..N-1 across the
batches, and which carries x-opt-partition-key = K when given.  Exits 0
when all N arrived like that and the client closed, 1 otherwise.
"""
import argparse
import re
import socket
import sys

from proton import Data, Delivery, Message, Transport, symbol
from proton.handlers import MessagingHandler
from proton.reactor import Container

BATCH_FORMAT = 0x80013700
DATA, MESSAGE_ANNOTATIONS = 0x75, 0x72


def expected_body(i):
    body = "event-%d" % i
    return body.ljust(300, ".") if i % 50 == 7 else body


def sections(raw):
    """(descriptor, value) of each described section in raw, in order."""
    out = []
    while raw:
        d = Data()
        n = d.decode(raw)
        raw = raw[n:]
        d.rewind()
        d.next()
        if d.type() != Data.DESCRIBED:
            raise ValueError("a section that is not a described value")
        d.enter()
        d.next()
        descriptor = d.get_object()
        d.next()
        value = d.get_object()
        d.exit()
        out.append((int(descriptor), value))
    return out


class Peer(MessagingHandler):
    def __init__(self, args):
        super().__init__(auto_accept=False, prefetch=100)
        self.args = args
        self.problems = []
        self.events = 0
        self.batches = 0
        self.formats = []
        self.closed = False

    def on_start(self, event):
        self.acceptor = event.container.listen("127.0.0.1:%d" % self.args.port)
        self.deadline = event.container.schedule(self.args.timeout, self)
        print("listening on 127.0.0.1:%d" % self.args.port, flush=True)

    def on_link_opening(self, event):
        link = event.link
        link.source.address = link.remote_source.address
        link.target.address = link.remote_target.address
        link.open()

    def on_connection_init(self, event):
        # before any frame: the transfers' message-format is seen in the trace
        event.transport.trace(Transport.TRACE_FRM)
        event.transport.tracer = self.trace

    def trace(self, transport, frame):
        m = re.search(r"@transfer\(20\) \[.*?message-format=(0x[0-9a-f]+|\d+)", frame)
        if m:
            self.formats.append(int(m.group(1), 0))

    def on_timer_task(self, event):
        self.problems.append("timed out after %d s" % self.args.timeout)
        event.container.stop()

    def on_delivery(self, event):
        dlv = event.delivery
        link = event.link
        if not link.is_receiver or dlv.partial:
            return
        raw = link.recv(dlv.pending)
        link.advance()
        self.batches += 1
        try:
            self.check_batch(raw)
            dlv.update(Delivery.ACCEPTED)
        except Exception as e:  # noqa: BLE001 - any failure is the test's
            self.problems.append("batch %d: %s" % (self.batches, e))
            dlv.update(Delivery.REJECTED)
        dlv.settle()

    def check_batch(self, raw):
        key = self.args.partition_key
        if len(raw) > self.args.limit:
            raise ValueError("%d bytes, above the limit %d" % (len(raw), self.args.limit))
        secs = sections(raw)
        data = [v for (c, v) in secs if c == DATA]
        other = [(c, v) for (c, v) in secs if c != DATA]
        if key is not None:
            if other != [(MESSAGE_ANNOTATIONS, {symbol("x-opt-partition-key"): key})]:
                raise ValueError("outer sections %r" % (other,))
        elif other:
            raise ValueError("outer sections %r" % (other,))
        if not data:
            raise ValueError("no data sections")
        for blob in data:
            m = Message()
            m.decode(bytes(blob))
            want = expected_body(self.events)
            if m.body != want:
                raise ValueError("event %d: body %r, wanted %r" % (self.events, m.body, want))
            got_key = (m.annotations or {}).get(symbol("x-opt-partition-key"))
            if got_key != key:
                raise ValueError("event %d: partition key %r" % (self.events, got_key))
            self.events += 1

    def on_connection_closing(self, event):  # the client closed first
        self.closed = True
        self.stop()

    def on_connection_closed(self, event):
        self.stop()

    def on_transport_error(self, event):
        if not self.closed:
            cond = event.transport.condition
            self.problems.append("transport error: %s" % (cond.description if cond else "?"))
        self.stop()

    def stop(self):
        self.deadline.cancel()
        self.acceptor.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, required=True)
    ap.add_argument("--limit", type=int, required=True)
    ap.add_argument("--partition-key")
    ap.add_argument("--timeout", type=int, default=60)
    args = ap.parse_args()
    s = socket.socket()  # a free port (released just before Proton takes it)
    s.bind(("127.0.0.1", 0))
    args.port = s.getsockname()[1]
    s.close()
    peer = Peer(args)
    Container(peer).run()
    if peer.events != args.events:
        peer.problems.append("%d events arrived, wanted %d" % (peer.events, args.events))
    if len(peer.formats) != peer.batches or any(f != BATCH_FORMAT for f in peer.formats):
        peer.problems.append("message-formats %r for %d batches" % (peer.formats, peer.batches))
    if not peer.closed:
        peer.problems.append("the client never closed its connection")
    if peer.batches < 2:
        peer.problems.append("only %d batch(es): the limit never filled one" % peer.batches)
    for p in peer.problems:
        print("FAILED: " + p, file=sys.stderr)
    print("%d events in %d batches, every transfer message-format 0x%x" % (peer.events, peer.batches, BATCH_FORMAT))
    return 1 if peer.problems else 0


if __name__ == "__main__":
    sys.exit(main())
