//go:build unix

package main

import (
	"strings"
	"testing"
)

// The mixed port: HTTP proxy and SOCKS4/4a on the same listener as SOCKS5,
// driven by curl.
func TestE2EMixedPort(t *testing.T) {
	t.Parallel()
	needTool(t, "curl", "curl")
	target := newHTTPTarget(t, "127.0.0.1")
	pass := secret("mixed-pass")
	open, openAddr := startServe(t, nil, "--listen", "127.0.0.1:0")
	auth, authAddr := startServe(t, []string{"SOCKSTRAY_PASSWORD=" + pass}, "--listen", "127.0.0.1:0", "--user", "bob")
	byName := "http://localhost:" + target.Port + "/"

	for _, tc := range []struct {
		name string
		srv  *proc
		args []string
		cmd  string
		user string
	}{
		{"http plain GET", open, []string{"-x", "http://" + openAddr, target.URL}, "HTTP GET", ""},
		{"http CONNECT tunnel", open, []string{"-p", "-x", "http://" + openAddr, byName}, "HTTP CONNECT", ""},
		{"http plain GET with auth", auth, []string{"-x", "http://" + authAddr, "-U", "bob:" + pass, target.URL}, "HTTP GET", "bob"},
		{"http CONNECT with auth", auth, []string{"-p", "-x", "http://" + authAddr, "-U", "bob:" + pass, byName}, "HTTP CONNECT", "bob"},
		{"socks4", open, []string{"--socks4", openAddr, target.URL}, "SOCKS4 CONNECT", ""},
		{"socks4a", open, []string{"--socks4a", openAddr, byName}, "SOCKS4 CONNECT", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := target.hits.Load()
			wantBody(t, curl(t, tc.args...), target, before)
			tc.srv.waitConnLog(t, tc.cmd+" by "+tc.user, func(r logRecord) bool {
				return r["cmd"] == tc.cmd && r["reply"] == "0" && r["user"] == tc.user
			})
		})
	}

	t.Run("407 without or with wrong credentials", func(t *testing.T) {
		for _, args := range [][]string{
			{"-x", "http://" + authAddr, target.URL},
			{"-x", "http://" + authAddr, "-U", "bob:wrong", target.URL},
			{"-p", "-x", "http://" + authAddr, "-U", "bob:wrong", byName},
		} {
			before := target.hits.Load()
			// http_connect is the CONNECT's status, http_code a plain request's.
			r := curl(t, append([]string{"-o", "/dev/null", "-w", "%{http_code} %{http_connect}"}, args...)...)
			if !strings.Contains(r.stdout, "407") {
				t.Errorf("curl %v: want status 407, got %s", args, r)
			}
			if target.hits.Load() != before {
				t.Errorf("curl %v reached the target without credentials", args)
			}
		}
	})
	t.Run("socks4 refused when a password is required", func(t *testing.T) {
		before := target.hits.Load()
		if r := curl(t, "--socks4", authAddr, target.URL); r.code == 0 {
			t.Errorf("SOCKS4 got through a proxy that requires a password: %s", r)
		}
		if target.hits.Load() != before {
			t.Error("SOCKS4 reached the target")
		}
	})
	noSecrets(t, "stderr", auth.stderr.String(), pass)
}
