"""famqp-broker as a Service Bus emulator, driven by Microsoft's Python SDK
(azure-servicebus, pinned in python/requirements-test.txt; its AMQP stack is
pyamqp) with the emulator's connection string (UseDevelopmentEmulator=true).
The broker runs with --sb-queue q1 (MaxDeliveryCount 3, the emulator's
default).

usage: python servicebus_sdk.py PORT SCENARIO
  settle       20 messages sent (one batch of 10, 10 one by one), received in
               peek-lock with bodies and application properties intact; one
               abandoned comes back with delivery count 1, the rest completed;
               the queue is empty after
  dead_letter  a message dead-lettered with a reason and a description is
               read from the dead-letter queue with both; one received and
               deleted (receive-and-delete) is gone
  wrong_key    a wrong SharedAccessKey: the SDK's authentication error
Prints "ok SCENARIO: ..." and exits 0, or "FAILED: ..." and exits 1.
"""
import sys

from azure.servicebus import ServiceBusClient, ServiceBusMessage, ServiceBusReceiveMode, ServiceBusSubQueue
from azure.servicebus import exceptions as sb_errors

PORT, SCENARIO = sys.argv[1], sys.argv[2]
QUEUE = "q1"


def cs(key="SAS_KEY_VALUE"):
    return (f"Endpoint=sb://127.0.0.1:{PORT};SharedAccessKeyName=RootManageSharedAccessKey;"
            f"SharedAccessKey={key};UseDevelopmentEmulator=true;")


def check(cond, why):
    if not cond:
        raise AssertionError(why)


def receive(receiver, n):
    got = []
    for _ in range(20):
        if len(got) >= n:
            break
        got += receiver.receive_messages(max_message_count=n - len(got), max_wait_time=2)
    return got


def settle():
    with ServiceBusClient.from_connection_string(cs(), retry_total=0) as client:
        with client.get_queue_sender(QUEUE) as sender:
            sender.send_messages([ServiceBusMessage(f"m{i}", application_properties={"i": i}) for i in range(10)])
            for i in range(10, 20):
                sender.send_messages(ServiceBusMessage(f"m{i}", application_properties={"i": i}))
        with client.get_queue_receiver(QUEUE, max_wait_time=5) as receiver:
            got = receive(receiver, 20)
            check([str(m) for m in got] == [f"m{i}" for i in range(20)], f"bodies: {[str(m) for m in got]}")
            check([m.application_properties[b"i"] for m in got] == list(range(20)),
                  f"properties: {[m.application_properties for m in got[:3]]}")
            check(all(m.delivery_count == 0 for m in got), f"delivery counts {[m.delivery_count for m in got]}")
            receiver.abandon_message(got[0])
            for m in got[1:]:
                receiver.complete_message(m)
            again = receive(receiver, 1)
            check(len(again) == 1 and str(again[0]) == "m0" and again[0].delivery_count == 1,
                  f"abandoned: {[(str(m), m.delivery_count) for m in again]}")
            receiver.complete_message(again[0])
            rest = receiver.receive_messages(max_message_count=1, max_wait_time=1)
            check(not rest, f"left after completing all: {[str(m) for m in rest]}")
    return "20 sent and received, one abandoned and redelivered with delivery count 1, all completed"


def dead_letter():
    with ServiceBusClient.from_connection_string(cs(), retry_total=0) as client:
        with client.get_queue_sender(QUEUE) as sender:
            sender.send_messages([ServiceBusMessage("dl"), ServiceBusMessage("gone")])
        with client.get_queue_receiver(QUEUE, max_wait_time=5) as receiver:
            got = receive(receiver, 1)
            check(len(got) == 1 and str(got[0]) == "dl", f"first: {[str(m) for m in got]}")
            receiver.dead_letter_message(got[0], reason="bad-input", error_description="field x is missing")
        with client.get_queue_receiver(QUEUE, receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE,
                                       max_wait_time=5) as receiver:
            got = receive(receiver, 1)
            check(len(got) == 1 and str(got[0]) == "gone", f"receive-and-delete: {[str(m) for m in got]}")
        with client.get_queue_receiver(QUEUE, max_wait_time=2) as receiver:
            left = receiver.receive_messages(max_message_count=1, max_wait_time=1)
            check(not left, f"left in the queue: {[str(m) for m in left]}")
        with client.get_queue_receiver(QUEUE, sub_queue=ServiceBusSubQueue.DEAD_LETTER, max_wait_time=5) as dlq:
            got = receive(dlq, 1)
            check(len(got) == 1 and str(got[0]) == "dl", f"dead-letter queue: {[str(m) for m in got]}")
            check(got[0].dead_letter_reason == "bad-input" and
                  got[0].dead_letter_error_description == "field x is missing",
                  f"reason {got[0].dead_letter_reason!r}, description {got[0].dead_letter_error_description!r}")
            dlq.complete_message(got[0])
    return "dead-lettered with its reason and description, found in $deadletterqueue; receive-and-delete removed one"


def wrong_key():
    try:
        with ServiceBusClient.from_connection_string(cs("not-the-key"), retry_total=0) as client:
            with client.get_queue_sender(QUEUE) as sender:
                sender.send_messages(ServiceBusMessage("x"))
    except sb_errors.ServiceBusAuthenticationError as e:
        return f"refused: {type(e).__name__}"
    raise AssertionError("a wrong key was accepted")


SCENARIOS = {"settle": settle, "dead_letter": dead_letter, "wrong_key": wrong_key}


def main():
    if SCENARIO not in SCENARIOS:
        print(f"FAILED: unknown scenario {SCENARIO} ({', '.join(SCENARIOS)})", file=sys.stderr)
        return 2
    try:
        what = SCENARIOS[SCENARIO]()
    except Exception as e:  # noqa: BLE001 - any failure is the test's
        import traceback
        traceback.print_exc()
        print(f"FAILED: {SCENARIO}: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(f"ok {SCENARIO}: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
