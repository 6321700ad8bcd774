//go:build linux

package main

import (
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/internal/netns"
)

// TestE2ELANCurl: curl as the LAN client, with each of its proxy modes,
// directly and through a chain whose last hop is on this host. The
// password reaches curl on stdin (-K -), never on its command line.
func TestE2ELANCurl(t *testing.T) {
	t.Parallel()
	bin := needTool(t, "curl", "curl")
	n := netns.New(t)
	svc := startHostServices(t, n.Server)
	peer := startLANPeer(t, n.Client)
	pass := secret("lan-pass")
	env := []string{"SOCKSTRAY_PASSWORD=" + pass}
	s4 := n.Server.V4().String()
	_, direct := startServeIn(t, n.Server, env, "--listen", s4+":0", "--user", "u")
	_, allow := startServeIn(t, n.Server, nil, "--listen", s4+":0", "--allow", n.Client.V4().String()+"/32")
	_, last := startServeIn(t, n.Server, []string{"GODEBUG=netdns=cgo"}, "--listen", "127.0.0.1:0")
	_, chain := startServeIn(t, n.Server, env, "--listen", s4+":0", "--user", "u", "--upstream", "socks5://"+last)

	type mode struct {
		name, proxy string
		auth        bool
		args        []string // before the URL
		refused     string   // how curl shows the refusal
	}
	modes := []mode{
		{"socks5h", "socks5h://" + direct, true, nil, "exit 97"},
		{"socks5", "socks5://" + direct, true, nil, "exit 97"},
		{"http plain", "http://" + direct, true, nil, "status 403"},
		{"http CONNECT", "http://" + direct, true, []string{"-p"}, "connect 403"},
		{"socks4", "socks4://" + allow, false, nil, "exit 97"},
		{"socks4a", "socks4a://" + allow, false, nil, "exit 97"},
		{"chain socks5h", "socks5h://" + chain, true, nil, "exit 97"},
		{"chain http plain", "http://" + chain, true, nil, "status 403"},
		{"chain http CONNECT", "http://" + chain, true, []string{"-p"}, "connect 403"},
	}
	run := func(t *testing.T, m mode, host string, port uint16) (string, string) {
		t.Helper()
		url := fmt.Sprintf("http://%s/", net.JoinHostPort(host, fmt.Sprint(port)))
		args := append([]string{"-q", "-sS", "--max-time", "10", "-K", "-", "-x", m.proxy,
			"-w", "##%{http_code} %{http_connect}"}, m.args...)
		if strings.Contains(host, ":") {
			args = append(args, "-g") // no globbing of the brackets
		}
		cfg := ""
		if m.auth {
			cfg = fmt.Sprintf("proxy-user = \"u:%s\"\n", pass)
		}
		cmd := n.Client.Command(bin, append(args, url)...)
		r := runTool(t, toolTimeout, childEnv(), cfg, cmd.Path, cmd.Args[1:]...)
		i := strings.LastIndex(r.stdout, "##")
		if i < 0 {
			return fmt.Sprintf("exit %d", r.code), r.stderr
		}
		body := r.stdout[:i]
		var status, connect string
		fmt.Sscan(r.stdout[i+2:], &status, &connect)
		switch {
		case connect != "000" && connect != "200":
			return "connect " + connect, body
		case r.code != 0:
			return fmt.Sprintf("exit %d", r.code), r.stderr
		case status != "200":
			return "status " + status, body
		}
		return "ok", body
	}
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			t.Run("control: another LAN host", func(t *testing.T) {
				if got, body := run(t, m, n.Client.V4().String(), peer.TCPPort); got != "ok" || body != peer.Body {
					t.Fatalf("curl via %s to a LAN host: %s %q, want ok %q: the harness is broken", m.proxy, got, body, peer.Body)
				}
			})
			hosts := []string{"localhost", "127.0.0.1", "::1", "127.1", "2130706433", "0x7f.1", s4}
			if strings.HasPrefix(m.name, "socks4") && !strings.HasSuffix(m.name, "a") {
				hosts = []string{"127.0.0.1", "127.0.0.2", s4} // curl's SOCKS4 resolves names itself
			}
			for _, h := range hosts {
				t.Run(h, func(t *testing.T) {
					mark := svc.tcpMark()
					if got, detail := run(t, m, h, svc.TCPPort); got != m.refused {
						t.Errorf("curl via %s to %s: %s (%q), want %s", m.proxy, h, got, detail, m.refused)
					}
					if hits := svc.tcpSince(t, mark); len(hits) > 0 {
						t.Errorf("curl via %s to %s reached this host's own service: %v", m.proxy, h, hits)
					}
				})
			}
		})
	}
}
