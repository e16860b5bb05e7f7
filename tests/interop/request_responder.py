"""A Qpid Proton (python3-qpid-proton) management node for the
request/response interop test.

  request_responder.py [--timeout S]

Listens on 127.0.0.1 (prints "listening on 127.0.0.1:PORT") and serves two
nodes: "$management" answers with the management draft's "status-code" /
"status-description", "azure-management" with Azure's "statusCode" /
"statusDescription".  Requests come in on links attached to a node;
responses go out on the link from that node whose target is the request's
reply-to, with correlation-id = the request's message-id.  What a request
asks for is its "operation" application property:

  echo     200, the request's body back
  fail     404 "no such entity"
  silent   no response at all
  late     the response 1.5 s later
  hold     no response until a "flush" comes
  flush    the held responses in reverse order, then its own (200)
  sever    no response: the connection's socket is closed at once, with
           the requests held on it (they are dropped); the responder keeps
           listening for the client's reconnect

Links to any other node are refused with amqp:not-found.  Exits 0 when the
client closed its connection, 1 on the timeout or a request it could not
answer (no reply-to, no link to it).
"""
import argparse
import socket
import sys

from proton import Condition, Message
from proton.handlers import MessagingHandler
from proton.reactor import Container

NODES = {"$management": ("status-code", "status-description"),
         "azure-management": ("statusCode", "statusDescription")}


class Responder(MessagingHandler):
    def __init__(self, port, timeout):
        super().__init__(auto_accept=False)
        self.port = port
        self.timeout = timeout
        self.problems = []
        self.reply_links = {}  # reply-to address -> sender link
        self.held = []
        self.closed = False
        self.severing = False

    def on_start(self, event):
        self.acceptor = event.container.listen("127.0.0.1:%d" % self.port)
        self.deadline = event.container.schedule(self.timeout, self)
        print("listening on 127.0.0.1:%d" % self.port, flush=True)

    def on_timer_task(self, event):
        self.problems.append("timed out after %d s" % self.timeout)
        event.container.stop()

    def on_link_opening(self, event):
        link = event.link
        node = link.remote_source.address if link.is_sender else link.remote_target.address
        if node not in NODES:
            # Attached (without a terminus) as MessagingHandler does after
            # this call, then detached with the error right after: a close
            # from within this call does not reach the wire.
            class Refuse:
                def on_timer_task(self, _event):
                    link.condition = Condition("amqp:not-found", "no node %r here" % node)
                    link.close()

            event.container.schedule(0, Refuse())
            return
        link.source.address = link.remote_source.address
        link.target.address = link.remote_target.address
        if link.is_sender:
            self.reply_links[link.remote_target.address] = link
        link.open()

    def on_link_closing(self, event):
        if event.link.is_sender:
            self.reply_links.pop(event.link.remote_target.address, None)

    def respond(self, request, node, status, description, body):
        code_key, desc_key = NODES[node]
        link = self.reply_links.get(request.reply_to)
        if link is None:
            self.problems.append("no link to reply-to %r" % request.reply_to)
            return
        props = {code_key: status}
        if description:
            props[desc_key] = description
        link.send(Message(correlation_id=request.id, properties=props, body=body))

    def on_message(self, event):
        request = event.message
        node = event.link.remote_target.address
        self.accept(event.delivery)
        if request.id is None or not request.reply_to:
            self.problems.append("a request without message-id or reply-to: %r" % request)
            return
        op = (request.properties or {}).get("operation")
        if op == "echo":
            self.respond(request, node, 200, "OK", request.body)
        elif op == "fail":
            self.respond(request, node, 404, "no such entity", None)
        elif op == "silent":
            pass
        elif op == "late":
            responder = self

            class Late:
                def on_timer_task(self, _event):
                    responder.respond(request, node, 200, "late", "late")

            event.container.schedule(1.5, Late())
        elif op == "hold":
            self.held.append((request, node))
        elif op == "sever":
            self.held = []
            self.severing = True
            transport = event.connection.transport
            transport.close_tail()
            transport.close_head()
        elif op == "flush":
            for held, held_node in reversed(self.held):
                self.respond(held, held_node, 200, "held", held.body)
            self.held = []
            self.respond(request, node, 200, "flushed", None)
        else:
            self.respond(request, node, 400, "unknown operation %r" % op, None)

    def on_connection_closing(self, event):  # the client closed first
        self.closed = True
        self.stop()

    def on_connection_closed(self, event):
        self.stop()

    def stop(self):
        self.deadline.cancel()
        self.acceptor.close()

    def on_transport_error(self, event):
        if self.severing:  # our own sever: wait for the reconnect
            self.severing = False
            return
        if not self.closed:
            cond = event.transport.condition
            self.problems.append("transport error: %s" % (cond.description if cond else "?"))
        self.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--timeout", type=int, default=30)
    args = ap.parse_args()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    responder = Responder(port, args.timeout)
    Container(responder).run()
    if not responder.closed:
        responder.problems.append("the client never closed its connection")
    for line in responder.problems:
        print("request responder: FAILED: %s" % line)
    if responder.problems:
        sys.exit(1)
    print("request responder: ok")


if __name__ == "__main__":
    main()
