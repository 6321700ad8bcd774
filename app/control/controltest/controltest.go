// Package controltest gives the desktop app's tests a Controller on a fresh
// profiles folder and a test keychain service, profiles that listen on free
// loopback ports, a loopback echo server and a SOCKS5 client. Everything
// listens on loopback only.
package controltest

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/net/proxy"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/internal/testnet"
	"github.com/sockstray/sockstray/profiles"
)

// Service is the keychain service the tests' secrets go under, apart from
// a real user's.
var Service = fmt.Sprintf("sockstray-test-%d", os.Getpid())

// New returns a controller on a fresh folder whose built-in profile
// listens on a free loopback port (never 1080). It is closed when the test
// ends.
func New(t testing.TB) *control.Controller {
	t.Helper()
	return NewWith(t, control.Options{})
}

// NewWith is New with the OS integrations (and anything else the test
// sets) of o; its Store and SettingsPath are the fresh ones.
func NewWith(t testing.TB, o control.Options) *control.Controller {
	t.Helper()
	dir := t.TempDir()
	store := &profiles.Store{Dir: filepath.Join(dir, "profiles"), Keychain: &profiles.Keychain{Service: Service}}
	direct := profiles.Builtin()
	direct.Port = FreePort(t)
	if err := store.Create(direct); err != nil {
		t.Fatal(err)
	}
	o.Store, o.SettingsPath = store, filepath.Join(dir, "settings.toml")
	c, err := control.Open(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(0, 0) })
	return c
}

// AddProfile creates a loopback profile name on a free port.
func AddProfile(t testing.TB, c *control.Controller, name string) *profiles.Profile {
	t.Helper()
	p := profiles.New(name)
	p.Port = FreePort(t)
	if err := c.Store().Create(p); err != nil {
		t.Fatal(err)
	}
	return p
}

// NeedKeychain fails the test unless the OS keychain can store and read a
// secret; only SOCKSTRAY_NO_KEYCHAIN_TESTS=1 turns such tests off. It
// returns the test keychain.
func NeedKeychain(t testing.TB) *profiles.Keychain {
	t.Helper()
	if os.Getenv("SOCKSTRAY_NO_KEYCHAIN_TESTS") == "1" {
		t.Skip("SOCKSTRAY_NO_KEYCHAIN_TESTS=1")
	}
	k := &profiles.Keychain{Service: Service}
	account := "probe/" + t.Name()
	err := k.Set(account, "probe-secret")
	if err == nil {
		_, err = k.Get(account)
		k.Delete(account)
	}
	if err != nil {
		t.Fatalf("no usable OS keychain: %v\nrun the tests inside scripts/with-session.sh (make test does), or set SOCKSTRAY_NO_KEYCHAIN_TESTS=1", err)
	}
	return k
}

// FreePort returns a loopback TCP port that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Echo starts a TCP echo server on 127.0.0.1 and returns its address.
func Echo(t testing.TB) string {
	t.Helper()
	return testnet.EchoTCP(t, "tcp4").String()
}

// Dial connects to target through the SOCKS5 proxy at addr, and checks
// that an echo comes back. The caller closes the connection.
func Dial(t testing.TB, addr, target string) net.Conn {
	t.Helper()
	return dial(t, addr, target, nil)
}

// DialAuth is Dial with a username and password.
func DialAuth(t testing.TB, addr, target, user, pass string) net.Conn {
	t.Helper()
	return dial(t, addr, target, &proxy.Auth{User: user, Password: pass})
}

func dial(t testing.TB, addr, target string, auth *proxy.Auth) net.Conn {
	t.Helper()
	d, err := proxy.SOCKS5("tcp", addr, auth, proxy.Direct)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := d.Dial("tcp", target)
	if err != nil {
		t.Fatalf("dial %s through %s: %v", target, addr, err)
	}
	if _, err := conn.Write([]byte("ping")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	if _, err := io.ReadFull(conn, buf); err != nil || string(buf) != "ping" {
		t.Fatalf("echo through the proxy: %q, %v", buf, err)
	}
	return conn
}

// Addr is host:port of a loopback port.
func Addr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// LiveUpstream starts a SOCKS5 upstream for the test: another
// controller's engine on loopback that wants user's password pass (kept
// in the keychain, deleted when the test ends). It returns its port.
func LiveUpstream(t testing.TB, user, pass string) int {
	t.Helper()
	k := NeedKeychain(t)
	up := New(t)
	p := up.Active()
	p.Username = user
	if err := up.SaveProfile(p.Name, p, control.Secrets{Local: pass}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Delete(profiles.LocalAccount(p.Name)) })
	if err := up.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	return p.Port
}
