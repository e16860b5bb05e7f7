#!/usr/bin/python3
"""pty_stamp.py FILE CMD...: runs CMD with its stderr on a pseudo-terminal
and writes each line CMD writes there to FILE, prefixed with the time it
was read (epoch seconds).  On a terminal famqp-send and famqp-recv redraw
a progress line ("sent X of N ..., Y settled" / "received X of N ...")
every 250 ms: the times at which those counts move again after a node is
killed are the failover times.  CMD's stdout is this program's.  SIGTERM,
SIGINT and SIGHUP are passed on to CMD; the exit status is CMD's (128 +
signal when a signal ended it).  CMD gets SIGKILL when this program dies
(a test stopping it by PID must not leave CMD behind)."""
import ctypes
import os
import pty
import re
import signal
import subprocess
import sys
import time

out = open(sys.argv[1], "wb")
master, slave = pty.openpty()
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_PDEATHSIG = 1
child = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stderr=slave,
                         preexec_fn=lambda: libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL))
os.close(slave)
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
    signal.signal(s, lambda sig, _frame: child.send_signal(sig))
pending = b""
while True:
    try:
        data = os.read(master, 65536)
    except OSError:  # EIO: the child's side is closed
        data = b""
    stamp = b"%.6f " % time.time()
    parts = re.split(rb"[\r\n]", pending + data)
    pending = parts.pop() if data else b""
    for part in parts:
        part = part.replace(b"\x1b[K", b"").strip()
        if part:
            out.write(stamp + part + b"\n")
    out.flush()
    if not data:
        break
rc = child.wait()
sys.exit(rc if rc >= 0 else 128 - rc)
