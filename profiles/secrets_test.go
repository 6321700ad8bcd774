package profiles

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/zalando/go-keyring"

	"github.com/sockstray/sockstray/internal/winetest"
)

func TestKeychainRoundTrip(t *testing.T) {
	k := needKeychain(t)
	const account = "rt/local"
	if err := k.Set(account, "pässword with spaces"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Delete(account) })
	if err := k.Set(account, "second"); err != nil { // replaces
		t.Fatal(err)
	}
	if got, err := k.Get(account); err != nil || got != "second" {
		t.Errorf("Get = %d bytes, %v; want the second password", len(got), err)
	}
	if err := k.Delete(account); err != nil {
		t.Fatal(err)
	}
	_, err := k.Get(account)
	if !errors.Is(err, ErrNoPassword) || err.Error() != "keychain account rt/local: no password in the keychain" {
		t.Errorf("Get after Delete = %v", err)
	}
	if err := k.Delete(account); !errors.Is(err, ErrNoPassword) {
		t.Errorf("Delete of nothing = %v, want ErrNoPassword", err)
	}
}

func TestKeychainErrorMapping(t *testing.T) {
	noBus := &net.OpError{Op: "dial", Net: "unix", Err: errors.New("connect: no such file or directory")}
	for _, tc := range []struct {
		name string
		in   error
		want error
	}{
		{"no bus", noBus, ErrKeychainUnavailable},
		{"no secret service", errors.New("The name org.freedesktop.secrets was not provided by any .service files"), ErrKeychainUnavailable},
		{"no session address", errors.New("dbus: couldn't determine address of session bus"), ErrKeychainUnavailable},
		{"unsupported OS", keyring.ErrUnsupportedPlatform, ErrKeychainUnavailable},
		{"unset bus variable", errNoSessionBus, ErrKeychainUnavailable},
		{"locked", errors.New("failed to unlock correct collection '/org/freedesktop/secrets/aliases/default'"), ErrKeychainLocked},
		{"not found", keyring.ErrNotFound, ErrNoPassword},
	} {
		got := keychainError(tc.in)
		if !errors.Is(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
		if tc.want != ErrNoPassword && !errors.Is(got, tc.in) {
			t.Errorf("%s: the cause is lost: %v", tc.name, got)
		}
	}
	other := errors.New("something else")
	if got := keychainError(other); got != other {
		t.Errorf("other errors pass through: %v", got)
	}
}

// Keychain errors must say what to do; on Linux that names the Secret
// Service and the headless alternative.
const (
	wantUnavailable = `: a Secret Service such as gnome-keyring or KeePassXC must be running and unlocked in your desktop session, or for headless use set $SOCKSTRAY_PASSWORD and $SOCKSTRAY_UPSTREAM_PASSWORD_1, _2, … (one per upstream) instead`
	wantLocked      = `: unlock your keyring (the login keyring in gnome-keyring/Seahorse, or the KeePassXC database with Secret Service integration on) and try again, or for headless use set $SOCKSTRAY_PASSWORD and $SOCKSTRAY_UPSTREAM_PASSWORD_1, _2, … (one per upstream) instead`
)

// TestKeychainWithoutBus runs go-keyring for real against a session bus
// address where nothing listens (in a child process: godbus keeps its
// first connection for the life of a process).
func TestKeychainWithoutBus(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service over D-Bus is the Linux keychain")
	}
	if !child("nobus") {
		if os.Getenv("SOCKSTRAY_NO_KEYCHAIN_TESTS") == "1" {
			t.Skip("SOCKSTRAY_NO_KEYCHAIN_TESTS=1")
		}
		runChild(t, "nobus", []string{"DBUS_SESSION_BUS_ADDRESS=unix:path=" + winetest.TempDir(t) + "/no-bus"})
		return
	}
	k := &Keychain{Service: testService}
	_, err := k.Get("x/local")
	var op *net.OpError
	if !errors.Is(err, ErrKeychainUnavailable) || !errors.As(err, &op) {
		t.Fatalf("Get = %v, want ErrKeychainUnavailable wrapping a *net.OpError", err)
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "keychain account x/local: the OS keychain is not available (dial unix ") || !strings.HasSuffix(msg, wantUnavailable) {
		t.Errorf("message = %q", msg)
	}
	if err := k.Set("x/local", "pw"); !errors.Is(err, ErrKeychainUnavailable) {
		t.Errorf("Set = %v", err)
	}

	// Without the keychain a profile that needs a password cannot run...
	p := New("x")
	p.Username = "me"
	p.Upstreams = []Upstream{{Host: "127.0.0.1", Port: 1, Username: "up"}}
	if _, err := k.Credentials(p); !errors.Is(err, ErrKeychainUnavailable) ||
		!strings.HasPrefix(err.Error(), `profile "x", local user "me": keychain account x/local: the OS keychain is not available`) {
		t.Errorf("Credentials = %v", err)
	}
	// ...unless the environment gives the passwords (headless use).
	t.Setenv(EnvPassword, "local-pw")
	t.Setenv(EnvUpstreamPassword, "up-pw")
	c, err := k.Credentials(p)
	if err != nil || c.Local != "local-pw" || c.Upstream[0] != "up-pw" {
		t.Errorf("Credentials with the environment = %v", err)
	}

	// Removing a profile with secrets must not leave them behind.
	s := newStore(t)
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	err = s.Remove("x")
	if !errors.Is(err, ErrKeychainUnavailable) || !strings.HasPrefix(err.Error(), `profile "x" not removed: its passwords could not be deleted: keychain account x/local: the OS keychain is not available`) {
		t.Errorf("Remove = %v", err)
	}
	if _, err := s.Load("x"); err != nil {
		t.Errorf("the profile is gone although its secrets stayed: %v", err)
	}
	// One without secrets can go.
	if err := s.Save(New("plain")); err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("plain"); err != nil {
		t.Errorf("Remove of a profile without secrets = %v", err)
	}
	// Import of a link with a password stores nothing when the keychain
	// cannot take the password.
	l, _ := ParseLink("socks5://u:pw@127.0.0.1:1080#imp")
	if _, err := s.Import(l); !errors.Is(err, ErrKeychainUnavailable) ||
		!strings.HasPrefix(err.Error(), "not imported: the link's password could not be stored: ") {
		t.Errorf("Import = %v", err)
	}
	if _, err := s.Load("imp"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Import left a profile behind: %v", err)
	}
}

// TestKeychainLocked runs go-keyring against a private session bus with a
// gnome-keyring that was started but never unlocked.
func TestKeychainLocked(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the Secret Service over D-Bus is the Linux keychain")
	}
	if !child("locked") {
		if os.Getenv("SOCKSTRAY_NO_KEYCHAIN_TESTS") == "1" {
			t.Skip("SOCKSTRAY_NO_KEYCHAIN_TESTS=1")
		}
		for _, bin := range []string{"dbus-run-session", "gnome-keyring-daemon"} {
			if _, err := exec.LookPath(bin); err != nil {
				t.Fatalf("%s is needed for this test (scripts/deps.sh installs it): %v", bin, err)
			}
		}
		// A keyring of its own: fresh folders, and none of the outer
		// session's keyring variables (its daemon would answer instead).
		runtimeDir := winetest.TempDir(t)
		os.Chmod(runtimeDir, 0o700)
		env := []string{"XDG_DATA_HOME=" + winetest.TempDir(t), "XDG_RUNTIME_DIR=" + runtimeDir,
			"GNOME_KEYRING_CONTROL=", "GNOME_KEYRING_PID=", "SSH_AUTH_SOCK=", "DBUS_SESSION_BUS_ADDRESS="}
		runChild(t, "locked", env,
			"dbus-run-session", "--", "sh", "-c", `gnome-keyring-daemon --start --components=secrets >/dev/null 2>&1; exec "$@"`, "sh")
		return
	}
	k := &Keychain{Service: testService}
	err := k.Set("x/local", "pw")
	if !errors.Is(err, ErrKeychainLocked) {
		t.Fatalf("Set = %v, want ErrKeychainLocked", err)
	}
	if msg := err.Error(); !strings.HasPrefix(msg, "keychain account x/local: the OS keychain is locked (failed to unlock correct collection") ||
		!strings.HasSuffix(msg, wantLocked) {
		t.Errorf("message = %q", msg)
	}
	if _, err := k.Get("x/local"); !errors.Is(err, ErrKeychainLocked) {
		t.Errorf("Get = %v", err)
	}
}

func TestCredentialsFromKeychain(t *testing.T) {
	k := needKeychain(t)
	t.Setenv(EnvPassword, "")
	t.Setenv(EnvUpstreamPassword, "")
	p := New("cred")
	p.Username = "me"
	p.Upstreams = []Upstream{{Host: "a.example", Port: 1, Username: "u1"}, {Host: "b.example", Port: 2}, {Host: "c.example", Port: 3, Username: "u3"}}
	_, err := k.Credentials(p)
	want := `profile "cred", local user "me": no password in the keychain (service ` + testService + `, account cred/local); store it with the profile editor, or set $SOCKSTRAY_PASSWORD`
	if !errors.Is(err, ErrNoPassword) || err.Error() != want {
		t.Errorf("Credentials with nothing stored = %v\nwant %s", err, want)
	}
	for acc, pw := range map[string]string{"cred/local": "L", "cred/upstream/u1@a.example:1": "U1", "cred/upstream/u3@c.example:3": "U3"} {
		if err := k.Set(acc, pw); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { k.Delete(acc) })
	}
	c, err := k.Credentials(p)
	if err != nil || c.Local != "L" || fmt.Sprint(c.Upstream) != "[U1  U3]" {
		t.Errorf("Credentials = %v (%q %q)", err, c.Local, c.Upstream)
	}
	t.Setenv(UpstreamPasswordEnv(3), "ENV3")
	if c, err := k.Credentials(p); err != nil || c.Local != "L" || fmt.Sprint(c.Upstream) != "[U1  ENV3]" {
		t.Errorf("$%s does not override upstream 3's password, and only its: %q, %v", UpstreamPasswordEnv(3), c.Upstream, err)
	}
	const hidden = "profiles.Credentials{<redacted>}"
	if got := fmt.Sprintf("%v|%+v|%#v|%s", c, c, c, c); got != strings.Repeat(hidden+"|", 3)+hidden {
		t.Errorf("Credentials print as %s", got)
	}
}

// secretProfile saves a profile "name" with a local user and two
// upstreams with users, their passwords, and stray positional entries 3
// and 4 (left by an earlier version after an edit by hand), and returns
// the accounts: local, upstream 1, upstream 2, the strays.
func secretProfile(t *testing.T, s *Store, k *Keychain, name string) []string {
	t.Helper()
	p := New(name)
	p.Username = "me"
	p.Upstreams = []Upstream{{Host: "a.example", Port: 1, Username: "u1"}, {Host: "b.example", Port: 2, Username: "u2"}}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	accounts := []string{LocalAccount(name), UpstreamAccount(name, p.Upstreams[0]), UpstreamAccount(name, p.Upstreams[1]),
		legacyUpstreamAccount(name, 3), legacyUpstreamAccount(name, 4)}
	for _, a := range accounts {
		if err := k.Set(a, "pw-"+a); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { k.Delete(a) })
	}
	return accounts
}

func assertNoSecrets(t *testing.T, k *Keychain, accounts ...string) {
	t.Helper()
	for _, a := range accounts {
		if _, err := k.Get(a); !errors.Is(err, ErrNoPassword) {
			t.Errorf("account %s left behind (%v)", a, err)
		}
	}
}

func TestRemoveDeletesSecrets(t *testing.T) {
	k := needKeychain(t)
	s := newStore(t)
	s.Keychain = k
	accounts := secretProfile(t, s, k, "rm")
	if err := s.Remove("rm"); err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, k, accounts...)
	if err := s.Remove("rm"); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Remove = %v, want ErrNotFound", err)
	}
	// Secrets whose file was deleted by hand are cleared by Remove too.
	k.Set(LocalAccount("gone"), "pw")
	if err := s.Remove("gone"); err != nil {
		t.Errorf("Remove of orphaned secrets = %v", err)
	}
	assertNoSecrets(t, k, LocalAccount("gone"))
}

func TestRenameMovesSecrets(t *testing.T) {
	k := needKeychain(t)
	s := newStore(t)
	s.Keychain = k
	old := secretProfile(t, s, k, "before")
	if err := s.Save(New("taken")); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename("before", "Taken"); !errors.Is(err, ErrExists) {
		t.Errorf("Rename onto another profile = %v, want ErrExists", err)
	}
	if err := s.Rename("before", "after"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Remove("after") })
	assertNoSecrets(t, k, old...)
	a1, a2 := Upstream{Host: "a.example", Port: 1, Username: "u1"}, Upstream{Host: "b.example", Port: 2, Username: "u2"}
	for i, a := range []string{LocalAccount("after"), UpstreamAccount("after", a1), UpstreamAccount("after", a2)} {
		if got, err := k.Get(a); err != nil || got != "pw-"+old[i] {
			t.Errorf("%s: %v", a, err)
		}
	}
	if _, err := s.Load("before"); !errors.Is(err, ErrNotFound) {
		t.Errorf("old file still there: %v", err)
	}
	if p, err := s.Load("after"); err != nil || p.Username != "me" {
		t.Errorf("Load(after) = %+v, %v", p, err)
	}
}

func TestSaveDropsUnusedSecrets(t *testing.T) {
	k := needKeychain(t)
	s := newStore(t)
	s.Keychain = k
	secretProfile(t, s, k, "edit")
	p, _ := s.Load("edit")
	p.Username = ""
	p.Upstreams = p.Upstreams[:1]
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, k, LocalAccount("edit"), UpstreamAccount("edit", Upstream{Host: "b.example", Port: 2, Username: "u2"}))
	if _, err := k.Get(UpstreamAccount("edit", p.Upstreams[0])); err != nil {
		t.Errorf("the secret still in use was deleted: %v", err)
	}
}
