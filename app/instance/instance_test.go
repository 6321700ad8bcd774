package instance

import (
	"bufio"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/internal/filelock"
	"github.com/sockstray/sockstray/internal/winetest"
)

// transports: every test runs over both, so the Windows transport is tested
// here too.
var transports = map[string]transport{"unix": unixSocket{}, "loopback": loopbackToken{}}

func forEach(t *testing.T, f func(t *testing.T, tr transport)) {
	for name, tr := range transports {
		t.Run(name, func(t *testing.T) {
			if name == "unix" {
				winetest.SkipKnownGap(t, winetest.GapUnixSocket)
			}
			f(t, tr)
		})
	}
}

// shortDir is a fresh directory with a path short enough for a Unix socket
// (sun_path holds about 104 bytes; t.TempDir() can be longer).
func shortDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sti")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func mustClaim(t *testing.T, dir string, onShow func(), tr transport) *Instance {
	t.Helper()
	in, err := claim(dir, onShow, tr)
	if err != nil {
		t.Fatalf("claim: %v", err)
	}
	t.Cleanup(func() { in.Close() })
	return in
}

func waitShow(t *testing.T, shows <-chan struct{}) {
	t.Helper()
	select {
	case <-shows:
	case <-time.After(5 * time.Second):
		t.Fatal("the running copy was not asked to show itself")
	}
}

func TestSecondLaunchShowsFirst(t *testing.T) {
	forEach(t, func(t *testing.T, tr transport) {
		dir := shortDir(t)
		shows := make(chan struct{}, 4)
		mustClaim(t, dir, func() { shows <- struct{}{} }, tr)
		for range 3 {
			in, err := claim(dir, nil, tr)
			if !errors.Is(err, ErrRunning) || in != nil {
				t.Fatalf("second claim = %v, %v; want ErrRunning", in, err)
			}
			waitShow(t, shows)
		}
	})
}

func TestSeparateDirsAreSeparate(t *testing.T) {
	forEach(t, func(t *testing.T, tr transport) {
		mustClaim(t, shortDir(t), nil, tr)
		mustClaim(t, shortDir(t), nil, tr)
	})
}

func TestCloseReleases(t *testing.T) {
	forEach(t, func(t *testing.T, tr transport) {
		dir := shortDir(t)
		in := mustClaim(t, dir, nil, tr)
		if err := in.Close(); err != nil {
			t.Fatal(err)
		}
		if err := in.Close(); err != nil {
			t.Fatalf("second Close: %v", err)
		}
		for _, name := range []string{sockName, addrName} {
			if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
				t.Errorf("%s left after Close", name)
			}
		}
		shows := make(chan struct{}, 1)
		mustClaim(t, dir, func() { shows <- struct{}{} }, tr)
		if _, err := claim(dir, nil, tr); !errors.Is(err, ErrRunning) {
			t.Fatalf("claim after a new copy started: %v", err)
		}
		waitShow(t, shows)
	})
}

func TestStaleSocketIsTakenOver(t *testing.T) {
	winetest.SkipKnownGap(t, winetest.GapUnixSocket)
	dir := shortDir(t)
	// A socket file with nobody listening, as a crash leaves it: connecting
	// is refused.
	ln, err := net.Listen("unix", filepath.Join(dir, sockName))
	if err != nil {
		t.Fatal(err)
	}
	ln.(*net.UnixListener).SetUnlinkOnClose(false)
	ln.Close()
	if c, err := net.Dial("unix", filepath.Join(dir, sockName)); err == nil {
		c.Close()
		t.Fatal("stale socket accepted a connection")
	}
	shows := make(chan struct{}, 1)
	mustClaim(t, dir, func() { shows <- struct{}{} }, unixSocket{})
	if _, err := claim(dir, nil, unixSocket{}); !errors.Is(err, ErrRunning) {
		t.Fatalf("second claim: %v", err)
	}
	waitShow(t, shows)
}

func TestStaleAddrFileIsReplaced(t *testing.T) {
	dir := shortDir(t)
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	stale := ln.Addr().String() + " 00112233\n"
	ln.Close()
	os.WriteFile(filepath.Join(dir, addrName), []byte(stale), 0o600)
	mustClaim(t, dir, nil, loopbackToken{})
	data, _ := os.ReadFile(filepath.Join(dir, addrName))
	if string(data) == stale {
		t.Fatal("address file not rewritten")
	}
	if _, err := claim(dir, nil, loopbackToken{}); !errors.Is(err, ErrRunning) {
		t.Fatalf("second claim: %v", err)
	}
}

func TestWrongTokenIsIgnored(t *testing.T) {
	dir := shortDir(t)
	shows := make(chan struct{}, 1)
	mustClaim(t, dir, func() { shows <- struct{}{} }, loopbackToken{})
	data, _ := os.ReadFile(filepath.Join(dir, addrName))
	addr, _, _ := strings.Cut(string(data), " ")
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("not-the-token\nshow\n"))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if line, err := bufio.NewReader(c).ReadString('\n'); err == nil {
		t.Fatalf("answered %q to a client without the token", line)
	}
	select {
	case <-shows:
		t.Fatal("showed for a client without the token")
	default:
	}
}

func TestUnknownRequest(t *testing.T) {
	winetest.SkipKnownGap(t, winetest.GapUnixSocket)
	dir := shortDir(t)
	shows := make(chan struct{}, 1)
	mustClaim(t, dir, func() { shows <- struct{}{} }, unixSocket{})
	c, err := net.Dial("unix", filepath.Join(dir, sockName))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte("quit\n"))
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	if !strings.HasPrefix(line, "error") {
		t.Fatalf("answered %q to an unknown request", line)
	}
	select {
	case <-shows:
		t.Fatal("showed for an unknown request")
	default:
	}
}

func TestSilentHolderIsAnError(t *testing.T) {
	forEach(t, func(t *testing.T, tr transport) {
		defer func(g time.Duration) { holderGrace = g }(holderGrace)
		holderGrace = 200 * time.Millisecond
		dir := shortDir(t)
		lock, err := filelock.TryOpen(filepath.Join(dir, lockName)) // held, but nobody listens
		if err != nil {
			t.Fatal(err)
		}
		defer lock.Close()
		in, err := claim(dir, nil, tr)
		if err == nil || errors.Is(err, ErrRunning) {
			t.Fatalf("claim = %v, %v; want an error that says the holder does not answer", in, err)
		}
	})
}

func TestSlowClientDoesNotBlockClose(t *testing.T) {
	winetest.SkipKnownGap(t, winetest.GapUnixSocket)
	dir := shortDir(t)
	in := mustClaim(t, dir, nil, unixSocket{})
	c, err := net.Dial("unix", filepath.Join(dir, sockName))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	time.Sleep(50 * time.Millisecond) // let the copy start reading
	start := time.Now()
	in.Close()
	if d := time.Since(start); d > time.Second {
		t.Fatalf("Close took %v with a silent client", d)
	}
}

// A copy in another process that dies without cleaning up (SIGKILL) leaves
// its socket file; the next launch still starts.
func TestCrashedCopyDoesNotBlock(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("uses the Unix transport")
	}
	dir := shortDir(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"="+dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	lines := bufio.NewScanner(stdout)
	expect := func(want string) {
		t.Helper()
		got := make(chan string, 1)
		go func() {
			lines.Scan()
			got <- lines.Text()
		}()
		select {
		case line := <-got:
			if line != want {
				t.Fatalf("helper said %q, want %q", line, want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("helper did not say %q", want)
		}
	}
	expect("claimed")

	// Another process runs: this launch hands over and the helper shows.
	if _, err := Claim(dir, nil); !errors.Is(err, ErrRunning) {
		t.Fatalf("claim while the helper runs: %v", err)
	}
	expect("show")

	cmd.Process.Kill()
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(dir, sockName)); err != nil {
		t.Fatalf("the killed helper left no socket file to test with: %v", err)
	}
	in, err := Claim(dir, nil)
	if err != nil {
		t.Fatalf("claim after the running copy crashed: %v", err)
	}
	in.Close()
}
