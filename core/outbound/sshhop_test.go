//go:build unix

package outbound

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// echoBytes sends a distinct payload of n bytes through c and expects
// exactly it back.
func echoBytes(c net.Conn, seed, n int) error {
	c.SetDeadline(time.Now().Add(20 * time.Second))
	want := make([]byte, n)
	for i := range want {
		want[i] = byte(seed*31 + i*7)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := c.Write(want)
		errc <- err
	}()
	got := make([]byte, n)
	if _, err := io.ReadFull(c, got); err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if err := <-errc; err != nil {
		return fmt.Errorf("write: %w", err)
	}
	if !bytes.Equal(got, want) {
		return errors.New("echo differs")
	}
	return nil
}

func TestSSHManyConnectsOneConnection(t *testing.T) {
	s := startSSHD(t)
	dst := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	c := &Chain{Hops: []Upstream{s.upstream()}}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			conn, err := c.Dial(context.Background(), dst)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			if err := echoBytes(conn, i, 64<<10+i); err != nil {
				errs <- fmt.Errorf("connect %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	// A config reload builds a new Chain: it must find the same connection.
	reloaded := &Chain{Hops: []Upstream{s.upstream()}}
	echoOnce(t, dialChain(t, reloaded, dst), "after reload")
	if n := s.logins(); n != 1 {
		t.Errorf("sshd accepted %d logins for 51 CONNECTs, want 1:\n%s", n, s.logText())
	}
}

// TestSSHPoolKeepsForwardsApart: a chain that reaches its first hop its
// own way (here from another loopback address) must not be handed a
// connection made the default way, and vice versa.
func TestSSHPoolKeepsForwardsApart(t *testing.T) {
	s := startSSHD(t)
	dst := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	echoOnce(t, dialChain(t, &Chain{Hops: []Upstream{s.upstream()}}, dst), "default forward")
	from := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}
	own := &Chain{Hops: []Upstream{s.upstream()}, Forward: &Direct{Dialer: &net.Dialer{LocalAddr: from}}}
	echoOnce(t, dialChain(t, own, dst), "own forward")
	echoOnce(t, dialChain(t, own, dst), "own forward again")
	if n := s.logins(); n != 2 {
		t.Errorf("sshd accepted %d logins for two forwards, want 2:\n%s", n, s.logText())
	}
	if log := s.logText(); !strings.Contains(log, "from 127.0.0.2") {
		t.Errorf("no login from the own forward's address 127.0.0.2:\n%s", log)
	}
}

func TestSSHServerRestart(t *testing.T) {
	s := startSSHD(t)
	dst := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	c := &Chain{Hops: []Upstream{s.upstream()}}
	echoOnce(t, dialChain(t, c, dst), "before")
	s.restart()
	// Straight after: the pool may not have noticed yet, and the first
	// open on the dead connection must turn into a new one.
	echoOnce(t, dialChain(t, c, dst), "after")
	if n := s.logins(); n != 1 {
		t.Errorf("restarted sshd accepted %d logins, want 1", n)
	}
}

func TestSSHHostKeyUnknown(t *testing.T) {
	s := startSSHD(t)
	dst := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	up := s.upstream()
	up.SSH.KnownHosts = []string{filepath.Join(t.TempDir(), "ssh", "known_hosts")} // missing
	err := chainErr(t, &Chain{Hops: []Upstream{up}}, context.Background(), dst.String())
	var hke *HostKeyError
	fp := ssh.FingerprintSHA256(s.hostKey)
	want := fmt.Sprintf("upstream ssh://root@%s: host key of %s is not in %s: ssh-ed25519 %s; check it and trust it",
		s.addr, s.addr, up.SSH.KnownHosts[0], fp)
	if !errors.As(err, &hke) || err.Error() != want {
		t.Fatalf("error %q\nwant %q", err, want)
	}
	if got := socks5.ReplyFor(err); got != socks5.ReplyGeneralFailure {
		t.Errorf("ReplyFor = %v, want general failure", got)
	}
	// The user checked the fingerprint: trust it, and it works.
	if err := TrustHostKey(hke.File, hke.Host, hke.Key); err != nil {
		t.Fatal(err)
	}
	echoOnce(t, dialChain(t, &Chain{Hops: []Upstream{up}}, dst), "trusted")
}

func TestSSHHostKeyChanged(t *testing.T) {
	s := startSSHD(t)
	other, _ := newKey(t, t.TempDir(), "other", "")
	kh := filepath.Join(t.TempDir(), "known_hosts")
	if err := TrustHostKey(kh, s.addr, other.PublicKey()); err != nil {
		t.Fatal(err)
	}
	up := s.upstream()
	up.SSH.KnownHosts = []string{kh}
	err := chainErr(t, &Chain{Hops: []Upstream{up}}, context.Background(), closedPort(t))
	var hke *HostKeyError
	if !errors.As(err, &hke) || len(hke.Known) != 1 || !strings.Contains(err.Error(), "CHANGED") ||
		!strings.Contains(err.Error(), ssh.FingerprintSHA256(s.hostKey)) ||
		!strings.Contains(err.Error(), ssh.FingerprintSHA256(other.PublicKey())) {
		t.Fatalf("error %q: want a changed host key, with both fingerprints", err)
	}
	t.Log(err)
}

func TestSSHAuth(t *testing.T) {
	dir := t.TempDir()
	agentKey, _, agentPriv := newKeyPriv(t, dir, "agent_key", "")
	locked, lockedFile := newKey(t, dir, "locked_key", "correct horse")
	_, strangerFile := newKey(t, dir, "stranger", "")
	s := startSSHD(t, agentKey.PublicKey(), locked.PublicKey())
	dst := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	sock := serveAgent(t, agentPriv)

	t.Run("agent", func(t *testing.T) {
		up := s.upstream()
		up.SSH = &SSHConfig{KnownHosts: up.SSH.KnownHosts, AgentSocket: sock}
		echoOnce(t, dialChain(t, &Chain{Hops: []Upstream{up}}, dst), "agent")
	})
	t.Run("key file with passphrase", func(t *testing.T) {
		up := s.upstream()
		up.SSH.KeyFile, up.Password = lockedFile, "correct horse"
		echoOnce(t, dialChain(t, &Chain{Hops: []Upstream{up}}, dst), "passphrase")
	})
	t.Run("wrong passphrase", func(t *testing.T) {
		up := s.upstream()
		up.SSH.KeyFile, up.Password = lockedFile, "battery staple"
		err := chainErr(t, &Chain{Hops: []Upstream{up}}, context.Background(), dst.String())
		if !strings.Contains(err.Error(), "wrong passphrase") || strings.Contains(err.Error(), "staple") {
			t.Errorf("error %q: want a wrong passphrase, without it", err)
		}
	})
	t.Run("key not authorized", func(t *testing.T) {
		up := s.upstream()
		up.SSH.KeyFile = strangerFile
		up.Password = "hunter2-secret" // offered as a password too, refused by sshd
		err := chainErr(t, &Chain{Hops: []Upstream{up}}, context.Background(), dst.String())
		want := "upstream ssh://root@" + s.addr + ": authentication failed (methods tried: publickey"
		if !errors.Is(err, ErrAuthFailed) || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error %q: want %q…, without the password", err, want)
		}
	})
}

// serveAgent runs an in-process ssh-agent holding key on a unix socket in
// a temporary directory, until the test ends.
func serveAgent(t *testing.T, key ed25519.PrivateKey) string {
	t.Helper()
	kr := agent.NewKeyring()
	if err := kr.Add(agent.AddedKey{PrivateKey: key}); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(t.TempDir(), "agent.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	testnet.Serve(t, ln, func(c net.Conn) { agent.ServeAgent(kr, c) })
	return sock
}

func TestSSHNamesAsNames(t *testing.T) {
	s := startSSHD(t)
	byName := socks5.Addr{Name: "localhost", Port: echoLocalhost(t)}
	c := &Chain{Hops: []Upstream{s.upstream()}, Forward: noLocalDNS(t)}
	echoOnce(t, dialChain(t, c, byName), "by name")
}

func TestSSHBehindSOCKS5(t *testing.T) {
	s := startSSHD(t)
	socks := (&fakeServer{}).start(t)
	dst := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	c := &Chain{Hops: []Upstream{{Addr: socks.addr()}, s.upstream()}, Forward: noLocalDNS(t)}
	for i := range 3 {
		echoOnce(t, dialChain(t, c, dst), fmt.Sprint("socks5 → ssh ", i))
	}
	// The SOCKS5 hop carried the one SSH connection, not the CONNECTs.
	reqs := socks.requests()
	if len(reqs) != 1 || reqs[0].Addr.String() != s.addr {
		t.Errorf("SOCKS5 hop asked for %v, want %s once", reqs, s.addr)
	}
	if n := s.logins(); n != 1 {
		t.Errorf("%d logins, want 1", n)
	}
}

func TestSSHThenSOCKS5(t *testing.T) {
	s := startSSHD(t)
	socks := (&fakeServer{}).start(t)
	dst := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	c := &Chain{Hops: []Upstream{s.upstream(), {Addr: socks.addr()}}}
	echoOnce(t, dialChain(t, c, dst), "ssh → socks5")
	if reqs := socks.requests(); len(reqs) != 1 || reqs[0].Addr != dst {
		t.Errorf("SOCKS5 hop asked for %v, want %v", reqs, dst)
	}
}

func TestSSHReplies(t *testing.T) {
	s := startSSHD(t)
	c := &Chain{Hops: []Upstream{s.upstream()}}
	err := chainErr(t, c, context.Background(), closedPort(t))
	if got := socks5.ReplyFor(err); got != socks5.ReplyConnectionRefused {
		t.Errorf("ReplyFor(%v) = %v, want connection refused", err, got)
	}
	err = chainErr(t, c, context.Background(), "no-such-host.invalid:80")
	if got := socks5.ReplyFor(err); got != socks5.ReplyHostUnreachable {
		t.Errorf("ReplyFor(%v) = %v, want host unreachable", err, got)
	}
	pc, err := c.ListenPacket(context.Background())
	if err == nil {
		pc.Close()
		t.Fatal("UDP through an SSH hop succeeded")
	}
	if got := socks5.ReplyFor(err); got != socks5.ReplyCommandNotSupported {
		t.Errorf("ReplyFor(%v) = %v, want command not supported", err, got)
	}
}

func TestSSHIdleAndDead(t *testing.T) {
	idle, ka, kat := sshIdleTimeout, sshKeepAlive, sshKeepAliveTimeout
	t.Cleanup(func() { sshIdleTimeout, sshKeepAlive, sshKeepAliveTimeout = idle, ka, kat })
	sshIdleTimeout, sshKeepAlive, sshKeepAliveTimeout = 300*time.Millisecond, 100*time.Millisecond, time.Second
	s := startSSHD(t)
	dst := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	c := &Chain{Hops: []Upstream{s.upstream()}}
	conn := dialChain(t, c, dst)
	time.Sleep(3 * sshIdleTimeout) // an open channel keeps it, keep-alives pass
	echoOnce(t, conn, "still open")
	conn.Close()
	waitPool(t, 0)
	open := dialChain(t, c, dst)
	echoOnce(t, open, "reconnected")
	if n := s.logins(); n != 2 {
		t.Errorf("%d logins, want 2 (one closed for idleness)", n)
	}

	// A hung server (its session processes stopped) fails the keep-alive:
	// the connection is dropped, though a channel is open on it.
	hung := testnet.Descendants(s.Pid())
	for _, pid := range hung {
		syscall.Kill(pid, syscall.SIGSTOP)
	}
	defer func() {
		for _, pid := range hung {
			syscall.Kill(pid, syscall.SIGCONT)
		}
	}()
	waitPool(t, 0)
	echoOnce(t, dialChain(t, c, dst), "after the hang")
}

func waitPool(t *testing.T, want int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		sshClients.mu.Lock()
		n := len(sshClients.clients)
		sshClients.mu.Unlock()
		if n == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pooled SSH connections, want %d", n, want)
		}
	}
}
