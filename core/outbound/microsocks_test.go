package outbound

import (
	"context"
	"errors"
	"io"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// startMicrosocks runs a real, independent SOCKS5 server on a free
// loopback port, with extra arguments (such as -u USER -P PASS), and
// returns its address. Without microsocks the test fails (see
// requireTool).
func startMicrosocks(t *testing.T, args ...string) string {
	t.Helper()
	bin := requireTool(t, "microsocks", "microsocks")
	// microsocks cannot listen on port 0, so take a free port and hand it
	// over; another process grabbing it in between would fail the wait.
	port := strings.TrimPrefix(closedPort(t), "127.0.0.1:")
	cmd := exec.Command(bin, append([]string{"-i", "127.0.0.1", "-p", port}, args...)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	addr := "127.0.0.1:" + port
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			t.Fatalf("microsocks did not start on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// echoLocalhost starts a TCP echo server on 127.0.0.1 and, where IPv6
// is there, on ::1 at the same port: whichever address "localhost" gives
// microsocks first, an echo answers.
func echoLocalhost(t *testing.T) uint16 {
	t.Helper()
	for range 20 {
		ln4, err := net.Listen("tcp4", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns := []net.Listener{ln4}
		port := ln4.Addr().(*net.TCPAddr).Port
		ln6, err := net.Listen("tcp6", net.JoinHostPort("::1", strconv.Itoa(port)))
		if errors.Is(err, syscall.EADDRINUSE) {
			ln4.Close()
			continue // taken on ::1 only: try another port
		}
		if err == nil {
			lns = append(lns, ln6)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		var conns []net.Conn
		closed := false
		for _, ln := range lns {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					mu.Lock()
					if closed {
						c.Close()
					}
					conns = append(conns, c)
					mu.Unlock()
					wg.Add(1)
					go func() {
						defer wg.Done()
						io.Copy(c, c)
					}()
				}
			}()
		}
		t.Cleanup(func() {
			for _, ln := range lns {
				ln.Close()
			}
			mu.Lock()
			closed = true
			for _, c := range conns {
				c.Close()
			}
			mu.Unlock()
			wg.Wait()
		})
		return uint16(port)
	}
	t.Fatal("no port free on both 127.0.0.1 and ::1")
	return 0
}

func TestMicrosocks(t *testing.T) {
	echo := testnet.EchoTCP(t, "tcp4")
	open := startMicrosocks(t)
	locked := startMicrosocks(t, "-u", "alice", "-P", "s3cret")
	alice := Upstream{Addr: locked, Username: "alice", Password: "s3cret"}
	dst := socks5.AddrFromAddrPort(echo.AddrPort())

	t.Run("no auth", func(t *testing.T) {
		echoOnce(t, dialChain(t, &Chain{Hops: []Upstream{{Addr: open}}}, dst), "microsocks")
	})
	t.Run("username/password", func(t *testing.T) {
		echoOnce(t, dialChain(t, &Chain{Hops: []Upstream{alice}}, dst), "microsocks auth")
	})
	t.Run("name resolved upstream", func(t *testing.T) {
		byName := socks5.Addr{Name: "localhost", Port: echoLocalhost(t)}
		echoOnce(t, dialChain(t, &Chain{Hops: []Upstream{{Addr: open}}, Forward: noLocalDNS(t)}, byName), "by name")
	})
	t.Run("chain of two", func(t *testing.T) {
		c := &Chain{Hops: []Upstream{{Addr: open}, alice}, Forward: noLocalDNS(t)}
		echoOnce(t, dialChain(t, c, dst), "two microsocks")
	})
	t.Run("wrong password", func(t *testing.T) {
		bad := Upstream{Addr: locked, Username: "alice", Password: "not-it-42"}
		err := chainErr(t, &Chain{Hops: []Upstream{bad}}, context.Background(), dst.String())
		if !errors.Is(err, ErrAuthFailed) || socks5.ReplyFor(err) != socks5.ReplyGeneralFailure ||
			!strings.HasPrefix(err.Error(), "upstream "+locked+": authentication failed") ||
			strings.Contains(err.Error(), "not-it-42") {
			t.Errorf("error %q: want an authentication failure at %s, without the password", err, locked)
		}
	})
	t.Run("destination refused", func(t *testing.T) {
		err := chainErr(t, &Chain{Hops: []Upstream{{Addr: open}}}, context.Background(), closedPort(t))
		if got := socks5.ReplyFor(err); got != socks5.ReplyConnectionRefused {
			t.Errorf("ReplyFor(%v) = %v, want connection refused", err, got)
		}
	})
	t.Run("no UDP", func(t *testing.T) {
		// microsocks does not do UDP ASSOCIATE: its refusal reaches us.
		pc, err := (&Chain{Hops: []Upstream{{Addr: open}}}).ListenPacket(context.Background())
		if err == nil {
			pc.Close()
			t.Fatal("UDP ASSOCIATE through microsocks succeeded")
		}
		t.Logf("microsocks: %v", err)
		if got := socks5.ReplyFor(err); got != socks5.ReplyCommandNotSupported {
			t.Errorf("ReplyFor(%v) = %v, want command not supported", err, got)
		}
	})
}
