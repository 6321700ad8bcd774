package sysproxy

import (
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"

	"github.com/sockstray/sockstray/internal/winetest"
)

func TestGVariantStrings(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
		wantErr  bool
	}{
		{"default", `['localhost', '127.0.0.0/8', '::1']`, []string{"localhost", "127.0.0.0/8", "::1"}, false},
		{"empty typed", `@as []`, nil, false},
		{"empty", `[]`, nil, false},
		{"quotes", `['a', "it's", 'q"x', 'b\\c']`, []string{"a", "it's", `q"x`, `b\c`}, false},
		{"escapes", `['tab\there', '\u00e9t\u00e9']`, []string{"tab\there", "été"}, false},
		{"space", ` [ 'a' , 'b' ] `, []string{"a", "b"}, false},
		{"not array", `'a'`, nil, true},
		{"unterminated", `['a`, nil, true},
		{"no comma", `['a' 'b']`, nil, true},
		{"trailing", `['a'] x`, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseGStrings(tt.in)
			if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
				t.Fatalf("parseGStrings(%q) = %q, %v; want %q, err %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}

func FuzzGVariantRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a", "it's", `q"x\`, "tab\t\x01", "été 🦊"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8Valid(s) {
			return
		}
		got, err := parseGString(formatGString(s))
		if err != nil || got != s {
			t.Fatalf("round trip of %q: %q, %v", s, got, err)
		}
		list, err := parseGStrings(formatGStrings([]string{s, s}))
		if err != nil || !slices.Equal(list, []string{s, s}) {
			t.Fatalf("list round trip of %q: %q, %v", s, list, err)
		}
	})
}

func utf8Valid(s string) bool {
	for _, r := range s {
		if r == 0xfffd {
			return false
		}
	}
	return true
}

func TestMergeBypass(t *testing.T) {
	got := MergeBypass([]string{"intranet", "LOCALHOST", " ", "*.corp", "intranet"}, DefaultBypass)
	want := []string{"intranet", "LOCALHOST", "*.corp", "127.0.0.0/8", "::1", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "*.local"}
	if !slices.Equal(got, want) {
		t.Fatalf("MergeBypass = %q, want %q", got, want)
	}
}

func TestParseEndpoint(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:1080": "127.0.0.1:1080",
		"0.0.0.0:1080":   "127.0.0.1:1080",
		"[::]:1080":      "127.0.0.1:1080",
		":1080":          "127.0.0.1:1080",
		"[::1]:1080":     "[::1]:1080",
		"192.0.2.7:8080": "192.0.2.7:8080",
	} {
		e, err := ParseEndpoint(in)
		if err != nil || e.String() != want {
			t.Errorf("ParseEndpoint(%q) = %q, %v; want %q", in, e, err, want)
		}
	}
	for _, in := range []string{"127.0.0.1", "127.0.0.1:0", "127.0.0.1:x", "127.0.0.1:70000"} {
		if _, err := ParseEndpoint(in); err == nil {
			t.Errorf("ParseEndpoint(%q): no error", in)
		}
	}
}

func TestForeign(t *testing.T) {
	saved := Settings{Mode: ModeAuto, AutoConfigURL: "http://wpad/p.pac", HTTP: Endpoint{"corp", 3128}}
	ours := []string{"127.0.0.1:1080", "127.0.0.1:1081"}
	ep := Endpoint{"127.0.0.1", 1080}
	applied := proxied(saved, ep, ModeManual)
	half := saved
	half.HTTP = ep
	other := applied
	other.HTTP = Endpoint{"elsewhere", 8080}
	otherMode := applied
	otherMode.Mode = ModeNone
	hostOnly := saved
	hostOnly.Mode, hostOnly.HTTP.Host = ModeManual, "127.0.0.1"
	earlier := applied
	earlier.SOCKS = Endpoint{"127.0.0.1", 1081}
	for _, tt := range []struct {
		name string
		cur  Settings
		want bool
	}{
		{"saved", saved, false},
		{"ours", applied, false},
		{"half applied", half, false},
		{"an earlier address of ours", earlier, false},
		{"host written, port not yet", hostOnly, false},
		{"another proxy", other, true},
		{"proxy turned off", otherMode, true},
	} {
		if got := foreign(tt.cur, saved, ours); got != tt.want {
			t.Errorf("%s: foreign = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestParseKDEProxy(t *testing.T) {
	for in, want := range map[string]Endpoint{
		"http://127.0.0.1 1080":   {"127.0.0.1", 1080},
		"http://proxy.corp:3128":  {"proxy.corp", 3128},
		"socks://[::1] 1080":      {"::1", 1080},
		"proxy.corp:8080":         {"proxy.corp", 8080},
		"http://user@proxy:8080/": {"proxy", 8080},
		"":                        {},
	} {
		if got := parseKDEProxy(in); got != want {
			t.Errorf("parseKDEProxy(%q) = %+v, want %+v", in, got, want)
		}
	}
	if got := formatKDEProxy("socks", Endpoint{"::1", 1080}); got != "socks://[::1] 1080" {
		t.Errorf("formatKDEProxy = %q", got)
	}
}

func TestMacParse(t *testing.T) {
	svcs := parseMacServices("An asterisk (*) denotes that a network service is disabled.\nWi-Fi\n*Bluetooth PAN\nThunderbolt Bridge\n")
	if !slices.Equal(svcs, []string{"Wi-Fi", "Thunderbolt Bridge"}) {
		t.Errorf("services = %q", svcs)
	}
	p := parseMacProxy("Enabled: Yes\nServer: 127.0.0.1\nPort: 1080\nAuthenticated Proxy Enabled: 0\n")
	if p != (macProxy{On: true, Host: "127.0.0.1", Port: 1080}) {
		t.Errorf("proxy = %+v", p)
	}
	if b := parseMacBypass("There aren't any bypass domains set on Wi-Fi.\n"); b != nil {
		t.Errorf("no bypass = %q", b)
	}
	if b := parseMacBypass("*.local\n169.254/16\n"); !slices.Equal(b, []string{"*.local", "169.254/16"}) {
		t.Errorf("bypass = %q", b)
	}
	if u, on := parseMacAutoURL("URL: (null)\nEnabled: No\n"); u != "" || on {
		t.Errorf("auto url = %q %v", u, on)
	}
	if !parseMacDiscovery("Auto Proxy Discovery: On\n") {
		t.Error("discovery off")
	}
	// Enabling and restoring through the neutral view.
	saved := []macService{{PACURL: "http://wpad/p.pac", PACOn: true, Bypass: []string{"*.corp"}}, {Web: macProxy{Host: "old", Port: 8080}}}
	s := macSettings(saved)
	if s.Mode != ModeAuto || s.AutoConfigURL != "http://wpad/p.pac" || !slices.Equal(s.Bypass, []string{"*.corp"}) {
		t.Errorf("neutral = %+v", s)
	}
	m := macFromSettings(proxied(s, Endpoint{"127.0.0.1", 1080}, ModeManual))
	if !m.Web.On || !m.Secure.On || !m.Socks.On || m.PACOn || m.Discovery || m.Web.Host != "127.0.0.1" || len(m.Bypass) != 8 {
		t.Errorf("proxied service = %+v", m)
	}
	if !sameNeutral(s, macSettings(saved)) || sameNeutral(s, proxied(s, Endpoint{"127.0.0.1", 1080}, ModeManual)) {
		t.Error("sameNeutral")
	}
}

func TestWinParse(t *testing.T) {
	raw := []RawValue{
		{Key: "ProxyEnable", Value: regDWORDValue(1)},
		{Key: "ProxyServer", Value: regSZValue("corp:3128")},
		{Key: "ProxyOverride", Value: regSZValue("<local>;*.corp")},
		{Key: "AutoConfigURL", Unset: true},
	}
	s := winSettings(raw)
	corp := Endpoint{"corp", 3128}
	if s.Mode != ModeManual || s.HTTP != corp || s.HTTPS != corp || s.FTP != corp || s.SOCKS != (Endpoint{}) ||
		!slices.Equal(s.Bypass, []string{"<local>", "*.corp"}) {
		t.Errorf("neutral = %+v", s)
	}
	p := proxied(s, Endpoint{"127.0.0.1", 1080}, ModeManual)
	p.FTP = Endpoint{}
	if got := formatWinProxyServer(p); got != "http=127.0.0.1:1080;https=127.0.0.1:1080;socks=127.0.0.1:1080" {
		t.Errorf("ProxyServer = %q", got)
	}
	h, hs, so, _ := parseWinProxyServer("http=127.0.0.1:1080;https=127.0.0.1:1080;socks=127.0.0.1:1080")
	if h != (Endpoint{"127.0.0.1", 1080}) || hs != h || so != h {
		t.Errorf("parse = %v %v %v", h, hs, so)
	}
	got := winBypass(DefaultBypass)
	want := []string{"localhost", "127.*", "[::1]", "10.*"}
	for i := 16; i < 32; i++ {
		want = append(want, "172."+strconv.Itoa(i)+".*")
	}
	want = append(want, "192.168.*", "*.local")
	if !slices.Equal(got, want) {
		t.Errorf("winBypass = %q\nwant %q", got, want)
	}
	if regText(regSZValue("é;x")) != "é;x" || regText(regDWORDValue(7)) != "7" {
		t.Error("registry value round trip")
	}
}

func TestStateFile(t *testing.T) {
	path := filepath.Join(winetest.TempDir(t), "sub", "sysproxy.json")
	if st, err := loadState(path); st != nil || err != nil {
		t.Fatalf("missing file: %v, %v", st, err)
	}
	in := &state{PID: 42, Backend: "gnome", Proxies: []string{"127.0.0.1:1080"}, Saved: Settings{Mode: ModeAuto, Raw: []RawValue{{Key: "k", Value: "'v'"}}}}
	if err := saveState(path, in); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("state file mode %v, want 0600", fi.Mode().Perm())
	}
	out, err := loadState(path)
	if err != nil || out.PID != 42 || out.Saved.Mode != ModeAuto || out.Saved.Raw[0].Value != "'v'" {
		t.Fatalf("loaded %+v, %v", out, err)
	}
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".sysproxy-*")); len(left) != 0 {
		t.Errorf("temp files left: %q", left)
	}
	if err := removeState(path); err != nil {
		t.Fatal(err)
	}
	if err := removeState(path); err != nil {
		t.Fatalf("removing a missing state file: %v", err)
	}
}

func TestAlive(t *testing.T) {
	start, err := procStart(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if !alive(os.Getpid(), start) {
		t.Error("this process is not alive")
	}
	if start != "" && alive(os.Getpid(), start+"1") {
		t.Error("a different start time still counts as alive")
	}
	if alive(0, "") || alive(-1, "") {
		t.Error("PID 0 or -1 alive")
	}
}
