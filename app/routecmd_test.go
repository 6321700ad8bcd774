//go:build unix

package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestRouteCommand: `sockstray route` names the rule and route a
// destination takes in a saved profile, including a rule list's line.
func TestRouteCommand(t *testing.T) {
	home := freshConfigHome(t)
	example, err := os.ReadFile("../profiles/testdata/work.toml")
	if err != nil {
		t.Fatal(err)
	}
	writeConfig(t, home, map[string]string{"work.toml": string(example), "ads.list": "# ads\nDOMAIN-SUFFIX,ads.example\n"})
	route := func(args ...string) (int, string, string) {
		var out, errb bytes.Buffer
		code := routeCmd(args, &out, &errb)
		return code, out.String(), errb.String()
	}
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"work", "www.corp.example.com:443"}, []string{
			"rule:  DOMAIN-SUFFIX,corp.example.com (rules[1])",
			"route: work",
			"work: failover group of office-ssh, backup-chain",
			"office-ssh: chain corp-proxy (http alice@proxy.corp.example.com:3128) → office (ssh alice@ssh.corp.example.com:22)",
		}},
		{[]string{"work", "x.ads.example:80"}, []string{"rule:  DOMAIN-SUFFIX,ads.example (ads.list:2)", "route: block"}},
		{[]string{"work", "example.org:443"}, []string{"rule:  none matched: the default route", "route: direct"}},
		{[]string{"--udp", "work", "[2001:db8::1]:53"}, []string{"route: direct"}},
	} {
		code, out, errs := route(tc.args...)
		if code != 0 || errs != "" {
			t.Errorf("route %v: exit %d, stderr %q", tc.args, code, errs)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("route %v: output lacks %q:\n%s", tc.args, w, out)
			}
		}
	}
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"work"}, 2, "usage: sockstray route"},
		{[]string{"work", "no-port"}, 2, `"no-port" is not HOST:PORT`},
		{[]string{"--from", "x", "work", "a.example:1"}, 2, `--from "x" is not an IP address`},
		{[]string{"nope", "a.example:1"}, 1, "nope"},
	} {
		code, _, errs := route(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.want) {
			t.Errorf("route %v: exit %d, stderr %q; want %d and %q", tc.args, code, errs, tc.code, tc.want)
		}
	}
}
