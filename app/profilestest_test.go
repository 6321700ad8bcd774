//go:build unix

package main

import (
	"fmt"
	"net"
	"strings"
	"testing"
)

// TestProfilesTestAll: `sockstray profiles test` tries every upstream and
// route at once and says, per line, how each fared.
func TestProfilesTestAll(t *testing.T) {
	home := freshConfigHome(t)
	echo := newEchoTarget(t)
	_, live := startServe(t, nil, "--listen", "127.0.0.1:0")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := ln.Addr().String()
	ln.Close()
	liveHost, livePort, _ := net.SplitHostPort(live)
	deadHost, deadPort, _ := net.SplitHostPort(dead)
	writeConfig(t, home, map[string]string{"t.toml": fmt.Sprintf(`version = 2
[[upstream]]
name = "live"
host = %q
port = %s

[[upstream]]
name = "dead"
host = %q
port = %s

[[route]]
name = "good"
chain = ["live"]

[[route]]
name = "auto"
group = ["bad", "good"]

[[route]]
name = "bad"
chain = ["dead"]
`, liveHost, livePort, deadHost, deadPort)})

	code, out, errs := profilesCLI(t, "test", "t", echo.Addr)
	if code != 1 || !strings.Contains(errs, "some upstreams or routes failed") {
		t.Errorf("exit %d, stderr %q; want 1 and the summary", code, errs)
	}
	for _, want := range []string{
		"upstream  live  socks5 " + live,
		"upstream  dead  socks5 " + dead,
		"route     good  chain live (socks5 " + live + ")",
		"route     auto  failover group of 2",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	lines := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		f := strings.Fields(l)
		lines[f[0]+" "+f[1]] = l
	}
	for name, want := range map[string]string{
		"upstream live": "ok in", "route good": "ok in", "route auto": "via good",
		"upstream dead": "failed after", "route bad": "failed after",
	} {
		if !strings.Contains(lines[name], want) {
			t.Errorf("%s: %q, want %q", name, lines[name], want)
		}
	}
	if !strings.Contains(lines["upstream dead"], "connection refused") {
		t.Errorf("the dead upstream's failure is not precise: %q", lines["upstream dead"])
	}
	if code, _, errs := profilesCLI(t, "test", "t", "nonsense"); code != 2 || !strings.Contains(errs, `"nonsense" is not HOST:PORT`) {
		t.Errorf("bad target: exit %d, %q", code, errs)
	}
}
