// famqp-go-check: go-amqp (github.com/Azure/go-amqp, pinned in go.mod) as
// a client of famqp-broker (or any AMQP 1.0 broker).  One cell per run;
// prints what it checked and exits 0 when the cell passed, 1 when it
// failed (the reason on stderr), 2 on a usage error.
//
//	famqp-go-check URL ADDRESS roundtrip N at-least-once|at-most-once
//	    N messages sent (at-least-once: each outcome awaited through a send
//	    receipt, 100 in flight; at-most-once: sent settled, the receiver
//	    asking for settled delivery, which go-amqp checks against the
//	    broker's attach) and received on a second connection; count,
//	    order, message-id and every body byte checked; nothing left after.
//	famqp-go-check URL ADDRESS large BYTES
//	    one message of BYTES (many frames both ways), byte for byte.
//	famqp-go-check URL ADDRESS outcomes
//	    release (delivered again), reject (not delivered again),
//	    modified with delivery-failed (delivered again, delivery-count 1).
//	famqp-go-check URL ADDRESS settle-modes
//	    senders that set snd-settle-mode unsettled, then settled: go-amqp
//	    requires the broker's attach to agree.
//
// URL: amqp://[USER:PASS@]HOST:PORT (SASL PLAIN with a user, else ANONYMOUS).
package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"time"

	"github.com/Azure/go-amqp"
)

const cellTimeout = 30 * time.Second

func fail(format string, a ...any) {
	fmt.Fprintf(os.Stderr, "famqp-go-check: FAILED: "+format+"\n", a...)
	os.Exit(1)
}

func dial(ctx context.Context, raw string) *amqp.Conn {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "amqp" {
		fail("bad URL %q (amqp://[USER:PASS@]HOST:PORT)", raw)
	}
	opts := &amqp.ConnOptions{SASLType: amqp.SASLTypeAnonymous(), ContainerID: "famqp-go-check"}
	if u.User != nil {
		pass, _ := u.User.Password()
		opts.SASLType = amqp.SASLTypePlain(u.User.Username(), pass)
	}
	conn, err := amqp.Dial(ctx, "amqp://"+u.Host, opts)
	if err != nil {
		fail("connect to %s: %v", u.Host, err)
	}
	return conn
}

func session(ctx context.Context, conn *amqp.Conn) *amqp.Session {
	s, err := conn.NewSession(ctx, nil)
	if err != nil {
		fail("begin session: %v", err)
	}
	return s
}

// body n: n big-endian, then a pattern of n and the position; 16 + n%200 bytes.
func body(n uint64) []byte {
	b := make([]byte, 16+n%200)
	binary.BigEndian.PutUint64(b, n)
	for i := 8; i < len(b); i++ {
		b[i] = byte(n*31 + uint64(i)*7)
	}
	return b
}

func numbered(n uint64) *amqp.Message {
	m := amqp.NewMessage(body(n))
	m.Properties = &amqp.MessageProperties{MessageID: n}
	return m
}

func check(m *amqp.Message, n uint64) {
	if m.Properties == nil || m.Properties.MessageID != n {
		var id any
		if m.Properties != nil {
			id = m.Properties.MessageID
		}
		fail("expected message-id %d (ulong), got %v (%T)", n, id, id)
	}
	if !bytes.Equal(m.GetData(), body(n)) || len(m.Data) != 1 {
		fail("message %d: body differs (%d data sections, %d bytes)", n, len(m.Data), len(m.GetData()))
	}
}

func roundtrip(ctx context.Context, raw, address string, count uint64, mostOnce bool) {
	t0 := time.Now()
	sconn := dial(ctx, raw)
	defer sconn.Close()
	rconn := dial(ctx, raw)
	defer rconn.Close()
	// The sender's settlement mode is left to the broker (mixed): see the
	// settle-modes cell.
	sopts := &amqp.SenderOptions{}
	ropts := &amqp.ReceiverOptions{Credit: 200, SettlementMode: ptr(amqp.ReceiverSettleModeFirst)}
	mode := "at-least-once (every outcome accepted)"
	if mostOnce {
		ropts.RequestedSenderSettleMode = ptr(amqp.SenderSettleModeSettled)
		mode = "at-most-once (sent settled, the receiver asked for settled delivery)"
	}
	snd, err := session(ctx, sconn).NewSender(ctx, address, sopts)
	if err != nil {
		fail("attach sender: %v", err)
	}
	rcv, err := session(ctx, rconn).NewReceiver(ctx, address, ropts)
	if err != nil {
		fail("attach receiver: %v", err)
	}
	done := make(chan error, 1)
	go func() {
		receipts := make([]amqp.SendReceipt, 0, 100)
		wait := func() error {
			for _, r := range receipts {
				st, err := r.Wait(ctx)
				if err != nil {
					return err
				}
				if _, ok := st.(*amqp.StateAccepted); !ok {
					return fmt.Errorf("outcome %T %+v, expected accepted", st, st)
				}
			}
			receipts = receipts[:0]
			return nil
		}
		for n := uint64(0); n < count; n++ {
			if mostOnce {
				if err := snd.Send(ctx, numbered(n), &amqp.SendOptions{Settled: true}); err != nil {
					done <- fmt.Errorf("send %d: %w", n, err)
					return
				}
				continue
			}
			r, err := snd.SendWithReceipt(ctx, numbered(n), nil)
			if err != nil {
				done <- fmt.Errorf("send %d: %w", n, err)
				return
			}
			if receipts = append(receipts, r); len(receipts) == cap(receipts) {
				if err := wait(); err != nil {
					done <- err
					return
				}
			}
		}
		done <- wait()
	}()
	for n := uint64(0); n < count; n++ {
		m, err := rcv.Receive(ctx, nil)
		if err != nil {
			fail("after %d of %d received: %v", n, count, err)
		}
		check(m, n)
		if err := rcv.AcceptMessage(ctx, m); err != nil {
			fail("accept %d: %v", n, err)
		}
	}
	if err := <-done; err != nil {
		fail("sender: %v", err)
	}
	secs := time.Since(t0).Seconds()
	expectEmpty(ctx, rcv, address)
	if err := snd.Close(ctx); err != nil {
		fail("detach sender: %v", err)
	}
	fmt.Printf("%d messages %s in %.2f s: count, order, message-id and body checked; nothing more after\n",
		count, mode, secs)
}

// expectEmpty: no further message within 500 ms.
func expectEmpty(ctx context.Context, rcv *amqp.Receiver, address string) {
	wctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	m, err := rcv.Receive(wctx, nil)
	if err == nil {
		fail("%s should be empty, but a message arrived (id %v)", address, m.Properties)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		fail("waiting for no message: %v", err)
	}
}

func large(ctx context.Context, raw, address string, size int) {
	conn := dial(ctx, raw)
	defer conn.Close()
	s := session(ctx, conn)
	want := make([]byte, size)
	for i := range want {
		want[i] = byte(uint32(i) * 2654435761 >> 13)
	}
	snd, err := s.NewSender(ctx, address, nil)
	if err != nil {
		fail("attach sender: %v", err)
	}
	if snd.MaxMessageSize() != 0 && snd.MaxMessageSize() < uint64(size) {
		fail("the broker's max-message-size %d is below %d", snd.MaxMessageSize(), size)
	}
	if err := snd.Send(ctx, amqp.NewMessage(want), nil); err != nil {
		fail("send %d bytes: %v", size, err)
	}
	rcv, err := s.NewReceiver(ctx, address, &amqp.ReceiverOptions{Credit: 1, MaxMessageSize: uint64(size) + 1024})
	if err != nil {
		fail("attach receiver: %v", err)
	}
	m, err := rcv.Receive(ctx, nil)
	if err != nil {
		fail("receive: %v", err)
	}
	if !bytes.Equal(m.GetData(), want) {
		fail("body differs: %d bytes received, %d sent", len(m.GetData()), size)
	}
	if err := rcv.AcceptMessage(ctx, m); err != nil {
		fail("accept: %v", err)
	}
	expectEmpty(ctx, rcv, address)
	fmt.Printf("one %d-byte message sent (accepted) and received byte for byte\n", size)
}

// outcomes: what the broker does with each outcome go-amqp's receiver gives.
func outcomes(ctx context.Context, raw, address string) {
	conn := dial(ctx, raw)
	defer conn.Close()
	s := session(ctx, conn)
	snd, err := s.NewSender(ctx, address, nil)
	if err != nil {
		fail("attach sender: %v", err)
	}
	rcv, err := s.NewReceiver(ctx, address, &amqp.ReceiverOptions{Credit: 1})
	if err != nil {
		fail("attach receiver: %v", err)
	}
	next := func(what string) *amqp.Message {
		m, err := rcv.Receive(ctx, nil)
		if err != nil {
			fail("%s: receive: %v", what, err)
		}
		return m
	}
	for n := uint64(1); n <= 2; n++ {
		if err := snd.Send(ctx, numbered(n), nil); err != nil {
			fail("send: %v", err)
		}
	}
	m := next("first delivery")
	check(m, 1)
	if err := rcv.ReleaseMessage(ctx, m); err != nil {
		fail("release: %v", err)
	}
	m = next("after release")
	check(m, 1)
	rc := uint32(0)
	if m.Header != nil {
		rc = m.Header.DeliveryCount
	}
	if err := rcv.RejectMessage(ctx, m, &amqp.Error{Condition: "amqp:internal-error", Description: "go-amqp test"}); err != nil {
		fail("reject: %v", err)
	}
	m = next("after reject")
	check(m, 2) // message 1 is gone
	fmt.Printf("released: delivered again (delivery-count %d); rejected: not delivered again\n", rc)
	if err := rcv.ModifyMessage(ctx, m, &amqp.ModifyMessageOptions{DeliveryFailed: true}); err != nil {
		fail("modify: %v", err)
	}
	m = next("after modified(delivery-failed)")
	check(m, 2)
	// AMQP 1.0 3.4.5: with delivery-failed, the delivery-count MUST be incremented.
	if m.Header == nil || m.Header.DeliveryCount < 1 {
		fail("modified(delivery-failed=true): delivered again with delivery-count %s, expected 1 (AMQP 1.0 3.4.5)",
			headerCount(m.Header))
	}
	fmt.Printf("modified(delivery-failed): delivered again with delivery-count %d\n", m.Header.DeliveryCount)
	if err := rcv.AcceptMessage(ctx, m); err != nil {
		fail("accept: %v", err)
	}
	expectEmpty(ctx, rcv, address)
}

func headerCount(h *amqp.MessageHeader) string {
	if h == nil {
		return "absent (no header)"
	}
	return strconv.FormatUint(uint64(h.DeliveryCount), 10)
}

// settleModes: senders asking for unsettled and for settled mode
// explicitly; go-amqp refuses a broker whose attach does not echo the mode.
func settleModes(ctx context.Context, raw, address string) {
	conn := dial(ctx, raw)
	defer conn.Close()
	s := session(ctx, conn)
	for _, mode := range []amqp.SenderSettleMode{amqp.SenderSettleModeUnsettled, amqp.SenderSettleModeSettled} {
		snd, err := s.NewSender(ctx, address, &amqp.SenderOptions{SettlementMode: ptr(mode)})
		if err != nil {
			fail("attach sender: %v", err)
		}
		if err := snd.Send(ctx, numbered(0), nil); err != nil {
			fail("send in mode %s: %v", &mode, err)
		}
		if err := snd.Close(ctx); err != nil {
			fail("detach: %v", err)
		}
		fmt.Printf("sender with snd-settle-mode %s: the broker's attach agreed, one message sent\n", &mode)
	}
}

func ptr[T any](v T) *T { return &v }

func main() {
	if len(os.Args) < 4 {
		fmt.Fprintln(os.Stderr, "usage: famqp-go-check URL ADDRESS roundtrip N at-least-once|at-most-once | large BYTES | outcomes | settle-modes")
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cellTimeout*4)
	defer cancel()
	raw, address, cell := os.Args[1], os.Args[2], os.Args[3]
	switch {
	case cell == "roundtrip" && len(os.Args) == 6 && (os.Args[5] == "at-least-once" || os.Args[5] == "at-most-once"):
		n, err := strconv.ParseUint(os.Args[4], 10, 64)
		if err != nil {
			fail("bad count %q", os.Args[4])
		}
		roundtrip(ctx, raw, address, n, os.Args[5] == "at-most-once")
	case cell == "large" && len(os.Args) == 5:
		n, err := strconv.Atoi(os.Args[4])
		if err != nil || n <= 0 {
			fail("bad size %q", os.Args[4])
		}
		large(ctx, raw, address, n)
	case cell == "outcomes" && len(os.Args) == 4:
		outcomes(ctx, raw, address)
	case cell == "settle-modes" && len(os.Args) == 4:
		settleModes(ctx, raw, address)
	default:
		fmt.Fprintf(os.Stderr, "famqp-go-check: unknown cell or wrong arguments: %v\n", os.Args[3:])
		os.Exit(2)
	}
}
