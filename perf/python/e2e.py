#!/usr/bin/env python3
"""End to end from Python through a broker: COUNT typical events (the
codec benchmark's: properties, application properties, a partition-key
annotation, a 100-byte body) sent to a queue and received from it at the
same time, by the flatamqp client and by python-qpid-proton.

    perf/python/e2e.sh BUILD [COUNT] [REPEAT]   (starts famqp-broker)
    e2e.py --url amqp://127.0.0.1:PORT --impl flatamqp|proton --count N

Each run: a receiver and a sender on separate connections, the receiver
reading and accepting while the sender sends; the sender sends unsettled
messages and counts their outcomes.  Printed per run: events/s sent (COUNT
over the time until the last outcome) and end to end (COUNT over the time
until the last event was received, decoded and accepted).  Every received
event is decoded and its body checked.

flatamqp: Sender.send_many in batches of 1,000 (pipelined, credit-bound),
the receiver (its own client on a second thread: the GIL is released while
either waits) takes Receiver.receive_many(1000) with credit 1,000 and
accepts each.  Proton: one Container (its reactor), a MessagingHandler
sending on on_sendable while credit lasts and counting on_message
(auto-accept, prefetch 1,000).
"""
import argparse
import json
import sys
import threading
import time

import bench  # the typical event (perf/python/bench.py, beside this file)


def run_flatamqp(url, queue, count):
    import flatamqp
    msg = bench.flatamqp_event(queue)
    done = {}
    errors = []
    ready = threading.Event()

    def receive():
        try:
            with flatamqp.Client(url) as c, c.receiver(queue, credit=1000) as r:
                ready.set()
                got = 0
                while got < count:
                    batch = r.receive_many(1000, timeout=30)
                    if not batch:
                        raise RuntimeError("nothing received for 30 s after %d" % got)
                    for d in batch:
                        m = d.message
                        assert m.application_properties["priority"] == 5 and len(m.body.value) == 100
                        d.accept()
                    got += len(batch)
                done["received"] = time.perf_counter()
        except BaseException as e:  # reported by the main thread
            errors.append(e)
            ready.set()

    t = threading.Thread(target=receive)
    t.start()
    ready.wait(30)
    t0 = time.perf_counter()
    with flatamqp.Client(url) as c, c.sender(queue) as s:
        left = count
        while left:
            n = min(1000, left)
            counts = s.send_many([msg] * n, timeout=60)
            assert counts["accepted"] == n, counts
            left -= n
    t_sent = time.perf_counter()
    t.join(120)
    if errors:
        raise errors[0]
    return t_sent - t0, done["received"] - t0


def run_proton(url, queue, count):
    from proton.handlers import MessagingHandler
    from proton.reactor import Container

    msg = bench.proton_event(queue)

    class Run(MessagingHandler):
        def __init__(self):
            super().__init__(prefetch=1000)
            self.sent = self.accepted = self.received = 0
            self.t0 = self.t_sent = self.t_received = None

        def on_start(self, event):
            self.rconn = event.container.connect(url)
            self.receiver = event.container.create_receiver(self.rconn, queue)
            self.sconn = event.container.connect(url)
            self.sender = event.container.create_sender(self.sconn, queue)
            self.t0 = time.perf_counter()

        def on_sendable(self, event):
            while event.sender.credit and self.sent < count:
                event.sender.send(msg)
                self.sent += 1

        def on_accepted(self, event):
            self.accepted += 1
            if self.accepted == count:
                self.t_sent = time.perf_counter()
                self.sconn.close()

        def on_message(self, event):
            m = event.message
            assert m.properties["priority"] == 5 and len(m.body) == 100
            self.received += 1
            if self.received == count:
                self.t_received = time.perf_counter()
                self.rconn.close()

    h = Run()
    Container(h).run()
    if h.received != count or h.accepted != count:
        raise RuntimeError("proton: %d accepted, %d received of %d" % (h.accepted, h.received, count))
    return h.t_sent - h.t0, h.t_received - h.t0


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--impl", choices=("flatamqp", "proton"), required=True)
    ap.add_argument("--count", type=int, default=100000)
    ap.add_argument("--queue", default="e2e")
    args = ap.parse_args()
    run = run_flatamqp if args.impl == "flatamqp" else run_proton
    t_sent, t_received = run(args.url, args.queue, args.count)
    print(json.dumps({"impl": args.impl, "count": args.count, "sent_per_s": args.count / t_sent,
                      "e2e_per_s": args.count / t_received}))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
