package outbound

import (
	"context"
	"encoding/binary"
	"io"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// sshBenchBytes go through each relay per iteration.
const sshBenchBytes = 256 << 20

// BenchmarkSSHRelay sends 256 MiB to a sink through the SSH hop, and
// through OpenSSH's own dynamic forward (ssh -D) to the same sshd, for
// comparison. MB/s is the throughput of one connection.
func BenchmarkSSHRelay(b *testing.B) {
	s := startSSHD(b)
	sink := sinkTCP(b)
	dst := socks5.AddrFromAddrPort(sink.AddrPort())

	b.Run("sockstray", func(b *testing.B) {
		c := &Chain{Hops: []Upstream{s.upstream()}}
		benchSink(b, func() (net.Conn, error) { return c.Dial(context.Background(), dst) })
	})
	// OpenSSH's client prefers chacha20-poly1305, x/crypto AES-GCM:
	// compare both, the default and the same cipher as ours.
	for name, args := range map[string][]string{
		"ssh -D":            nil,
		"ssh -D aes128-gcm": {"-c", "aes128-gcm@openssh.com"},
	} {
		b.Run(name, func(b *testing.B) {
			proxy := startSSHDynamic(b, s, args...)
			benchSink(b, func() (net.Conn, error) {
				conn, err := net.Dial("tcp", proxy)
				if err != nil {
					return nil, err
				}
				if _, err := Handshake(context.Background(), conn, socks5.CmdConnect, dst, nil); err != nil {
					conn.Close()
					return nil, err
				}
				return conn, nil
			})
		})
	}
}

func benchSink(b *testing.B, dial func() (net.Conn, error)) {
	buf := make([]byte, 256<<10)
	b.SetBytes(sshBenchBytes)
	start := time.Now()
	for b.Loop() {
		conn, err := dial()
		if err != nil {
			b.Fatal(err)
		}
		for sent := 0; sent < sshBenchBytes; sent += len(buf) {
			if _, err := conn.Write(buf); err != nil {
				b.Fatal(err)
			}
		}
		conn.(interface{ CloseWrite() error }).CloseWrite()
		var got [8]byte
		if _, err := io.ReadFull(conn, got[:]); err != nil {
			b.Fatal(err)
		}
		if n := binary.BigEndian.Uint64(got[:]); n != sshBenchBytes {
			b.Fatalf("sink got %d bytes, want %d", n, sshBenchBytes)
		}
		conn.Close()
	}
	b.ReportMetric(float64(b.N)*sshBenchBytes/1e6/time.Since(start).Seconds(), "MB/s")
}

// sinkTCP reads each connection to EOF and answers with the count.
func sinkTCP(b *testing.B) *net.TCPAddr {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	testnet.Serve(b, ln, func(c net.Conn) {
		n, _ := io.Copy(io.Discard, c)
		c.Write(binary.BigEndian.AppendUint64(nil, uint64(n)))
	})
	return ln.Addr().(*net.TCPAddr)
}

// startSSHDynamic runs `ssh -N -D` to s with s's key and known_hosts, and
// returns its SOCKS5 address.
func startSSHDynamic(b *testing.B, s *sshd, args ...string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	proxy := ln.Addr().String()
	ln.Close()
	host, port, _ := net.SplitHostPort(s.addr)
	// -F /dev/null: no user config; the client reads ~/.ssh from the
	// passwd entry, so the known_hosts file is named explicitly.
	cmd := exec.Command("ssh", append(args, "-N", "-F", "/dev/null", "-D", proxy, "-i", s.keyFile,
		"-o", "UserKnownHostsFile="+s.knownHosts, "-o", "StrictHostKeyChecking=yes",
		"-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-o", "IdentitiesOnly=yes",
		"-p", port, "root@"+host)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.Fatalf("ssh client (openssh-client): %v", err)
	}
	b.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.Dial("tcp", proxy); err == nil {
			c.Close()
			return proxy
		}
		if time.Now().After(deadline) {
			b.Fatalf("ssh -D did not listen on %s: %s", proxy, stderr.String())
		}
	}
}
