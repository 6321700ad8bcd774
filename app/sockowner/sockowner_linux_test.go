package sockowner

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/internal/netns"
	"github.com/sockstray/sockstray/internal/testnet"
)

// holdConn starts ncat, a real program, connected to a listener on host,
// and returns the process, the client address as the server sees it and
// the server's address.
func holdConn(t testing.TB, host string) (*exec.Cmd, netip.AddrPort, netip.AddrPort) {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	server := ln.Addr().(*net.TCPAddr).AddrPort()
	cmd := testnet.Ncat(t, host, strconv.Itoa(int(server.Port())))
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	c, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return cmd, c.RemoteAddr().(*net.TCPAddr).AddrPort(), server
}

func TestLookupFindsProgram(t *testing.T) {
	for _, tc := range []struct {
		name   string
		host   string
		noDiag bool
	}{
		{"127.0.0.1 sock_diag", "127.0.0.1", false},
		{"::1 sock_diag", "::1", false},
		{"127.0.0.1 proc", "127.0.0.1", true},
		{"::1 proc", "::1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd, client, server := holdConn(t, tc.host)
			r := Resolver{noDiag: tc.noDiag}
			o, ok := r.Lookup(client, server)
			if !ok || o.PID != cmd.Process.Pid || o.Name != "ncat" {
				t.Fatalf("Lookup(%v, %v) = %+v, %v; want ncat (%d)", client, server, o, ok, cmd.Process.Pid)
			}
			if got, want := o.String(), "ncat ("+strconv.Itoa(o.PID)+")"; got != want {
				t.Errorf("String() = %q, want %q", got, want)
			}
			// A listener on every address knows only its port.
			any := netip.AddrPortFrom(netip.IPv6Unspecified(), server.Port())
			if o2, ok := r.Lookup(client, any); !ok || o2 != o {
				t.Errorf("Lookup with an unspecified server = %+v, %v; want %+v", o2, ok, o)
			}
			// Another server port is another connection.
			other := netip.AddrPortFrom(server.Addr(), server.Port()+1)
			if o2, ok := r.Lookup(client, other); ok {
				t.Errorf("Lookup with the wrong server port = %+v, want not found", o2)
			}
		})
	}
}

// A batch answers each query in its place, and a client with no socket
// here (one on another host) is not found.
func TestLookupAllBatch(t *testing.T) {
	cmd4, client4, server4 := holdConn(t, "127.0.0.1")
	cmd6, client6, server6 := holdConn(t, "::1")
	lan := netip.MustParseAddrPort("192.0.2.7:40000") // TEST-NET-1: nowhere on this host
	var r Resolver
	got := r.LookupAll([]Query{{client6, server6}, {lan, server4}, {client4, server4}})
	if got[0].PID != cmd6.Process.Pid || got[1].Found() || got[2].PID != cmd4.Process.Pid {
		t.Fatalf("LookupAll = %+v; want ncat %d, not found, ncat %d", got, cmd6.Process.Pid, cmd4.Process.Pid)
	}
}

// ProgramsOf names the proxy's connections by their clients, as the usage
// history asks: the program's name, "" for a client on another host.
func TestProgramsOf(t *testing.T) {
	_, client, server := holdConn(t, "127.0.0.1")
	lan := netip.MustParseAddrPort("192.0.2.7:40000") // TEST-NET-1: nowhere on this host
	var r Resolver
	got := r.ProgramsOf([]stats.ConnStat{{Info: stats.Info{Client: lan, Server: server}}, {Info: stats.Info{Client: client, Server: server}}})
	if len(got) != 2 || got[0] != "" || got[1] != "ncat" {
		t.Fatalf("ProgramsOf = %q; want \"\", ncat", got)
	}
}

// Once the program exits its socket has no owner: not found, even though
// the resolver found it before.
func TestLookupExitedProcess(t *testing.T) {
	cmd, client, server := holdConn(t, "127.0.0.1")
	var r Resolver
	if _, ok := r.Lookup(client, server); !ok {
		t.Fatal("not found while running")
	}
	cmd.Process.Kill()
	cmd.Wait()
	if o, ok := r.Lookup(client, server); ok {
		t.Fatalf("after exit: %+v, want not found", o)
	}
}

func TestParseAddr(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"0100007F:0438", "127.0.0.1:1080", true},
		{"00000000:0000", "0.0.0.0:0", true},
		{"00000000000000000000000001000000:1F90", "[::1]:8080", true},
		{"0000000000000000FFFF00000100007F:0050", "[::ffff:127.0.0.1]:80", true},
		{"0100007F", "", false},
		{"0100007:0438", "", false},
		{"0100007F:XYZ", "", false},
	} {
		got, ok := parseAddr(tc.in)
		if ok != tc.ok || (ok && got.String() != tc.want) {
			t.Errorf("parseAddr(%q) = %v, %v; want %s, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// BenchmarkLookupScan measures one lookup that walks the processes' fds
// (the cost of a batch with a socket not seen before), the owner ncat.
func BenchmarkLookupScan(b *testing.B) {
	_, client, server := holdConn(b, "127.0.0.1")
	for b.Loop() {
		var r Resolver // a fresh one: nothing known
		if _, ok := r.Lookup(client, server); !ok {
			b.Fatal("not found")
		}
	}
}

// Two programs on one local port, connected to two servers: the kernel
// shares a local port between connections to different destinations, and
// here, in a network namespace whose port range is one port, it must.
// Each connection is named by its own program, for ProgramsOf matches both
// ends. The other program is this test binary under another name (see
// TestMain).
func TestProgramsOfSharedLocalPort(t *testing.T) {
	h := netns.New(t).Server
	var servers [2]netip.AddrPort
	for i := range servers {
		ln, err := h.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		testnet.Serve(t, ln, func(c net.Conn) { io.Copy(io.Discard, c) })
		servers[i] = ln.Addr().(*net.TCPAddr).AddrPort()
	}
	if err := h.LocalPorts(40000, 40000); err != nil {
		t.Fatal(err)
	}
	mine, err := h.Dial("tcp4", servers[0].String())
	if err != nil {
		t.Fatal(err)
	}
	defer mine.Close()
	client := mine.LocalAddr().(*net.TCPAddr).AddrPort()

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	mate := filepath.Join(t.TempDir(), "portmate")
	if err := os.Link(self, mate); err != nil {
		t.Fatal(err)
	}
	cmd := h.Command(mate)
	cmd.Env = append(os.Environ(), envHold+"="+servers[1].String())
	out, _ := cmd.StdoutPipe()
	in, _ := cmd.StdinPipe() // the mate holds its connection until this closes
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { in.Close(); cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if line != "connected from "+client.String()+"\n" {
		t.Fatalf("the other program: %q, %v; want it connected from %v", line, err, client)
	}

	var got []string
	h.Do(func() error { // the namespace's sockets
		var r Resolver
		got = r.ProgramsOf([]stats.ConnStat{
			{Info: stats.Info{Client: client, Server: servers[0]}},
			{Info: stats.Info{Client: client, Server: servers[1]}},
		})
		return nil
	})
	if want := []string{"sockowner.test", "portmate"}; len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("ProgramsOf on one local port = %q; want %q", got, want)
	}
}

// envHold makes the test binary, as TestProgramsOfSharedLocalPort's other
// program, connect to the address it holds, say from where, and hold the
// connection until its stdin closes.
const envHold = "SOCKOWNER_TEST_HOLD"

func TestMain(m *testing.M) {
	if to := os.Getenv(envHold); to != "" {
		c, err := net.Dial("tcp", to)
		if err != nil {
			fmt.Println(err)
			os.Exit(1)
		}
		fmt.Println("connected from", c.LocalAddr())
		io.Copy(io.Discard, os.Stdin)
		c.Close()
		os.Exit(0)
	}
	os.Exit(m.Run())
}
