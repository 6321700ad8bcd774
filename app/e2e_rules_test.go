//go:build unix

package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// rulesProfile is a profile whose rules send destinations to two
// upstreams, A and B, and to block.
func rulesProfile(addrA, addrB, port2, cidrRoute string) string {
	hostA, portA, _ := net.SplitHostPort(addrA)
	hostB, portB, _ := net.SplitHostPort(addrB)
	return fmt.Sprintf(`version = 2
default_route = "viaB"
rules = [
  "DOMAIN,a.localhost,viaA",
  "DOMAIN-SUFFIX,sub.localhost,viaB",
  "DOMAIN-KEYWORD,tracker,block",
  "DST-PORT,%s,viaA",
  "IP-CIDR,127.0.0.1/32,%s",
  "SRC-IP-CIDR,10.0.0.0/8,block",
  "NETWORK,udp,viaA",
]

[[upstream]]
name = "A"
host = %q
port = %s

[[upstream]]
name = "B"
host = %q
port = %s

[[route]]
name = "viaA"
chain = ["A"]

[[route]]
name = "viaB"
chain = ["B"]
`, port2, cidrRoute, hostA, portA, hostB, portB)
}

// TestE2ERules: each kind of rule sends its destinations to the upstream
// it names (the upstreams' own logs say which one carried what), block
// refuses in each protocol's words, and an edit of the profile on disk
// takes effect without dropping an open connection.
func TestE2ERules(t *testing.T) {
	needTool(t, "curl", "curl")
	ht := newHTTPTarget(t, "127.0.0.1")
	ht2 := newHTTPTarget(t, "127.0.0.1")
	echo := newEchoTarget(t)
	a, addrA := startServe(t, nil, "--listen", "127.0.0.1:0")
	b, addrB := startServe(t, nil, "--listen", "127.0.0.1:0")
	home := t.TempDir()
	write := func(content string) { writeConfig(t, home, map[string]string{"rules.toml": content}) }
	write(rulesProfile(addrA, addrB, ht2.Port, "viaA"))
	s, addrS := startServe(t, []string{"XDG_CONFIG_HOME=" + home}, "--profile", "rules", "--listen", "127.0.0.1:0")

	for _, tc := range []struct {
		name, flag, url, dest, rule string
		up                          *proc
	}{
		{"domain", "--socks5-hostname", "http://a.localhost:" + ht.Port + "/", "a.localhost:" + ht.Port, "DOMAIN,a.localhost", a},
		{"suffix", "--socks5-hostname", "http://x.sub.localhost:" + ht.Port + "/", "x.sub.localhost:" + ht.Port, "DOMAIN-SUFFIX,sub.localhost", b},
		{"port", "--socks5-hostname", "http://other.localhost:" + ht2.Port + "/", "other.localhost:" + ht2.Port, "DST-PORT," + ht2.Port, a},
		{"cidr", "--socks5", ht.URL, ht.Addr, "IP-CIDR,127.0.0.1/32", a},
		{"default", "--socks5-hostname", "http://other.localhost:" + ht.Port + "/", "other.localhost:" + ht.Port, "", b},
	} {
		t.Run(tc.name, func(t *testing.T) {
			target := ht
			if strings.Contains(tc.url, ":"+ht2.Port+"/") {
				target = ht2
			}
			before := target.hits.Load()
			wantBody(t, curl(t, tc.flag, addrS, tc.url), target, before)
			r := s.waitConnLog(t, "the CONNECT to "+tc.dest, func(r logRecord) bool {
				return r["dest"] == tc.dest && r["reply"] == "0" && r["rule"] == tc.rule
			})
			tc.up.waitConnLog(t, "the upstream's CONNECT to "+tc.dest, func(u logRecord) bool { return u["dest"] == tc.dest })
			if other := map[*proc]*proc{a: b, b: a}[tc.up]; len(other.connLogsTo(tc.dest)) > 0 {
				t.Errorf("the other upstream carried %s too (%v)", tc.dest, r)
			}
		})
	}

	t.Run("block", func(t *testing.T) {
		before := ht.hits.Load()
		if r := curl(t, "--socks5-hostname", addrS, "http://my-tracker.localhost:"+ht.Port+"/"); r.code == 0 {
			t.Errorf("a blocked name over SOCKS5 went through: %s", r)
		}
		if r := curl(t, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-x", "http://"+addrS, "http://ads-tracker.localhost:"+ht.Port+"/"); r.stdout != "403" {
			t.Errorf("a blocked name over HTTP: %s, want 403", r)
		}
		s.waitConnLog(t, "the SOCKS5 refusal", func(r logRecord) bool {
			return r["dest"] == "my-tracker.localhost:"+ht.Port && r["reply"] == "2" && r["route"] == "block"
		})
		if ht.hits.Load() != before {
			t.Error("the target saw a blocked request")
		}
	})

	t.Run("udp", func(t *testing.T) {
		c, err := net.DialTimeout("tcp", addrS, 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte{5, 1, 0})
		c.Write([]byte{5, 3, 0, 1, 0, 0, 0, 0, 0, 0})
		reply := make([]byte, 12)
		if _, err := io.ReadFull(c, reply); err != nil || reply[1] != 0 {
			t.Fatalf("UDP ASSOCIATE through the udp rule: % x %v", reply, err)
		}
		c.Close()
		a.waitConnLog(t, "A's UDP ASSOCIATE", func(r logRecord) bool { return r["cmd"] == "UDP ASSOCIATE" })
		s.waitConnLog(t, "the association's rule", func(r logRecord) bool {
			return r["cmd"] == "UDP ASSOCIATE" && r["rule"] == "NETWORK,udp"
		})
	})

	t.Run("edit on disk", func(t *testing.T) {
		open := socksConnect(t, addrS, echo.Addr)
		roundTrip := func(msg string) {
			t.Helper()
			open.SetDeadline(time.Now().Add(5 * time.Second))
			if _, err := open.Write([]byte(msg)); err != nil {
				t.Fatal(err)
			}
			got := make([]byte, len(msg))
			if _, err := io.ReadFull(open, got); err != nil || string(got) != msg {
				t.Fatalf("echo through the open connection: %q %v", got, err)
			}
		}
		roundTrip("before")
		write(rulesProfile(addrA, addrB, ht2.Port, "viaB"))
		if !waitFor(10*time.Second, func() bool { return strings.Contains(s.stderr.String(), "profile reloaded") }) {
			t.Fatalf("no reload logged:\n%s", s.stderr.String())
		}
		roundTrip("after the edit, same connection")
		open.Close()
		// A line is logged when its connection ends: now A's shows it
		// carried the connection opened under the old rules.
		a.waitConnLog(t, "A carrying the echo", func(r logRecord) bool { return r["dest"] == echo.Addr })
		before := ht.hits.Load()
		wantBody(t, curl(t, "--socks5", addrS, ht.URL), ht, before)
		b.waitConnLog(t, "B carrying the IP after the edit", func(r logRecord) bool { return r["dest"] == ht.Addr })
	})
}

// connLogsTo are the connection lines for dest.
func (p *proc) connLogsTo(dest string) []logRecord {
	var out []logRecord
	for _, r := range p.connLogs() {
		if r["dest"] == dest {
			out = append(out, r)
		}
	}
	return out
}
