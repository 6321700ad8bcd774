//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// pacProfile routes a company's names and network through an upstream,
// blocks trackers through a rule list, and sends the rest direct.
const pacProfile = `version = 2
default_route = "direct"
rules = [
  "DOMAIN-SUFFIX,corp.example.com,work",
  "IP-CIDR,10.20.0.0/16,work",
  "DST-PORT,8443,work",
]

[[upstream]]
name = "office"
host = "127.0.0.1"
port = 9

[[route]]
name = "work"
chain = ["office"]

[[rule_list]]
file = "ads.list"
route = "block"
`

// pacRunner evaluates FindProxyForURL for each URL with node, giving the
// PAC the helper functions browsers give it (without any DNS).
const pacRunner = `
function dnsDomainIs(h, d) { return h.length >= d.length && h.substring(h.length - d.length) == d; }
function myIpAddress() { return "127.0.0.1"; }
function dnsResolve(h) { return null; }
function isInNet(h, pat, mask) {
  var a = h.split("."), p = pat.split("."), m = mask.split(".");
  if (a.length != 4) return false;
  for (var i = 0; i < 4; i++) if ((a[i] & m[i]) != (p[i] & m[i])) return false;
  return true;
}
const fs = require("fs");
eval(fs.readFileSync(process.argv[2], "utf8"));
for (const u of process.argv.slice(3)) {
  const host = u.replace(/^[a-z]+:\/\//, "").replace(/[:\/].*$/, "");
  console.log(u + " " + FindProxyForURL(u, host));
}
`

// TestE2EPAC: the PAC file served at /proxy.pac, run as a browser runs it
// (node stands in for the browser's PAC engine), sends what the rules
// route direct DIRECT and everything else to the proxy.
func TestE2EPAC(t *testing.T) {
	node := needTool(t, "node", "nodejs")
	needTool(t, "curl", "curl")
	home := t.TempDir()
	writeConfig(t, home, map[string]string{"pac.toml": pacProfile, "ads.list": "DOMAIN-KEYWORD,tracker\n"})
	_, addr := startServe(t, []string{"XDG_CONFIG_HOME=" + home}, "--profile", "pac", "--listen", "127.0.0.1:0")

	r := curl(t, "-s", "-f", "http://"+addr+"/proxy.pac")
	if r.code != 0 || !strings.Contains(r.stdout, "function FindProxyForURL") {
		t.Fatalf("GET /proxy.pac: %s", r)
	}
	pac := filepath.Join(t.TempDir(), "proxy.pac")
	runner := filepath.Join(t.TempDir(), "run.js")
	os.WriteFile(pac, []byte(r.stdout), 0o600)
	os.WriteFile(runner, []byte(pacRunner), 0o600)
	proxy := "SOCKS5 " + addr + "; PROXY " + addr
	want := map[string]string{
		"https://www.corp.example.com/":             proxy,
		"http://corp.example.com:8080/x":            proxy,
		"http://10.20.3.4/":                         proxy,
		"https://example.org:8443/":                 proxy, // DST-PORT
		"https://a.tracker.example/":                proxy, // the list's block: the proxy refuses it
		"https://example.org/":                      "DIRECT",
		"http://10.30.0.1/":                         "DIRECT",
		"http://intranet.example/":                  "DIRECT", // an IP rule does not resolve names
		"https://notcorp.example.com.evil.example/": "DIRECT",
	}
	var urls []string
	for u := range want {
		urls = append(urls, u)
	}
	out := runTool(t, 30*time.Second, nil, "", node, append([]string{runner, pac}, urls...)...)
	if out.code != 0 {
		t.Fatalf("node: %s", out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(out.stdout), "\n") {
		u, ans, _ := strings.Cut(line, " ")
		got[u] = ans
	}
	for u, w := range want {
		if got[u] != w {
			t.Errorf("%s: %q, want %q", u, got[u], w)
		}
	}
}
