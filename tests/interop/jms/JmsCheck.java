// JmsCheck: Qpid JMS (org.apache.qpid:qpid-jms-client, pinned in pom.xml)
// as a client of famqp-broker (or any AMQP 1.0 broker).  One cell per run;
// prints what it checked and exits 0 when the cell passed, 1 when it failed
// (the reason on stderr), 2 on a usage error.
//
//   java JmsCheck URI QUEUE queue N        N text messages sent (persistent,
//                                          each send awaits its outcome) and
//                                          received in order, auto-acknowledged;
//                                          nothing left after
//   java JmsCheck URI QUEUE types          text, bytes, map (every map value
//                                          type), stream and empty messages
//   java JmsCheck URI QUEUE properties     JMS properties of every type, and
//                                          JMSCorrelationID, JMSType, JMSReplyTo,
//                                          JMSPriority, JMSExpiration,
//                                          JMSDeliveryMode, JMSMessageID
//   java JmsCheck URI QUEUE selector       a consumer with a selector: prints
//                                          "selector: refused|applied|ignored ..."
//   java JmsCheck URI QUEUE transacted     a transacted session: prints
//                                          "transacted: refused|works ..."
//
// The last two report what the broker does (the test script decides what
// is expected of famqp-broker); they fail only on a hang or a crash.
// URI: a Qpid JMS URI, e.g. amqp://127.0.0.1:5672?jms.username=u&jms.password=p
import jakarta.jms.*;
import java.util.Arrays;
import java.util.Enumeration;
import org.apache.qpid.jms.JmsConnectionFactory;

public final class JmsCheck {
    static final long WAIT_MS = 10000;

    static void fail(String what) {
        System.err.println("JmsCheck: FAILED: " + what);
        System.exit(1);
    }

    static void check(boolean ok, String what) {
        if (!ok) fail(what);
    }

    /** The typed values of the map message and of the JMS properties: name,
     *  value (its class is the type that must come back). */
    static final Object[][] TYPED = {{"string", "v\u00e4lue"}, {"int", -123456}, {"long", -9000000000L},
            {"bool", true}, {"double", 3.25}, {"float", 1.5f}, {"short", (short) -300}, {"byte", (byte) -7}};

    /** Checks that got(name) returns each TYPED value with its type. */
    static void checkTyped(String what, java.util.function.Function<String, Object> got) {
        for (Object[] nv : TYPED) {
            Object v = got.apply((String) nv[0]);
            check(nv[1].equals(v), what + " " + nv[0] + ": got " + v
                    + (v == null ? "" : " (" + v.getClass().getSimpleName() + ")") + ", sent " + nv[1]);
        }
    }

    static Connection connect(String uri) throws JMSException {
        JmsConnectionFactory f = new JmsConnectionFactory(uri);
        Connection c = f.createConnection();
        c.start();
        return c;
    }

    static void expectEmpty(Session s, Queue q) throws JMSException {
        try (MessageConsumer c = s.createConsumer(q)) {
            Message m = c.receive(500);
            check(m == null, q.getQueueName() + " should be empty, but it still holds " + m);
        }
    }

    static void queue(String uri, String name, int count) throws JMSException {
        long t0 = System.nanoTime();
        try (Connection conn = connect(uri)) {
            Session s = conn.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue(name);
            try (MessageProducer p = s.createProducer(q)) {
                p.setDeliveryMode(DeliveryMode.PERSISTENT); // each send() waits for the outcome
                for (int i = 0; i < count; i++) p.send(s.createTextMessage("message " + i));
            }
            try (MessageConsumer c = s.createConsumer(q)) {
                for (int i = 0; i < count; i++) {
                    Message m = c.receive(WAIT_MS);
                    check(m != null, "after " + i + " of " + count + " received: nothing within " + WAIT_MS + " ms");
                    check(m instanceof TextMessage, "message " + i + " is a " + m.getClass().getSimpleName());
                    String text = ((TextMessage) m).getText();
                    check(("message " + i).equals(text), "expected 'message " + i + "', got '" + text + "'");
                }
            }
            expectEmpty(s, q);
        }
        System.out.printf("%d text messages sent (persistent: each outcome awaited) and received in order, "
                + "auto-acknowledged, in %.2f s; queue empty after%n", count, (System.nanoTime() - t0) / 1e9);
    }

    static void types(String uri, String name) throws JMSException {
        try (Connection conn = connect(uri)) {
            Session s = conn.createSession(false, Session.CLIENT_ACKNOWLEDGE);
            Queue q = s.createQueue(name);
            byte[] bytes = new byte[70000];
            for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) (i * 7 + 3);
            try (MessageProducer p = s.createProducer(q)) {
                p.send(s.createTextMessage("gr\u00fc\u00dfe \u2603"));
                BytesMessage b = s.createBytesMessage();
                b.writeBytes(bytes);
                p.send(b);
                MapMessage m = s.createMapMessage();
                for (Object[] nv : TYPED) m.setObject((String) nv[0], nv[1]);
                m.setChar("char", 'x');
                m.setBytes("bytes", new byte[] {0, 1, (byte) 0xff});
                p.send(m);
                StreamMessage st = s.createStreamMessage();
                st.writeString("one");
                st.writeInt(2);
                st.writeBoolean(false);
                p.send(st);
                p.send(s.createMessage());
            }
            try (MessageConsumer c = s.createConsumer(q)) {
                Message m = c.receive(WAIT_MS);
                check(m instanceof TextMessage && "gr\u00fc\u00dfe \u2603".equals(((TextMessage) m).getText()),
                        "text message: got " + m);
                m = c.receive(WAIT_MS);
                check(m instanceof BytesMessage, "bytes message: got " + m);
                BytesMessage b = (BytesMessage) m;
                check(b.getBodyLength() == bytes.length, "bytes message: " + b.getBodyLength() + " bytes");
                byte[] got = new byte[bytes.length];
                b.readBytes(got);
                check(Arrays.equals(got, bytes), "bytes message: body differs");
                m = c.receive(WAIT_MS);
                check(m instanceof MapMessage, "map message: got " + m);
                MapMessage mm = (MapMessage) m;
                checkTyped("map", key -> {
                    try {
                        return mm.getObject(key);
                    } catch (JMSException e) {
                        return e;
                    }
                });
                check(Character.valueOf('x').equals(mm.getObject("char")), "map char: " + mm.getObject("char"));
                check(Arrays.equals(new byte[] {0, 1, (byte) 0xff}, mm.getBytes("bytes")), "map bytes differ");
                int names = 0;
                for (Enumeration<?> e = mm.getMapNames(); e.hasMoreElements(); e.nextElement()) names++;
                check(names == 10, "map: " + names + " entries, sent 10");
                m = c.receive(WAIT_MS);
                check(m instanceof StreamMessage, "stream message: got " + m);
                StreamMessage st = (StreamMessage) m;
                check("one".equals(st.readObject()) && Integer.valueOf(2).equals(st.readObject())
                        && Boolean.FALSE.equals(st.readObject()), "stream message: values differ");
                m = c.receive(WAIT_MS);
                check(m != null && !(m instanceof TextMessage || m instanceof BytesMessage || m instanceof MapMessage
                        || m instanceof StreamMessage || m instanceof ObjectMessage), "empty message: got " + m);
                m.acknowledge();
            }
            expectEmpty(s, q);
        }
        System.out.println("text (UTF-8), bytes (70,000), map (10 value types), stream (3 values) and an empty "
                + "message round-tripped with their JMS types");
    }

    static void properties(String uri, String name) throws JMSException {
        try (Connection conn = connect(uri)) {
            Session s = conn.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue(name);
            Queue reply = s.createQueue(name + "-reply");
            TextMessage out = s.createTextMessage("props");
            for (Object[] nv : TYPED) out.setObjectProperty((String) nv[0], nv[1]);
            out.setJMSCorrelationID("corr-42");
            out.setJMSType("a-type");
            out.setJMSReplyTo(reply);
            try (MessageProducer p = s.createProducer(q)) {
                p.setPriority(7);
                p.setTimeToLive(600000);
                p.send(out);
            }
            try (MessageConsumer c = s.createConsumer(q)) {
                Message m = c.receive(WAIT_MS);
                check(m != null, "nothing received");
                Message got = m;
                checkTyped("property", key -> {
                    try {
                        return got.getObjectProperty(key);
                    } catch (JMSException e) {
                        return e;
                    }
                });
                check("corr-42".equals(m.getJMSCorrelationID()), "JMSCorrelationID: " + m.getJMSCorrelationID());
                check("a-type".equals(m.getJMSType()), "JMSType: " + m.getJMSType());
                check(m.getJMSReplyTo() instanceof Queue
                        && reply.getQueueName().equals(((Queue) m.getJMSReplyTo()).getQueueName()),
                        "JMSReplyTo: " + m.getJMSReplyTo());
                check(m.getJMSPriority() == 7, "JMSPriority: " + m.getJMSPriority());
                check(m.getJMSDeliveryMode() == DeliveryMode.PERSISTENT, "JMSDeliveryMode: " + m.getJMSDeliveryMode());
                check(m.getJMSExpiration() == out.getJMSExpiration() && m.getJMSExpiration() > 0,
                        "JMSExpiration: " + m.getJMSExpiration() + ", sent " + out.getJMSExpiration());
                check(out.getJMSMessageID().equals(m.getJMSMessageID()),
                        "JMSMessageID: " + m.getJMSMessageID() + ", sent " + out.getJMSMessageID());
                check(m.getJMSTimestamp() == out.getJMSTimestamp(), "JMSTimestamp differs");
                check(!m.getJMSRedelivered(), "JMSRedelivered is true on a first delivery");
            }
        }
        System.out.println("8 typed JMS properties (string, int, long, boolean, double, float, short, byte), "
                + "JMSCorrelationID, JMSType, JMSReplyTo, JMSPriority, JMSExpiration, JMSDeliveryMode, "
                + "JMSMessageID, JMSTimestamp survived; JMSRedelivered false");
    }

    static void selector(String uri, String name) throws JMSException {
        try (Connection conn = connect(uri)) {
            Session s = conn.createSession(false, Session.AUTO_ACKNOWLEDGE);
            Queue q = s.createQueue(name);
            try (MessageProducer p = s.createProducer(q)) {
                for (String color : new String[] {"blue", "red"}) {
                    TextMessage m = s.createTextMessage(color);
                    m.setStringProperty("color", color);
                    p.send(m);
                }
            }
            MessageConsumer c;
            try {
                c = s.createConsumer(q, "color = 'red'");
            } catch (JMSException e) {
                System.out.println("selector: refused at consumer creation: " + e.getClass().getSimpleName() + ": "
                        + e.getMessage());
                return;
            }
            Message m = c.receive(2000);
            c.close();
            if (m == null) {
                System.out.println("selector: refused: the consumer got nothing");
            } else if ("red".equals(((TextMessage) m).getText())) {
                System.out.println("selector: applied (blue skipped, red delivered)");
            } else {
                System.out.println("selector: ignored (the consumer got '" + ((TextMessage) m).getText()
                        + "', which the selector excludes)");
            }
        }
    }

    static void transacted(String uri, String name) throws JMSException {
        try (Connection conn = connect(uri)) {
            Session s;
            try {
                s = conn.createSession(true, Session.SESSION_TRANSACTED);
            } catch (JMSException e) {
                System.out.println("transacted: refused at session creation: " + e.getClass().getSimpleName() + ": "
                        + e.getMessage());
                return;
            }
            try (MessageProducer p = s.createProducer(s.createQueue(name))) {
                p.send(s.createTextMessage("in a transaction"));
                s.commit();
                System.out.println("transacted: works (a send committed)");
            } catch (JMSException e) {
                System.out.println("transacted: refused at first use: " + e.getClass().getSimpleName() + ": "
                        + e.getMessage());
            }
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: JmsCheck URI QUEUE queue N | types | properties | selector | transacted");
            System.exit(2);
        }
        String uri = args[0], q = args[1], cell = args[2];
        switch (cell) {
            case "queue" -> queue(uri, q, Integer.parseInt(args[3]));
            case "types" -> types(uri, q);
            case "properties" -> properties(uri, q);
            case "selector" -> selector(uri, q);
            case "transacted" -> transacted(uri, q);
            default -> {
                System.err.println("JmsCheck: unknown cell " + cell);
                System.exit(2);
            }
        }
        System.exit(0);
    }
}
