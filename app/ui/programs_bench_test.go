//go:build linux

package ui

import (
	"io"
	"net"
	"sync"
	"syscall"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/app/sockowner"
	"github.com/sockstray/sockstray/core/socks5"
)

// BenchmarkConnectRate measures whole proxied connections on loopback
// (dial, SOCKS5 CONNECT, reply, close) with the window closed, and with
// the Connections tab open refreshing once a second as in the app, each
// refresh looking up the programs of the rows drawn (new ones every
// time: the connections churn). The lookup reads /proc off the relay's
// path, so the rate holds.
//
//	go test ./app/ui -run '^$' -bench ConnectRate -benchtime 10s
//
// window-open-nolookup is the window alone, its Program column answering
// "—" without a lookup: the difference to window-open is the lookup's.
func BenchmarkConnectRate(b *testing.B) {
	b.Run("window-closed", func(b *testing.B) { benchConnect(b, false, true) })
	b.Run("window-open", func(b *testing.B) { benchConnect(b, true, true) })
	b.Run("window-open-nolookup", func(b *testing.B) { benchConnect(b, true, false) })
}

func benchConnect(b *testing.B, open, lookup bool) {
	a := test.NewTempApp(b)
	c := controltest.New(b)
	if err := c.SetProxy(true); err != nil {
		b.Fatal(err)
	}
	target := acceptAndClose(b)
	if open {
		w := New(a, c)
		if !lookup {
			w.Connections.progs.lookup = func(qs []sockowner.Query) []sockowner.Owner { return make([]sockowner.Owner, len(qs)) }
		}
		w.Win.Resize(fyne.NewSize(1100, 700))
		w.ShowTab(TabConnections)
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // the benchmark's UI goroutine: nothing else touches the window
			defer wg.Done()
			for t := time.NewTicker(time.Second); ; {
				select {
				case <-stop:
					t.Stop()
					return
				case <-t.C:
					w.sample()
					drain(&w.Connections.progs.jobs)
				}
			}
		}()
		b.Cleanup(func() { close(stop); wg.Wait(); w.Win.Close() })
	}
	proxyAddr := c.State().Addr
	greet := []byte{5, 1, 0}
	req, _ := socks5.Request{Command: socks5.CmdConnect, Addr: socks5.AddrFromNet(target)}.Append(nil)
	cpu := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		buf := make([]byte, 2)
		for pb.Next() {
			conn, err := net.Dial("tcp", proxyAddr)
			if err != nil {
				b.Error(err)
				return
			}
			conn.Write(greet)
			io.ReadFull(conn, buf)
			conn.Write(req)
			if r, err := socks5.ReadResponse(conn); err != nil || r.Reply != socks5.ReplySucceeded {
				b.Errorf("reply %v %v", r.Reply, err)
			}
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "conns/s")
	// The process's CPU per connection: the relay's, the client's and the
	// target's, plus the window's when open. Unlike the rate, it does not
	// depend on what else the machine runs.
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/conn")
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// acceptAndClose is a loopback target that closes every connection.
func acceptAndClose(b *testing.B) net.Addr {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	return ln.Addr()
}
