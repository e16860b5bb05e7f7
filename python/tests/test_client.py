"""flatamqp.Client against famqp-broker (started per test module on a free
port, stopped by PID): send and receive, every settle kind, large
messages, errors carrying the AMQP condition, timeouts, credit control,
CBS with a connection string, and Python threads running while the
client waits (the GIL is released around every wait)."""
import threading
import time

import pytest

import flatamqp
from broker import Broker


@pytest.fixture(scope="module")
def broker():
    with Broker() as b:
        yield b


@pytest.fixture
def client(broker):
    with flatamqp.Client(broker.url, connect_timeout=10) as c:
        yield c


_n = iter(range(1_000_000))


def queue_name():
    return "pyclient-%d" % next(_n)


def drain_all(client, q, timeout=0.3):
    with client.receiver(q) as r:
        out = []
        while (d := r.receive(timeout=timeout)) is not None:
            out.append(d.message)
            d.accept()
        return out


def test_send_receive_roundtrip(client):
    q = queue_name()
    msg = flatamqp.Message(properties=flatamqp.Properties(message_id="m-1", subject="s"),
                           application_properties={"k": 1, "s": "v"}, body=b"hello")
    with client.sender(q) as s:
        assert s.address == q
        assert s.send(msg, timeout=10) == "accepted"
        assert s.send("a string", timeout=10) == "accepted"  # an amqp-value body
    with client.receiver(q) as r:
        d = r.receive(timeout=10)
        m = d.message
        assert m.properties.message_id == "m-1" and m.properties.subject == "s"
        assert m.application_properties == {"k": 1, "s": "v"}
        assert bytes(m.body.value) == b"hello"
        assert flatamqp.decode_message(d.raw) == m
        assert not d.settled
        d.accept()
        assert d.settled
        with pytest.raises(RuntimeError, match="settled already"):
            d.accept()
        d = r.receive(timeout=10)
        assert d.message.body == flatamqp.AmqpValue("a string")
        d.accept()
        assert r.receive(timeout=0.2) is None


def test_send_many_and_receive_many(client):
    q = queue_name()
    with client.sender(q) as s:
        counts = s.send_many([b"m%d" % i for i in range(2000)], timeout=30)
    assert counts == {"sent": 2000, "accepted": 2000, "rejected": 0, "released": 0, "modified": 0,
                      "presettled": 0}
    got = []
    with client.receiver(q, credit=500) as r:
        while len(got) < 2000:
            batch = r.receive_many(1000, timeout=10)
            assert batch, "messages missing after %d" % len(got)
            for d in batch:
                got.append(bytes(d.message.body.value))
                d.accept()
    assert got == [b"m%d" % i for i in range(2000)]


def test_presettled_sender(client):
    q = queue_name()
    with client.sender(q, presettled=True) as s:
        assert s.send(b"x", timeout=10) == "settled"
    assert [bytes(m.body.value) for m in drain_all(client, q, timeout=2)] == [b"x"]


@pytest.mark.parametrize("kind", ["release", "modify"])
def test_release_and_modify_redeliver(client, kind):
    q = queue_name()
    with client.sender(q) as s:
        s.send(b"again", timeout=10)
    with client.receiver(q) as r:
        d = r.receive(timeout=10)
        getattr(d, kind)()
        d2 = r.receive(timeout=10)
        assert d2 is not None and bytes(d2.message.body.value) == b"again"
        d2.accept()
        assert r.receive(timeout=0.2) is None


def test_reject_drops(client):
    q = queue_name()
    with client.sender(q) as s:
        s.send(b"bad", timeout=10)
    with client.receiver(q) as r:
        r.receive(timeout=10).reject("amqp:precondition-failed", "no thanks")
        assert r.receive(timeout=0.3) is None


def test_rejection_reaches_sender_with_condition():
    # --accept-when-consumed: the broker passes the consumer's rejection back
    with Broker("--accept-when-consumed") as b:
        q = queue_name()
        errors = []

        def consume():
            with flatamqp.Client(b.url) as c2, c2.receiver(q) as r:
                d = r.receive(timeout=10)
                d.reject("amqp:precondition-failed", "the consumer said no")

        t = threading.Thread(target=consume)
        t.start()
        try:
            with flatamqp.Client(b.url) as c, c.sender(q) as s:
                with pytest.raises(flatamqp.MessageRejected) as e:
                    s.send(b"x", timeout=20)
        finally:
            t.join(30)
        assert e.value.outcome == "rejected"
        assert e.value.condition == "amqp:precondition-failed"
        assert e.value.description == "the consumer said no"
        assert isinstance(e.value, flatamqp.AMQPError)
        assert not errors


def test_large_messages(client):
    q = queue_name()
    bodies = [bytes(range(256)) * (n // 256) for n in (256 * 1024, 4 * 1024 * 1024)]
    with client.sender(q) as s:
        for body in bodies:
            assert s.send(flatamqp.Message(application_properties={"n": len(body)}, body=body),
                          timeout=30) == "accepted"
    with client.receiver(q) as r:
        for body in bodies:
            d = r.receive(timeout=30)
            assert d.message.application_properties == {"n": len(body)}
            assert bytes(d.message.body.value) == body
            d.accept()


def test_receive_timeout_returns_none(client):
    with client.receiver(queue_name()) as r:
        t0 = time.monotonic()
        assert r.receive(timeout=0.3) is None
        assert time.monotonic() - t0 >= 0.29  # it did wait (a lower bound, not a speed claim)
        assert r.receive(timeout=0) is None
        assert r.receive_many(10, timeout=0.1) == []


def test_send_timeout_without_credit():
    # --max-depth 1: no credit once the queue holds one message
    with Broker("--max-depth", "1", "--credit", "1") as b, flatamqp.Client(b.url) as c:
        with c.sender("full") as s:
            assert s.send(b"1", timeout=10) == "accepted"
            with pytest.raises(flatamqp.OperationTimeout) as e:
                s.send(b"2", timeout=0.5)
            assert e.value.status == "timeout"


def test_manual_credit_and_drain(client):
    q = queue_name()
    with client.sender(q) as s:
        s.send_many([b"a", b"b", b"c"], timeout=10)
    with client.receiver(q, credit=0) as r:
        with pytest.raises(flatamqp.AMQPError, match="set_credit") as e:
            r.receive(timeout=0.3)  # no credit: nothing can come
        assert e.value.status == "credit"
        r.set_credit(1)
        d = r.receive(timeout=10)
        assert bytes(d.message.body.value) == b"a"
        d.accept()
        with pytest.raises(flatamqp.AMQPError, match="set_credit"):
            r.receive(timeout=0.3)  # the one credit is used
        assert r.drain(2, timeout=10) == 2
        assert r.queued == 2
        for want in (b"b", b"c"):
            d = r.receive(timeout=1)
            assert bytes(d.message.body.value) == want
            d.accept()


def test_connect_refused():
    with pytest.raises(flatamqp.ConnectError) as e:
        flatamqp.Client("amqp://127.0.0.1:1", connect_timeout=5)
    assert isinstance(e.value, flatamqp.AMQPError)


def test_bad_arguments(broker):
    with pytest.raises(ValueError, match="SharedAccessKeyName"):
        flatamqp.Client("Endpoint=sb://127.0.0.1/;SharedAccessKeyName=k")
    with pytest.raises(ValueError, match="timeout"):
        flatamqp.Client(broker.url, connect_timeout=-1)
    with pytest.raises(ValueError, match="sasl"):
        flatamqp.Client(broker.url, sasl="bogus")
    with pytest.raises(flatamqp.AMQPError, match="PLAIN"):
        flatamqp.Client(broker.url, user="u", password="p")  # PLAIN in clear text refused


def test_sasl_plain_and_bad_password():
    with Broker("--user", "alice", "--password", "secret") as b:
        with pytest.raises(flatamqp.AuthenticationError):
            flatamqp.Client(b.url, user="alice", password="wrong", allow_plain_insecure=True)
        with pytest.raises(flatamqp.AuthenticationError):
            flatamqp.Client(b.url, sasl="anonymous")
        with flatamqp.Client(b.url, user="alice", password="secret", allow_plain_insecure=True) as c:
            with c.sender("q") as s:
                assert s.send(b"x", timeout=10) == "accepted"


def test_cbs_connection_string_and_refusals():
    with Broker("--sas-key", "writer=k3y") as b:
        cs = "Endpoint=sb://127.0.0.1:%d/;SharedAccessKeyName=writer;SharedAccessKey=k3y;" \
             "EntityPath=hub;UseDevelopmentEmulator=true" % b.port
        with flatamqp.Client(cs) as c:
            assert c.entity_path == "hub"
            with c.sender() as s:  # the EntityPath
                assert s.address == "hub"
                assert s.send(b"x", timeout=10) == "accepted"
            with c.receiver() as r:
                r.receive(timeout=10).accept()
        # a wrong key: the put-token is refused
        bad = cs.replace("k3y", "nope")
        with flatamqp.Client(bad) as c:
            with pytest.raises(flatamqp.AuthenticationError):
                c.sender()
        # no token at all: the attach is refused with the broker's condition
        with flatamqp.Client(b.url) as c:
            with pytest.raises(flatamqp.LinkError) as e:
                c.sender("hub")
            assert e.value.condition == "amqp:unauthorized-access" and e.value.status == "refused"
            assert e.value.description


def test_closed_objects(broker):
    c = flatamqp.Client(broker.url)
    s = c.sender(queue_name())
    r = c.receiver(queue_name())
    c.close()
    assert c.closed and s.closed and r.closed
    with pytest.raises(RuntimeError, match="closed"):
        s.send(b"x")
    with pytest.raises(RuntimeError, match="closed"):
        r.receive(timeout=0)
    s.close()  # closing after the client closed does nothing
    c.close()


def test_other_thread_runs_while_receive_waits(client, broker):
    # Another thread sends (with its own client) while this one waits in
    # receive: it can only run if receive released the GIL.
    q = queue_name()
    started = threading.Event()
    ticks = []

    def other():
        started.set()
        t_end = time.monotonic() + 0.5
        while time.monotonic() < t_end:  # pure Python work: needs the GIL
            ticks.append(1)
            time.sleep(0.001)
        with flatamqp.Client(broker.url) as c2, c2.sender(q) as s:
            s.send(b"from the other thread", timeout=10)

    with client.receiver(q) as r:
        t = threading.Thread(target=other)
        t.start()
        started.wait(10)
        d = r.receive(timeout=20)
        t.join(20)
        assert d is not None and bytes(d.message.body.value) == b"from the other thread"
        d.accept()
    assert len(ticks) > 10


def test_second_thread_on_a_busy_client_is_refused(client):
    q = queue_name()
    errors = []
    with client.receiver(q) as r:
        def other():
            time.sleep(0.2)
            try:
                client.sender(q)
            except RuntimeError as e:
                errors.append(str(e))
            client.interrupt()  # the one call any thread may make

        t = threading.Thread(target=other)
        t.start()
        with pytest.raises(flatamqp.Interrupted):
            r.receive(timeout=20)
        t.join(10)
    assert errors and "another" in errors[0]


def test_stubs_declare_the_client_api():
    # every public method and attribute of the client's classes is in _flatamqp.pyi
    import ast
    import pathlib
    tree = ast.parse((pathlib.Path(flatamqp.__file__).parent / "_flatamqp.pyi").read_text())
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}

    def declared(name):  # the class's members and its bases' in the stub
        n = classes[name]
        own = {m.name if isinstance(m, ast.FunctionDef) else m.target.id for m in n.body
               if isinstance(m, (ast.FunctionDef, ast.AnnAssign))}
        return own.union(*(declared(b.id) for b in n.bases if isinstance(b, ast.Name) and b.id in classes))

    stubs = {name: declared(name) for name in classes}
    for cls in (flatamqp.Client, flatamqp.Link, flatamqp.Sender, flatamqp.Receiver, flatamqp.Delivery):
        public = {a for a in dir(cls) if not a.startswith("_")} | {"__enter__", "__exit__"} & set(dir(cls))
        assert public <= stubs[cls.__name__], (cls.__name__, public - stubs[cls.__name__])
    for name in ("AMQPError", "ConnectError", "AuthenticationError", "OperationTimeout", "LinkError",
                 "ConnectionClosed", "MessageRejected", "Interrupted"):
        assert name in stubs and issubclass(getattr(flatamqp, name), flatamqp.AMQPError)
