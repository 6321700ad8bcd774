//go:build unix

package main

import (
	"strings"
	"syscall"
	"testing"
)

// runSockstray runs `sockstray run args...` to its end with the config
// folder home.
func runSockstray(t *testing.T, home, stdin string, args ...string) result {
	t.Helper()
	env := childEnv("XDG_CONFIG_HOME="+home, "http_proxy=http://stale:1", "NO_PROXY=stale")
	return runTool(t, toolTimeout, env, stdin, sockstrayBin(t), append([]string{"run"}, args...)...)
}

// TestRunExitCodeAndVariables: the program sees the active profile's
// variables (replacing stale ones), gets stdin, and its exit code is
// sockstray's.
func TestRunExitCodeAndVariables(t *testing.T) {
	home := envHome(t)
	r := runSockstray(t, home, "", "--", "sh", "-c", "echo $all_proxy; exit 3")
	if r.code != 3 || r.stdout != "socks5h://127.0.0.1:1081\n" || r.stderr != "" {
		t.Errorf("run -- sh -c 'echo $all_proxy; exit 3': %s", r)
	}
	r = runSockstray(t, home, "", "--profile", "plain", "--", "sh", "-c", `echo "$http_proxy $HTTP_PROXY $NO_PROXY"`)
	want := "http://127.0.0.1:1080 http://127.0.0.1:1080 localhost,127.0.0.0/8,::1,10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,.local\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("run --profile plain: %s\nwant stdout %q", r, want)
	}
	r = runSockstray(t, home, "through stdin\n", "cat")
	if r.code != 0 || r.stdout != "through stdin\n" {
		t.Errorf("run cat (no --): %s", r)
	}
}

func TestRunMissingCommand(t *testing.T) {
	home := envHome(t)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"--", "sockstray-no-such-program"}, 127, "sockstray run: sockstray-no-such-program: command not found\n"},
		{[]string{"--", "./no/such/path"}, 127, "sockstray run: ./no/such/path: command not found\n"},
		{[]string{"--", "/etc/hostname"}, 126, "sockstray run: /etc/hostname: "},
		{nil, 2, "usage: sockstray run"},
		{[]string{"--profile", "nosuch", "--", "true"}, 1, "nosuch"},
	} {
		r := runSockstray(t, home, "", tc.args...)
		if r.code != tc.code || !strings.HasPrefix(r.stderr, tc.msg) && !strings.Contains(r.stderr, tc.msg) {
			t.Errorf("run %q: %s\nwant exit %d and %q", tc.args, r, tc.code, tc.msg)
		}
	}
}

// TestRunSignals: SIGINT and SIGTERM sent to sockstray reach the program
// (no terminal here, so SIGINT is relayed too), and a program killed by a
// signal is exit 128+N.
func TestRunSignals(t *testing.T) {
	home := envHome(t)
	env := childEnv("XDG_CONFIG_HOME=" + home)
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGTERM, 7}, {syscall.SIGINT, 8}} {
		t.Run(tc.sig.String(), func(t *testing.T) {
			script := `trap "exit 7" TERM; trap "exit 8" INT; echo ready; while :; do sleep 0.05; done`
			p := startProc(t, env, sockstrayBin(t), "run", "--", "sh", "-c", script)
			if line := p.firstLine(t); line != "ready" {
				t.Fatalf("first line %q", line)
			}
			if code := p.stop(t, tc.sig); code != tc.code {
				t.Errorf("after %s: exit %d, want %d (the program's trap)\nstderr: %s", tc.sig, code, tc.code, p.stderr.String())
			}
		})
	}
	t.Run("killed", func(t *testing.T) {
		r := runTool(t, toolTimeout, env, "", sockstrayBin(t), "run", "--", "sh", "-c", "kill -KILL $$")
		if r.code != 128+9 {
			t.Errorf("program killed by SIGKILL: %s; want exit 137", r)
		}
	})
}

// TestRunCurlThroughServe runs curl through a real `sockstray serve` with
// nothing but the variables of `sockstray run`. The target listens on
// 127.0.0.1, which no_proxy lists (so is any *.localhost name: curl
// matches "localhost" as a domain), so the first fetch goes direct, as it
// should; the others drop no_proxy with env -u to prove that curl takes
// the proxy from http_proxy, then from all_proxy (socks5h).
func TestRunCurlThroughServe(t *testing.T) {
	needTool(t, "curl", "curl")
	needTool(t, "env", "coreutils")
	home := freshConfigHome(t)
	port := freePort(t)
	writeConfig(t, home, map[string]string{"web.toml": "version = 2\nhost = \"127.0.0.1\"\nport = " + port + "\n"})
	writeSettings(t, home, `active_profile = "web"`)
	s, addr := startServe(t, []string{"XDG_CONFIG_HOME=" + home}, "--profile", "web")
	if addr != "127.0.0.1:"+port {
		t.Fatalf("serve listens on %s, want the profile's 127.0.0.1:%s", addr, port)
	}
	target := newHTTPTarget(t, "127.0.0.1")
	env := childEnv("XDG_CONFIG_HOME=" + home)
	curlArgs := []string{"curl", "-q", "-sS", "--max-time", "10", target.URL}
	fetch := func(t *testing.T, unset ...string) {
		t.Helper()
		args := []string{"run", "--", "env"}
		for _, v := range unset {
			args = append(args, "-u", v)
		}
		before := target.hits.Load()
		wantBody(t, runTool(t, toolTimeout, env, "", sockstrayBin(t), append(args, curlArgs...)...), target, before)
	}
	throughProxy := func() int { return len(s.connLogsTo(target.Addr)) }

	t.Run("no_proxy keeps loopback direct", func(t *testing.T) {
		fetch(t)
		if n := throughProxy(); n != 0 {
			t.Errorf("the proxy logged %d connections to %s, want none", n, target.Addr)
		}
	})
	t.Run("http_proxy", func(t *testing.T) {
		fetch(t, "no_proxy", "NO_PROXY")
		s.waitConnLog(t, "cmd=HTTP GET dest="+target.Addr, func(r logRecord) bool {
			return r["cmd"] == "HTTP GET" && r["dest"] == target.Addr && r["reply"] == "0"
		})
	})
	t.Run("all_proxy socks5h", func(t *testing.T) {
		fetch(t, "no_proxy", "NO_PROXY", "http_proxy", "HTTP_PROXY")
		s.waitConnect(t, target.Addr)
	})
	if n := throughProxy(); n != 2 {
		t.Errorf("the proxy logged %d connections to %s, want 2 (the direct fetch went around it)", n, target.Addr)
	}
}
