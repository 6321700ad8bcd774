package relay

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// The benchmark's traffic source and sink run in a second process (this
// test binary with peerEnv set), so that the CPU time this process spends
// is the relay's alone.
const peerEnv = "RELAY_BENCH_PEER"

// peerCPUsEnv, if set, pins the peer with taskset(1) to these CPUs; run
// the benchmark under taskset on the others so the two never compete:
//
//	RELAY_BENCH_PEER_CPUS=1 taskset -c 0 go test -run '^$' -bench Relay
const peerCPUsEnv = "RELAY_BENCH_PEER_CPUS"

// BenchmarkRelay pushes b.N MiB from a client through the relay to a sink
// over loopback, one connection per run, and reports the relay process's
// CPU time per GB next to the throughput.
func BenchmarkRelay(b *testing.B) {
	p := startPeer(b)
	counted := func(opt Options) func(c, t net.Conn) (int64, error) {
		return func(c, t net.Conn) (int64, error) {
			var up, down atomic.Int64
			n, _, err := TCP(c, t, &up, &down, nil, opt)
			if up.Load() != n {
				return n, fmt.Errorf("counter %d, relay %d", up.Load(), n)
			}
			return n, err
		}
	}
	variants := []struct {
		name string
		run  func(c, t net.Conn) (int64, error)
	}{
		{"splice-count", counted(Options{})},
		{"splice-nocount", func(c, t net.Conn) (int64, error) {
			n, _, err := TCP(c, t, nil, nil, nil, Options{})
			return n, err
		}},
		{"buffered-count", counted(Options{buffered: true})},
		{"iocopy-bare", bareRelay},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) { benchRelay(b, p, v.run) })
	}
}

// bareRelay is the reference: io.Copy both ways between two
// *net.TCPConn, which splices on Linux, and half-close.
func bareRelay(c, t net.Conn) (int64, error) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		io.Copy(c, t)
		c.(*net.TCPConn).CloseWrite()
	}()
	n, err := io.Copy(t, c)
	t.(*net.TCPConn).CloseWrite()
	wg.Wait()
	c.Close()
	t.Close()
	return n, err
}

const benchChunk = 1 << 20

func benchRelay(b *testing.B, p *peer, run func(c, t net.Conn) (int64, error)) {
	total := int64(b.N) * benchChunk
	b.SetBytes(benchChunk)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	fmt.Fprintf(p.in, "%s %d\n", ln.Addr(), total)
	c, err := ln.Accept()
	if err != nil {
		b.Fatal(err)
	}
	t, err := net.Dial("tcp", p.sink)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	n, err := run(c, t)
	cpu := cpuTime() - cpu0
	b.StopTimer()
	line, rerr := p.out.ReadString('\n')
	if err != nil || rerr != nil || n != total || strings.TrimSpace(line) != fmt.Sprint("ok ", total) {
		b.Fatalf("relayed %d of %d (%v); peer said %q (%v)", n, total, err, line, rerr)
	}
	if cpu >= 0 {
		b.ReportMetric(float64(cpu.Microseconds())/1e3/(float64(total)/1e9), "cpu-ms/GB")
	}
}

type peer struct {
	sink string // the sink's address
	in   io.Writer
	out  *bufio.Reader
}

// startPeer runs the traffic process; it stops when its stdin closes.
func startPeer(b *testing.B) *peer {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if cpus := os.Getenv(peerCPUsEnv); cpus != "" {
		cmd = exec.Command("taskset", "-c", cpus, os.Args[0], "-test.run=^$")
	}
	cmd.Env = append(os.Environ(), peerEnv+"=1")
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		in.Close()
		cmd.Wait()
	})
	p := &peer{in: in, out: bufio.NewReader(out)}
	line, err := p.out.ReadString('\n')
	if err != nil {
		b.Fatalf("peer: %v", err)
	}
	p.sink = strings.TrimSpace(line)
	return p
}

// benchPeer is the peer process. It prints its sink's address, then for
// each line "ADDR BYTES" on stdin connects to ADDR, sends BYTES, half-closes
// and prints "ok N" where N is what the sink acknowledged. The sink reads
// each connection to EOF and answers with the count as 8 bytes.
func benchPeer() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(ln.Addr())
	go func() {
		buf := make([]byte, benchChunk)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			var n int64
			for {
				m, err := c.Read(buf)
				n += int64(m)
				if err != nil {
					break
				}
			}
			c.Write(binary.BigEndian.AppendUint64(nil, uint64(n)))
			c.Close()
		}
	}()
	sc := bufio.NewScanner(os.Stdin)
	buf := make([]byte, benchChunk)
	for sc.Scan() {
		var addr string
		var total int64
		if _, err := fmt.Sscan(sc.Text(), &addr, &total); err != nil {
			fmt.Println("bad command:", err)
			continue
		}
		fmt.Println(peerSend(addr, total, buf))
	}
}

func peerSend(addr string, total int64, buf []byte) string {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	for left := total; left > 0; {
		m, err := c.Write(buf[:min(left, int64(len(buf)))])
		left -= int64(m)
		if err != nil {
			return err.Error()
		}
	}
	c.(*net.TCPConn).CloseWrite()
	var ack [8]byte
	if _, err := io.ReadFull(c, ack[:]); err != nil {
		return err.Error()
	}
	return fmt.Sprint("ok ", binary.BigEndian.Uint64(ack[:]))
}
