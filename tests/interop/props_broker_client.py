"""Qpid Proton (python3-qpid-proton) client for the famqp-broker half of
the properties interop test.

  props_broker_client.py URL VERSION [--timeout S]

Connects with its own connection properties and offered capabilities and
attaches a receiver and a sender (each with link properties) to the queue
"props-q", then checks what famqp-broker announced: open.properties
{product: "famqp-broker", version: VERSION} and the terminus capability
"queue" on the source it consumes from and on the target it sends to.
Exits 0 when everything matched, else 1 with one line per mismatch.
"""
import argparse
import sys

from proton import UNDESCRIBED, Array, Data, symbol
from proton.handlers import MessagingHandler
from proton.reactor import Container, LinkOption


def as_list(v):
    """Capabilities as a list of str (Proton gives an Array, a list or one symbol)."""
    if v is None:
        return []
    if isinstance(v, Array):
        return [str(x) for x in v.elements]
    if isinstance(v, (list, tuple)):
        return [str(x) for x in v]
    return [str(v)]


def data_obj(d):
    d.rewind()
    return d.get_object() if d.next() else None


class LinkProperties(LinkOption):
    def __init__(self, role):
        self.role = role

    def apply(self, link):
        link.properties = {symbol("client-link"): self.role}


class Check(MessagingHandler):
    def __init__(self, args):
        super().__init__()
        self.args = args
        self.problems = []
        self.opened = 0

    def expect(self, what, got, want):
        if got != want:
            self.problems.append("%s: got %r, want %r" % (what, got, want))

    def on_start(self, event):
        self.timer = event.container.schedule(self.args.timeout, self)
        conn = event.container.connect(
            self.args.url, allowed_mechs="ANONYMOUS",
            properties={symbol("client-product"): "proton-props-check"},
            offered_capabilities=Array(UNDESCRIBED, Data.SYMBOL, symbol("client-cap")))
        event.container.create_receiver(conn, "props-q", options=LinkProperties("receiver"))
        event.container.create_sender(conn, "props-q", options=LinkProperties("sender"))

    def on_connection_opened(self, event):
        props = event.connection.remote_properties or {}
        self.expect("open.properties", {str(k): v for k, v in props.items()},
                    {"product": "famqp-broker", "version": self.args.version})

    def on_link_opened(self, event):
        link = event.link
        if link.is_receiver:
            self.expect("source capabilities of the queue we consume from",
                        as_list(data_obj(link.remote_source.capabilities)), ["queue"])
        else:
            self.expect("target capabilities of the queue we send to",
                        as_list(data_obj(link.remote_target.capabilities)), ["queue"])
        self.opened += 1
        if self.opened == 2:
            self.timer.cancel()
            event.connection.close()

    def on_timer_task(self, event):
        self.problems.append("timeout: %d of 2 links opened" % self.opened)
        event.container.stop()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("version")
    p.add_argument("--timeout", type=float, default=30)
    args = p.parse_args()
    check = Check(args)
    Container(check).run()
    for line in check.problems:
        print("FAILED: " + line)
    if check.problems:
        sys.exit(1)
    print("famqp-broker's properties and capabilities read by Proton: ok")


if __name__ == "__main__":
    main()
