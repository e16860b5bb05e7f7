"""Qpid Proton (python3-qpid-proton) client for the interop tests.

  proton_client.py send URL ADDRESS COUNT [--size N] [--settled]
  proton_client.py recv URL ADDRESS COUNT [--settled] [--timeout S]
                   [--no-accept] [--unordered --dump FILE]

send: message i has body {"seq": i, "pad": <size bytes>}; exits 0 once all
COUNT are sent and (unless --settled) accepted.
recv: exits 0 once COUNT messages arrived with seq 0..COUNT-1 in order, no
duplicates, pad sizes as sent; prints one summary line either way.
--no-accept: takes COUNT messages without settling them, then closes (the
broker must deliver them again).  --unordered --dump FILE: any seq order,
the seqs received are written to FILE (one per line) for the test to check.
"""
import argparse
import sys

from proton import Message
from proton.handlers import MessagingHandler
from proton.reactor import AtMostOnce, Container


class Sender(MessagingHandler):
    def __init__(self, args):
        super().__init__(auto_settle=True)
        self.args = args
        self.sent = 0
        self.accepted = 0
        self.failed = None

    def on_start(self, event):
        self.timer = event.container.schedule(self.args.timeout, self)
        opts = [AtMostOnce()] if self.args.settled else None
        conn = event.container.connect(self.args.url, allowed_mechs="ANONYMOUS PLAIN")
        event.container.create_sender(conn, self.args.address, options=opts)

    def on_timer_task(self, event):
        self.failed = "timeout: sent %d accepted %d" % (self.sent, self.accepted)
        event.container.stop()

    def on_sendable(self, event):
        while event.sender.credit and self.sent < self.args.count:
            body = {"seq": self.sent, "pad": b"x" * self.args.size}
            event.sender.send(Message(body=body))
            self.sent += 1
        if self.args.settled and self.sent == self.args.count:
            self.finish(event)

    def on_accepted(self, event):
        self.accepted += 1
        if self.accepted == self.args.count:
            self.finish(event)

    def on_rejected(self, event):
        self.failed = "message rejected"
        event.connection.close()

    def finish(self, event):
        # The container ends once the close handshake is done.
        self.timer.cancel()
        event.connection.close()

    def on_transport_error(self, event):
        cond = event.transport.condition
        self.failed = "transport error: %s" % (cond.description if cond else "?")
        event.container.stop()


class Receiver(MessagingHandler):
    def __init__(self, args):
        super().__init__(prefetch=100, auto_accept=not args.no_accept)
        self.args = args
        self.expected = 0
        self.seen = []
        self.failed = None

    def on_start(self, event):
        self.timer = event.container.schedule(self.args.timeout, self)
        opts = [AtMostOnce()] if self.args.settled else None
        conn = event.container.connect(self.args.url, allowed_mechs="ANONYMOUS PLAIN")
        event.container.create_receiver(conn, self.args.address, options=opts)

    def on_timer_task(self, event):
        self.failed = "timeout: received %d" % self.expected
        event.container.stop()

    def on_message(self, event):
        body = event.message.body
        seq = body.get("seq") if isinstance(body, dict) else None
        if self.args.unordered:
            self.seen.append(seq)
        elif seq != self.expected:
            self.failed = "expected seq %d, got %r" % (self.expected, seq)
            event.container.stop()
            return
        if len(body.get("pad", b"")) != self.args.size:
            self.failed = "seq %d: pad of %d bytes, expected %d" % (seq, len(body["pad"]), self.args.size)
            event.container.stop()
            return
        self.expected += 1
        if self.expected == self.args.count:
            self.timer.cancel()
            event.receiver.close()
            event.connection.close()

    def on_transport_error(self, event):
        cond = event.transport.condition
        self.failed = "transport error: %s" % (cond.description if cond else "?")
        event.container.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("mode", choices=["send", "recv"])
    p.add_argument("url")
    p.add_argument("address")
    p.add_argument("count", type=int)
    p.add_argument("--size", type=int, default=16)
    p.add_argument("--settled", action="store_true")
    p.add_argument("--timeout", type=float, default=40)
    p.add_argument("--no-accept", action="store_true")
    p.add_argument("--unordered", action="store_true")
    p.add_argument("--dump")
    args = p.parse_args()
    handler = Sender(args) if args.mode == "send" else Receiver(args)
    Container(handler).run()
    if args.dump:
        with open(args.dump, "w") as f:
            f.write("".join("%s\n" % s for s in handler.seen))
    if handler.failed:
        print("proton %s: FAILED: %s" % (args.mode, handler.failed))
        return 1
    print("proton %s: %d messages ok" % (args.mode, args.count))
    return 0


if __name__ == "__main__":
    sys.exit(main())
