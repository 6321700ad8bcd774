package control_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/app/sysproxy"
	"github.com/sockstray/sockstray/profiles"
)

// slowProxy is a system proxy setting that takes as long as the desktop's
// tools do, and that checks when it is set that something listens there:
// pointing the system at a closed port cuts the user off.
type slowProxy struct {
	recordingProxy
	bad atomic.Value // string: the first Enable at a dead address
}

func (s *slowProxy) Enable(a string, m sysproxy.Mode) error {
	if conn, err := net.DialTimeout("tcp", a, time.Second); err != nil {
		s.bad.CompareAndSwap(nil, fmt.Sprintf("system proxy set to %s, where nothing listens: %v", a, err))
	} else {
		conn.Close()
	}
	time.Sleep(2 * time.Millisecond)
	return s.recordingProxy.Enable(a, m)
}

func (s *slowProxy) Disable() error {
	time.Sleep(2 * time.Millisecond)
	return s.recordingProxy.Disable()
}

// TestStateStaysConsistent interleaves every action the tray and the window
// offer with edits of the profile files on disk, from several goroutines,
// and stops them now and then to check the invariants: the system proxy
// points at the running proxy or at nothing, the proxy listens where the
// active profile says, and the active profile is the last one chosen.
func TestStateStaysConsistent(t *testing.T) {
	sp, applied := &slowProxy{}, &lineCounter{text: "profile changed on disk, applied"}
	c := controltest.NewWith(t, control.Options{SystemProxy: sp, Stderr: applied})
	// Each profile moves between two ports of its own, so that no switch
	// fails for a port another profile holds, and may share on the LAN
	// without a username (its allowlist is narrowed).
	names := []string{profiles.BuiltinName, "Second", "Third"}
	ports := map[string][2]int{}
	for _, n := range names {
		p := c.Active()
		if n != profiles.BuiltinName {
			p = controltest.AddProfile(t, c, n)
		}
		p.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("192.168.0.0/16")}
		if err := c.Store().Save(p); err != nil {
			t.Fatal(err)
		}
		ports[n] = [2]int{p.Port, controltest.FreePort(t)}
	}
	// The store reports no edit of its own: load the saved built-in.
	if err := c.UseProfile(profiles.BuiltinName); err != nil {
		t.Fatal(err)
	}

	var (
		step   sync.RWMutex // workers hold it shared per step; checks hold it alone
		chosen = profiles.BuiltinName
		failed atomic.Value // error: the first a worker saw
	)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	var steps atomic.Int64
	// worker runs act until the time is up; act returns how long to pause
	// after its step, beyond a random pause of up to 3 ms.
	worker := func(seed uint64, act func(r *rand.Rand) time.Duration) func() {
		return func() {
			r := rand.New(rand.NewPCG(seed, seed))
			for ctx.Err() == nil {
				step.RLock()
				pause := act(r)
				step.RUnlock()
				steps.Add(1)
				time.Sleep(pause + time.Duration(r.IntN(3000))*time.Microsecond)
			}
		}
	}
	workers := []func(){
		worker(1, func(r *rand.Rand) time.Duration { c.SetProxy(r.IntN(3) > 0); return 0 }),
		worker(2, func(r *rand.Rand) time.Duration { c.SetSystemProxy(r.IntN(2) == 0); return 0 }),
		worker(4, func(r *rand.Rand) time.Duration {
			// Only this goroutine chooses, so the last success is the
			// last choice; checks run between its steps.
			// A watcher event that waited for the last switch to end must
			// not have brought the profile before it back.
			if got := c.Active().Name; got != chosen {
				failed.CompareAndSwap(nil, fmt.Errorf("active profile %q, but %q was chosen last", got, chosen))
				cancel()
			}
			n := names[r.IntN(len(names))]
			if c.UseProfile(n) == nil {
				chosen = n
			}
			// Not too often: a switch reads the profile's file, and the
			// store reports no edit it has read already.
			return quiet(r)
		}),
		// Both write to the profiles folder, so one goroutine does both,
		// then leaves it quiet for the watcher's debounce to end: writes
		// that kept it busy all along would be read once in two seconds.
		worker(5, func(r *rand.Rand) time.Duration {
			if r.IntN(2) == 0 {
				c.SetShareLAN(r.IntN(2) == 0)
				return quiet(r)
			}
			// The active profile half the time: its edits are applied.
			n := names[r.IntN(len(names))]
			if r.IntN(2) == 0 {
				n = c.Active().Name
			}
			editOnDisk(t, c, n, ports, r)
			return quiet(r)
		}),
	}
	var wg sync.WaitGroup
	for _, w := range workers {
		wg.Add(1)
		go func() { defer wg.Done(); w() }()
	}
	checks := 0
	for ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond)
		step.Lock()
		// Only the watcher may still be acting: give it a moment.
		err := settled(func() error { return checkState(c, sp, chosen) })
		step.Unlock()
		if err != nil {
			cancel()
			wg.Wait()
			t.Fatalf("after %d checks: %v", checks, err)
		}
		checks++
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		t.Fatal(err)
	}
	if err := settled(func() error { return checkState(c, sp, chosen) }); err != nil {
		t.Fatalf("at the end: %v", err)
	}
	if bad := sp.bad.Load(); bad != nil {
		t.Fatal(bad)
	}
	_, _, n := sp.last()
	t.Logf("%d steps, %d checks; the system proxy was set %d times; %d edits on disk applied", steps.Load(), checks, n, applied.n.Load())
}

// quiet is a pause after a write to the profiles folder, or a read of a
// profile, long enough for the watcher's debounce to end.
func quiet(r *rand.Rand) time.Duration {
	return profiles.Debounce + time.Duration(r.IntN(int(profiles.Debounce/2)))
}

// lineCounter counts the log lines that contain text.
type lineCounter struct {
	text string
	n    atomic.Int64
}

func (l *lineCounter) Write(b []byte) (int, error) {
	if strings.Contains(string(b), l.text) {
		l.n.Add(1)
	}
	return len(b), nil
}

// editOnDisk rewrites profile name's file as an editor would (a new file
// renamed over the old), moving it to its other port and maybe changing
// its LAN sharing. It reads the file itself: the store would take the
// edit for one the app knows of, and report none.
func editOnDisk(t *testing.T, c *control.Controller, name string, ports map[string][2]int, r *rand.Rand) {
	path, _ := c.Store().Path(name)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Error(err)
		return
	}
	p, err := profiles.Decode(name, path, data)
	if err != nil {
		t.Error(err)
		return
	}
	pp := ports[name]
	if p.Port == pp[0] {
		p.Port = pp[1]
	} else {
		p.Port = pp[0]
	}
	if r.IntN(2) == 0 {
		p.ShareOnLAN = !p.ShareOnLAN
	}
	tmp := path + ".edit-" + strconv.Itoa(r.IntN(1e6))
	if err := os.WriteFile(tmp, p.Encode(), 0o600); err != nil {
		t.Error(err)
		return
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Error(err)
	}
}

// settled retries check for a while: a watcher event being applied may
// have the state half changed.
func settled(check func() error) error {
	deadline := time.Now().Add(2 * time.Second)
	for {
		err := check()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// checkState checks the invariants while nothing but the watcher acts.
func checkState(c *control.Controller, sp *slowProxy, chosen string) error {
	st, p := c.State(), c.Active()
	if st.Profile != chosen || p.Name != chosen {
		return fmt.Errorf("active profile %q (state %q), but %q was chosen last", p.Name, st.Profile, chosen)
	}
	if sp.Enabled() != c.SystemProxyOn() {
		return fmt.Errorf("system proxy on=%v, but the app says %v", sp.Enabled(), c.SystemProxyOn())
	}
	addr, _, _ := sp.last()
	switch {
	case sp.Enabled() && !st.Running:
		return fmt.Errorf("system proxy points at %s, but the proxy is off", addr)
	case sp.Enabled() && addr != controltest.Addr(p.Port):
		return fmt.Errorf("system proxy points at %s, but the proxy (profile %q) listens on %s", addr, p.Name, st.Addr)
	}
	if !st.Running {
		return nil
	}
	host, port, _ := net.SplitHostPort(st.Addr)
	ip, _ := netip.ParseAddr(host)
	if port != strconv.Itoa(p.Port) || ip.IsUnspecified() != p.ShareOnLAN || st.ShareLAN != p.ShareOnLAN {
		return fmt.Errorf("proxy listens on %s (shared %v), but profile %q says port %d, shared %v", st.Addr, st.ShareLAN, p.Name, p.Port, p.ShareOnLAN)
	}
	return nil
}
