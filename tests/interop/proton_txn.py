"""Qpid Proton (python3-qpid-proton) local transactions against a broker.

  proton_txn.py SCENARIO URL PREFIX [--timeout S]

Scenarios (queues are PREFIX-<name>, so runs do not share them):
  sends-commit   3 messages to q1 and 2 to q2 in one transaction: watchers
                 on both queues see none of them before commit, all after
  sends-abort    3 messages to q1 in a transaction rolled back: none seen
  acks-commit    4 messages sent plainly to q3, then accepted in a
                 transaction and committed: the queue is empty afterwards
  acks-abort     the same rolled back: all 4 come back, delivery-count 0
  mixed-commit   acknowledging 2 messages of q4 and sending 2 to q5 in one
                 transaction, committed: q4 empty, q5 has both
  drop           3 messages to q1 in a transaction, then the connection is
                 closed without discharge: none is ever seen
  hold           declares, sends 3 to q1 in a transaction, prints "held"
                 and waits to be killed (the crash test kills it)
  hold-acks      sends 4 to q3 plainly, accepts them in a transaction,
                 prints "held" and waits to be killed
  count          no transaction: counts what queue --queue (q1) holds
                 within --settle S seconds and prints "count N" (messages
                 are released)
  unknown        discharge of a txn-id never declared: rejected with
                 amqp:transaction:unknown-id
Exits 0 when the scenario's checks hold, else prints why and exits 1.
"""
import argparse
import sys

from proton import Delivery, Described, Message, symbol
from proton.handlers import MessagingHandler, TransactionHandler
from proton.reactor import Container


class Scenario(MessagingHandler, TransactionHandler):
    def __init__(self, args):
        super().__init__(prefetch=0, auto_accept=False, auto_settle=False)
        self.args = args
        self.q = lambda name: "%s-%s" % (args.prefix, name)
        self.failed = None
        self.seen = {}        # watcher queue -> bodies seen
        self.counts = {}      # watcher queue -> delivery-counts seen
        self.txn = None
        self.senders = {}
        self.to_send = []     # (queue, body) to send in the transaction
        self.settled = 0
        self.acked = 0
        self.phase = "start"
        self.plain_left = 0
        self.want_acks = 0

    # ---- helpers ----
    def fail(self, why):
        if not self.failed:
            self.failed = why
        self.container.stop()

    def done(self):
        self.container.stop()

    def watch(self, name):
        self.seen[self.q(name)] = []
        self.counts[self.q(name)] = []
        rx = self.container.create_receiver(self.watch_conn, self.q(name))
        rx.flow(100)
        return rx

    def later(self, seconds, what):
        self.after = what
        self.container.schedule(seconds, self)

    # ---- start ----
    def on_start(self, event):
        self.container = event.container
        self.container.schedule(self.args.timeout, _Timeout(self))
        self.conn = self.container.connect(self.args.url, reconnect=False)
        s = self.args.scenario
        if s == "count":
            self.watch_conn = self.conn
            self.watch(self.args.queue)
            self.later(self.args.settle, self.report_count)
            return
        self.watch_conn = self.container.connect(self.args.url, reconnect=False)
        if s in ("sends-commit", "sends-abort", "drop", "hold"):
            self.watch("q1")
            if s == "sends-commit":
                self.watch("q2")
                self.to_send = [("q1", "a%d" % i) for i in range(3)] + [("q2", "b%d" % i) for i in range(2)]
            else:
                self.to_send = [("q1", "a%d" % i) for i in range(3)]
            self.container.declare_transaction(self.conn, handler=self)
        elif s in ("acks-commit", "acks-abort", "mixed-commit", "hold-acks"):
            qname = "q4" if s == "mixed-commit" else "q3"
            n = 2 if s == "mixed-commit" else 4
            self.plain_left = n
            self.want_acks = n
            self.ackq = qname
            snd = self.container.create_sender(self.conn, self.q(qname))
            self.plain = [Message(body="p%d" % i) for i in range(n)]
            self.plain_sender = snd
            if s == "mixed-commit":
                self.to_send = [("q5", "m0"), ("q5", "m1")]
        elif s == "unknown":
            self.ctl = self.container.create_sender(self.conn, None, name="txn-ctl")
            from proton import Terminus
            self.ctl.target.type = Terminus.COORDINATOR
            self.ctl.target.capabilities.put_object(symbol("amqp:local-transactions"))
        else:
            self.fail("unknown scenario " + s)

    def on_sendable(self, event):
        if self.args.scenario == "unknown" and event.sender == self.ctl and self.phase == "start":
            self.phase = "discharged"
            self.ctl.send(Message(body=Described(symbol("amqp:discharge:list"), [b"nope", False])))
        if getattr(self, "plain_sender", None) == event.sender and self.plain:
            while self.plain and event.sender.credit:
                event.sender.send(self.plain.pop(0))
        self.send_in_txn()

    def send_in_txn(self):
        if not self.txn or self.phase != "sending":
            return
        while self.to_send:
            qname, body = self.to_send[0]
            snd = self.senders.get(qname)
            if snd is None:
                snd = self.senders[qname] = self.container.create_sender(self.conn, self.q(qname))
            if not snd.credit:
                return
            self.txn.send(snd, Message(body=body))
            self.to_send.pop(0)

    def on_settled(self, event):
        if self.args.scenario == "unknown" and event.link == self.ctl:
            d = event.delivery
            cond = d.remote.condition
            if d.remote_state == Delivery.REJECTED and cond and cond.name == "amqp:transaction:unknown-id":
                print("unknown txn-id rejected: %s" % cond.description)
                return self.done()
            return self.fail("discharge of an unknown txn-id: state %s condition %s" % (d.remote_state, cond))
        if getattr(self, "plain_sender", None) == event.link:
            self.plain_left -= 1
            if self.plain_left == 0:
                self.phase = "declaring"
                self.container.declare_transaction(self.conn, handler=self)
            return
        # Only the transactional sends count: the coordinator's declare
        # can be reported settled here too.
        if self.phase == "sending" and event.link in self.senders.values():
            self.settled += 1
            if self.settled == self.total and not self.want_acks:
                self.sends_done()
            elif self.settled == self.total and self.acked == self.want_acks:
                self.sends_done()

    def on_transaction_declared(self, event):
        self.txn = event.transaction
        self.phase = "sending"
        self.total = len(self.to_send)
        if self.want_acks:
            self.rx = self.container.create_receiver(self.conn, self.q(self.ackq))
            self.rx.flow(self.want_acks)
        if self.to_send:
            self.send_in_txn()
        elif not self.want_acks:
            self.sends_done()

    def on_message(self, event):
        link = event.receiver
        name = link.source.address
        if link.connection == self.watch_conn:
            self.seen[name].append(event.message.body)
            self.counts[name].append(event.message.delivery_count)
            if self.args.scenario == "count":
                return  # released when the connection closes
            event.delivery.update(Delivery.ACCEPTED)
            event.delivery.settle()
            self.check_after_commit()
            return
        # the transactional consumer
        self.txn.accept(event.delivery)
        self.acked += 1
        if self.acked == self.want_acks and self.settled == self.total:
            self.sends_done()

    def sends_done(self):
        s = self.args.scenario
        if s.startswith("hold"):
            print("held", flush=True)
            return
        if s == "drop":
            self.conn.close()
            self.phase = "dropped"
            self.later(0.5, self.check_none)
            return
        self.phase = "checking"
        self.later(0.5, self.discharge)

    def discharge(self):
        if any(self.seen.values()):
            return self.fail("seen before discharge: %s" % self.seen)
        if self.args.scenario.endswith("abort"):
            self.txn.abort()
        else:
            self.txn.commit()

    def on_transaction_committed(self, event):
        self.phase = "committed"
        s = self.args.scenario
        if s in ("acks-commit", "mixed-commit"):
            self.rx.close()
            self.watch(self.ackq)
        if s == "mixed-commit":
            self.watch("q5")
        self.later(0.5, self.check_after_commit_final)
        self.check_after_commit()

    def on_transaction_aborted(self, event):
        self.phase = "aborted"
        if self.args.scenario == "acks-abort":
            self.rx.close()
            self.watch("q3")
            self.later(1.0, self.check_returned)
        else:
            self.later(0.5, self.check_none)

    def on_transaction_declare_failed(self, event):
        self.fail("declare failed: %s" % event.delivery.remote.condition)

    def on_transaction_commit_failed(self, event):
        self.fail("commit failed: %s" % event.delivery.remote.condition)

    def expected_after_commit(self):
        s = self.args.scenario
        if s == "sends-commit":
            return {self.q("q1"): ["a0", "a1", "a2"], self.q("q2"): ["b0", "b1"]}
        if s == "mixed-commit":
            return {self.q("q5"): ["m0", "m1"], self.q("q4"): []}
        if s == "acks-commit":
            return {self.q("q3"): []}
        return None

    def check_after_commit(self):
        want = self.expected_after_commit()
        if self.phase != "committed" or want is None:
            return
        got = {k: self.seen.get(k) for k in want}
        if got == want and not any(want.values()):
            return  # empty expected: wait for check_after_commit_final
        if got == want:
            print("committed: %s" % got)
            self.done()

    def check_after_commit_final(self):
        want = self.expected_after_commit()
        got = {k: self.seen.get(k) for k in want}
        if got == want:
            print("committed: %s" % got)
            return self.done()
        self.fail("after commit: got %s, want %s" % (got, want))

    def check_none(self):
        if any(self.seen.values()):
            return self.fail("rolled back sends were seen: %s" % self.seen)
        print("rolled back: nothing seen")
        self.done()

    def check_returned(self):
        name = self.q("q3")
        if self.seen[name] != ["p0", "p1", "p2", "p3"] or self.counts[name] != [0, 0, 0, 0]:
            return self.fail("after rollback: bodies %s delivery-counts %s" % (self.seen[name], self.counts[name]))
        print("rolled back: all 4 acknowledged messages came back, delivery-count 0")
        self.done()

    def report_count(self):
        print("count %d" % len(self.seen[self.q(self.args.queue)]), flush=True)
        self.done()

    def on_timer_task(self, event):
        what, self.after = self.after, None
        if what:
            what()

    def on_link_error(self, event):
        self.fail("link error: %s" % event.link.remote_condition)

    def on_transport_error(self, event):
        self.fail("connection error: transport: %s" % event.transport.condition)

    def on_connection_error(self, event):
        self.fail("connection error: %s" % event.connection.remote_condition)


class _Timeout:
    def __init__(self, s):
        self.s = s

    def on_timer_task(self, event):
        if self.s.args.scenario.startswith("hold"):
            return  # waits to be killed
        self.s.fail("timeout in phase %s: seen %s" % (self.s.phase, self.s.seen))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("scenario")
    p.add_argument("url")
    p.add_argument("prefix")
    p.add_argument("--timeout", type=float, default=20)
    p.add_argument("--settle", type=float, default=1.0)
    p.add_argument("--queue", default="q1")
    args = p.parse_args()
    s = Scenario(args)
    Container(s).run()
    if s.failed:
        print("FAILED: %s" % s.failed)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
