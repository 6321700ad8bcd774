//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/profiles"
)

const refusedOnCommandLine = "sockstray profiles import: a password on the command line is refused (ps and shell history show it); " +
	"run `sockstray profiles import -` and paste the link, or `sockstray profiles import - < FILE`"

// TestProfilesImportRefusesPasswordArgument: a link with a password is
// refused on the command line, valid or not, and nothing is imported.
func TestProfilesImportRefusesPasswordArgument(t *testing.T) {
	appKeychain(t)
	home := freshConfigHome(t)
	pw := secret("argv-password")
	for _, link := range []string{
		"socks5://bob:" + pw + "@127.0.0.1:1080#Argv",
		"socks5://bob:" + pw + "@127.0.0.1:99999#Argv", // invalid too: the password is what matters
		"socks5://:" + pw + "@127.0.0.1:1080#Argv",
		"http://bob:" + pw + "@127.0.0.1:1080",
	} {
		code, out, errs := profilesCLI(t, "import", link)
		if code != 2 || out != "" || errs != refusedOnCommandLine+"\n" {
			t.Errorf("import %s = exit %d, stdout %q, stderr %q\nwant exit 2 and %s", link, code, out, errs, refusedOnCommandLine)
		}
		noSecrets(t, "stderr", errs, pw)
	}
	if _, out, _ := profilesCLI(t, "list"); strings.Contains(out, "Argv") {
		t.Errorf("a refused link was imported:\n%s", out)
	}
	scanFilesForSecrets(t, home, pw)
}

// TestProfilesImportFromStdin runs the real binary with the link on a
// pipe: the password reaches the keychain and nothing else.
func TestProfilesImportFromStdin(t *testing.T) {
	k, service := appKeychain(t)
	home := t.TempDir()
	pw := secret("stdin-password")
	env := childEnv("XDG_CONFIG_HOME="+home, envKeychainService+"="+service)
	r := runTool(t, 10*time.Second, env, "socks5://carol:"+pw+"@127.0.0.1:1085#Piped\r\n", sockstrayBin(t), "profiles", "import", "-")
	account := profiles.UpstreamAccount("Piped", profiles.Upstream{Host: "127.0.0.1", Port: 1085, Username: "carol"})
	t.Cleanup(func() { k.Delete(account) })
	want := "imported profile \"Piped\": listens on 127.0.0.1:1080, via carol@127.0.0.1:1085\nits password is in the keychain as Piped/upstream/carol@127.0.0.1:1085\n"
	if r.code != 0 || r.stdout != want || r.stderr != "" {
		t.Fatalf("profiles import - = %s\nwant exit 0 and stdout %q", r, want)
	}
	if got, err := k.Get(account); err != nil || got != pw {
		t.Errorf("the piped link's password is not in the keychain: %v", err)
	}
	if _, err := os.Stat(filepath.Join(home, "sockstray", "profiles", "Piped.toml")); err != nil {
		t.Errorf("no profile file: %v", err)
	}
	scanFilesForSecrets(t, home, pw)
}

func TestProfilesImportStdinErrors(t *testing.T) {
	appKeychain(t)
	home := freshConfigHome(t)
	pw := secret("stdin-bad-password")
	for _, tc := range []struct {
		stdin string
		code  int
		want  string
	}{
		{"", 1, "no link on standard input; want one line such as socks5://USER:PASSWORD@HOST:PORT#NAME"},
		{" \n\n", 1, "no link on standard input; want one line such as socks5://USER:PASSWORD@HOST:PORT#NAME"},
		{"socks5://a:" + pw + "@h:1#A\nsocks5://b:" + pw + "@h:2#B\n", 1, "standard input holds 2 lines; want one link (import them one at a time)"},
		{"socks5://u:" + pw + "@h:1#" + strings.Repeat("x", maxLinkInput), 1, "standard input holds more than 4096 bytes; want one link"},
		{"http://u:" + pw + "@h:1#x\n", 1, `link: scheme "http" is not socks5; want socks5://USER@HOST:PORT#NAME`},
		{"socks5://u:" + pw + "@h:99999#x\n", 1, "link: port 99999 is not a port (1–65535)"},
		{"socks5://u:" + pw + "@h:1#a%2Fb\n", 1, `link: #NAME: "a/b" holds one of / \ : * ? " < > |, which file names cannot`},
	} {
		code, out, errs := profilesCLIStdin(t, tc.stdin, "import", "-")
		if code != tc.code || out != "" || errs != "sockstray profiles import: "+tc.want+"\n" {
			t.Errorf("import - with %d bytes on stdin = exit %d, stdout %q, stderr %q\nwant exit %d and: %s", len(tc.stdin), code, out, errs, tc.code, tc.want)
		}
		noSecrets(t, "stderr", errs, pw)
	}
	if _, out, _ := profilesCLI(t, "list"); strings.Count(out, "\n") != 2 {
		t.Errorf("a failed import left a profile:\n%s", out)
	}
	scanFilesForSecrets(t, home, pw)
}
