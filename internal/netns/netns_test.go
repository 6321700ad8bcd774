//go:build linux

package netns

import (
	"bufio"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestTwoHostsTalk proves the link works both ways, over IPv4, IPv6 and
// link-local, for TCP and UDP, and that Command runs inside the namespace.
func TestTwoHostsTalk(t *testing.T) {
	n := New(t)
	for _, addr := range []netip.Addr{n.Server.V4(), n.Server.V6(), n.Server.LinkLocal()} {
		t.Run("tcp "+addr.String(), func(t *testing.T) {
			ln, err := n.Server.Listen("tcp", netip.AddrPortFrom(addr, 0).String())
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				io.Copy(c, c)
			}()
			// The listener's address drops the zone; the dialer needs it.
			port := ln.Addr().(*net.TCPAddr).Port
			c, err := n.Client.Dial("tcp", netip.AddrPortFrom(addr, uint16(port)).String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "ping")
			buf := make([]byte, 4)
			if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping" {
				t.Fatalf("echo: %q %v", buf, err)
			}
			// The server sees the client's LAN address, not loopback.
			if got := netip.MustParseAddrPort(c.LocalAddr().String()).Addr().WithZone(""); got.IsLoopback() {
				t.Fatalf("client address %v is loopback", got)
			}
		})
	}
	t.Run("udp", func(t *testing.T) {
		pc, err := n.Server.ListenPacket("udp", netip.AddrPortFrom(n.Server.V4(), 0).String())
		if err != nil {
			t.Fatal(err)
		}
		defer pc.Close()
		c, err := n.Client.Dial("udp", pc.LocalAddr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		c.Write([]byte("dgram"))
		pc.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 64)
		k, from, err := pc.ReadFrom(buf)
		if err != nil || string(buf[:k]) != "dgram" {
			t.Fatalf("udp: %q %v", buf[:k], err)
		}
		if got := netip.MustParseAddrPort(from.String()).Addr(); got != n.Client.V4() {
			t.Fatalf("datagram from %v, want %v", got, n.Client.V4())
		}
	})
	t.Run("command", func(t *testing.T) {
		out, err := n.Client.Command("ip", "-o", "addr", "show", "dev", LinkName).CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		for _, want := range []string{n.Client.V4().String() + "/24", "brd " + n.Broadcast4().String(), n.Client.V6().String() + "/64"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("client's %s lacks %q:\n%s", LinkName, want, out)
			}
		}
		// Name lookups of programs inside stay inside.
		out, err = n.Server.Command("cat", "/etc/resolv.conf").CombinedOutput()
		if err != nil || string(out) != etcFiles["resolv.conf"] {
			t.Errorf("resolv.conf inside = %q (%v), want %q", out, err, etcFiles["resolv.conf"])
		}
	})
}

// TestNothingLeaks checks that the root namespace's interfaces, addresses
// and routes are the same during and after a Net's life, that the
// namespaces are gone afterwards, and that threads used by Do are back in
// the root namespace.
func TestNothingLeaks(t *testing.T) {
	before := rootState(t)
	var names []string
	t.Run("net", func(t *testing.T) {
		n := New(t)
		names = []string{n.Server.Name(), n.Client.Name()}
		for range 20 {
			if err := n.Client.Do(func() error { return nil }); err != nil {
				t.Fatal(err)
			}
		}
		if during := rootState(t); during != before {
			t.Errorf("root namespace changed while the Net lived:\nbefore:\n%s\nduring:\n%s", before, during)
		}
	})
	if after := rootState(t); after != before {
		t.Errorf("root namespace changed after the Net:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	for _, name := range names {
		if _, err := os.Stat(nsDir + "/" + name); !os.IsNotExist(err) {
			t.Errorf("namespace %s still exists (%v)", name, err)
		}
	}
	root, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	for range 2 * runtime.GOMAXPROCS(0) {
		done := make(chan string)
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			s, _ := os.Readlink("/proc/thread-self/ns/net")
			done <- s
		}()
		if got := <-done; got != root {
			t.Errorf("a thread is in namespace %s, want the root's %s", got, root)
		}
	}
}

// rootState is the root namespace's interfaces with their addresses, and
// its IPv4 and IPv6 routes.
func rootState(t *testing.T) string {
	t.Helper()
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, ifc := range ifs {
		addrs, _ := ifc.Addrs()
		b.WriteString(ifc.Name)
		for _, a := range addrs {
			b.WriteString(" " + a.String())
		}
		b.WriteByte('\n')
	}
	for _, fam := range []string{"-4", "-6"} {
		out, err := exec.Command(checkPermitted(t), fam, "route", "show", "table", "all").Output()
		if err != nil {
			t.Fatal(err)
		}
		// Expiry counters of kernel routes tick on their own.
		sc := bufio.NewScanner(strings.NewReader(string(out)))
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), " expires ")
			b.WriteString(line + "\n")
		}
	}
	return b.String()
}
