package proxyenv

import (
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestLocal(t *testing.T) {
	for _, tc := range []struct{ listen, want string }{
		{"127.0.0.1:1080", "127.0.0.1:1080"},
		{"0.0.0.0:1080", "127.0.0.1:1080"}, // LAN share on all interfaces
		{":1080", "127.0.0.1:1080"},
		{"[::]:1080", "127.0.0.1:1080"},
		{"localhost:1081", "127.0.0.1:1081"},
		{"[::1]:1080", "[::1]:1080"},
		{"192.168.1.5:1080", "192.168.1.5:1080"}, // a share on one interface listens there only
	} {
		got, err := Local(tc.listen)
		if err != nil || got != tc.want {
			t.Errorf("Local(%q) = %q, %v; want %q", tc.listen, got, err, tc.want)
		}
	}
	if _, err := Local("127.0.0.1"); err == nil {
		t.Error("Local without a port: no error")
	}
}

func TestVars(t *testing.T) {
	p := Proxy{Addr: "[fe80::1%eth0]:1080", Bypass: []string{"localhost", " *.local ", "", "10.0.0.0/8"}}
	want := map[string]string{
		"http_proxy":  "http://[fe80::1%25eth0]:1080", // a zone's % escaped, as URLs need
		"https_proxy": "http://[fe80::1%25eth0]:1080",
		"all_proxy":   "socks5h://[fe80::1%25eth0]:1080",
		"no_proxy":    "localhost,.local,10.0.0.0/8",
	}
	vars := p.Vars()
	if len(vars) != 8 {
		t.Fatalf("%d variables, want 8: %v", len(vars), vars)
	}
	for i, v := range vars {
		w, ok := want[strings.ToLower(v.Name)]
		if !ok || v.Value != w || (i >= 4) != (v.Name == strings.ToUpper(v.Name)) {
			t.Errorf("variable %d: %s=%q, want lower case first and %q", i, v.Name, v.Value, w)
		}
	}
}

func TestNotesNeverHoldAPassword(t *testing.T) {
	if n := (Proxy{Addr: "127.0.0.1:1"}).Notes(); n != nil {
		t.Errorf("notes without a login: %q", n)
	}
	n := Proxy{Addr: "127.0.0.1:1", Username: "alice"}.Notes()
	if len(n) != 2 || !strings.Contains(n[1], `username "alice"`) || !strings.Contains(n[1], "keychain") {
		t.Errorf("notes = %q", n)
	}
	// A username that a comment could not carry safely is not shown.
	n = Proxy{Addr: "127.0.0.1:1", Username: "a\nrm -rf ~ & %x%"}.Notes()
	if strings.Contains(strings.Join(n, ""), "rm") {
		t.Errorf("notes show an unsafe username: %q", n)
	}
}

func TestEnviron(t *testing.T) {
	p := Proxy{Addr: "127.0.0.1:1080", Bypass: []string{"localhost"}}
	got := p.Environ([]string{"PATH=/bin", "Http_Proxy=http://old:1", "NO_PROXY=old", "ftp_proxy=keep", "HOME=/h"})
	want := []string{"PATH=/bin", "ftp_proxy=keep", "HOME=/h"}
	for _, v := range p.Vars() {
		want = append(want, v.Name+"="+v.Value)
	}
	if !slices.Equal(got, want) {
		t.Errorf("Environ =\n%q\nwant\n%q", got, want)
	}
}

func TestParseShell(t *testing.T) {
	for in, want := range map[string]Shell{
		"bash": Bash, "/bin/zsh": Zsh, "/usr/bin/fish": Fish, "pwsh": PowerShell,
		`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe`: PowerShell,
		"cmd.exe": Cmd, "/bin/sh": Bash, "CMD": Cmd,
	} {
		if got, err := ParseShell(in); err != nil || got != want {
			t.Errorf("ParseShell(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := ParseShell("tcsh"); err == nil || !strings.Contains(err.Error(), "bash, zsh, fish, powershell, cmd") {
		t.Errorf("ParseShell(tcsh): %v", err)
	}
}

func TestDefaultShell(t *testing.T) {
	for _, tc := range []struct {
		goos, shell string
		want        Shell
		known       bool
	}{
		{"linux", "/usr/bin/zsh", Zsh, true},
		{"linux", "", Bash, true},
		{"linux", "/bin/tcsh", Bash, false},
		{"darwin", "/opt/homebrew/bin/fish", Fish, true},
		{"windows", "", PowerShell, true},
		{"windows", "/usr/bin/bash", Bash, true}, // Git Bash sets $SHELL
	} {
		got, known := DefaultShell(tc.goos, tc.shell)
		if got != tc.want || known != tc.known {
			t.Errorf("DefaultShell(%s, %q) = %q, %v; want %q, %v", tc.goos, tc.shell, got, known, tc.want, tc.known)
		}
	}
}

func TestQuote(t *testing.T) {
	for _, tc := range []struct {
		sh       Shell
		in, want string
	}{
		{Bash, "a b", "'a b'"},
		{Bash, "it's", `'it'\''s'`},
		{Zsh, "$HOME `x` \\", "'$HOME `x` \\'"},
		{Fish, `it's \ x`, `'it\'s \\ x'`},
		{Fish, "$HOME", "'$HOME'"},
		{PowerShell, "it's", "'it''s'"},
		{PowerShell, "a\u2019b $x", "'a\u2019\u2019b $x'"},
		{Cmd, "http://127.0.0.1:1080", "http://127.0.0.1:1080"},
		{Cmd, "a,b;c=d", "a,b;c=d"},
		{Cmd, "a&b", `"a&b"`},
	} {
		got, err := Quote(tc.sh, tc.in)
		if err != nil || got != tc.want {
			t.Errorf("Quote(%s, %q) = %q, %v; want %q", tc.sh, tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct {
		sh Shell
		in string
	}{{Cmd, "100%"}, {Cmd, "a!b"}, {Cmd, `a"b`}, {Cmd, "a\nb"}, {Bash, "a\x00b"}} {
		if _, err := Quote(tc.sh, tc.in); !errors.Is(err, ErrUnquotable) {
			t.Errorf("Quote(%s, %q): err %v, want ErrUnquotable", tc.sh, tc.in, err)
		}
	}
	if got, _ := Set(Cmd, Var{"A", "x & y"}); got != `set "A=x & y"` {
		t.Errorf("Set(cmd) = %s", got)
	}
}

// nasty are values that break naive quoting.
var nasty = []string{"it's", `a\b`, `$HOME`, "`id`", "$(id)", "a\nb", `"q"`, "x'\\''y", "'", `\`, "100%", "a;b&c|d", "ü ‘x’"}

// TestQuoteRoundTrip gives each nasty value to a real shell and reads it
// back from the environment of a program the shell starts.
func TestQuoteRoundTrip(t *testing.T) {
	for _, sh := range []struct {
		shell Shell
		prog  string
		args  []string
	}{
		{Bash, "bash", []string{"-c"}},
		{Zsh, "zsh", []string{"-c"}},
		{Fish, "fish", []string{"-c"}},
		{PowerShell, "pwsh", []string{"-NoProfile", "-Command"}},
	} {
		t.Run(string(sh.shell), func(t *testing.T) {
			bin, err := exec.LookPath(sh.prog)
			if err != nil {
				t.Skipf("%s not installed", sh.prog)
			}
			for _, v := range nasty {
				line, err := Set(sh.shell, Var{"SOCKSTRAY_Q", v})
				if err != nil {
					t.Fatal(err)
				}
				script := line + "\nprintenv SOCKSTRAY_Q"
				if sh.shell == PowerShell {
					script = line + "\n[Console]::Out.Write($env:SOCKSTRAY_Q + \"`n\")"
				}
				out, err := exec.Command(bin, append(sh.args, script)...).Output()
				if err != nil || string(out) != v+"\n" {
					t.Errorf("%s with %q: got %q, %v", line, v, out, err)
				}
			}
		})
	}
}
