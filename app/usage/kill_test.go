package usage_test

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/sockstray/sockstray/app/usage"
	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/server"
	"github.com/sockstray/sockstray/internal/testnet"
)

// childEnv names the folder of the history when the test binary runs as
// the child of TestKill9LosesAtMostOneFlush.
const childEnv = "SOCKSTRAY_USAGE_CHILD"

// childFlush is the child's flush interval: the app's minute, shortened.
const childFlush = 200 * time.Millisecond

// child is a proxy with its usage history on, as the app runs it: it
// prints its address, then serves until SIGTERM, when it stops the engine
// and the recorder.
func child(dir string) int {
	e := engine.New()
	if err := e.Start(&server.Config{Listen: "127.0.0.1:0", Route: loopbackRoute()}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	r, err := usage.Start(e, usage.Options{Store: &usage.Store{Path: usage.DefaultPath(dir)}, FlushEvery: childFlush,
		OnError: func(err error) { fmt.Fprintln(os.Stderr, "flush:", err) }})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM)
	fmt.Printf("listening on %s\n", e.Addr())
	<-sig
	e.Stop()
	if err := r.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// startChild runs the test binary as a child proxy recording into dir.
func startChild(t *testing.T, dir string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	addr, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
	if err != nil || !ok {
		t.Fatalf("child said %q, %v", line, err)
	}
	return cmd, addr
}

// upOf reads the bytes up to host, waiting up to 10 s for at least min
// (the child flushes on its own time).
func upOf(t *testing.T, store *usage.Store, host string, min int64) int64 {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := sums(t, store, time.Now())[usage.ByHost][host].Up
		if got >= min || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKill9LosesAtMostOneFlush: a proxy recording real traffic is killed
// with SIGKILL. The file opens cleanly afterwards and holds every byte the
// proxy had flushed; what it lost is at most what moved since its last
// flush. A restarted proxy adds to it, and a graceful stop loses nothing.
func TestKill9LosesAtMostOneFlush(t *testing.T) {
	port := testnet.EchoTCP(t, "tcp4").Port
	dir := t.TempDir()
	store := &usage.Store{Path: usage.DefaultPath(dir)}
	cmd, addr := startChild(t, dir)

	a := dialVia(t, addr, nil, target("kill.test", port))
	echo(t, a, 100_000)
	a.Close()
	b := dialVia(t, addr, nil, target("kill.test", port))
	echo(t, b, 50_000)
	// Flushed while the child runs, its read-write opens and our reads
	// taking turns on the file lock.
	if got := upOf(t, store, "kill.test", 150_000); got != 150_000 {
		t.Fatalf("before the kill: %d bytes up recorded, want 150000", got)
	}
	echo(t, b, 70_000)
	if got := upOf(t, store, "kill.test", 220_000); got != 220_000 {
		t.Fatalf("before the kill: %d bytes up recorded, want 220000", got)
	}
	echo(t, b, 30_000) // may or may not be flushed when the kill comes
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	checkFile(t, store.Path)
	got := sums(t, store, time.Now())[usage.ByHost]["kill.test"].Up
	if got < 220_000 || got > 250_000 {
		t.Fatalf("after kill -9: %d bytes up recorded, want 220000 to 250000", got)
	}
	t.Logf("after kill -9: %d of 250000 bytes up recorded", got)

	cmd, addr = startChild(t, dir)
	c := dialVia(t, addr, nil, target("kill.test", port))
	echo(t, c, 10_000)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child after SIGTERM: %v", err)
	}
	if after := sums(t, store, time.Now())[usage.ByHost]["kill.test"].Up; after != got+10_000 {
		t.Errorf("after a restart and a graceful stop: %d bytes up, want %d", after, got+10_000)
	}
}

// checkFile runs bbolt's consistency check on the file.
func checkFile(t *testing.T, path string) {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatalf("open %s after the kill: %v", filepath.Base(path), err)
	}
	defer db.Close()
	err = db.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatalf("consistency check: %v", err)
	}
}
