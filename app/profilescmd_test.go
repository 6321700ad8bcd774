//go:build unix

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/net/proxy"

	"github.com/sockstray/sockstray/internal/testnet"
	"github.com/sockstray/sockstray/profiles"
)

// appKeychain returns a keychain under a service of the test's own, made
// the app's through $SOCKSTRAY_KEYCHAIN_SERVICE, and fails the test when no
// Secret Service works (SOCKSTRAY_NO_KEYCHAIN_TESTS=1 leaves it out).
func appKeychain(t *testing.T) (*profiles.Keychain, string) {
	t.Helper()
	if os.Getenv("SOCKSTRAY_NO_KEYCHAIN_TESTS") == "1" {
		t.Skip("SOCKSTRAY_NO_KEYCHAIN_TESTS=1")
	}
	service := fmt.Sprintf("sockstray-apptest-%d", os.Getpid())
	k := &profiles.Keychain{Service: service}
	err := k.Set("probe/local", "probe")
	if err == nil {
		err = k.Delete("probe/local")
	}
	if err != nil {
		t.Fatalf("no usable OS keychain: %v\nrun the tests inside scripts/with-session.sh (make test does), or set SOCKSTRAY_NO_KEYCHAIN_TESTS=1", err)
	}
	t.Setenv(envKeychainService, service)
	return k, service
}

// profilesCLI runs `sockstray profiles args...` in this process with a config
// folder of the test's own.
func profilesCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"profiles"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// profilesCLIStdin is profilesCLI with stdin as standard input.
func profilesCLIStdin(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = profilesCmd(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestProfilesCommand(t *testing.T) {
	k, _ := appKeychain(t)
	home := freshConfigHome(t)
	dir := filepath.Join(home, "sockstray", "profiles")
	pw := secret("link-password")

	code, out, errs := profilesCLI(t, "list")
	want := "  NAME    LISTEN          USER  ROUTE\n* Direct  127.0.0.1:1080  -     direct\n"
	if code != 0 || out != want || errs != "" {
		t.Fatalf("list on a first start = %d %q %q, want\n%s", code, out, errs, want)
	}
	if _, err := os.Stat(filepath.Join(dir, "Direct.toml")); err != nil {
		t.Errorf("the built-in profile was not written: %v", err)
	}

	code, out, errs = profilesCLIStdin(t, "socks5://bob:"+pw+"@gateway.example.com:1080#Work%20VPN\n", "import", "-")
	if code != 0 || errs != "" || out != "imported profile \"Work VPN\": listens on 127.0.0.1:1080, via bob@gateway.example.com:1080\nits password is in the keychain as Work VPN/upstream/bob@gateway.example.com:1080\n" {
		t.Fatalf("import = %d %q %q", code, out, errs)
	}
	if got, err := k.Get("Work VPN/upstream/bob@gateway.example.com:1080"); err != nil || got != pw {
		t.Errorf("the link's password is not in the keychain: %v", err)
	}
	t.Cleanup(func() { k.Delete("Work VPN/upstream/bob@gateway.example.com:1080") })

	code, out, _ = profilesCLI(t, "list")
	if code != 0 || !strings.Contains(out, "  Work VPN  127.0.0.1:1080  -     via bob@gateway.example.com:1080\n") {
		t.Errorf("list after import:\n%s", out)
	}
	code, out, _ = profilesCLI(t, "show", "Work VPN")
	if code != 0 || !strings.HasPrefix(out, "# "+filepath.Join(dir, "Work VPN.toml")+"\n# Sockstray profile.") ||
		!strings.Contains(out, "[[upstream]]\nname = \"\"\nkind = \"socks5\"\nhost = \"gateway.example.com\"\nport = 1080\nusername = \"bob\"\n") {
		t.Errorf("show:\n%s", out)
	}
	code, out, _ = profilesCLI(t, "export", "Work VPN")
	if code != 0 || out != "socks5://127.0.0.1:1080#Work%20VPN\n" {
		t.Errorf("export = %d %q", code, out)
	}

	// A profile with a local user: export leaves the password out unless asked.
	os.WriteFile(filepath.Join(dir, "Shared.toml"), []byte("share_on_lan = true\nlan_interface = \"192.168.5.5\"\nusername = \"me\"\nport = 1090\n"), 0o600)
	localPW := secret("local-password")
	k.Set("Shared/local", localPW)
	t.Cleanup(func() { k.Delete("Shared/local") })
	if code, out, _ = profilesCLI(t, "export", "Shared"); out != "socks5://me@192.168.5.5:1090#Shared\n" {
		t.Errorf("export = %d %q", code, out)
	}
	if code, out, _ = profilesCLI(t, "export", "--with-password", "Shared"); out != "socks5://me:"+localPW+"@192.168.5.5:1090#Shared\n" {
		t.Errorf("export --with-password = %d %q", code, out)
	}
	if code, out, _ = profilesCLI(t, "export", "Shared", "--with-password"); code != 0 || !strings.Contains(out, localPW) {
		t.Errorf("export NAME --with-password = %d %q", code, out)
	}

	code, out, errs = profilesCLI(t, "remove", "Work VPN")
	if code != 0 || out != "removed profile \"Work VPN\" and its passwords\n" || errs != "" {
		t.Errorf("remove = %d %q %q", code, out, errs)
	}
	if _, err := k.Get("Work VPN/upstream/bob@gateway.example.com:1080"); !errors.Is(err, profiles.ErrNoPassword) {
		t.Errorf("remove left the password in the keychain: %v", err)
	}
	if code, out, _ = profilesCLI(t, "remove", "Shared"); code != 0 {
		t.Errorf("remove Shared = %d %q", code, out)
	}
	if _, err := k.Get("Shared/local"); !errors.Is(err, profiles.ErrNoPassword) {
		t.Errorf("remove left the local password in the keychain: %v", err)
	}
	scanFilesForSecrets(t, home, pw, localPW)
}

func TestProfilesCommandErrors(t *testing.T) {
	appKeychain(t)
	home := freshConfigHome(t)
	dir := filepath.Join(home, "sockstray", "profiles")
	pw := secret("dup-password")
	if code, _, errs := profilesCLI(t, "import", "socks5://u@127.0.0.1:1081#Dup"); code != 0 {
		t.Fatalf("import: %s", errs)
	}
	t.Cleanup(func() { profilesCLI(t, "remove", "Dup") })
	os.WriteFile(filepath.Join(dir, "Broken.toml"), []byte("port = 1080\n\n[options]\nudp = \"yes\"\ncolour = 1\n"), 0o600)

	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"bogus"}, 2, "sockstray profiles bogus: unknown subcommand (want list, show, import, export, remove or test)"},
		{[]string{"list", "x"}, 2, "sockstray profiles list: takes no argument"},
		{[]string{"show"}, 2, "sockstray profiles show: want one profile NAME"},
		{[]string{"show", "a", "b"}, 2, "sockstray profiles show: want one profile NAME"},
		{[]string{"export", "--bogus", "Dup"}, 2, "sockstray profiles export: unknown flag --bogus (sockstray profiles help)"},
		{[]string{"show", "--with-password", "Dup"}, 2, "sockstray profiles show: unknown flag --with-password (sockstray profiles help)"},
		{[]string{"import"}, 2, "sockstray profiles import: want one LINK such as socks5://USER@HOST:PORT#NAME, or - to read it from standard input"},
		{[]string{"show", "nope"}, 1, `sockstray profiles show: no such profile: "nope" (there is no ` + filepath.Join(dir, "nope.toml") + ")"},
		{[]string{"show", "../etc"}, 1, `sockstray profiles show: profile name: "../etc" holds one of / \ : * ? " < > |, which file names cannot`},
		{[]string{"show", "Broken"}, 1, "sockstray profiles show: " + filepath.Join(dir, "Broken.toml") + `:4:1: options.udp: a string; want true or false; ` +
			filepath.Join(dir, "Broken.toml") + `:5:1: options.colour: unknown key; known here: udp, bind, handshake_timeout, idle_timeout, max_connections`},
		{[]string{"import", "http://u@h:1#x"}, 1, `sockstray profiles import: link: scheme "http" is not socks5; want socks5://USER@HOST:PORT#NAME`},
		{[]string{"import", "socks5://u@h:99999#x"}, 1, "sockstray profiles import: link: port 99999 is not a port (1–65535)"},
		{[]string{"import", "socks5://u@127.0.0.1:1082#dup"}, 1, `sockstray profiles import: a profile with that name exists: "Dup"; remove it first, or change the link's #NAME`},
		{[]string{"import", "socks5://u:" + pw + "@h:1#a%2Fb"}, 2, refusedOnCommandLine},
		{[]string{"export", "--with-password", "Dup"}, 1, `sockstray profiles export: profile "Dup" has no username, so no password to export`},
		{[]string{"remove", "nope"}, 1, `sockstray profiles remove: no such profile: "nope" (there is no ` + filepath.Join(dir, "nope.toml") + ")"},
	} {
		code, out, errs := profilesCLI(t, tc.args...)
		if code != tc.code || out != "" || errs != tc.want+"\n" {
			t.Errorf("profiles %q = exit %d, stdout %q, stderr %q\nwant exit %d, stderr %s", tc.args, code, out, errs, tc.code, tc.want)
		}
		noSecrets(t, "stderr", errs, pw)
	}
	// A profile whose file is broken is listed as such; the others still are.
	code, out, _ := profilesCLI(t, "list")
	if code != 0 || !strings.Contains(out, "  Broken  invalid: "+filepath.Join(dir, "Broken.toml")+":4:1: options.udp") ||
		!strings.Contains(out, "* Direct") || !strings.Contains(out, "  Dup ") {
		t.Errorf("list with a broken file = %d\n%s", code, out)
	}
	if code, out, _ := profilesCLI(t); code != 2 || out != "" {
		t.Errorf("no subcommand: exit %d", code)
	}
	if code, out, _ := profilesCLI(t, "help"); code != 0 || !strings.HasPrefix(out, "usage:\n") {
		t.Errorf("help: exit %d %q", code, out)
	}
	scanFilesForSecrets(t, home, pw)
}

// scanFilesForSecrets fails if any file under dir holds one of the passwords.
func scanFilesForSecrets(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, _ := os.ReadFile(path)
		n++
		noSecrets(t, path, string(data), secrets...)
		return nil
	})
	if n == 0 {
		t.Errorf("no file under %s to scan", dir)
	}
}

// TestServeProfile runs `sockstray serve --profile NAME` with its password
// in the keychain, and edits the profile's file while it runs.
func TestServeProfile(t *testing.T) {
	k, service := appKeychain(t)
	home := t.TempDir()
	dir := filepath.Join(home, "sockstray", "profiles")
	os.MkdirAll(dir, 0o700)
	path := filepath.Join(dir, "live.toml")
	pw := secret("serve-profile-password")
	if err := k.Set("live/local", pw); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Delete("live/local") })
	write := func(content string) {
		t.Helper()
		tmp := path + ".tmp" // an editor's atomic save
		if err := os.WriteFile(tmp, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, path); err != nil {
			t.Fatal(err)
		}
	}
	write("username = \"me\"\nallow = [\"127.0.0.1/32\"]\n")
	target := testnet.EchoTCP(t, "tcp4").String()
	auth := &proxy.Auth{User: "me", Password: pw}

	env := []string{"XDG_CONFIG_HOME=" + home, envKeychainService + "=" + service}
	p, addr := startServe(t, env, "--profile", "live", "--listen", "127.0.0.1:0")
	open := mustDialSOCKS(t, addr, auth, target)
	defer open.Close()
	mustEchoBack(t, open, "hello")
	if c, err := dialSOCKS(addr, nil, target); err == nil {
		c.Close()
		t.Error("a client without the password got through")
	}

	waitLog := func(re string) {
		t.Helper()
		rx := regexp.MustCompile(re)
		if !waitFor(5*time.Second, func() bool { return rx.MatchString(p.stderr.String()) }) {
			t.Fatalf("serve logged nothing matching %s:\n%s", re, p.stderr.String())
		}
	}
	// New rules for new connections; the open one keeps going.
	write("username = \"me\"\nallow = [\"127.0.0.1/32\"]\n[options]\nmax_connections = 1\n")
	waitLog(`level=INFO msg="profile reloaded" profile=live\n`)
	if c, err := dialSOCKS(addr, auth, target); err == nil {
		c.Close()
		t.Error("a client over the new connection limit got through")
	}
	mustEchoBack(t, open, "still open")

	write("username = \"me\"\nallow = [\"127.0.0.1/32\"]\nport = 99999\n")
	waitLog(`level=WARN msg="profile invalid: ` + regexp.QuoteMeta(path) + `:3:1: port: 99999 is not a port \(1–65535\), keeping the last good config" profile=live\n`)

	write("username = \"me\"\nallow = [\"127.0.0.1/32\"]\n")
	waitLog(`(?s)profile invalid.*msg="profile reloaded"`)
	c := mustDialSOCKS(t, addr, auth, target)
	c.Close()

	scanFilesForSecrets(t, home, pw)
	os.Remove(path)
	waitLog(`level=WARN msg="profile removed, keeping the last config" profile=live\n`)
	c = mustDialSOCKS(t, addr, auth, target)
	c.Close()
	mustEchoBack(t, open, "and still")

	if code := p.stop(t, syscall.SIGTERM); code != 0 {
		t.Errorf("exit %d after SIGTERM", code)
	}
	// What serve printed, as a log file would hold it.
	os.WriteFile(filepath.Join(home, "serve.log"), []byte(p.stdout.String()+p.stderr.String()), 0o600)
	scanFilesForSecrets(t, home, pw)
}

func TestServeProfileRefuses(t *testing.T) {
	_, service := appKeychain(t)
	home := t.TempDir()
	dir := filepath.Join(home, "sockstray", "profiles")
	os.MkdirAll(dir, 0o700)
	os.WriteFile(filepath.Join(dir, "nopw.toml"), []byte("username = \"me\"\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "bad.toml"), []byte("port = 0\n"), 0o600)
	os.WriteFile(filepath.Join(dir, "hopnopw.toml"), []byte("[[upstream]]\nhost = \"Proxy2.example\"\nport = 1080\nusername = \"bob\"\n"), 0o600)
	env := childEnv("XDG_CONFIG_HOME="+home, envKeychainService+"="+service)
	for _, tc := range []struct {
		args []string
		env  []string
		want string
	}{
		{[]string{"--profile", "nope"}, nil, `sockstray serve: no such profile: "nope" (there is no ` + filepath.Join(dir, "nope.toml") + ")"},
		{[]string{"--profile", "bad"}, nil, "sockstray serve: " + filepath.Join(dir, "bad.toml") + ":1:1: port: 0 is not a port (1–65535)"},
		{[]string{"--profile", "nopw"}, nil, `sockstray serve: profile "nopw", local user "me": no password in the keychain (service ` + service + `, account nopw/local); store it with the profile editor, or set $SOCKSTRAY_PASSWORD`},
		{[]string{"--profile", "hopnopw"}, nil, `sockstray serve: profile "hopnopw": upstream 1 (bob@proxy2.example:1080) has no password in the keychain (service ` + service + `, account hopnopw/upstream/bob@proxy2.example:1080); store it with the profile editor, or set $SOCKSTRAY_UPSTREAM_PASSWORD (or $SOCKSTRAY_UPSTREAM_PASSWORD_1)`},
		{[]string{"--profile", "nopw", "--user", "x"}, nil, "sockstray serve: --user cannot be combined with --profile (only --listen can); change the profile instead"},
		{[]string{"--profile", "nopw", "--listen", "127.0.0.1:0"}, []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(home, "no-bus")},
			`sockstray serve: profile "nopw", local user "me": keychain account nopw/local: the OS keychain is not available (dial unix ` + filepath.Join(home, "no-bus") + `: connect: no such file or directory): a Secret Service such as gnome-keyring or KeePassXC must be running and unlocked in your desktop session, or for headless use set $SOCKSTRAY_PASSWORD and $SOCKSTRAY_UPSTREAM_PASSWORD_1, _2, … (one per upstream) instead`},
	} {
		r := runTool(t, 10*time.Second, append(env, tc.env...), "", sockstrayBin(t), append([]string{"serve"}, tc.args...)...)
		if r.code != 2 || r.stdout != "" || r.stderr != tc.want+"\n" {
			t.Errorf("serve %q = %s\nwant exit 2 and: %s", tc.args, r, tc.want)
		}
	}
	// Headless: the environment stands in for the keychain.
	pw := secret("env-password")
	p, addr := startServe(t, []string{"XDG_CONFIG_HOME=" + home, "SOCKSTRAY_PASSWORD=" + pw, "DBUS_SESSION_BUS_ADDRESS=unix:path=" + filepath.Join(home, "no-bus")},
		"--profile", "nopw", "--listen", "127.0.0.1:0")
	c := mustDialSOCKS(t, addr, &proxy.Auth{User: "me", Password: pw}, testnet.EchoTCP(t, "tcp4").String())
	c.Close()
	p.stop(t, syscall.SIGINT)
	noSecrets(t, "serve stderr", p.stderr.String(), pw)
	if _, err := os.Stat(filepath.Join(dir, "Direct.toml")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("serve --profile of another profile wrote the built-in one: %v", err)
	}
}

func dialSOCKS(proxyAddr string, auth *proxy.Auth, target string) (net.Conn, error) {
	d, err := proxy.SOCKS5("tcp", proxyAddr, auth, &net.Dialer{Timeout: 5 * time.Second})
	if err != nil {
		return nil, err
	}
	return d.Dial("tcp", target)
}

func mustDialSOCKS(t *testing.T, proxyAddr string, auth *proxy.Auth, target string) net.Conn {
	t.Helper()
	c, err := dialSOCKS(proxyAddr, auth, target)
	if err != nil {
		t.Fatalf("dial %s via %s: %v", target, proxyAddr, err)
	}
	return c
}

func mustEchoBack(t *testing.T, c net.Conn, msg string) {
	t.Helper()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, msg); err != nil {
		t.Fatalf("write: %v", err)
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != msg {
		t.Fatalf("echo %q: %q, %v", msg, buf, err)
	}
}
