package profiles

import (
	"crypto/rand"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/BurntSushi/toml"

	"github.com/sockstray/sockstray/internal/winetest"
)

// randomWord is a throwaway secret of capital letters, so that the TOML
// parser reads all of it as one bare word and would quote it whole.
func randomWord(t *testing.T) string {
	t.Helper()
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = 'A' + b[i]%26
	}
	return string(b)
}

// containsPart reports whether text holds any 5 consecutive characters of
// secret: the parser quotes partial words too ("hunter" of "hunter2").
func containsPart(text, secret string) bool {
	for i := 0; i+5 <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+5]) {
			return true
		}
	}
	return false
}

func TestSyntaxErrorNeverQuotesTheValue(t *testing.T) {
	pw := randomWord(t)
	// The parser's own message quotes the bytes: what this test guards.
	if _, err := toml.Decode("listen = "+pw+"\n", new(map[string]any)); err == nil || !containsPart(err.Error(), pw) {
		t.Fatalf("the TOML parser no longer quotes the value (%v): this test proves nothing, update it", err)
	}
	for _, tc := range []struct {
		content string
		want    string // the message after FILE:
	}{
		{"port = 1080\nname = \"" + pw + "\n", "2:" + `\d+: name: TOML syntax: a string is not closed on its line \(a missing closing quote\?\)`},
		{"listen = " + pw + "\n", `1:10: listen: TOML syntax: not a value: text needs quotes \(key = "text"\); numbers, true and false do not`},
		{"username = '" + pw + "\n", `1:\d+: username: TOML syntax: a string is not closed on its line`},
		{"host = \"\"\"" + pw + "\n", `1:\d+: host: TOML syntax: a string is not closed before the end of the file`},
		{"port = 1080 " + pw + "\n", `1:\d+: TOML syntax: more after the value; want one key = value per line \(text in quotes\)`},
		{"version = 1\n\n" + pw + "\n", `3:\d+: TOML syntax: a malformed line; want key = value`},
		{"allow = [\"10.0.0.0/8\", " + pw + "]\n", `1:\d+: allow: TOML syntax: not a value`},
		{"[options]\nudp = true\nidle_timeout = " + pw + "\n", `3:\d+: options.idle_timeout: TOML syntax: not a value`},
		{"[[upstream]]\nhost = " + pw + "\n", `2:\d+: upstream.host: TOML syntax: not a value`},
		{"options = {udp = " + pw + "}\n", `1:\d+: options.udp: TOML syntax: not a value`},
		{"lan_interface = \"\\q" + pw + "\"\n", `1:\d+: lan_interface: TOML syntax: an invalid \\ escape in a string`},
		{"handshake = 1979-05-27T" + pw + "\n", `1:\d+: handshake: TOML syntax: a malformed date or time`},
		{"port = 0b" + pw + "\n", `1:\d+: port: TOML syntax: a malformed number`},
		{"host = \"a\"\nhost = \"" + pw + "\"\n", `2:\d+: host: TOML syntax: defined twice; each key and table may appear once`},
		{"[" + pw + "\n", `\d+:\d+: TOML syntax: a malformed \[table\] header`},
	} {
		_, err := Decode("f", "/cfg/f.toml", []byte(tc.content))
		var ie *InvalidError
		if !errors.As(err, &ie) {
			t.Fatalf("%q: Decode = %v, want an *InvalidError", tc.content, err)
		}
		if containsPart(err.Error(), pw) {
			t.Errorf("%q: the error quotes the value: %v", tc.content, err)
		}
		if !regexp.MustCompile(`^/cfg/f\.toml:` + tc.want).MatchString(err.Error()) {
			t.Errorf("%q:\nerror %s\nwant  /cfg/f.toml:%s", tc.content, err, tc.want)
		}
	}
	// Settings files share the decoder's syntax errors.
	path := winetest.TempDir(t) + "/settings.toml"
	if err := os.WriteFile(path, []byte("active_profile = "+pw+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSettings(path); err == nil || containsPart(err.Error(), pw) || !strings.Contains(err.Error(), path+":1:") {
		t.Errorf("LoadSettings = %v", err)
	}
}

func TestSyntaxMessageFallback(t *testing.T) {
	if got := syntaxMessage("something new \"" + randomWord(t) + "\""); got != "not valid TOML here" {
		t.Errorf("an unknown parser message maps to %q", got)
	}
	if p := syntaxProblem(errors.New("not a ParseError: " + randomWord(t))); p.Msg != "TOML syntax: not valid TOML" {
		t.Errorf("a foreign error gives %q", p.Msg)
	}
}
