package sysproxy

import (
	"slices"
	"testing"
)

// The manual and automatic modes as each backend writes them, tested
// everywhere: macOS's and Windows' backends only compile here.

var (
	testEP  = Endpoint{"127.0.0.1", 1080}
	testURL = "http://127.0.0.1:1080/proxy.pac"
)

func TestPACURL(t *testing.T) {
	for in, want := range map[string]string{
		"0.0.0.0:1080":   testURL,
		"127.0.0.1:1080": testURL,
		"127.0.0.2:1081": "http://127.0.0.2:1081/proxy.pac",
		"[::1]:1080":     "http://[::1]:1080/proxy.pac",
		"[::]:1080":      testURL,
	} {
		e, err := ParseEndpoint(in)
		if got := PACURL(e); err != nil || got != want {
			t.Errorf("PACURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// The PAC file's version rides in its URL, so that a program that keeps
// PAC files by URL fetches new rules; it is still ours whatever version.
func TestVersionedPACURL(t *testing.T) {
	if got := proxiedWith(Settings{}, testEP, ModeAuto, nil, "a1b2").AutoConfigURL; got != testURL+"?v=a1b2" {
		t.Errorf("versioned PAC URL %q", got)
	}
	if got := proxiedWith(Settings{}, testEP, ModeAuto, nil, "").AutoConfigURL; got != testURL {
		t.Errorf("PAC URL with no version %q", got)
	}
	if got := proxiedWith(Settings{}, testEP, ModeManual, nil, "a1b2").AutoConfigURL; got != "" {
		t.Errorf("manual mode set a PAC URL %q", got)
	}
}

func TestProxiedModes(t *testing.T) {
	saved := Settings{Mode: ModeManual, HTTP: Endpoint{"corp", 3128}, Bypass: []string{"*.corp"}, AutoConfigURL: "http://wpad/p.pac"}
	m := proxied(saved, testEP, ModeManual)
	if m.Mode != ModeManual || m.HTTP != testEP || m.HTTPS != testEP || m.SOCKS != testEP || m.AutoConfigURL != "" || len(m.Bypass) != 8 {
		t.Errorf("manual = %+v", m)
	}
	a := proxied(saved, testEP, ModeAuto)
	want := saved
	want.Mode, want.AutoConfigURL = ModeAuto, testURL
	if !sameNeutral(a, want) {
		t.Errorf("auto = %+v\nwant %+v", a, want)
	}
}

func TestForeignPAC(t *testing.T) {
	ours := []string{"127.0.0.1:1080", "127.0.0.1:1081"}
	with := func(s Settings, mode Mode, url string) Settings { s.Mode, s.AutoConfigURL = mode, url; return s }
	userPAC := Settings{Mode: ModeAuto, AutoConfigURL: "http://wpad/p.pac", HTTP: Endpoint{"corp", 3128}}
	none := Settings{Mode: ModeNone}
	for _, tt := range []struct {
		name       string
		cur, saved Settings
		want       bool
	}{
		{"ours over the user's PAC", proxied(userPAC, testEP, ModeAuto), userPAC, false},
		{"ours over none", proxied(none, testEP, ModeAuto), none, false},
		{"an earlier address of ours", with(none, ModeAuto, "http://127.0.0.1:1081/proxy.pac"), none, false},
		{"ours, with a version", with(none, ModeAuto, testURL+"?v=0123abcd"), none, false},
		{"an earlier address of ours, with a version", with(userPAC, ModeAuto, "http://127.0.0.1:1081/proxy.pac?v=ff"), userPAC, false},
		{"another host's versioned PAC file", with(none, ModeAuto, "http://wpad/proxy.pac?v=1"), none, true},
		{"ours, then manual", proxied(userPAC, testEP, ModeManual), userPAC, false},
		{"the user's PAC back", userPAC, userPAC, false},
		{"another PAC file", with(none, ModeAuto, "http://wpad/other.pac"), none, true},
		{"another PAC file over the user's", with(userPAC, ModeAuto, "http://wpad/other.pac"), userPAC, true},
		{"WPAD turned on", with(none, ModeAuto, ""), none, true},
		{"ours turned off", with(none, ModeNone, testURL), userPAC, true},
	} {
		if got := foreign(tt.cur, tt.saved, ours); got != tt.want {
			t.Errorf("%s: foreign = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestMacCommands(t *testing.T) {
	user := macService{Web: macProxy{On: true, Host: "corp", Port: 3128}, Bypass: []string{"*.corp"}}
	s := macSettings([]macService{user})
	manual := macFromSettings(proxied(s, testEP, ModeManual))
	auto := macFromSettings(proxied(s, testEP, ModeAuto))
	bypass := append([]string{"-setproxybypassdomains", "Wi-Fi"}, MergeBypass(user.Bypass, DefaultBypass)...)
	for _, tt := range []struct {
		name      string
		cur, want macService
		cmds      [][]string
	}{
		{"manual", user, manual, [][]string{
			{"-setwebproxy", "Wi-Fi", "127.0.0.1", "1080"},
			{"-setsecurewebproxy", "Wi-Fi", "127.0.0.1", "1080"},
			{"-setsocksfirewallproxy", "Wi-Fi", "127.0.0.1", "1080"},
			bypass,
		}},
		// The PAC file decides alone: the user's proxy is turned off, its
		// server kept; setting the URL turns the PAC file on.
		{"auto", user, auto, [][]string{
			{"-setwebproxystate", "Wi-Fi", "off"},
			{"-setautoproxyurl", "Wi-Fi", testURL},
		}},
		{"restore after auto", auto, user, [][]string{
			{"-setwebproxy", "Wi-Fi", "corp", "3128"},
			{"-setautoproxystate", "Wi-Fi", "off"},
		}},
		{"manual to auto", manual, auto, [][]string{
			{"-setwebproxy", "Wi-Fi", "corp", "3128"}, {"-setwebproxystate", "Wi-Fi", "off"},
			{"-setsecurewebproxystate", "Wi-Fi", "off"},
			{"-setsocksfirewallproxystate", "Wi-Fi", "off"},
			{"-setproxybypassdomains", "Wi-Fi", "*.corp"},
			{"-setautoproxyurl", "Wi-Fi", testURL},
		}},
		{"over the user's PAC", macService{PACURL: "http://wpad/p.pac", PACOn: true},
			macFromSettings(proxied(macSettings([]macService{{PACURL: "http://wpad/p.pac", PACOn: true}}), testEP, ModeAuto)),
			[][]string{{"-setautoproxyurl", "Wi-Fi", testURL}}},
		{"the same", auto, auto, nil},
	} {
		got := macCommands("Wi-Fi", tt.cur, tt.want)
		if !slices.EqualFunc(got, tt.cmds, slices.Equal) {
			t.Errorf("%s: commands\n%q\nwant\n%q", tt.name, got, tt.cmds)
		}
	}
}

func TestWinWant(t *testing.T) {
	user := []RawValue{
		{Key: "ProxyEnable", Value: regDWORDValue(1)},
		{Key: "ProxyServer", Value: regSZValue("corp:3128")},
		{Key: "ProxyOverride", Value: regSZValue("<local>;*.corp")},
		{Key: "AutoConfigURL", Unset: true},
	}
	s := winSettings(user)
	for _, tt := range []struct {
		name string
		s    Settings
		want []RawValue
	}{
		{"restore", s, user},
		// WinINet prefers AutoConfigURL; ProxyEnable 0 leaves it alone.
		{"auto", proxied(s, testEP, ModeAuto), []RawValue{
			{Key: "ProxyEnable", Value: regDWORDValue(0)}, user[1], user[2],
			{Key: "AutoConfigURL", Value: regSZValue(testURL)},
		}},
		{"manual", proxied(s, testEP, ModeManual), []RawValue{
			user[0],
			{Key: "ProxyServer", Value: regSZValue("http=127.0.0.1:1080;https=127.0.0.1:1080;ftp=corp:3128;socks=127.0.0.1:1080")},
			{Key: "ProxyOverride", Value: regSZValue("<local>;*.corp;localhost;127.*;[::1];10.*;172.16.*;172.17.*;172.18.*;172.19.*;172.20.*;172.21.*;172.22.*;172.23.*;172.24.*;172.25.*;172.26.*;172.27.*;172.28.*;172.29.*;172.30.*;172.31.*;192.168.*;*.local")},
			user[3],
		}},
	} {
		got, err := winWant(tt.s)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("%s: winWant = %v, %v\nwant %v", tt.name, got, err, tt.want)
		}
	}
	auto, _ := winWant(proxied(s, testEP, ModeAuto))
	if back := winSettings(auto); back.Mode != ModeAuto || back.AutoConfigURL != testURL {
		t.Errorf("read back: %+v", back)
	}
	if _, err := winWant(Settings{Mode: ModeOther}); err == nil {
		t.Error("winWant wrote a mode WinINet has not")
	}
}
