"""famqp-broker for the client tests: started on 127.0.0.1 with a port the
kernel picks (--listen 127.0.0.1:0, the port read from its "listening on"
line), stopped by PID whatever happens (terminate, then kill after 5 s).
The binary is named by FAMQP_BROKER, which CTest sets
(python/tests/CMakeLists.txt)."""
import os
import re
import subprocess
import tempfile
import time

import pytest


class Broker:
    def __init__(self, *args, start_timeout=10.0):
        path = os.environ.get("FAMQP_BROKER")
        if not path:
            pytest.fail("FAMQP_BROKER is not set: run through CTest (python_pytest)")
        # the output goes to a file (a pipe nobody reads would fill and block the broker)
        self.logfile = tempfile.TemporaryFile()
        self.proc = subprocess.Popen([path, "--listen", "127.0.0.1:0", *args], stdout=self.logfile,
                                     stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.monotonic() + start_timeout
        try:
            while self.port is None:
                m = re.search(rb"^listening on [^\n]*:(\d+)$", self.output(), re.M)
                if m:
                    self.port = int(m.group(1))
                elif time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("famqp-broker did not start: %r" % self.output())
                else:
                    time.sleep(0.02)
        except BaseException:
            self.stop()
            raise

    def output(self):
        self.logfile.seek(0)
        return self.logfile.read()

    @property
    def url(self):
        return "amqp://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.logfile.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
        return False
