//go:build unix

package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// Real SOCKS5 clients against `sockstray serve`: curl, ncat, proxychains4.

func TestE2ECurl(t *testing.T) {
	t.Parallel()
	needTool(t, "curl", "curl")
	t4 := newHTTPTarget(t, "127.0.0.1")
	t6 := newHTTPTarget(t, "::1")
	pass := secret("curl-pass")
	open, openAddr := startServe(t, nil, "--listen", "127.0.0.1:0")
	auth, authAddr := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + pass}, "--listen", "127.0.0.1:0", "--user", "alice")
	open6, open6Addr := startServe(t, nil, "--listen", "[::1]:0")

	cases := []struct {
		name   string
		srv    *proc
		args   []string
		target *httpTarget
		dest   string // as the proxy logs it
		user   string
	}{
		{"socks5", open, []string{"--socks5", openAddr, t4.URL}, t4, t4.Addr, ""},
		{"socks5-hostname", open, []string{"--socks5-hostname", openAddr, "http://localhost:" + t4.Port + "/"}, t4, "localhost:" + t4.Port, ""},
		{"socks5 IPv6 target", open, []string{"--socks5", openAddr, t6.URL}, t6, t6.Addr, ""},
		{"socks5 IPv6 proxy", open6, []string{"--socks5", open6Addr, t4.URL}, t4, t4.Addr, ""},
		{"socks5 auth", auth, []string{"--socks5", authAddr, "-U", "alice:" + pass, t4.URL}, t4, t4.Addr, "alice"},
		{"socks5-hostname auth", auth, []string{"--socks5-hostname", authAddr, "-U", "alice:" + pass, "http://localhost:" + t4.Port + "/"}, t4, "localhost:" + t4.Port, "alice"},
		{"socks5 auth IPv6 target", auth, []string{"--socks5", authAddr, "-U", "alice:" + pass, t6.URL}, t6, t6.Addr, "alice"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.target.hits.Load()
			wantBody(t, curl(t, tc.args...), tc.target, before)
			r := tc.srv.waitConnLog(t, fmt.Sprintf("a CONNECT to %s by %q", tc.dest, tc.user), func(r logRecord) bool {
				return r["cmd"] == "CONNECT" && r["dest"] == tc.dest && r["reply"] == "0" && r["user"] == tc.user
			})
			if down, _ := strconv.Atoi(r["down"]); down < len(tc.target.Body) {
				t.Errorf("log line counts %d bytes down, less than the body's %d: %v", down, len(tc.target.Body), r)
			}
		})
	}

	t.Run("refused", func(t *testing.T) {
		before := t4.hits.Load()
		for _, args := range [][]string{
			{"--socks5", authAddr, "-U", "alice:wrong-" + pass, t4.URL},
			{"--socks5", authAddr, t4.URL},
		} {
			if r := curl(t, args...); r.code == 0 || r.stdout != "" {
				t.Errorf("curl %q: want a failure, got %s", args, r)
			}
		}
		if got := t4.hits.Load(); got != before {
			t.Fatalf("target reached %d times without valid credentials", got-before)
		}
		auth.waitConnLog(t, "a failed login (no request)", func(r logRecord) bool { return r["cmd"] == "" })
	})
}

func TestE2ENcat(t *testing.T) {
	t.Parallel()
	bin := needTool(t, "ncat", "ncat")
	echo := newEchoTarget(t)
	pass := secret("ncat-pass")
	open, openAddr := startServe(t, nil, "--listen", "127.0.0.1:0")
	auth, authAddr := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + pass}, "--listen", "127.0.0.1:0", "--user", "alice")
	host, port, _ := net.SplitHostPort(echo.Addr)

	for _, tc := range []struct {
		name  string
		srv   *proc
		proxy string
		extra []string
		user  string
	}{
		{"no auth", open, openAddr, nil, ""},
		{"proxy-auth", auth, authAddr, []string{"--proxy-auth", "alice:" + pass}, "alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			msg := "hello through ncat " + secret("line") + "\n"
			args := append([]string{"--proxy", tc.proxy, "--proxy-type", "socks5"}, tc.extra...)
			// ncat half-closes when stdin ends; the echo answers and then
			// closes, so this only ends if the proxy relays the half-close.
			r := runTool(t, toolTimeout, childEnv(), msg, bin, append(args, host, port)...)
			if r.code != 0 || r.stdout != msg {
				t.Fatalf("ncat: want exit 0 and the echo %q, got %s", msg, r)
			}
			rec := tc.srv.waitConnLog(t, "a CONNECT to "+echo.Addr, func(r logRecord) bool {
				return r["cmd"] == "CONNECT" && r["dest"] == echo.Addr && r["reply"] == "0" && r["user"] == tc.user
			})
			n := strconv.Itoa(len(msg))
			if rec["up"] != n || rec["down"] != n {
				t.Errorf("log line counts up=%s down=%s, want %s each: %v", rec["up"], rec["down"], n, rec)
			}
		})
	}

	t.Run("wrong proxy-auth", func(t *testing.T) {
		r := runTool(t, toolTimeout, childEnv(), "x\n", bin,
			"--proxy", authAddr, "--proxy-type", "socks5", "--proxy-auth", "alice:wrong-"+pass, host, port)
		if r.code == 0 || r.stdout != "" {
			t.Fatalf("ncat with a wrong password: want a failure, got %s", r)
		}
	})
}

func TestE2EProxychains(t *testing.T) {
	t.Parallel()
	bin := needTool(t, "proxychains4", "proxychains4")
	curlBin := needTool(t, "curl", "curl")
	ht := newHTTPTarget(t, "127.0.0.1")
	pass := secret("proxychains-pass")
	open, openAddr := startServe(t, nil, "--listen", "127.0.0.1:0")
	auth, authAddr := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + pass}, "--listen", "127.0.0.1:0", "--user", "alice")

	for _, tc := range []struct {
		name  string
		srv   *proc
		proxy string
		cred  string
		user  string
	}{
		{"no auth", open, openAddr, "", ""},
		{"auth", auth, authAddr, " alice " + pass, "alice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, p, _ := net.SplitHostPort(tc.proxy)
			// proxy_dns stays off: the target is an IP, so curl resolves
			// nothing, and proxychains would otherwise fake 224.x addresses.
			// The password is a throwaway made for this test.
			conf := filepath.Join(t.TempDir(), "proxychains.conf")
			text := fmt.Sprintf("strict_chain\nquiet_mode\ntcp_read_time_out 15000\ntcp_connect_time_out 8000\n\n[ProxyList]\nsocks5 %s %s%s\n", h, p, tc.cred)
			if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
				t.Fatal(err)
			}
			before := ht.hits.Load()
			r := runTool(t, toolTimeout, childEnv(), "", bin, "-q", "-f", conf, curlBin, "-q", "-sS", "--max-time", "10", ht.URL)
			wantBody(t, r, ht, before)
			tc.srv.waitConnLog(t, "a CONNECT to "+ht.Addr, func(r logRecord) bool {
				return r["cmd"] == "CONNECT" && r["dest"] == ht.Addr && r["reply"] == "0" && r["user"] == tc.user
			})
		})
	}
}
