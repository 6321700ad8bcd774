package relay

import (
	"io"
	"net"
	"testing"
	"time"
)

// TestPipeNoHalfClose relays between net.Pipe conns, which have neither
// splice, a raw socket nor CloseWrite: bytes still flow both ways, and an
// EOF that cannot be passed on ends the relay.
func TestPipeNoHalfClose(t *testing.T) {
	client, srvClient := net.Pipe()
	srvTarget, target := net.Pipe()
	t.Cleanup(func() {
		client.Close()
		target.Close()
	})
	done := make(chan result, 1)
	go func() {
		up, down, err := TCP(srvClient, srvTarget, nil, nil, []byte("p:"), Options{})
		done <- result{up, down, err}
	}()
	go client.Write([]byte("hello"))
	readUntil(t, target, []byte("p:hello"))
	go target.Write([]byte("world"))
	readUntil(t, client, []byte("world"))

	client.Close() // EOF for the relay; net.Pipe cannot half-close target
	select {
	case res := <-done:
		if res.err != nil || res.up != 7 || res.down != 5 {
			t.Errorf("relay returned up %d down %d err %v; want 7 5 nil", res.up, res.down, res.err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("relay still running after the client's EOF")
	}
	if _, err := target.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("target read %v, want EOF", err)
	}
}

// TestCountingOff: nil counters turn counting off; the totals still come back.
func TestCountingOff(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			client, srvClient := tcpPair(t)
			srvTarget, target := tcpPair(t)
			t.Cleanup(func() {
				client.Close()
				target.Close()
			})
			opt := m.opt
			var c, tg net.Conn = srvClient, srvTarget
			if m.wrap {
				c, tg = wrapped{c}, wrapped{tg}
			}
			done := make(chan result, 1)
			go func() {
				up, down, err := TCP(c, tg, nil, nil, nil, opt)
				done <- result{up, down, err}
			}()
			data := randomBytes(t, 1<<20)
			errc := make(chan error, 1)
			go sendAll(client, data, errc)
			n, _, err := recvSum(target)
			if err != nil || n != int64(len(data)) {
				t.Fatalf("target got %d, %v; want %d", n, err, len(data))
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
			target.CloseWrite()
			res := <-done
			if res.err != nil || res.up != int64(len(data)) || res.down != 0 {
				t.Errorf("relay returned up %d down %d err %v", res.up, res.down, res.err)
			}
		})
	}
}

func TestOptionsNorm(t *testing.T) {
	tests := []struct {
		name string
		in   Options
		want Options
	}{
		{"zero", Options{}, Options{Flush: defaultFlush}},
		{"flush kept", Options{Flush: 100 * time.Millisecond}, Options{Flush: 100 * time.Millisecond}},
		{"long idle", Options{Idle: time.Minute}, Options{Idle: time.Minute, Flush: defaultFlush}},
		{"short idle lowers flush", Options{Idle: 100 * time.Millisecond}, Options{Idle: 100 * time.Millisecond, Flush: 50 * time.Millisecond}},
		{"negative idle", Options{Idle: -1}, Options{Flush: defaultFlush}},
	}
	for _, tt := range tests {
		if got := tt.in.norm(); got != tt.want {
			t.Errorf("%s: norm(%+v) = %+v, want %+v", tt.name, tt.in, got, tt.want)
		}
	}
}
