package profiles

import (
	"errors"
	"net/netip"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// decodeErr decodes content as file "f.toml" of profile "f" and returns
// its problems as strings.
func decodeProblems(t *testing.T, content string) []string {
	t.Helper()
	_, err := Decode("f", "f.toml", []byte(content))
	var ie *InvalidError
	if !errors.As(err, &ie) {
		t.Fatalf("Decode = %v, want *InvalidError", err)
	}
	var out []string
	for _, p := range ie.Problems {
		out = append(out, p.String())
	}
	return out
}

func TestDecodeExample(t *testing.T) {
	data, err := os.ReadFile("testdata/work.toml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Decode("work", "testdata/work.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	want := &Profile{
		Name: "work", Host: "127.0.0.1", Port: 1081, ShareOnLAN: true, Username: "alice",
		Allow: []netip.Prefix{netip.MustParsePrefix("192.168.1.0/24"), netip.MustParsePrefix("fd00::/8")},
		Upstreams: []Upstream{
			{Name: "corp-proxy", Kind: KindHTTP, Host: "proxy.corp.example.com", Port: 3128, Username: "alice"},
			{Name: "office", Kind: KindSSH, Host: "ssh.corp.example.com", Port: 22, Username: "alice", KeyFile: "~/.ssh/id_ed25519"},
			{Name: "backup", Host: "203.0.113.7", Port: 9050},
		},
		Routes: []Route{
			{Name: "office-ssh", Chain: []string{"corp-proxy", "office"}},
			{Name: "work", Group: []string{"office-ssh", "backup-chain"}, Policy: PolicyFailover},
			{Name: "backup-chain", Chain: []string{"backup"}},
		},
		Rules: []string{
			"DOMAIN-SUFFIX,corp.example.com,work",
			"IP-CIDR,10.20.0.0/16,work,no-resolve",
			"DOMAIN-KEYWORD,adservice,block",
		},
		RuleLists:        []RuleList{{File: "ads.list", Route: "block"}},
		DefaultRoute:     "direct",
		DisableBind:      true,
		HandshakeTimeout: 10 * time.Second,
		IdleTimeout:      5 * time.Minute,
		MaxConns:         200,
		dir:              "testdata",
	}
	if !reflect.DeepEqual(p, want) {
		t.Errorf("decoded\n%+v\nwant\n%+v", p, want)
	}
	if got := string(p.Encode()); got != string(data) {
		t.Errorf("Encode differs from the example file:\n%s", got)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), string(data)) {
		t.Error("README.md does not show testdata/work.toml as its example; keep them the same")
	}
}

// TestDecodeFormat1 loads a file of the first format: its upstreams get
// names, and with no routes they still form the one chain that carries
// everything.
func TestDecodeFormat1(t *testing.T) {
	data, err := os.ReadFile("testdata/v1.toml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := Decode("work", "testdata/v1.toml", data)
	if err != nil {
		t.Fatal(err)
	}
	want := []Upstream{{Name: "upstream 1", Host: "gateway.example.com", Port: 1080, Username: "bob"}, {Name: "upstream 2", Host: "203.0.113.7", Port: 9050}}
	if !reflect.DeepEqual(p.Upstreams, want) || p.Routes != nil || p.EffectiveDefault() != "upstreams" {
		t.Errorf("format 1: upstreams %+v, routes %+v, default %q", p.Upstreams, p.Routes, p.EffectiveDefault())
	}
	again, err := Decode("work", "testdata/v1.toml", p.Encode())
	if err != nil || !reflect.DeepEqual(again, p) || !strings.Contains(string(p.Encode()), "version = 2\n") {
		t.Errorf("format 1 saved as 2 and read back: %v\n%s", err, p.Encode())
	}
}

func TestDecodeDefaults(t *testing.T) {
	p, err := Decode("min", "min.toml", []byte("# nothing but defaults\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := New("min")
	want.dir = "." // where min.toml's relative rule lists would be
	if !reflect.DeepEqual(p, want) {
		t.Errorf("empty file = %+v, want New's defaults", p)
	}
}

func TestEncodeRoundTrip(t *testing.T) {
	p := New("café Work (2)")
	p.Username = "tab\there \"q\" \\ \x01 ✓"
	p.Upstreams = []Upstream{{Host: "::1", Port: 1, Username: "line\nbreak"}, {Name: "s", Kind: KindSSH, Host: "h", Port: 22, KeyFile: "k", KnownHosts: "kh"}, {Name: "t", Kind: KindHTTPS, Host: "h", Port: 443, CAFile: "ca.pem"}}
	p.Routes = []Route{{Name: "c", Chain: []string{"s", "t"}}, {Name: "g", Group: []string{"c", "direct"}, Policy: PolicyFastest, CheckInterval: 30 * time.Second, CheckTarget: "example.org:443"}}
	p.Rules = []string{"DOMAIN,a.example,c", "MATCH,g"}
	p.RuleLists = []RuleList{{File: "x.list", Route: "block"}}
	p.DefaultRoute = "g"
	p.Allow = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	p.DisableUDP = true
	p.IdleTimeout = 90 * time.Second
	got, err := Decode(p.Name, "", p.Encode())
	if err != nil {
		t.Fatalf("Decode(Encode(p)) = %v\n%s", err, p.Encode())
	}
	if !reflect.DeepEqual(got, p) {
		t.Errorf("round trip\n%+v\nwant\n%+v", got, p)
	}
}

func TestDecodeSyntaxError(t *testing.T) {
	content := "version = 1\nport = 1080\nhost = \"127.0.0.1\nusername = \"x\"\n"
	_, err := Decode("f", "/cfg/f.toml", []byte(content))
	if err == nil {
		t.Fatal("no error")
	}
	const want = `/cfg/f.toml:3:18: host: TOML syntax: a string is not closed on its line (a missing closing quote?)`
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error = %q, want it to start %q", err, want)
	}
}

func TestDecodeReportsEveryProblemWithItsLine(t *testing.T) {
	content := `version = 1
port = "1080"
colour = "blue"
allow = ["10.0.0.0/8", "10.1/33", 7]

[options]
udp = "yes"
handshake_timeout = "ten seconds"
idle_timeout = 30
max_connections = -5
turbo = true

[[upstream]]
host = "ok.example"
port = 70000
secret = 1

[[upstream]]
  host = "bad host"
  port = 1080
`
	got := decodeProblems(t, content)
	want := []string{ // in line order
		`2:1: port: a string; want a whole number`,
		`3:1: colour: unknown key; known here: version, host, port, share_on_lan, lan_interface, username, allow, open, allow_local_targets, options, upstream, default_route, rules, route, rule_list`,
		`4:1: allow[2]: "10.1/33" is not a CIDR such as 192.168.1.0/24 or fd00::/8`,
		`4:1: allow[3]: a whole number; want a CIDR in quotes such as "192.168.1.0/24"`,
		`7:1: options.udp: a string; want true or false`,
		`8:1: options.handshake_timeout: "ten seconds" is not a duration; want one such as "10s", "2m" or "1h30m"`,
		`9:1: options.idle_timeout: a whole number; want a duration in quotes such as "10s" or "2m"`,
		`10:1: options.max_connections: -5 is out of range; want 0 (no limit) to 1000000`,
		`11:1: options.turbo: unknown key; known here: udp, bind, handshake_timeout, idle_timeout, max_connections`,
		`15:1: upstream[1].port: 70000 is not a port (1–65535)`,
		`16:1: upstream[1].secret: unknown key; known here: name, kind, host, port, username, ca_file, key_file, known_hosts`,
		`19:3: upstream[2].host: "bad host" is not an IP address or host name`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDecodeRefusesPasswords(t *testing.T) {
	const pw = "hunter2-very-secret"
	for _, content := range []string{
		"username = \"me\"\npassword = \"" + pw + "\"\n",
		"[[upstream]]\nhost = \"h\"\nport = 1\nusername = \"u\"\npassword = \"" + pw + "\"\n",
		"password = \"" + pw + "\n", // a syntax error right at the password
		"password = " + pw + "\n",
	} {
		_, err := Decode("f", "f.toml", []byte(content))
		if err == nil {
			t.Fatalf("%q: no error", content)
		}
		if strings.Contains(err.Error(), pw) || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("error repeats the password: %v", err)
		}
		if !strings.Contains(err.Error(), "password") {
			t.Errorf("error does not say what is wrong: %v", err)
		}
	}
	got := decodeProblems(t, "username = \"me\"\npassword = \""+pw+"\"\n")
	want := `2:1: password: passwords do not belong in profile files; remove this line and store the password in the OS keychain (or set $SOCKSTRAY_PASSWORD / $SOCKSTRAY_UPSTREAM_PASSWORD_1, _2, …)`
	if len(got) != 1 || got[0] != want {
		t.Errorf("problems = %q, want [%q]", got, want)
	}
}

func TestDecodeVersion(t *testing.T) {
	for _, v := range []string{"version = 1\n", "version = 2\n"} {
		if _, err := Decode("f", "f.toml", []byte(v)); err != nil {
			t.Errorf("%q: %v", v, err)
		}
	}
	for _, tc := range []struct{ content, want string }{
		{"version = 3\nfuture = true\n", `1:1: version: 3 is not a format this Sockstray reads (1 to 2); a newer Sockstray wrote it, or it is mistyped`},
		{"version = 0\n", `1:1: version: 0 is not a format this Sockstray reads (1 to 2)`},
		{"version = \"1\"\n", `1:1: version: a string; want a whole number such as version = 2`},
	} {
		got := decodeProblems(t, tc.content)
		if len(got) != 1 || !strings.HasPrefix(got[0], tc.want) {
			t.Errorf("%q: problems %q, want only %q", tc.content, got, tc.want)
		}
	}
}

func TestMigrationPath(t *testing.T) {
	// A format 2 registers the step from 1; simulate one that renamed
	// "port" to "listen_port".
	steps := map[int64]func(map[string]any){1: func(doc map[string]any) {
		doc["listen_port"] = doc["port"]
		delete(doc, "port")
	}}
	for _, doc := range []map[string]any{
		{"version": int64(1), "port": int64(1090)},
		{"port": int64(1090)}, // no version: the first format
	} {
		var ps problems
		if !migrate(doc, &ps, 2, steps) || len(ps) > 0 {
			t.Fatalf("migrate: %v", ps)
		}
		if doc["listen_port"] != int64(1090) || doc["version"] != int64(2) {
			t.Errorf("migrated doc = %v", doc)
		}
	}
}

func TestDecodeInlineAndDottedForms(t *testing.T) {
	content := "options.udp = false\nupstream = [{host = \"a.example\", port = 1}, {host = \"b.example\", port = 2}]\n"
	p, err := Decode("f", "f.toml", []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	if !p.DisableUDP || len(p.Upstreams) != 2 || p.Upstreams[1].Host != "b.example" {
		t.Errorf("decoded %+v", p)
	}
	got := decodeProblems(t, "[upstream]\nhost = \"a\"\n")
	if want := "1:1: upstream: a table; want [[upstream]] tables"; len(got) != 1 || got[0] != want {
		t.Errorf("problems %q, want [%q]", got, want)
	}
}
