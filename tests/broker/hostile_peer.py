#!/usr/bin/env python3
"""Raw-socket peers for famqp-broker's hostile-load tests (issue 18): no
AMQP library, so each byte sent is the test's own choice.

  hostile_peer.py login PORT USER PASSWORD [AUTHZID]
      one SASL PLAIN login; prints "outcome N" (0 ok, 1 auth, ...) or
      "closed" when the broker closed the socket before an outcome
  hostile_peer.py guess PORT SECONDS
      wrong passwords, one connection after another, for SECONDS; prints
      "guesses N in S s: R/s"
  hostile_peer.py slowloris PORT COUNT SECONDS
      COUNT connections sending the AMQP header one byte a second; prints
      "closed N of COUNT after S s" once the broker closed all of them, or
      at SECONDS
  hostile_peer.py noopen PORT SECONDS
      sends a bare AMQP header and nothing more; prints what the broker's
      close said (its bytes, as text) once it closed the socket
  hostile_peer.py quiet PORT SECONDS
      AMQP header and open, then silence; as noopen
  hostile_peer.py empty PORT
      (no SASL) sends a message whose payload is empty (a transfer with no
      bytes after it) to queue "empty" and receives it back on the same
      connection; prints "sent: DISPOSITION-STATE, received: N payload bytes"
  hostile_peer.py corpus DIR
      writes byte streams like the ones above (each after a configuration
      byte) as seeds for the broker fuzz target (tests/fuzz/fuzz_broker.c)
  hostile_peer.py hold PORT COUNT SECONDS
      COUNT connections (non-blocking; those refused or still pending are
      counted) held open without a byte for SECONDS; prints "held N"
"""
import socket
import struct
import sys
import time


def frame(body, sasl=False):
    return struct.pack(">IBBH", 8 + len(body), 2, 1 if sasl else 0, 0) + body


def sasl_init(user, password, authzid=""):
    resp = authzid.encode() + b"\0" + user.encode() + b"\0" + password.encode()
    fields = b"\xa3\x05PLAIN" + b"\xa0" + bytes([len(resp)]) + resp
    # list8: size (count byte + fields), count 2
    body = b"\x00\x53\x41" + b"\xc0" + bytes([1 + len(fields), 2]) + fields
    return frame(body, sasl=True)


def open_frame():
    fields = b"\xa1\x04evil"
    return frame(b"\x00\x53\x10" + b"\xc0" + bytes([1 + len(fields), 1]) + fields)


def read_until(s, want, deadline):
    got = b""
    while time.time() < deadline:
        s.settimeout(max(0.01, deadline - time.time()))
        try:
            b = s.recv(65536)
        except socket.timeout:
            break
        except OSError:
            return got, True
        if not b:
            return got, True
        got += b
        if want and want(got):
            return got, False
    return got, False


def outcome_code(got):
    i = got.find(b"\x00\x53\x44")
    if i < 0:
        return None
    j = i + 3
    if j < len(got) and got[j] == 0xC0:
        j += 3
    elif j < len(got) and got[j] == 0xD0:
        j += 9
    if j + 1 < len(got) and got[j] == 0x50:
        return got[j + 1]
    return None


def login(port, user, password, authzid="", timeout=30):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    s.sendall(b"AMQP\x03\x01\x00\x00")
    deadline = time.time() + timeout
    got, closed = read_until(s, lambda g: b"\x00\x53\x40" in g, deadline)
    if b"\x00\x53\x40" not in got:
        s.close()
        return None
    s.sendall(sasl_init(user, password, authzid))
    got, closed = read_until(s, lambda g: outcome_code(g) is not None, deadline)
    s.close()
    return outcome_code(got)


def perf(code, fields, count, payload=b""):
    body = b"\x00\x53" + bytes([code]) + b"\xc0" + bytes([1 + len(fields), count]) + fields
    return frame(body + payload)


class Frames:
    """AMQP frames read from a socket after the 8-byte protocol header."""

    def __init__(self, s):
        self.s, self.buf, self.header = s, b"", False

    def next(self, deadline):
        while True:
            if not self.header and len(self.buf) >= 8:
                self.buf, self.header = self.buf[8:], True
            if self.header and len(self.buf) >= 8:
                size, doff = struct.unpack(">IB", self.buf[:5])
                if len(self.buf) >= size:
                    f, self.buf = self.buf[doff * 4:size], self.buf[size:]
                    return f
            self.s.settimeout(max(0.01, deadline - time.time()))
            b = self.s.recv(65536)
            if not b:
                raise EOFError("the broker closed the connection")
            self.buf += b

    def wait(self, code, deadline):
        """The next frame whose performative is code (heartbeats skipped)."""
        while time.time() < deadline:
            f = self.next(deadline)
            if len(f) >= 3 and f[:3] == b"\x00\x53" + bytes([code]):
                return f
        raise TimeoutError("no performative 0x%02x" % code)


def payload_len(f):
    """Bytes after a transfer's performative (a list8 or list32)."""
    if f[3] == 0xC0:
        return len(f) - (5 + f[4])
    return len(f) - (8 + struct.unpack(">I", f[4:8])[0])


def empty(port):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    deadline = time.time() + 30
    fr = Frames(s)
    uint_big = b"\x70\x00\x00\x08\x00"
    s.sendall(b"AMQP\x00\x01\x00\x00" + open_frame() +
              perf(0x11, b"\x40\x43" + uint_big + uint_big, 4))
    fr.wait(0x11, deadline)
    target = b"\x00\x53\x29\xc0\x08\x01\xa1\x05empty"
    source = b"\x00\x53\x28\xc0\x08\x01\xa1\x05empty"
    s.sendall(perf(0x12, b"\xa1\x01s\x43\x42\x40\x40\x40" + target + b"\x40\x40\x43", 10))
    fr.wait(0x13, deadline)  # the broker's credit
    s.sendall(perf(0x14, b"\x43\x43\xa0\x01\x01\x43\x42", 5))  # no payload
    d = fr.wait(0x15, deadline)
    state = "accepted" if b"\x00\x53\x24" in d else "other"
    s.sendall(perf(0x12, b"\xa1\x01r\x52\x01\x41\x40\x40" + source + b"\x40", 7))
    fr.wait(0x12, deadline)
    s.sendall(perf(0x13, b"\x43" + uint_big + b"\x52\x01" + uint_big + b"\x52\x01\x43\x52\x01", 7))
    t = fr.wait(0x14, deadline)
    print("sent: %s, received: %d payload bytes" % (state, payload_len(t)))
    s.close()


def session_traffic(payload, address=b"q"):
    """begin, a sender and a receiver on address, one transfer, credit,
    an outcome, detaches, end and close (no header)."""
    big = b"\x70\x00\x00\x08\x00"
    addr = b"\xc0" + bytes([3 + len(address), 1]) + b"\xa1" + bytes([len(address)]) + address
    target = b"\x00\x53\x29" + addr
    source = b"\x00\x53\x28" + addr
    accepted = b"\x00\x53\x24\x45"
    return (open_frame() + perf(0x11, b"\x40\x43" + big + big, 4) +
            perf(0x12, b"\xa1\x01s\x43\x42\x40\x40\x40" + target + b"\x40\x40\x43", 10) +
            perf(0x14, b"\x43\x43\xa0\x01\x01\x43\x42", 5, payload) +
            perf(0x12, b"\xa1\x01r\x52\x01\x41\x40\x40" + source + b"\x40", 7) +
            perf(0x13, b"\x43" + big + b"\x52\x01" + big + b"\x52\x01\x43\x52\x0a", 7) +
            perf(0x15, b"\x41\x43\x43\x41" + accepted, 5) +
            perf(0x16, b"\x43\x41", 2) + perf(0x16, b"\x52\x01\x41", 2) +
            frame(b"\x00\x53\x17\x45") + frame(b"\x00\x53\x18\x45"))


def corpus(d):
    import os
    os.makedirs(d, exist_ok=True)
    amqp, sasl = b"AMQP\x00\x01\x00\x00", b"AMQP\x03\x01\x00\x00"
    body = b"\x00\x53\x75\xa0\x05hello"
    seeds = {
        "queue": b"\x00" + amqp + session_traffic(body),
        "queue_1byte": b"\x02" + amqp + session_traffic(body),
        "queue_8byte": b"\x08" + amqp + session_traffic(body),
        "empty_payload": b"\x02" + amqp + session_traffic(b""),
        "sasl_anonymous": b"\x02" + sasl + frame(b"\x00\x53\x41\xc0\x0c\x01\xa3\x09ANONYMOUS", True) +
                          amqp + session_traffic(body),
        "plain_login": b"\x03" + sasl + sasl_init("guest", "guest") + amqp + session_traffic(body),
        "plain_wrong": b"\x01" + sasl + sasl_init("guest", "nope"),
        "plain_authzid": b"\x01" + sasl + sasl_init("guest", "guest", "admin") + amqp,
        "no_sasl_when_required": b"\x01" + amqp + open_frame(),
        "tls_hello": b"\x00\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00",
        "hub": b"\x03" + sasl + sasl_init("guest", "guest") + amqp + session_traffic(body, b"hub"),
        "cbs_node": b"\x03" + sasl + sasl_init("guest", "guest") + amqp + session_traffic(body, b"$cbs"),
        "management": b"\x03" + sasl + sasl_init("guest", "guest") + amqp +
                      session_traffic(body, b"$management"),
    }
    for name, data in seeds.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    print("wrote %d seeds to %s" % (len(seeds), d))


def main():
    if sys.argv[1] == "corpus":
        corpus(sys.argv[2])
        return
    mode, port = sys.argv[1], int(sys.argv[2])
    if mode == "login":
        code = login(port, sys.argv[3], sys.argv[4], sys.argv[5] if len(sys.argv) > 5 else "")
        print("closed" if code is None else "outcome %d" % code)
    elif mode == "guess":
        secs = float(sys.argv[3])
        start = time.time()
        n = 0
        while time.time() - start < secs:
            login(port, "user", "guess%d" % n, timeout=max(0.1, secs - (time.time() - start)))
            n += 1
        el = time.time() - start
        print("guesses %d in %.1f s: %.1f/s" % (n, el, n / el))
    elif mode == "slowloris":
        count, secs = int(sys.argv[3]), float(sys.argv[4])
        socks = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(count)]
        for s in socks:
            s.setblocking(False)
        hdr = b"AMQP\x03\x01\x00\x00"
        start = time.time()
        closed = set()
        i = 0
        while time.time() - start < secs and len(closed) < count:
            for k, s in enumerate(socks):
                if k in closed:
                    continue
                try:
                    if s.recv(4096) == b"":
                        closed.add(k)
                        continue
                except BlockingIOError:
                    pass
                except OSError:
                    closed.add(k)
                    continue
                try:
                    if i < len(hdr):
                        s.send(hdr[i:i + 1])
                except OSError:
                    closed.add(k)
            i += 1
            time.sleep(1.0)
        print("closed %d of %d after %.1f s" % (len(closed), count, time.time() - start))
    elif mode in ("noopen", "quiet"):
        secs = float(sys.argv[3])
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.sendall(b"AMQP\x00\x01\x00\x00" + (open_frame() if mode == "quiet" else b""))
        start = time.time()
        got, closed = read_until(s, None, start + secs)
        text = "".join(chr(c) if 32 <= c < 127 else "." for c in got)
        print("%s after %.1f s: %s" % ("closed" if closed else "open", time.time() - start, text))
    elif mode == "empty":
        empty(port)
    elif mode == "hold":
        count, secs = int(sys.argv[3]), float(sys.argv[4])
        socks = []
        for _ in range(count):
            s = socket.socket()
            s.setblocking(False)
            try:
                s.connect(("127.0.0.1", port))
            except BlockingIOError:
                pass
            except OSError:
                s.close()
                continue
            socks.append(s)
        print("held %d" % len(socks), flush=True)
        time.sleep(secs)
        for s in socks:
            s.close()
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
