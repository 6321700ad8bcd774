package relay

import (
	"crypto/sha256"
	"io"
	"testing"
	"time"
)

// forModes runs f as a parallel subtest in every copy mode.
func forModes(t *testing.T, f func(t *testing.T, m mode)) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			f(t, m)
		})
	}
}

func TestIntactBothWays(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		r := newRig(t, m, Options{}, nil)
		upData, downData := randomBytes(t, 8<<20+123), randomBytes(t, 6<<20+7)
		errc := make(chan error, 2)
		go sendAll(r.client, upData, errc)
		go sendAll(r.target, downData, errc)
		type got struct {
			n   int64
			sum [32]byte
			err error
		}
		atTarget := make(chan got, 1)
		go func() {
			n, sum, err := recvSum(r.target)
			atTarget <- got{n, sum, err}
		}()
		n, sum, err := recvSum(r.client)
		if err != nil || n != int64(len(downData)) || sum != sha256.Sum256(downData) {
			t.Errorf("client got %d bytes (err %v), checksum match %v; want %d", n, err, sum == sha256.Sum256(downData), len(downData))
		}
		g := <-atTarget
		if g.err != nil || g.n != int64(len(upData)) || g.sum != sha256.Sum256(upData) {
			t.Errorf("target got %d bytes (err %v), checksum match %v; want %d", g.n, g.err, g.sum == sha256.Sum256(upData), len(upData))
		}
		for range 2 {
			if err := <-errc; err != nil {
				t.Errorf("send: %v", err)
			}
		}
		res := r.wait(t, 5*time.Second)
		if res.err != nil {
			t.Errorf("relay: %v", res.err)
		}
		if res.up != int64(len(upData)) || res.down != int64(len(downData)) {
			t.Errorf("relay returned up %d down %d, want %d %d", res.up, res.down, len(upData), len(downData))
		}
		if r.up.Load() != res.up || r.down.Load() != res.down {
			t.Errorf("counters up %d down %d, want %d %d", r.up.Load(), r.down.Load(), res.up, res.down)
		}
	})
}

func TestHalfClose(t *testing.T) {
	// first is the side that sends and half-closes first; the other side
	// answers only after it saw EOF.
	for _, clientFirst := range []bool{true, false} {
		name := map[bool]string{true: "client-first", false: "target-first"}[clientFirst]
		t.Run(name, func(t *testing.T) {
			forModes(t, func(t *testing.T, m mode) {
				r := newRig(t, m, Options{}, nil)
				first, second := r.client, r.target
				if !clientFirst {
					first, second = second, first
				}
				req, resp := []byte("request, then EOF"), []byte("response after EOF")
				if _, err := first.Write(req); err != nil {
					t.Fatal(err)
				}
				first.CloseWrite()
				second.SetReadDeadline(time.Now().Add(5 * time.Second))
				got, err := io.ReadAll(second)
				if err != nil || string(got) != string(req) {
					t.Fatalf("got %q, %v; want %q then EOF", got, err, req)
				}
				if _, err := second.Write(resp); err != nil {
					t.Fatalf("write after peer's EOF: %v", err)
				}
				second.CloseWrite()
				first.SetReadDeadline(time.Now().Add(5 * time.Second))
				got, err = io.ReadAll(first)
				if err != nil || string(got) != string(resp) {
					t.Fatalf("got %q, %v; want %q then EOF", got, err, resp)
				}
				res := r.wait(t, 5*time.Second)
				if res.err != nil {
					t.Errorf("relay: %v", res.err)
				}
				if r.up.Load()+r.down.Load() != int64(len(req)+len(resp)) {
					t.Errorf("counted %d+%d bytes, want %d", r.up.Load(), r.down.Load(), len(req)+len(resp))
				}
			})
		})
	}
}

func TestPendingFirst(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		r := newRig(t, m, Options{}, []byte("pipelined "))
		if _, err := r.client.Write([]byte("rest")); err != nil {
			t.Fatal(err)
		}
		readUntil(t, r.target, []byte("pipelined rest"))
		r.client.CloseWrite()
		r.target.CloseWrite()
		res := r.wait(t, 5*time.Second)
		if res.err != nil || res.up != 14 || r.up.Load() != 14 {
			t.Errorf("relay returned up %d (counter %d), err %v; want 14, nil", res.up, r.up.Load(), res.err)
		}
	})
}

// TestSlowInteractive sends a few bytes every 200 ms and records how long
// each took to show in the counter. The bound is Flush plus a generous
// allowance for a loaded machine; what it guards against is counting only
// at the end (a lag of the whole test).
func TestSlowInteractive(t *testing.T) {
	forModes(t, func(t *testing.T, m mode) {
		r := newRig(t, m, Options{}, nil)
		go io.Copy(io.Discard, r.target)
		const chunks, size, step = 13, 3, 200 * time.Millisecond
		sent := make([]time.Time, chunks)
		seen := make([]time.Time, chunks)
		stop := make(chan struct{})
		polled := make(chan struct{})
		go func() {
			defer close(polled)
			for {
				now, c := time.Now(), r.up.Load()
				for i := range int(c / size) {
					if seen[i].IsZero() {
						seen[i] = now
					}
				}
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Millisecond):
				}
			}
		}()
		for i := range chunks {
			sent[i] = time.Now()
			if _, err := r.client.Write([]byte("abc")); err != nil {
				t.Fatal(err)
			}
			time.Sleep(step)
		}
		ok := eventually(5*time.Second, func() bool { return r.up.Load() == chunks*size })
		close(stop)
		<-polled
		if !ok {
			t.Fatalf("counter %d, want %d while the connection is still open", r.up.Load(), chunks*size)
		}
		var worst time.Duration
		for i := range chunks {
			worst = max(worst, seen[i].Sub(sent[i]))
		}
		t.Logf("worst counter lag %v (Flush %v)", worst, defaultFlush)
		if worst > defaultFlush+time.Second {
			t.Errorf("counter lagged %v behind the bytes, want about Flush (%v)", worst, defaultFlush)
		}
		if !r.running() {
			t.Error("relay ended early")
		}
	})
}

// TestSlowDestination: the source always has data, the destination takes
// little; the counter must still move about every Flush. Splice pumps up
// to 1 MiB at a time into the destination between deadline checks; the
// per-call budget is what keeps this bounded.
func TestSlowDestination(t *testing.T) {
	const flush = 200 * time.Millisecond
	forModes(t, func(t *testing.T, m mode) {
		r := newRig(t, m, Options{Flush: flush}, nil, func(r *rig) {
			r.srvTarget.SetWriteBuffer(16 << 10)
			r.target.SetReadBuffer(16 << 10)
		})
		data := randomBytes(t, 8<<20)
		errc := make(chan error, 1)
		go sendAll(r.client, data, errc)
		// ~200 KiB/s for 3 s, watching the counter after the first second.
		var worst time.Duration
		var got int64
		buf := make([]byte, 4<<10)
		start := time.Now()
		last, lastChange := r.up.Load(), start
		for time.Since(start) < 3*time.Second {
			n, err := r.target.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			got += int64(n)
			time.Sleep(20 * time.Millisecond)
			if c := r.up.Load(); c != last {
				if time.Since(start) > time.Second {
					worst = max(worst, time.Since(lastChange))
				}
				last, lastChange = c, time.Now()
			}
		}
		worst = max(worst, time.Since(lastChange))
		t.Logf("longest counter pause %v at ~200 KiB/s (Flush %v)", worst, flush)
		if worst > 5*flush {
			t.Errorf("counter stood still for %v, want about Flush (%v)", worst, flush)
		}
		rest, _, err := recvSum(r.target)
		if err != nil || got+rest != int64(len(data)) {
			t.Errorf("target got %d bytes, %v; want %d", got+rest, err, len(data))
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		r.target.CloseWrite()
		res := r.wait(t, 5*time.Second)
		if res.err != nil || res.up != int64(len(data)) || r.up.Load() != res.up {
			t.Errorf("relay up %d (counter %d), err %v; want %d", res.up, r.up.Load(), res.err, len(data))
		}
	})
}
