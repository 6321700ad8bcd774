//go:build unix

package main

import (
	"errors"
	"io"
	"net"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The `serve` contract of DESIGN.md: first stdout line, free ports, graceful
// stop, log lines, refusals with exit code 2.

func TestE2EVersion(t *testing.T) {
	t.Parallel()
	r := runTool(t, toolTimeout, childEnv(), "", sockstrayBin(t), "version")
	if r.code != 0 || !regexp.MustCompile(`^sockstray \S+.*\n$`).MatchString(r.stdout) || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("sockstray version: want exit 0 and one line \"sockstray VERSION ...\", got %s", r)
	}
}

func TestE2EServeListensOnFreePort(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"127.0.0.1", "::1"} {
		t.Run(host, func(t *testing.T) {
			t.Parallel()
			if host == "::1" {
				// Fails (or skips) with a clear message where ::1 is missing.
				ln, err := net.Listen("tcp", "[::1]:0")
				if err != nil {
					missing(t, "no IPv6 loopback: "+err.Error())
				}
				ln.Close()
			}
			listen := net.JoinHostPort(host, "0")
			p1, addr1 := startServe(t, nil, "--listen", listen)
			p2, addr2 := startServe(t, nil, "--listen", listen)
			for _, addr := range []string{addr1, addr2} {
				h, port, _ := net.SplitHostPort(addr)
				if h != host || port == "0" {
					t.Fatalf("--listen %s printed %q, want %s with a real port", listen, addr, host)
				}
				c, err := net.DialTimeout("tcp", addr, 5*time.Second)
				if err != nil {
					t.Fatalf("dial the printed address: %v", err)
				}
				c.Close()
			}
			if addr1 == addr2 {
				t.Fatalf("two servers with --listen %s both got %s", listen, addr1)
			}
			for _, p := range []*proc{p1, p2} {
				if code := p.stop(t, syscall.SIGTERM); code != 0 {
					t.Fatalf("exit %d after SIGTERM", code)
				}
				if p.stdout.String() != "listening on "+map[*proc]string{p1: addr1, p2: addr2}[p]+"\n" {
					t.Fatalf("stdout must be exactly the listening line, got %q", p.stdout.String())
				}
			}
		})
	}
}

func TestE2EServeStopsOnSignal(t *testing.T) {
	t.Parallel()
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			echo := newEchoTarget(t)
			p, addr := startServe(t, nil, "--listen", "127.0.0.1:0")

			// An open connection must not hold the stop up.
			c := socksConnect(t, addr, echo.Addr)
			if _, err := c.Write([]byte("ping\n")); err != nil {
				t.Fatal(err)
			}
			buf := make([]byte, 5)
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(c, buf); err != nil || string(buf) != "ping\n" {
				t.Fatalf("echo through the proxy: %q %v", buf, err)
			}

			start := time.Now()
			if code := p.stop(t, sig); code != 0 {
				t.Fatalf("exit code %d after %s, want 0\nstderr:\n%s", code, sig, p.stderr.String())
			}
			t.Logf("stopped in %v", time.Since(start).Round(time.Millisecond))

			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if n, err := c.Read(buf); err == nil {
				t.Fatalf("open connection still delivers data after the stop: %q", buf[:n])
			} else if ne := net.Error(nil); errors.As(err, &ne) && ne.Timeout() {
				t.Fatal("open connection was not closed by the stop")
			}

			ln, err := net.Listen("tcp", addr)
			if err != nil {
				t.Fatalf("port not released after %s: %v", sig, err)
			}
			ln.Close()

			if p.stdout.String() != "listening on "+addr+"\n" {
				t.Fatalf("stdout must be exactly the listening line, got %q", p.stdout.String())
			}
			p.waitConnect(t, echo.Addr)
			stopped := false
			for _, r := range records(p.stderr.String()) {
				stopped = stopped || (r != nil && r["msg"] == "stopped")
			}
			if !stopped {
				t.Fatalf("no \"stopped\" log line\nstderr:\n%s", p.stderr.String())
			}
		})
	}
}

// refusal is a serve invocation that must end at once with exit code 2 and
// one clear line on stderr.
type refusal struct {
	name    string
	args    []string
	env     []string
	want    []string // in the error line, case-insensitive
	secrets []string // never in the output
	usageOK bool     // the flag package may add its usage text
}

func TestE2EServeRefuses(t *testing.T) {
	t.Parallel()
	upPass := secret("url-password")
	cases := []refusal{
		{name: "port in use", want: []string{"in use"}},
		{name: "listen nonsense", args: []string{"--listen", "nonsense"}, want: []string{"--listen", "nonsense"}},
		{name: "listen bad port", args: []string{"--listen", "127.0.0.1:99999"}, want: []string{"99999"}},
		{name: "allow bad CIDR", args: []string{"--allow", "300.1.1.1/8"}, want: []string{"300.1.1.1/8"}},
		{name: "upstream without a port", args: []string{"--upstream", "http://x"}, want: []string{"socks5://, http://, https:// or ssh://"}},
		{name: "upstream of an unknown kind", args: []string{"--upstream", "socks4://x:1"}, want: []string{"socks5://, http://, https:// or ssh://"}},
		{name: "upstream with a path", args: []string{"--upstream", "http://x:1/p"}, want: []string{"socks5://, http://, https:// or ssh://"}},
		{name: "upstream with an odd parameter", args: []string{"--upstream", "http://x:1?ca=f"}, want: []string{"only https takes ?ca=FILE"}},
		{name: "https upstream with a missing CA", args: []string{"--upstream", "https://x:1?ca=/nonexistent/ca.pem"}, want: []string{"ca:", "/nonexistent/ca.pem"}},
		{name: "open LAN listener v4", args: []string{"--listen", "0.0.0.0:0"}, want: []string{"non-loopback"}},
		{name: "open LAN listener v6", args: []string{"--listen", "[::]:0"}, want: []string{"non-loopback"}},
		{name: "catch-all allowlist", args: []string{"--listen", "0.0.0.0:0", "--allow", "0.0.0.0/0,::/0"}, want: []string{"non-loopback", "most of the Internet"}},
		{name: "allowlist halves of the Internet", args: []string{"--listen", "[::]:0", "--allow", "0.0.0.0/1,128.0.0.0/1"}, want: []string{"most of the Internet"}},
		{
			name: "password in upstream URL",
			args: []string{"--upstream", "socks5://u:" + upPass + "@127.0.0.1:1"},
			env:  []string{"SOCKSTRAY_UPSTREAM_PASSWORD=" + secret("unused")}, want: []string{"SOCKSTRAY_UPSTREAM_PASSWORD"},
			secrets: []string{upPass},
		},
		{
			name: "password in upstream URL without port",
			args: []string{"--upstream", "socks5://u:" + upPass + "@127.0.0.1"},
			want: []string{"socks5://"}, secrets: []string{upPass},
		},
		{
			name: "password in an http upstream URL",
			args: []string{"--upstream", "http://u:" + upPass + "@127.0.0.1:1"},
			want: []string{"SOCKSTRAY_UPSTREAM_PASSWORD"}, secrets: []string{upPass},
		},
		{name: "upstream user without password", args: []string{"--upstream", "socks5://u@127.0.0.1:1"}, want: []string{"SOCKSTRAY_UPSTREAM_PASSWORD"}},
		{name: "user without password", args: []string{"--user", "alice"}, want: []string{"SOCKSTRAY_PASSWORD"}},
		{name: "unknown profile", args: []string{"--profile", "nope"}, want: []string{"nope"}},
		{name: "unknown flag", args: []string{"--bogus"}, want: []string{"bogus"}, usageOK: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := tc.args
			if tc.name == "port in use" {
				ln, err := net.Listen("tcp", "127.0.0.1:0")
				if err != nil {
					t.Fatal(err)
				}
				defer ln.Close()
				args = []string{"--listen", ln.Addr().String()}
			}
			r := runTool(t, 5*time.Second, childEnv(tc.env...), "", sockstrayBin(t), append([]string{"serve"}, args...)...)
			if r.code != 2 {
				t.Fatalf("sockstray serve %q: want exit code 2, got %s", args, r)
			}
			if r.stdout != "" {
				t.Errorf("sockstray serve %q: stdout must stay empty, got %q", args, r.stdout)
			}
			msg := strings.TrimRight(r.stderr, "\n")
			lines := strings.Split(msg, "\n")
			last := lines[len(lines)-1]
			if !tc.usageOK && len(lines) != 1 {
				t.Errorf("sockstray serve %q: want one error line on stderr, got %d:\n%s", args, len(lines), r.stderr)
			}
			if !strings.HasPrefix(last, "sockstray serve: ") {
				t.Errorf("sockstray serve %q: error line %q does not start with \"sockstray serve: \"", args, last)
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.ToLower(last), strings.ToLower(w)) {
					t.Errorf("sockstray serve %q: error line %q does not mention %q", args, last, w)
				}
			}
			noSecrets(t, "stderr of sockstray serve", r.stderr, tc.secrets...)
		})
	}
}

// TestE2EServeLogs checks one slog line per connection, failed ones
// included, and that no password ever reaches stdout or stderr: the
// server's, the upstream's, a wrong one a client tried, a wrong upstream
// one.
func TestE2EServeLogs(t *testing.T) {
	t.Parallel()
	ht := newHTTPTarget(t, "127.0.0.1")
	passA, passB := secret("some-unique-secret"), secret("another-secret")
	wrongClient, wrongUpstream := secret("wrong-client-secret"), secret("wrong-upstream-secret")
	secrets := []string{passA, passB, wrongClient, wrongUpstream}

	b, addrB := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + passB}, "--listen", "127.0.0.1:0", "--user", "bob")
	a, addrA := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + passA, "SOCKSTRAY_UPSTREAM_PASSWORD=" + passB},
		"--listen", "127.0.0.1:0", "--user", "alice", "--upstream", "socks5://bob@"+addrB)
	c, addrC := startServe(t, []string{"SOCKSTRAY_UPSTREAM_PASSWORD=" + wrongUpstream},
		"--listen", "127.0.0.1:0", "--upstream", "socks5://bob@"+addrB)

	for i := range 3 {
		wantBody(t, curl(t, "--socks5", addrA, "-U", "alice:"+passA, ht.URL), ht, int64(i))
	}
	failures := []struct {
		name string
		args []string
	}{
		{"wrong password", []string{"--socks5", addrA, "-U", "alice:" + wrongClient, ht.URL}},
		{"wrong user", []string{"--socks5", addrA, "-U", "mallory:" + passA, ht.URL}},
		{"no credentials", []string{"--socks5", addrA, ht.URL}},
		{"wrong upstream password", []string{"--socks5", addrC, ht.URL}},
	}
	for _, f := range failures {
		if r := curl(t, f.args...); r.code == 0 || r.stdout != "" {
			t.Errorf("%s: want curl to fail, got %s", f.name, r)
		}
	}
	if got := ht.hits.Load(); got != 3 {
		t.Errorf("target saw %d requests, want only the 3 authenticated ones", got)
	}
	// Not SOCKS at all.
	junk, err := net.DialTimeout("tcp", addrA, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	junk.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(junk, "GET / HTTP/1.0\r\n\r\n")
	if _, err := io.ReadAll(junk); err != nil {
		t.Errorf("server did not close a non-SOCKS client: %v", err)
	}
	junk.Close()

	for _, p := range []*proc{c, a, b} {
		if code := p.stop(t, syscall.SIGINT); code != 0 {
			t.Errorf("exit %d after SIGINT", code)
		}
	}

	// Failed logins are not a line each: the limiter reports them per
	// client and minute (and what is pending when the server stops).
	want := map[*proc]int{
		a: 3 + 1 + 1, // good, no credentials, junk
		b: 3,         // a's good ones
		c: 1,
	}
	for p, n := range map[*proc]string{a: "2 failed logins from 127.0.0.1", b: "failed login from 127.0.0.1"} {
		if !strings.Contains(p.stderr.String(), n) {
			t.Errorf("the failed logins are not reported as %q:\n%s", n, p.stderr.String())
		}
	}
	for _, p := range []*proc{a, b, c} {
		who := map[*proc]string{a: "A", b: "B (upstream)", c: "C (wrong upstream password)"}[p]
		noSecrets(t, who+" stdout", p.stdout.String(), secrets...)
		noSecrets(t, who+" stderr", p.stderr.String(), secrets...)
		for i, r := range records(p.stderr.String()) {
			if r == nil {
				t.Errorf("%s stderr line %d is not a log/slog text record:\n%s", who, i+1, p.stderr.String())
			}
		}
		if got := len(p.connLogs()); got != want[p] {
			t.Errorf("%s logged %d connection lines, want %d (one per connection)\n%s", who, got, want[p], p.stderr.String())
		}
	}
	good := 0
	for _, r := range a.connLogs() {
		if r["reply"] == "0" && r["user"] == "alice" && r["dest"] == ht.Addr && strings.Contains(r["route"], addrB) {
			good++
		}
	}
	if good != 3 {
		t.Errorf("A logged %d successful CONNECTs by alice to %s via %s, want 3\n%s", good, ht.Addr, addrB, a.stderr.String())
	}
	for _, r := range c.connLogs() {
		if r["reply"] == "0" || r["level"] != "WARN" {
			t.Errorf("C's failed upstream login logged as %v, want a WARN with a failure reply", r)
		}
	}
}
