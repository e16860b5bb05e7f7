"""A Qpid Proton (python3-qpid-proton) peer for the properties interop test.

  props_peer.py [--timeout S]

Listens on 127.0.0.1 (prints "listening on 127.0.0.1:PORT"), takes one
connection, and
  - checks what the client sent: connection properties and capabilities,
    each link's properties, source/target capabilities, filter set
    (selector and com.microsoft:session-filter), durability, expiry policy,
    timeout and dynamic-node-properties (the values famqp-props-check sets);
  - answers with its own: connection properties and capabilities, link
    properties, source/target capabilities, a dynamic node's address, for
    the client to read back.
Exits 0 once the client closed and everything matched, else 1 with one
line per mismatch.
"""
import argparse
import socket
import sys

from proton import UNDESCRIBED, Array, Data, Described, Terminus, symbol
from proton.handlers import MessagingHandler
from proton.reactor import Container

SESSION_FILTER = 0x000001370000000C
SELECTOR_FILTER = 0x0000468C00000004


def syms(*names):
    return Array(UNDESCRIBED, Data.SYMBOL, *[symbol(n) for n in names])


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


class Peer(MessagingHandler):
    def __init__(self, port, timeout):
        super().__init__(prefetch=0, auto_accept=False)
        self.port = port
        self.timeout = timeout
        self.problems = []
        self.links = 0
        self.closed = False

    def expect(self, what, got, want):
        if got != want:
            self.problems.append("%s: got %r, want %r" % (what, got, want))

    def on_start(self, event):
        self.acceptor = event.container.listen("127.0.0.1:%d" % self.port)
        self.timer = event.container.schedule(self.timeout, self)
        print("listening on 127.0.0.1:%d" % self.port, flush=True)

    def on_timer_task(self, event):
        self.problems.append("timeout: the client did not finish")
        event.container.stop()

    def on_connection_opening(self, event):
        conn = event.connection
        props = conn.remote_properties or {}
        self.expect("connection properties", {str(k): v for k, v in props.items()},
                    {"product": "famqp-props-check", "famqp-n": 7})
        self.expect("connection offered-capabilities", as_list(conn.remote_offered_capabilities),
                    ["famqp-offered-1", "famqp-offered-2"])
        self.expect("connection desired-capabilities", as_list(conn.remote_desired_capabilities),
                    ["famqp-desired"])
        conn.properties = {symbol("product"): "proton-peer", symbol("peer-n"): 42}
        conn.offered_capabilities = syms("peer-offered")
        conn.desired_capabilities = syms("peer-desired-1", "peer-desired-2")

    def on_link_opening(self, event):
        link = event.link
        self.links += 1
        props = link.remote_properties or {}
        src, tgt = link.remote_source, link.remote_target
        if link.is_sender:  # the client's receiver
            self.expect("receiver properties", {str(k): v for k, v in props.items()}, {"role": "receiver"})
            self.expect("receiver source capabilities", as_list(data_obj(src.capabilities)), ["queue"])
            self.expect("receiver target capabilities", as_list(data_obj(tgt.capabilities)), [])
            self.expect("receiver source dynamic", src.dynamic, True)
            self.expect("receiver source durability", src.durability, Terminus.DELIVERIES)
            self.expect("receiver source expiry-policy", src.expiry_policy, Terminus.EXPIRE_NEVER)
            self.expect("receiver source timeout", src.timeout, 30)
            node = data_obj(src.properties) or {}
            self.expect("receiver dynamic-node-properties", {str(k): str(v) for k, v in node.items()},
                        {"lifetime-policy": "delete-on-close"})
            filt = data_obj(src.filter) or {}
            got = {}
            for k, v in filt.items():
                got[str(k)] = (v.descriptor, v.value) if isinstance(v, Described) else v
            self.expect("receiver filter", got, {
                "selector": (SELECTOR_FILTER, "color = 'red'"),
                "com.microsoft:session-filter": (SESSION_FILTER, "order-17"),
            })
            link.source.copy(src)
            link.source.address = "dyn-peer-1"
            link.target.copy(tgt)
        else:  # the client's sender
            self.expect("sender properties", {str(k): v for k, v in props.items()}, {"role": "sender"})
            self.expect("sender target capabilities", as_list(data_obj(tgt.capabilities)), ["topic", "shared"])
            self.expect("sender target durability", tgt.durability, Terminus.CONFIGURATION)
            self.expect("sender target expiry-policy", tgt.expiry_policy, Terminus.EXPIRE_WITH_LINK)
            link.source.copy(src)
            link.target.copy(tgt)
        link.properties = {symbol("peer-link"): "answer-%s" % ("receiver" if link.is_sender else "sender")}
        link.source.capabilities.put_object(syms("peer-src-cap"))
        link.target.capabilities.put_object(syms("peer-tgt-cap-1", "peer-tgt-cap-2"))

    def on_connection_closing(self, event):  # the client closed first
        self.on_connection_closed(event)

    def on_connection_closed(self, event):
        self.closed = True
        self.timer.cancel()
        self.acceptor.close()

    def on_transport_error(self, event):
        cond = event.transport.condition
        if not self.closed:
            self.problems.append("transport error: %s" % (cond.description if cond else "?"))
        self.timer.cancel()
        self.acceptor.close()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--timeout", type=float, default=30)
    args = p.parse_args()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    peer = Peer(port, args.timeout)
    Container(peer).run()
    if peer.links != 2:
        peer.problems.append("%d links attached, want 2" % peer.links)
    if not peer.closed:
        peer.problems.append("the client did not close the connection")
    for line in peer.problems:
        print("proton peer: FAILED: %s" % line)
    if peer.problems:
        return 1
    print("proton peer: connection and 2 links checked, ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
