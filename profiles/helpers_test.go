package profiles

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/sockstray/sockstray/internal/testnet"
	"github.com/sockstray/sockstray/internal/winetest"
)

func TestMain(m *testing.M) {
	// godbus keeps one shared session-bus connection for the process.
	goleak.VerifyTestMain(m,
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.(*Conn).inWorker"),
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.(*Conn).outWorker"),
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.(*defaultSignalHandler).DeliverSignal.func1"),
		goleak.IgnoreAnyFunction("github.com/godbus/dbus/v5.newConn.func1"),
	)
}

// testService keeps test secrets apart from a real user's.
var testService = fmt.Sprintf("sockstray-test-%d", os.Getpid())

// needKeychain returns a keychain for the test, failing the test when no
// Secret Service can store and read a secret. Only
// SOCKSTRAY_NO_KEYCHAIN_TESTS=1 turns these tests off.
func needKeychain(t *testing.T) *Keychain {
	t.Helper()
	if os.Getenv("SOCKSTRAY_NO_KEYCHAIN_TESTS") == "1" {
		t.Skip("SOCKSTRAY_NO_KEYCHAIN_TESTS=1")
	}
	k := &Keychain{Service: testService}
	account := "probe/" + t.Name()
	err := k.Set(account, "probe-secret")
	if err == nil {
		var got string
		got, err = k.Get(account)
		if err == nil && got != "probe-secret" {
			err = fmt.Errorf("read back %d bytes, want 12", len(got))
		}
		k.Delete(account)
	}
	if err != nil {
		t.Fatalf("no usable OS keychain: %v\nrun the tests inside scripts/with-session.sh (make test does), or set SOCKSTRAY_NO_KEYCHAIN_TESTS=1 to leave keychain tests out", err)
	}
	return k
}

// newStore is a store in a fresh folder with the test keychain service
// (which is only contacted by tests that need it).
func newStore(t *testing.T) *Store {
	t.Helper()
	return &Store{Dir: filepath.Join(winetest.TempDir(t), "profiles"), Keychain: &Keychain{Service: testService}}
}

// writeProfile writes content as name's file the way a user's editor
// would (in place), creating the folder.
func writeProfile(t *testing.T, s *Store, name, content string) string {
	t.Helper()
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(s.Dir, name+Ext)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// child reports whether this process is the child that parent test
// started with runChild, for mode.
func child(mode string) bool { return os.Getenv("SOCKSTRAY_TEST_CHILD") == mode }

// runChild runs the test named test again in a new process, behind the
// command prefix (for example dbus-run-session), with env changed (an
// entry "NAME=" without a value removes NAME) and SOCKSTRAY_TEST_CHILD=mode,
// and fails if it fails.
func runChild(t *testing.T, mode string, env []string, prefix ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args := append(prefix, os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd := exec.CommandContext(ctx, args[0], args[1:]...)
	cmd.Env = append(os.Environ(), "SOCKSTRAY_TEST_CHILD="+mode)
	// A child stuck past the minute goes with what it started (the
	// prefix may be dbus-run-session, whose daemon holds the output), and
	// the wait for its output ends soon after.
	cmd.Cancel = func() error { testnet.KillTree(cmd.Process.Pid); return nil }
	cmd.WaitDelay = 5 * time.Second
	for _, e := range env {
		if name, ok := strings.CutSuffix(e, "="); ok {
			cmd.Env = slices.DeleteFunc(cmd.Env, func(v string) bool { return strings.HasPrefix(v, name+"=") })
			continue
		}
		cmd.Env = append(cmd.Env, e)
	}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("child %s: %v\n%s", mode, err, out)
	}
	return string(out)
}

// nextEvent waits for the watcher's next event.
func nextEvent(t *testing.T, w *Watcher) Event {
	t.Helper()
	select {
	case ev := <-w.Events():
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no watcher event within 5s")
	}
	return Event{}
}

// noEvent checks that the watcher stays quiet for a while (longer than a
// debounce).
func noEvent(t *testing.T, w *Watcher, d time.Duration) {
	t.Helper()
	select {
	case ev := <-w.Events():
		t.Fatalf("unexpected event %v %s (err %v)", ev.Kind, ev.Name, ev.Err)
	case <-time.After(d):
	}
}

func removeFile(t *testing.T, path string) {
	t.Helper()
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
}
