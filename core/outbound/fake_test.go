package outbound

import (
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// fakeServer is a TEST HELPER, not product code: a small SOCKS5 server on
// loopback (no-auth or username/password, CONNECT and UDP ASSOCIATE) so
// that the client is tested against code other than its own and other
// than core/server. Names are not resolved, except "localhost", which it
// maps to 127.0.0.1 itself: tests send no DNS queries.
type fakeServer struct {
	user, pass string       // when user is set, username/password is required
	reply      socks5.Reply // answer every request with this code (0: carry it out)
	silent     bool         // accept connections and never answer
	anyBound   bool         // announce the UDP relay as 0.0.0.0:port

	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	live  map[io.Closer]struct{}
	done  bool
	reqs  []socks5.Request // requests received, in order
	dgram []socks5.Addr    // destinations of relayed datagrams
	ended chan struct{}    // gets a value when a UDP association ends
}

// start listens on 127.0.0.1 and stops everything at the test's end.
func (f *fakeServer) start(t *testing.T) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.ln, f.live, f.ended = ln, map[io.Closer]struct{}{}, make(chan struct{}, 16)
	f.wg.Add(1)
	go f.serve()
	t.Cleanup(f.stop)
	return f
}

func (f *fakeServer) addr() string { return f.ln.Addr().String() }

func (f *fakeServer) requests() []socks5.Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]socks5.Request(nil), f.reqs...)
}

func (f *fakeServer) datagrams() []socks5.Addr {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]socks5.Addr(nil), f.dgram...)
}

// stop closes the listener and every connection and socket, and waits.
func (f *fakeServer) stop() {
	f.ln.Close()
	f.mu.Lock()
	f.done = true
	for c := range f.live {
		c.Close()
	}
	f.mu.Unlock()
	f.wg.Wait()
}

// track registers c for stop; false (and c closed) if stopping already.
func (f *fakeServer) track(c io.Closer) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		c.Close()
		return false
	}
	f.live[c] = struct{}{}
	return true
}

func (f *fakeServer) untrack(c io.Closer) {
	f.mu.Lock()
	delete(f.live, c)
	f.mu.Unlock()
	c.Close()
}

func (f *fakeServer) serve() {
	defer f.wg.Done()
	for {
		c, err := f.ln.Accept()
		if err != nil || !f.track(c) {
			return
		}
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			defer f.untrack(c)
			f.handle(c)
		}()
	}
}

func (f *fakeServer) handle(c net.Conn) {
	if f.silent {
		io.Copy(io.Discard, c)
		return
	}
	g, err := socks5.ReadGreeting(c)
	if err != nil {
		return
	}
	want := socks5.AuthNone
	if f.user != "" {
		want = socks5.AuthUserPass
	}
	if !g.Has(want) {
		c.Write(socks5.AppendMethodSelection(nil, socks5.AuthNoAcceptable))
		return
	}
	c.Write(socks5.AppendMethodSelection(nil, want))
	if want == socks5.AuthUserPass {
		up, err := socks5.ReadUserPass(c)
		if err != nil {
			return
		}
		if up.Username != f.user || up.Password != f.pass {
			c.Write(socks5.AppendUserPassReply(nil, socks5.AuthFailure))
			return
		}
		c.Write(socks5.AppendUserPassReply(nil, socks5.AuthSuccess))
	}
	req, err := socks5.ReadRequest(c)
	if err != nil {
		return
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	f.mu.Unlock()
	switch {
	case f.reply != socks5.ReplySucceeded:
		respond(c, f.reply, socks5.Addr{})
	case req.Command == socks5.CmdConnect:
		f.connect(c, req.Addr)
	case req.Command == socks5.CmdUDPAssociate:
		f.associate(c)
	default:
		respond(c, socks5.ReplyCommandNotSupported, socks5.Addr{})
	}
}

func respond(c net.Conn, r socks5.Reply, bound socks5.Addr) {
	b, _ := socks5.Response{Reply: r, Bound: bound}.Append(nil)
	c.Write(b)
}

// fakeResolve stands in for DNS: only "localhost" has an address.
func fakeResolve(a socks5.Addr) (netip.AddrPort, bool) {
	switch {
	case a.Name == "localhost":
		return netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), a.Port), true
	case a.Name != "":
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(a.IP, a.Port), true
}

func (f *fakeServer) connect(c net.Conn, dst socks5.Addr) {
	ap, ok := fakeResolve(dst)
	if !ok {
		respond(c, socks5.ReplyHostUnreachable, socks5.Addr{})
		return
	}
	out, err := net.DialTimeout("tcp", ap.String(), 5*time.Second)
	if err != nil {
		respond(c, socks5.ReplyFor(err), socks5.Addr{})
		return
	}
	if !f.track(out) {
		return
	}
	defer f.untrack(out)
	respond(c, socks5.ReplySucceeded, socks5.AddrFromNet(out.LocalAddr()))
	done := make(chan struct{})
	go func() {
		io.Copy(out, c)
		out.(*net.TCPConn).CloseWrite()
		close(done)
	}()
	io.Copy(c, out)
	c.(*net.TCPConn).CloseWrite()
	<-done
}

// associate relays datagrams until the control connection ends. The first
// sender is the client; datagrams from anyone else are answers for it.
func (f *fakeServer) associate(c net.Conn) {
	pc, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		respond(c, socks5.ReplyGeneralFailure, socks5.Addr{})
		return
	}
	if !f.track(pc) {
		return
	}
	defer f.untrack(pc)
	bound := socks5.AddrFromNet(pc.LocalAddr())
	if f.anyBound {
		bound.IP = netip.IPv4Unspecified()
	}
	respond(c, socks5.ReplySucceeded, bound)
	done := make(chan struct{})
	go func() {
		io.Copy(io.Discard, c)
		pc.Close()
		close(done)
	}()
	var client netip.AddrPort
	buf := make([]byte, 65535)
	for {
		n, from, err := pc.ReadFromUDPAddrPort(buf)
		if err != nil {
			break
		}
		if !client.IsValid() || from == client {
			client = from
			h, hl, err := socks5.ParseUDPHeader(buf[:n])
			if err != nil || h.Frag != 0 {
				continue
			}
			f.mu.Lock()
			f.dgram = append(f.dgram, h.Addr)
			f.mu.Unlock()
			if to, ok := fakeResolve(h.Addr); ok {
				pc.WriteToUDPAddrPort(buf[hl:n], to)
			}
			continue
		}
		hdr, _ := socks5.UDPHeader{Addr: socks5.AddrFromAddrPort(from)}.Append(nil)
		pc.WriteToUDPAddrPort(append(hdr, buf[:n]...), client)
	}
	c.Close()
	<-done
	select {
	case f.ended <- struct{}{}:
	default:
	}
}
