package engine_test

import (
	"bytes"
	"errors"
	"io"
	"net"
	"strconv"
	"testing"
	"time"

	"go.uber.org/goleak"
	"golang.org/x/net/proxy"

	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/internal/testnet"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// start runs an engine on a free loopback port until the test ends.
func start(t *testing.T, cfg *server.Config) *engine.Engine {
	t.Helper()
	if cfg.Listen == "" {
		cfg.Listen = "127.0.0.1:0"
	}
	e := engine.New()
	if err := e.Start(cfg); err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(e.Stop)
	return e
}

// dialVia opens a connection to target through the proxy with
// golang.org/x/net/proxy, an independent SOCKS5 client.
func dialVia(t *testing.T, proxyAddr net.Addr, auth *proxy.Auth, target string) net.Conn {
	t.Helper()
	d, err := proxy.SOCKS5("tcp", proxyAddr.String(), auth, proxy.Direct)
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Dial("tcp", target)
	if err != nil {
		t.Fatalf("dial %s via proxy: %v", target, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// echoRoundTrip sends msg and expects it back.
func echoRoundTrip(t *testing.T, c net.Conn, msg []byte) {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write(msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	got := make([]byte, len(msg))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatalf("echo mismatch")
	}
	c.SetDeadline(time.Time{})
}

func TestConnectAddressTypes(t *testing.T) {
	echo4 := testnet.EchoTCP(t, "tcp4")
	echo6 := testnet.EchoTCP(t, "tcp6")
	e := start(t, &server.Config{})
	for _, tc := range []struct{ name, target string }{
		{"IPv4", echo4.String()},
		{"IPv6", echo6.String()},
		{"domain", net.JoinHostPort("localhost", strconv.Itoa(echo4.Port))},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := dialVia(t, e.Addr(), nil, tc.target)
			echoRoundTrip(t, c, []byte("hello "+tc.name))
			snap := waitFor(t, e, func(s snapshot) bool { return len(s.Conns) > 0 })
			found := false
			for _, st := range snap.Conns {
				if st.Dest == tc.target {
					found = true
				}
			}
			if !found {
				t.Errorf("connection table has no destination %q (the name as requested): %+v", tc.target, snap.Conns)
			}
			c.Close()
			waitFor(t, e, func(s snapshot) bool { return s.Totals.Live == 0 })
		})
	}
}

func TestUsernamePassword(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	e := start(t, &server.Config{Username: "alice", Password: "s3cret"})

	c := dialVia(t, e.Addr(), &proxy.Auth{User: "alice", Password: "s3cret"}, echo.String())
	echoRoundTrip(t, c, []byte("authenticated"))
	snap := waitFor(t, e, func(s snapshot) bool { return len(s.Conns) == 1 })
	if snap.Conns[0].User != "alice" {
		t.Errorf("user in table = %q, want alice", snap.Conns[0].User)
	}

	for _, auth := range []*proxy.Auth{
		{User: "alice", Password: "wrong"},
		{User: "mallory", Password: "s3cret"},
		nil,
	} {
		d, _ := proxy.SOCKS5("tcp", e.Addr().String(), auth, proxy.Direct)
		if c, err := d.Dial("tcp", echo.String()); err == nil {
			c.Close()
			t.Errorf("auth %+v: dial succeeded, want refusal", auth)
		}
	}
}

func TestApplyKeepsOpenConnections(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	e := start(t, &server.Config{})
	oldAddr := e.Addr()
	c := dialVia(t, oldAddr, nil, echo.String())
	echoRoundTrip(t, c, []byte("before"))

	// Same address, new rule: open connection untouched, new ones need auth.
	if err := e.Apply(&server.Config{Listen: e.Config().Listen, Username: "u", Password: "p"}); err != nil {
		t.Fatal(err)
	}
	echoRoundTrip(t, c, []byte("after same-address apply"))
	d, _ := proxy.SOCKS5("tcp", oldAddr.String(), nil, proxy.Direct)
	if c2, err := d.Dial("tcp", echo.String()); err == nil {
		c2.Close()
		t.Fatal("new connection without auth accepted after applying an auth config")
	}

	// New address: rebind; open connection still runs; old address closed.
	if err := e.Apply(&server.Config{Listen: "127.0.0.2:0"}); err != nil {
		t.Fatal(err)
	}
	if e.Addr().String() == oldAddr.String() {
		t.Fatal("listen address did not change")
	}
	echoRoundTrip(t, c, []byte("after rebind"))
	c3 := dialVia(t, e.Addr(), nil, echo.String())
	echoRoundTrip(t, c3, []byte("new listener"))
	if c4, err := net.DialTimeout("tcp", oldAddr.String(), time.Second); err == nil {
		c4.Close()
		t.Error("old listen address still accepts after rebind")
	}
}

func TestApplyPortInUseKeepsOldConfig(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	e := start(t, &server.Config{})
	before := e.Addr().String()
	err = e.Apply(&server.Config{Listen: busy.Addr().String()})
	if !errors.Is(err, engine.ErrPortInUse) {
		t.Fatalf("apply to a busy port: err = %v, want ErrPortInUse", err)
	}
	if e.Addr().String() != before {
		t.Fatalf("address changed to %v after failed apply", e.Addr())
	}
	echoRoundTrip(t, dialVia(t, e.Addr(), nil, echo.String()), []byte("still serving"))

	e2 := engine.New()
	if err := e2.Start(&server.Config{Listen: busy.Addr().String()}); !errors.Is(err, engine.ErrPortInUse) {
		e2.Stop()
		t.Fatalf("start on a busy port: err = %v, want ErrPortInUse", err)
	}
}

func TestCloseConnByID(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	e := start(t, &server.Config{})
	c := dialVia(t, e.Addr(), nil, echo.String())
	echoRoundTrip(t, c, []byte("x"))
	snap := waitFor(t, e, func(s snapshot) bool { return len(s.Conns) == 1 })
	if !e.CloseConn(snap.Conns[0].ID) {
		t.Fatal("CloseConn returned false for a live connection")
	}
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("connection still open after CloseConn")
	}
	waitFor(t, e, func(s snapshot) bool { return s.Totals.Live == 0 })
	if e.CloseConn(snap.Conns[0].ID) {
		t.Error("CloseConn of an ended connection returned true")
	}
}

func TestStopClosesEverything(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	e := engine.New()
	if err := e.Start(&server.Config{Listen: "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	var conns []net.Conn
	for i := 0; i < 10; i++ {
		c := dialVia(t, e.Addr(), nil, echo.String())
		echoRoundTrip(t, c, []byte("x"))
		conns = append(conns, c)
	}
	idle, err := net.Dial("tcp", e.Addr().String()) // stuck in handshake
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	e.Stop()
	for _, c := range conns {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Read(make([]byte, 1)); err == nil {
			t.Fatal("a relayed connection survived Stop")
		}
	}
	if e.Running() {
		t.Error("Running after Stop")
	}
	// goleak in TestMain checks that no goroutine outlives the engine.
}

func TestCountsBytes(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	e := start(t, &server.Config{})
	c := dialVia(t, e.Addr(), nil, echo.String())
	msg := bytes.Repeat([]byte("0123456789"), 100_000)
	go c.Write(msg)
	if _, err := io.ReadFull(c, make([]byte, len(msg))); err != nil {
		t.Fatal(err)
	}
	c.Close()
	s := waitFor(t, e, func(s snapshot) bool { return s.Totals.Live == 0 })
	if s.Totals.Up != int64(len(msg)) || s.Totals.Down != int64(len(msg)) {
		t.Errorf("totals up %d down %d, want %d each", s.Totals.Up, s.Totals.Down, len(msg))
	}
}

// TestLiveRates checks what the GUI shows during a long transfer: the
// connection's counters and rate move while bytes flow, not only at the end.
func TestLiveRates(t *testing.T) {
	target := sender(t, 64<<10, 100*time.Millisecond)
	e := start(t, &server.Config{})
	c := dialVia(t, e.Addr(), nil, target)
	go io.Copy(io.Discard, c)
	var sawRate bool
	var lastDown int64
	grew := 0
	deadline := time.Now().Add(4 * time.Second)
	for time.Now().Before(deadline) {
		time.Sleep(250 * time.Millisecond)
		s := e.Snapshot()
		if len(s.Conns) != 1 {
			continue
		}
		if s.Conns[0].RateDown > 0 {
			sawRate = true
		}
		if d := s.Conns[0].Down; d > lastDown {
			grew++
			lastDown = d
		}
	}
	if grew < 3 {
		t.Errorf("the down counter moved %d times in 4 s of steady transfer, want at least 3 (once a second)", grew)
	}
	if !sawRate {
		t.Error("RateDown stayed 0 during a steady transfer")
	}
	var seriesDown float64
	for _, p := range e.Snapshot().Series {
		seriesDown += p.Down
	}
	if seriesDown == 0 {
		t.Error("the throughput series shows no download")
	}
}

// TestApplyLoopbackToAllInterfacesSamePort is turning on "Share on LAN"
// without changing the port: the new wildcard listener needs the port the
// loopback one holds.
func TestApplyLoopbackToAllInterfacesSamePort(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	e := start(t, &server.Config{})
	_, port, _ := net.SplitHostPort(e.Addr().String())
	c := dialVia(t, e.Addr(), nil, echo.String())
	echoRoundTrip(t, c, []byte("before"))
	shared := &server.Config{Listen: net.JoinHostPort("0.0.0.0", port), Username: "u", Password: "p"}
	if err := e.Apply(shared); err != nil {
		t.Fatalf("apply 0.0.0.0:%s: %v", port, err)
	}
	if got := e.Addr().(*net.TCPAddr); !got.IP.IsUnspecified() || strconv.Itoa(got.Port) != port {
		t.Fatalf("listening on %s, want the unspecified address, port %s", got, port)
	}
	echoRoundTrip(t, c, []byte("open connection survived"))
	c2 := dialVia(t, &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: e.Addr().(*net.TCPAddr).Port}, &proxy.Auth{User: "u", Password: "p"}, echo.String())
	echoRoundTrip(t, c2, []byte("new listener"))
	if n := e.CloseAll(); n != 2 {
		t.Errorf("CloseAll closed %d, want 2", n)
	}
}

// TestSlowClientCountersMove is a download to a client that reads 300 KB/s
// from a target that sends as fast as it can: the down counter must move
// in steps of about a second, not of the kernel's buffer size (seconds).
func TestSlowClientCountersMove(t *testing.T) {
	target := sender(t, 256<<10, 0)
	e := start(t, &server.Config{})
	c := dialVia(t, e.Addr(), nil, target)
	go func() {
		buf := make([]byte, 30<<10)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	waitFor(t, e, func(s snapshot) bool { return len(s.Conns) == 1 && s.Conns[0].Down > 0 })
	// The first seconds fill the socket buffers; measure after.
	time.Sleep(3 * time.Second)
	var last int64
	lastChange, worst := time.Now(), time.Duration(0)
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); {
		time.Sleep(50 * time.Millisecond)
		s := e.Snapshot()
		if len(s.Conns) == 1 && s.Conns[0].Down != last {
			worst = max(worst, time.Since(lastChange))
			last, lastChange = s.Conns[0].Down, time.Now()
		}
	}
	worst = max(worst, time.Since(lastChange))
	if worst > 2500*time.Millisecond {
		t.Errorf("down counter stood still for %v during a steady 300 KB/s download", worst)
	}
}

// sender is a target that sends chunk bytes, then pauses, over and over
// until the client leaves; it returns its address.
func sender(t *testing.T, chunk int, pause time.Duration) string {
	t.Helper()
	return serveTarget(t, func(c net.Conn) {
		buf := make([]byte, chunk)
		for {
			if _, err := c.Write(buf); err != nil {
				return
			}
			time.Sleep(pause)
		}
	})
}

// serveTarget runs handle for each connection to a loopback listener
// until the test ends, and returns its address.
func serveTarget(t *testing.T, handle func(net.Conn)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	testnet.Serve(t, ln, handle)
	return ln.Addr().String()
}
