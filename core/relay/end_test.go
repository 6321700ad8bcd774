package relay

import (
	"errors"
	"io"
	"net"
	"testing"
	"time"
)

// How relays end: idle timeout, the caller closing a connection, a reset.

func TestIdleTimeout(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		const idle = 300 * time.Millisecond
		r := newRig(t, m, Options{Idle: idle}, nil)
		start := time.Now()
		res := r.wait(t, 5*time.Second)
		if !errors.Is(res.err, ErrIdle) {
			t.Errorf("relay returned %v, want ErrIdle", res.err)
		}
		if el := time.Since(start); el < idle {
			t.Errorf("idle timeout after %v, want at least %v", el, idle)
		}
		expectEOF(t, r.client)
		expectEOF(t, r.target)
	})
}

// TestIdleOneWayActivity: bytes in one direction keep both alive; the
// idle timeout counts from the last byte either way.
func TestIdleOneWayActivity(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		const idle = 400 * time.Millisecond
		r := newRig(t, m, Options{Idle: idle}, nil)
		go io.Copy(io.Discard, r.client)
		var quiet time.Time // since the last write
		for range 12 {
			if _, err := r.target.Write([]byte("tick")); err != nil {
				t.Fatalf("write while active: %v", err)
			}
			quiet = time.Now()
			time.Sleep(idle / 4)
		}
		if !r.running() {
			t.Fatalf("relay ended while bytes moved: %v", r.wait(t, 0).err)
		}
		res := r.wait(t, 5*time.Second)
		if !errors.Is(res.err, ErrIdle) || time.Since(quiet) < idle-idle/4 {
			t.Errorf("relay returned %v after %v quiet, want ErrIdle after about %v", res.err, time.Since(quiet), idle)
		}
		if res.down != 48 {
			t.Errorf("down %d, want 48", res.down)
		}
	})
}

// TestCloseEnds: the caller stops a relay by closing either of its
// connections, idle or busy.
func TestCloseEnds(t *testing.T) {
	for _, busy := range []bool{false, true} {
		for _, side := range []string{"client", "target"} {
			name := side + map[bool]string{false: "-idle", true: "-busy"}[busy]
			t.Run(name, func(t *testing.T) {
				forModes(t, func(t *testing.T, m mode) {
					r := newRig(t, m, Options{}, nil)
					if busy {
						go io.Copy(io.Discard, r.target)
						go func() {
							buf := make([]byte, 64<<10)
							for {
								if _, err := r.client.Write(buf); err != nil {
									return
								}
							}
						}()
						if !eventually(5*time.Second, func() bool { return r.up.Load() > 0 }) {
							t.Fatal("no bytes moved")
						}
					} else {
						time.Sleep(50 * time.Millisecond) // let both directions park
					}
					if side == "client" {
						r.srvClient.Close()
					} else {
						r.srvTarget.Close()
					}
					res := r.wait(t, 2*time.Second)
					if !errors.Is(res.err, net.ErrClosed) {
						t.Errorf("relay returned %v, want net.ErrClosed", res.err)
					}
					expectEOF(t, r.client)
					expectEOF(t, r.target)
				})
			})
		}
	}
}

// TestReset: an abrupt RST from the destination mid-transfer ends both
// directions.
func TestReset(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		r := newRig(t, m, Options{}, nil)
		go func() {
			buf := make([]byte, 64<<10)
			for {
				if _, err := r.client.Write(buf); err != nil {
					return
				}
			}
		}()
		buf := make([]byte, 64<<10)
		var got int
		for got < 1<<20 {
			n, err := r.target.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			got += n
		}
		r.target.SetLinger(0)
		r.target.Close()
		res := r.wait(t, 5*time.Second)
		if res.err == nil || errors.Is(res.err, ErrIdle) {
			t.Errorf("relay returned %v, want the reset", res.err)
		}
		t.Logf("relay: %v", res.err)
		expectEOF(t, r.client)
	})
}
