//go:build unix

package main

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sockstray/sockstray/internal/sshdtest"
	"github.com/sockstray/sockstray/internal/testnet"
)

// Chaining: sockstray → sockstray, sockstray → microsocks (with
// username/password), sockstray → dante (no authentication: dante checks
// usernames against system accounts), and a three-hop chain.

// wantRoute checks that a log line names the upstream it went through.
func wantRoute(t *testing.T, r logRecord, upstream string) {
	t.Helper()
	if !strings.Contains(r["route"], upstream) {
		t.Errorf("log line route=%q does not name the upstream %s: %v", r["route"], upstream, r)
	}
}

func TestE2EChainSockstray(t *testing.T) {
	t.Parallel()
	needTool(t, "curl", "curl")
	ht := newHTTPTarget(t, "127.0.0.1")
	passA, passB := secret("alice"), secret("bob")
	b, addrB := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + passB}, "--listen", "127.0.0.1:0", "--user", "bob")
	a, addrA := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + passA, "SOCKSTRAY_UPSTREAM_PASSWORD=" + passB},
		"--listen", "127.0.0.1:0", "--user", "alice", "--upstream", "socks5://bob@"+addrB)

	for _, tc := range []struct {
		name, flag, url, dest string
	}{
		{"ip", "--socks5", ht.URL, ht.Addr},
		// The name travels to the last hop, which resolves it.
		{"hostname", "--socks5-hostname", "http://localhost:" + ht.Port + "/", "localhost:" + ht.Port},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := ht.hits.Load()
			wantBody(t, curl(t, tc.flag, addrA, "-U", "alice:"+passA, tc.url), ht, before)
			ra := a.waitConnLog(t, "alice's CONNECT to "+tc.dest, func(r logRecord) bool {
				return r["cmd"] == "CONNECT" && r["dest"] == tc.dest && r["reply"] == "0" && r["user"] == "alice"
			})
			wantRoute(t, ra, addrB)
			b.waitConnLog(t, "bob's CONNECT to "+tc.dest, func(r logRecord) bool {
				return r["cmd"] == "CONNECT" && r["dest"] == tc.dest && r["reply"] == "0" && r["user"] == "bob"
			})
		})
	}
}

func TestE2EChainMicrosocks(t *testing.T) {
	t.Parallel()
	needTool(t, "curl", "curl")
	ht := newHTTPTarget(t, "127.0.0.1")
	pass := secret("carol")
	m, addrM := startMicrosocks(t, "carol", pass)
	a, addrA := startServe(t, []string{"SOCKSTRAY_UPSTREAM_PASSWORD=" + pass},
		"--listen", "127.0.0.1:0", "--upstream", "socks5://carol@"+addrM)

	for _, tc := range []struct {
		name, flag, url, dest string
	}{
		{"ip", "--socks5", ht.URL, ht.Addr},
		{"hostname", "--socks5-hostname", "http://localhost:" + ht.Port + "/", "localhost:" + ht.Port},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := ht.hits.Load()
			wantBody(t, curl(t, tc.flag, addrA, tc.url), ht, before)
			wantRoute(t, a.waitConnect(t, tc.dest), addrM)
			// microsocks logs "client[N] IP: connected to HOST:PORT".
			if !waitFor(logTimeout, func() bool { return strings.Contains(m.stderr.String(), "connected to "+tc.dest) }) {
				t.Fatalf("microsocks did not log a connection to %s:\n%s", tc.dest, m.stderr.String())
			}
		})
	}

	t.Run("wrong upstream password", func(t *testing.T) {
		bad, addrBad := startServe(t, []string{"SOCKSTRAY_UPSTREAM_PASSWORD=wrong-" + pass},
			"--listen", "127.0.0.1:0", "--upstream", "socks5://carol@"+addrM)
		before := ht.hits.Load()
		if r := curl(t, "--socks5", addrBad, ht.URL); r.code == 0 || r.stdout != "" {
			t.Fatalf("want curl to fail when the upstream refuses the login, got %s", r)
		}
		if ht.hits.Load() != before {
			t.Fatal("target reached although the upstream login failed")
		}
		bad.waitConnLog(t, "a failed CONNECT", func(r logRecord) bool {
			return r["cmd"] == "CONNECT" && r["dest"] == ht.Addr && r["reply"] != "0"
		})
	})
}

func TestE2EChainDante(t *testing.T) {
	t.Parallel()
	needTool(t, "curl", "curl")
	ncat := needTool(t, "ncat", "ncat")
	ht := newHTTPTarget(t, "127.0.0.1")
	echo := newEchoTarget(t)
	d, addrD := startDante(t)
	pass := secret("alice")
	a, addrA := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + pass},
		"--listen", "127.0.0.1:0", "--user", "alice", "--upstream", "socks5://"+addrD)

	// dante logs "tcp/connect [: CLIENT.PORT US.PORT -> OUT.PORT HOST.PORT".
	danteSaw := func(t *testing.T, hostport string) {
		t.Helper()
		h, p, _ := net.SplitHostPort(hostport)
		want := h + "." + p
		if !waitFor(logTimeout, func() bool {
			for _, line := range strings.Split(d.stderr.String(), "\n") {
				if strings.Contains(line, "tcp/connect") && strings.Contains(line, want) {
					return true
				}
			}
			return false
		}) {
			t.Fatalf("dante logged no tcp/connect to %s:\n%s", want, d.stderr.String())
		}
	}

	t.Run("curl", func(t *testing.T) {
		before := ht.hits.Load()
		wantBody(t, curl(t, "--socks5", addrA, "-U", "alice:"+pass, ht.URL), ht, before)
		wantRoute(t, a.waitConnect(t, ht.Addr), addrD)
		danteSaw(t, ht.Addr)
	})

	t.Run("ncat half-close", func(t *testing.T) {
		msg := "hello through sockstray and dante\n"
		host, port, _ := net.SplitHostPort(echo.Addr)
		r := runTool(t, toolTimeout, childEnv(), msg, ncat,
			"--proxy", addrA, "--proxy-type", "socks5", "--proxy-auth", "alice:"+pass, host, port)
		if r.code != 0 || r.stdout != msg {
			t.Fatalf("ncat: want exit 0 and the echo %q, got %s", msg, r)
		}
		wantRoute(t, a.waitConnect(t, echo.Addr), addrD)
		danteSaw(t, echo.Addr)
	})
}

// TestE2EChainThreeHops: curl → sockstray → sockstray → microsocks → target.
func TestE2EChainThreeHops(t *testing.T) {
	t.Parallel()
	needTool(t, "curl", "curl")
	ht := newHTTPTarget(t, "127.0.0.1")
	pass := secret("carol")
	m, addrM := startMicrosocks(t, "carol", pass)
	b, addrB := startServe(t, nil, "--listen", "127.0.0.1:0")
	a, addrA := startServe(t, []string{"SOCKSTRAY_UPSTREAM_PASSWORD_2=" + pass},
		"--listen", "127.0.0.1:0", "--upstream", "socks5://"+addrB, "--upstream", "socks5://carol@"+addrM)

	wantBody(t, curl(t, "--socks5-hostname", addrA, "http://localhost:"+ht.Port+"/"), ht, 0)
	dest := "localhost:" + ht.Port
	ra := a.waitConnect(t, dest)
	wantRoute(t, ra, addrB)
	wantRoute(t, ra, addrM)
	// The first hop only carries the tunnel to the second.
	b.waitConnect(t, addrM)
	if !waitFor(logTimeout, func() bool { return strings.Contains(m.stderr.String(), "connected to "+dest) }) {
		t.Fatalf("microsocks did not log a connection to %s:\n%s", dest, m.stderr.String())
	}
}

// TestE2EChainPerHopPasswords: curl → sockstray → sockstray (bob) →
// sockstray (carol) → target, each upstream with its own password from its
// own variable. A tap in front of the second upstream records what reaches
// it: carol's password, never bob's.
func TestE2EChainPerHopPasswords(t *testing.T) {
	t.Parallel()
	needTool(t, "curl", "curl")
	ht := newHTTPTarget(t, "127.0.0.1")
	passB, passC := secret("bob"), secret("carol")
	b, addrB := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + passB}, "--listen", "127.0.0.1:0", "--user", "bob")
	c, addrC := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + passC}, "--listen", "127.0.0.1:0", "--user", "carol")
	addrTap, seenByC := recordingTap(t, addrC)
	a, addrA := startServe(t, []string{"SOCKSTRAY_UPSTREAM_PASSWORD_1=" + passB, "SOCKSTRAY_UPSTREAM_PASSWORD_2=" + passC},
		"--listen", "127.0.0.1:0", "--upstream", "socks5://bob@"+addrB, "--upstream", "socks5://carol@"+addrTap)

	wantBody(t, curl(t, "--socks5", addrA, ht.URL), ht, 0)
	wantRoute(t, a.waitConnect(t, ht.Addr), addrTap)
	b.waitConnLog(t, "bob's CONNECT to the second upstream", func(r logRecord) bool {
		return r["cmd"] == "CONNECT" && r["dest"] == addrTap && r["reply"] == "0" && r["user"] == "bob"
	})
	c.waitConnLog(t, "carol's CONNECT to the target", func(r logRecord) bool {
		return r["cmd"] == "CONNECT" && r["dest"] == ht.Addr && r["reply"] == "0" && r["user"] == "carol"
	})
	if seen := seenByC.String(); !strings.Contains(seen, passC) {
		t.Errorf("the tap did not see carol's login (%d bytes): it records nothing useful", len(seen))
	} else if strings.Contains(seen, passB) {
		t.Error("the second upstream received the first upstream's password")
	}

	// One password for the whole chain is refused, naming the variables.
	r := runTool(t, 10*time.Second, childEnv("SOCKSTRAY_UPSTREAM_PASSWORD="+passB), "", sockstrayBin(t),
		"serve", "--listen", "127.0.0.1:0", "--upstream", "socks5://bob@"+addrB, "--upstream", "socks5://carol@"+addrTap)
	want := "sockstray serve: $SOCKSTRAY_UPSTREAM_PASSWORD is for a chain of one upstream, and this one has 2: it would go to each of them; " +
		"unset it and set $SOCKSTRAY_UPSTREAM_PASSWORD_1 and $SOCKSTRAY_UPSTREAM_PASSWORD_2, each upstream's own password\n"
	if r.code != 2 || r.stdout != "" || r.stderr != want {
		t.Errorf("serve with one password for two upstreams = %s\nwant exit 2 and %s", r, want)
	}
	noSecrets(t, "stderr", r.stderr, passB)
}

// recordingTap forwards TCP connections to target and records every byte
// that clients send it.
func recordingTap(t *testing.T, target string) (string, *testnet.Buffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	seen := &testnet.Buffer{}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var conns []net.Conn
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			in, err := ln.Accept()
			if err != nil {
				return
			}
			out, err := net.DialTimeout("tcp", target, 5*time.Second)
			if err != nil {
				in.Close()
				continue
			}
			mu.Lock()
			conns = append(conns, in, out)
			mu.Unlock()
			wg.Add(2)
			go func() { defer wg.Done(); io.Copy(out, io.TeeReader(in, seen)); out.Close() }()
			go func() { defer wg.Done(); io.Copy(in, out); in.Close() }()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
	return ln.Addr().String(), seen
}

// TestE2EChainHTTPHop: --upstream http:// makes an HTTP CONNECT hop, here
// to a second sockstray's mixed port, with Basic auth, and a name still
// travels as a name.
func TestE2EChainHTTPHop(t *testing.T) {
	t.Parallel()
	needTool(t, "curl", "curl")
	ht := newHTTPTarget(t, "127.0.0.1")
	passB := secret("bob")
	b, addrB := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + passB}, "--listen", "127.0.0.1:0", "--user", "bob")
	a, addrA := startServe(t, []string{"SOCKSTRAY_UPSTREAM_PASSWORD=" + passB},
		"--listen", "127.0.0.1:0", "--upstream", "http://bob@"+addrB)
	before := ht.hits.Load()
	wantBody(t, curl(t, "--socks5-hostname", addrA, "http://localhost:"+ht.Port+"/"), ht, before)
	wantRoute(t, a.waitConnLog(t, "the CONNECT through the HTTP hop", func(r logRecord) bool {
		return r["cmd"] == "CONNECT" && r["dest"] == "localhost:"+ht.Port && r["reply"] == "0"
	}), addrB)
	b.waitConnLog(t, "bob's HTTP CONNECT to the name", func(r logRecord) bool {
		return r["cmd"] == "HTTP CONNECT" && r["dest"] == "localhost:"+ht.Port && r["reply"] == "0" && r["user"] == "bob"
	})
	noSecrets(t, "A's log", a.stderr.String(), passB)
}

// TestE2EChainSSHHop: --upstream ssh:// goes through a real sshd, logging
// in with --ssh-key and trusting the host key of ~/.ssh/known_hosts only;
// many CONNECTs share one SSH login.
func TestE2EChainSSHHop(t *testing.T) {
	needTool(t, "curl", "curl")
	s := sshdtest.Start(t)
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
	known, err := os.ReadFile(s.KnownHosts)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), known, 0o600)
	ht := newHTTPTarget(t, "127.0.0.1")
	a, addrA := startServe(t, []string{"HOME=" + home, "SSH_AUTH_SOCK="},
		"--listen", "127.0.0.1:0", "--upstream", "ssh://root@"+s.Addr, "--ssh-key", s.KeyFile)
	for range 3 {
		before := ht.hits.Load()
		wantBody(t, curl(t, "--socks5-hostname", addrA, "http://localhost:"+ht.Port+"/"), ht, before)
	}
	wantRoute(t, a.waitConnLog(t, "a CONNECT through SSH", func(r logRecord) bool {
		return r["dest"] == "localhost:"+ht.Port && r["reply"] == "0"
	}), s.Addr)
	if n := s.Logins(); n != 1 {
		t.Errorf("%d SSH logins for 3 CONNECTs, want 1", n)
	}

	// A host whose key is not in known_hosts is refused, fingerprint shown.
	os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), nil, 0o600)
	b, addrB := startServe(t, []string{"HOME=" + home, "SSH_AUTH_SOCK="},
		"--listen", "127.0.0.1:0", "--upstream", "ssh://root@"+s.Addr, "--ssh-key", s.KeyFile)
	if r := curl(t, "--socks5-hostname", addrB, "http://localhost:"+ht.Port+"/"); r.code == 0 {
		t.Errorf("an unknown host key was accepted: %s", r)
	}
	r := b.waitConnLog(t, "the refusal of the unknown host key", func(r logRecord) bool { return r["reply"] != "0" })
	if !strings.Contains(r["error"], "is not in") || !strings.Contains(r["error"], "SHA256:") {
		t.Errorf("the refusal does not name the key's fingerprint: %q", r["error"])
	}
}
