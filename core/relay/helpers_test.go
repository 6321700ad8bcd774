package relay

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"io"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	if os.Getenv(peerEnv) != "" {
		benchPeer()
		return
	}
	goleak.VerifyTestMain(m)
}

// mode is one way the relay can copy; most tests run in all of them.
type mode struct {
	name string
	opt  Options
	wrap bool // hide the *net.TCPConn behind a wrapper (still with CloseWrite)
}

var modes = []mode{
	{name: "splice"},
	{name: "buffered", opt: Options{buffered: true}},
	{name: "generic", wrap: true},
}

// wrapped is a net.Conn that is not a *net.TCPConn, like a conn from a
// SOCKS client dialer: no splice, no raw reads, one-byte waits.
type wrapped struct{ net.Conn }

func (w wrapped) CloseWrite() error { return w.Conn.(*net.TCPConn).CloseWrite() }

// rig is a relay between two loopback TCP connections. client and target
// are the test's ends (the SOCKS client application and the destination);
// srvClient and srvTarget are the relay's.
type rig struct {
	client, target       *net.TCPConn
	srvClient, srvTarget *net.TCPConn
	up, down             atomic.Int64
	done                 chan result
}

type result struct {
	up, down int64
	err      error
}

// tcpPair returns the two ends of a loopback TCP connection.
func tcpPair(t testing.TB) (dialed, accepted *net.TCPConn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	a, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	return d.(*net.TCPConn), a.(*net.TCPConn)
}

// newRig starts a relay; setup may adjust the sockets before it starts.
// Cleanup closes everything and waits for the relay to return.
func newRig(t testing.TB, m mode, opt Options, pending []byte, setup ...func(*rig)) *rig {
	t.Helper()
	r := &rig{done: make(chan result, 1)}
	r.client, r.srvClient = tcpPair(t)
	r.srvTarget, r.target = tcpPair(t)
	for _, f := range setup {
		f(r)
	}
	opt.buffered = m.opt.buffered
	var c, tg net.Conn = r.srvClient, r.srvTarget
	if m.wrap {
		c, tg = wrapped{c}, wrapped{tg}
	}
	go func() {
		up, down, err := TCP(c, tg, &r.up, &r.down, pending, opt)
		r.done <- result{up, down, err}
	}()
	t.Cleanup(func() {
		for _, c := range []net.Conn{r.client, r.target, r.srvClient, r.srvTarget} {
			c.Close()
		}
		select {
		case res := <-r.done:
			r.done <- res
		case <-time.After(5 * time.Second):
			t.Error("relay did not return after all connections closed")
		}
	})
	return r
}

// wait returns the relay's result, failing the test if it takes longer than d.
func (r *rig) wait(t testing.TB, d time.Duration) result {
	t.Helper()
	select {
	case res := <-r.done:
		r.done <- res
		return res
	case <-time.After(d):
		t.Fatalf("relay still running after %v", d)
		return result{}
	}
}

// running reports whether the relay has not returned yet.
func (r *rig) running() bool {
	select {
	case res := <-r.done:
		r.done <- res
		return false
	default:
		return true
	}
}

func randomBytes(t testing.TB, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	rand.Read(b)
	return b
}

// sendAll writes b and half-closes; it reports on errc.
func sendAll(c *net.TCPConn, b []byte, errc chan<- error) {
	_, err := c.Write(b)
	if err == nil {
		err = c.CloseWrite()
	}
	errc <- err
}

// recvSum reads to EOF and returns the byte count and SHA-256.
func recvSum(c net.Conn) (int64, [32]byte, error) {
	h := sha256.New()
	n, err := io.Copy(h, c)
	var sum [32]byte
	h.Sum(sum[:0])
	return n, sum, err
}

// readUntil reads from c until it has len(want) bytes and checks them.
func readUntil(t testing.TB, c net.Conn, want []byte) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	defer c.SetReadDeadline(time.Time{})
	got := make([]byte, len(want))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read: %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %q, want %q", got, want)
	}
}

// expectEOF checks that c's peer is gone: EOF or a reset, within 5 s.
func expectEOF(t testing.TB, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err := io.Copy(io.Discard, c)
	if isTimeout(err) {
		t.Fatalf("%v still open", c.LocalAddr())
	}
}

// eventually polls cond every 5 ms until it holds or d passes.
func eventually(d time.Duration, cond func() bool) bool {
	end := time.Now().Add(d)
	for !cond() {
		if time.Now().After(end) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
	return true
}
