"""A consumer that grants a large credit and never settles (issue 18, item 2).

  stuck_consumer.py URL ADDRESS CREDIT STATUS_FILE [--timeout S] [--settled]

Attaches a receiver to ADDRESS, grants CREDIT once and accepts nothing it
gets until the file STATUS_FILE.settle appears: then it accepts all it
holds (and each one that comes after).  Every tenth of a second it writes
"RECEIVED UNSETTLED" to STATUS_FILE (one line, replaced), or "detached
CONDITION" once the broker detached its link.  Runs until
SIGTERM or --timeout S (default 300) passes; exit 0.  --settled: the
link asks for pre-settled deliveries (nothing to accept).  Stopped with
SIGSTOP it reads nothing: a consumer that does not read its socket.
"""
import argparse
import os

from proton.handlers import MessagingHandler
from proton.reactor import AtMostOnce, Container


class Stuck(MessagingHandler):
    def __init__(self, args):
        super().__init__(prefetch=0, auto_accept=False, auto_settle=False)
        self.args = args
        self.received = 0
        self.held = []
        self.settling = False
        self.detached = None

    def on_start(self, event):
        self.container = event.container
        conn = event.container.connect(self.args.url, allowed_mechs="ANONYMOUS")
        opts = [AtMostOnce()] if self.args.settled else None
        self.receiver = event.container.create_receiver(conn, self.args.address, options=opts)
        self.receiver.flow(self.args.credit)
        event.container.schedule(0.1, self)
        self.deadline = self.args.timeout

    def write_status(self):
        tmp = self.args.status + ".tmp"
        with open(tmp, "w") as f:
            if self.detached is not None:
                f.write("detached %s\n" % self.detached)
            else:
                f.write("%d %d\n" % (self.received, len(self.held)))
        os.replace(tmp, self.args.status)

    def on_timer_task(self, event):
        if not self.settling and os.path.exists(self.args.status + ".settle"):
            self.settling = True
            for d in self.held:
                self.accept(d)
            self.held = []
        self.write_status()
        self.deadline -= 0.1
        if self.deadline <= 0:
            event.container.stop()
            return
        event.container.schedule(0.1, self)

    def on_message(self, event):
        self.received += 1
        if self.settling:
            self.accept(event.delivery)
        else:
            self.held.append(event.delivery)

    def on_link_closing(self, event):  # a detach without an error
        self.detached = "none"
        self.write_status()

    def on_link_error(self, event):  # a detach with one
        cond = event.link.remote_condition
        self.detached = cond.name if cond else "none"
        self.write_status()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("address")
    p.add_argument("credit", type=int)
    p.add_argument("status")
    p.add_argument("--timeout", type=float, default=300)
    p.add_argument("--settled", action="store_true", help="ask for pre-settled deliveries")
    args = p.parse_args()
    Container(Stuck(args)).run()


if __name__ == "__main__":
    main()
