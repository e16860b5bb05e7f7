"""flatamqp.Client against RabbitMQ 3.10's AMQP 1.0 plugin (started by
run_rabbitmq.sh; FAMQP_RABBITMQ_URL names it): SASL PLAIN, send and
receive through /queue/NAME, release and reject, and a refused attach
carrying RabbitMQ's condition."""
import os

import pytest

import flatamqp

URL = os.environ.get("FAMQP_RABBITMQ_URL")
pytestmark = pytest.mark.skipif(not URL, reason="run by CTest python_client_rabbitmq (run_rabbitmq.sh)")


def connect():
    return flatamqp.Client(URL, user="guest", password="guest", allow_plain_insecure=True, connect_timeout=20)


def test_send_receive_settle():
    with connect() as c:
        with c.sender("/queue/pyclient") as s:
            for body in (b"one", b"two"):
                assert s.send(flatamqp.Message(application_properties={"k": 1}, body=body), timeout=20) == "accepted"
        with c.receiver("/queue/pyclient", credit=10) as r:
            d = r.receive(timeout=20)
            assert bytes(d.message.body.value) == b"one" and d.message.application_properties == {"k": 1}
            d.release()
            got = []
            while len(got) < 2:
                d = r.receive(timeout=20)
                assert d is not None
                got.append(bytes(d.message.body.value))
                d.accept()
            assert sorted(got) == [b"one", b"two"]


def test_refused_attach_has_a_condition():
    with connect() as c:
        with pytest.raises(flatamqp.AMQPError) as e:
            c.sender("/no-such-prefix/x", timeout=20)
        assert e.value.condition
