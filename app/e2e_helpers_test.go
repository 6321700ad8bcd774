//go:build unix

// End-to-end tests: the real `sockstray serve` binary driven by real
// third-party SOCKS5 clients (curl, ncat, proxychains4) and chained through
// real third-party SOCKS5 servers (microsocks, dante). Everything listens on
// and dials loopback only; the only host name used is "localhost".
//
// The binary is $SOCKSTRAY_BIN when set (make test sets it to bin/sockstray),
// otherwise built once into a temporary directory. A missing external tool
// fails its test with the package to install, unless
// SOCKSTRAY_E2E_ALLOW_MISSING=1 turns that into a skip.

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sockstray/sockstray/internal/testnet"
)

const (
	envBin          = "SOCKSTRAY_BIN"
	envAllowMissing = "SOCKSTRAY_E2E_ALLOW_MISSING"

	startTimeout = 15 * time.Second // a process's first line or port
	toolTimeout  = 20 * time.Second // one run of curl, ncat, proxychains4
	logTimeout   = 5 * time.Second  // a connection's log line after it ended
	stopTimeout  = 5 * time.Second  // a graceful stop
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
	binDir  string // a temporary directory of ours, removed by TestMain
)

// TestMain removes the binary built for the end-to-end tests. The build
// itself happens once, on first use (sockstrayBin), so that `go test -run`
// of a unit test does not pay for it.
func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// sockstrayBin returns the path of the binary under test.
func sockstrayBin(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		if p := os.Getenv(envBin); p != "" {
			// Relative paths are taken from the module root, like the
			// Makefile's bin/sockstray; tests run in app/.
			if !filepath.IsAbs(p) {
				p = filepath.Join("..", p)
			}
			binPath, binErr = filepath.Abs(p)
			if binErr == nil {
				if fi, err := os.Stat(binPath); err != nil || fi.IsDir() {
					binErr = fmt.Errorf("$%s=%s: not a binary (run make build)", envBin, os.Getenv(envBin))
				}
			}
			return
		}
		binDir, binErr = os.MkdirTemp("", "sockstray-e2e-")
		if binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "sockstray")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatalf("building sockstray for the end-to-end tests: %v", binErr)
	}
	return binPath
}

// needTool returns the path of an external program, or fails the test
// naming the Debian package that provides it.
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	// Daemons live in sbin, which a normal user's PATH often lacks.
	for _, dir := range []string{"/usr/sbin", "/sbin", "/usr/local/sbin"} {
		p := filepath.Join(dir, name)
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	missing(t, fmt.Sprintf("%s not found: install the package %s (make test installs it through scripts/deps.sh)", name, pkg))
	return ""
}

// missing fails the test for something the environment lacks, or skips it
// when the user said so: a skipped end-to-end test must never pass silently.
func missing(t *testing.T, msg string) {
	t.Helper()
	if os.Getenv(envAllowMissing) == "1" {
		t.Skipf("%s; skipped because %s=1", msg, envAllowMissing)
	}
	t.Fatalf("%s; set %s=1 to skip instead", msg, envAllowMissing)
}

// childEnv is this process's environment without anything that would make
// a client bypass or change the proxy under test (proxy variables, curl's
// NO_PROXY, proxychains' config), without sockstray's own variables, plus
// extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		lk := strings.ToLower(k)
		if strings.HasSuffix(lk, "_proxy") || strings.HasPrefix(k, "SOCKSTRAY_") || strings.HasPrefix(k, "PROXYCHAINS_") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// secret returns a unique throwaway password for one test.
func secret(prefix string) string {
	b := make([]byte, 12)
	rand.Read(b)
	return prefix + "-" + hex.EncodeToString(b)
}

// proc is a long-running child process in its own process group, so that
// daemons that fork (danted) are killed whole.
type proc struct {
	name           string
	cmd            *exec.Cmd
	stdout, stderr testnet.Buffer
	done           chan struct{}
	waitErr        error // valid once done is closed
}

// startProc starts a process that the test's cleanup kills and waits for.
func startProc(t *testing.T, env []string, name string, args ...string) *proc {
	t.Helper()
	p := &proc{name: filepath.Base(name), done: make(chan struct{})}
	cmd := exec.CommandContext(t.Context(), name, args...)
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = &p.stdout, &p.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 3 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p.cmd = cmd
	go func() {
		p.waitErr = cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		// t.Context() is cancelled by now, which kills the group.
		killGroup(cmd.Process.Pid, syscall.SIGKILL)
		select {
		case <-p.done:
		case <-time.After(10 * time.Second):
			t.Errorf("%s (pid %d) did not end after SIGKILL", p.name, cmd.Process.Pid)
		}
		if t.Failed() {
			t.Logf("%s %q\nstdout:\n%s\nstderr:\n%s", p.name, args, p.stdout.String(), p.stderr.String())
		}
	})
	return p
}

func killGroup(pid int, sig syscall.Signal) error {
	err := syscall.Kill(-pid, sig)
	if errors.Is(err, syscall.ESRCH) {
		return nil
	}
	return err
}

func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// exitCode is the process's exit code once it has ended (-1 when killed by
// a signal).
func (p *proc) exitCode() int {
	<-p.done
	return exitCodeOf(p.waitErr)
}

func exitCodeOf(err error) int {
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.ExitCode()
	}
	return -1
}

// stop sends sig to the process (not its group) and waits for it to end;
// it returns the exit code.
func (p *proc) stop(t *testing.T, sig syscall.Signal) int {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil && !p.exited() {
		t.Fatalf("signal %s to %s: %v", sig, p.name, err)
	}
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		t.Fatalf("%s still running %v after %s\nstderr:\n%s", p.name, stopTimeout, sig, p.stderr.String())
	}
	return p.exitCode()
}

// firstLine waits for the first line on the process's stdout.
func (p *proc) firstLine(t *testing.T) string {
	t.Helper()
	deadline := time.Now().Add(startTimeout)
	for {
		if line, _, ok := strings.Cut(p.stdout.String(), "\n"); ok {
			return line
		}
		if p.exited() {
			if line, _, ok := strings.Cut(p.stdout.String(), "\n"); ok {
				return line
			}
			t.Fatalf("%s ended (exit %d) before its first line\nstdout:\n%s\nstderr:\n%s",
				p.name, p.exitCode(), p.stdout.String(), p.stderr.String())
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s printed no line within %v\nstderr:\n%s", p.name, startTimeout, p.stderr.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var listeningRE = regexp.MustCompile(`^listening on (\S+:[0-9]+)$`)

// startServe runs `sockstray serve args...` with env added to a clean
// environment, and returns it with the address from its first line.
func startServe(t *testing.T, env []string, args ...string) (*proc, string) {
	t.Helper()
	p := startProc(t, childEnv(env...), sockstrayBin(t), append([]string{"serve"}, args...)...)
	line := p.firstLine(t)
	m := listeningRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("first stdout line of sockstray serve %q = %q, want \"listening on HOST:PORT\"", args, line)
	}
	return p, m[1]
}

// waitFor polls cond until it holds or the timeout passes.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// logRecord is one log/slog text line, key to value.
type logRecord map[string]string

// parseLogLine reads `k=v k="quoted v" ...` as slog's TextHandler writes it;
// nil when the line is not one.
func parseLogLine(s string) logRecord {
	r := logRecord{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimLeft(s, " ") {
		eq := strings.IndexByte(s, '=')
		if eq <= 0 || strings.ContainsAny(s[:eq], " \"") {
			return nil
		}
		key := s[:eq]
		s = s[eq+1:]
		if strings.HasPrefix(s, `"`) {
			q, err := strconv.QuotedPrefix(s)
			if err != nil {
				return nil
			}
			r[key], _ = strconv.Unquote(q)
			s = s[len(q):]
			continue
		}
		v, rest, _ := strings.Cut(s, " ")
		r[key], s = v, rest
	}
	if r["time"] == "" || r["level"] == "" || r["msg"] == "" {
		return nil
	}
	return r
}

// records parses every line of a log; a line that is not a slog record
// comes back nil.
func records(log string) []logRecord {
	var out []logRecord
	for _, line := range strings.Split(strings.TrimRight(log, "\n"), "\n") {
		if line != "" {
			out = append(out, parseLogLine(line))
		}
	}
	return out
}

// connLogs returns the per-connection records logged so far.
func (p *proc) connLogs() []logRecord {
	var out []logRecord
	for _, r := range records(p.stderr.String()) {
		if r != nil && r["msg"] == "connection" {
			out = append(out, r)
		}
	}
	return out
}

// waitConnLog waits for a connection record that matches.
func (p *proc) waitConnLog(t *testing.T, what string, match func(logRecord) bool) logRecord {
	t.Helper()
	var found logRecord
	ok := waitFor(logTimeout, func() bool {
		for _, r := range p.connLogs() {
			if match(r) {
				found = r
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("%s logged no connection line with %s within %v\nstderr:\n%s", p.name, what, logTimeout, p.stderr.String())
	}
	return found
}

// waitConnect waits for the log line of a successful CONNECT to dest.
func (p *proc) waitConnect(t *testing.T, dest string) logRecord {
	t.Helper()
	return p.waitConnLog(t, "cmd=CONNECT dest="+dest+" reply=0", func(r logRecord) bool {
		return r["cmd"] == "CONNECT" && r["dest"] == dest && r["reply"] == "0"
	})
}

// httpTarget is a loopback HTTP server with a body of its own.
type httpTarget struct {
	URL  string // http://HOST:PORT/
	Addr string // HOST:PORT as a SOCKS5 log shows it
	Port string
	Body string
	hits atomic.Int64
}

// newHTTPTarget serves on host ("127.0.0.1" or "::1").
func newHTTPTarget(t *testing.T, host string) *httpTarget {
	t.Helper()
	ln, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		missing(t, fmt.Sprintf("cannot listen on loopback %s (%v): this test needs it", host, err))
	}
	ht := &httpTarget{Body: fmt.Sprintf("sockstray e2e target on %s %s\n", host, secret("body"))}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		ht.hits.Add(1)
		io.WriteString(w, ht.Body)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	ht.Addr = ln.Addr().String()
	_, ht.Port, _ = net.SplitHostPort(ht.Addr)
	ht.URL = "http://" + ht.Addr + "/"
	return ht
}

// echoTarget is a loopback TCP server that echoes until the client
// half-closes, then closes.
type echoTarget struct {
	Addr  string
	ln    net.Listener
	mu    sync.Mutex
	conns map[net.Conn]bool
	wg    sync.WaitGroup
}

func newEchoTarget(t *testing.T) *echoTarget {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	e := &echoTarget{Addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]bool{}}
	e.wg.Add(1)
	go e.serve()
	t.Cleanup(func() {
		ln.Close()
		e.mu.Lock()
		for c := range e.conns {
			c.Close()
		}
		e.mu.Unlock()
		e.wg.Wait()
	})
	return e
}

func (e *echoTarget) serve() {
	defer e.wg.Done()
	for {
		c, err := e.ln.Accept()
		if err != nil {
			return
		}
		e.mu.Lock()
		e.conns[c] = true
		e.mu.Unlock()
		e.wg.Add(1)
		go func() {
			defer e.wg.Done()
			io.Copy(c, c)
			c.Close()
			e.mu.Lock()
			delete(e.conns, c)
			e.mu.Unlock()
		}()
	}
}

// result is how a short-lived tool run ended.
type result struct {
	stdout, stderr string
	code           int
	timedOut       bool
}

func (r result) String() string {
	s := fmt.Sprintf("exit %d", r.code)
	if r.timedOut {
		s += " (timed out)"
	}
	return s + fmt.Sprintf("\nstdout: %q\nstderr: %q", r.stdout, r.stderr)
}

// runTool runs a program to its end, with stdin, in a clean environment.
func runTool(t *testing.T, timeout time.Duration, env []string, stdin string, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = env
	if stdin != "" {
		cmd.Stdin = strings.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
	err := cmd.Run()
	return result{stdout: out.String(), stderr: errb.String(), code: exitCodeOf(err), timedOut: ctx.Err() != nil}
}

// curl runs curl (no ~/.curlrc, errors on stderr) with args.
func curl(t *testing.T, args ...string) result {
	t.Helper()
	bin := needTool(t, "curl", "curl")
	args = append([]string{"-q", "-sS", "--max-time", "10"}, args...)
	return runTool(t, toolTimeout, childEnv(), "", bin, args...)
}

// wantBody checks a curl run fetched the target's body through the proxy.
func wantBody(t *testing.T, r result, ht *httpTarget, hitsBefore int64) {
	t.Helper()
	if r.code != 0 || r.stdout != ht.Body {
		t.Fatalf("fetching %s: want exit 0 and body %q, got %s", ht.URL, ht.Body, r)
	}
	if got := ht.hits.Load(); got != hitsBefore+1 {
		t.Fatalf("target saw %d requests, want %d", got, hitsBefore+1)
	}
}

// freePort returns a loopback port that was free a moment ago, for
// third-party servers that cannot pick their own.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

// startDaemon starts a third-party server on a free loopback port (built by
// argsFor) and waits until it accepts; a lost race for the port is retried.
func startDaemon(t *testing.T, bin string, argsFor func(port string) []string) (*proc, string) {
	t.Helper()
	var last *proc
	for range 3 {
		port := freePort(t)
		addr := net.JoinHostPort("127.0.0.1", port)
		p := startProc(t, childEnv(), bin, argsFor(port)...)
		up := waitFor(startTimeout, func() bool {
			if p.exited() {
				return true
			}
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
				return true
			}
			return false
		})
		if up && !p.exited() {
			return p, addr
		}
		last = p
		killGroup(p.cmd.Process.Pid, syscall.SIGKILL)
	}
	t.Fatalf("%s did not start listening\nstderr:\n%s", filepath.Base(bin), last.stderr.String())
	return nil, ""
}

// startMicrosocks runs microsocks on loopback, with username/password
// authentication when user is set.
func startMicrosocks(t *testing.T, user, pass string) (*proc, string) {
	t.Helper()
	bin := needTool(t, "microsocks", "microsocks")
	return startDaemon(t, bin, func(port string) []string {
		args := []string{"-i", "127.0.0.1", "-p", port}
		if user != "" {
			args = append(args, "-u", user, "-P", pass)
		}
		return args
	})
}

// startDante runs dante's danted in the foreground on loopback, without
// authentication: its username method checks system accounts (passwd/PAM),
// which a test must not create.
func startDante(t *testing.T) (*proc, string) {
	t.Helper()
	bin := needTool(t, "danted", "dante-server")
	dir := t.TempDir()
	return startDaemon(t, bin, func(port string) []string {
		conf := filepath.Join(dir, "danted-"+port+".conf")
		var privs string
		if os.Geteuid() == 0 {
			// As root dante wants to know whom to drop to.
			privs = "user.privileged: root\n"
			if _, err := user.Lookup("nobody"); err == nil {
				privs += "user.unprivileged: nobody\n"
			}
		}
		text := fmt.Sprintf(`logoutput: stderr
internal: 127.0.0.1 port = %s
external: 127.0.0.1
socksmethod: none
clientmethod: none
%sclient pass { from: 127.0.0.0/8 to: 0.0.0.0/0 log: connect disconnect error }
socks pass { from: 127.0.0.0/8 to: 127.0.0.0/8 log: connect disconnect error }
socks block { from: 0.0.0.0/0 to: 0.0.0.0/0 log: connect error }
`, port, privs)
		if err := os.WriteFile(conf, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{"-f", conf, "-p", filepath.Join(dir, "danted-"+port+".pid"), "-N", "1"}
	})
}

// socksConnect is a minimal SOCKS5 client (no authentication, IP target),
// independent of the code under test.
func socksConnect(t *testing.T, proxy, target string) net.Conn {
	t.Helper()
	ap := netip.MustParseAddrPort(target)
	c, err := net.DialTimeout("tcp", proxy, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte{5, 1, 0}); err != nil {
		t.Fatal(err)
	}
	var hello [2]byte
	if _, err := io.ReadFull(c, hello[:]); err != nil || hello != [2]byte{5, 0} {
		t.Fatalf("method selection: %v %v", hello, err)
	}
	req := []byte{5, 1, 0}
	if ap.Addr().Is4() {
		req = append(append(req, 1), ap.Addr().AsSlice()...)
	} else {
		req = append(append(req, 4), ap.Addr().AsSlice()...)
	}
	req = binary.BigEndian.AppendUint16(req, ap.Port())
	if _, err := c.Write(req); err != nil {
		t.Fatal(err)
	}
	var head [4]byte
	if _, err := io.ReadFull(c, head[:]); err != nil || head[0] != 5 || head[1] != 0 {
		t.Fatalf("CONNECT reply: %v %v", head, err)
	}
	n := map[byte]int{1: 4 + 2, 4: 16 + 2}[head[3]]
	if n == 0 {
		t.Fatalf("CONNECT reply with address type %d", head[3])
	}
	if _, err := io.ReadFull(c, make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Time{})
	return c
}

// noSecrets fails if any secret appears in any of the texts.
func noSecrets(t *testing.T, where string, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("%s contains the password %q:\n%s", where, s, text)
		}
	}
}

// writeConfig writes files (by name: "work.toml", "ads.list") into the
// profiles folder under the config home home, each as an editor saves it
// (a temporary file renamed over), and returns the folder.
func writeConfig(t *testing.T, home string, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(home, "sockstray", "profiles")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		tmp := filepath.Join(dir, "."+name+".tmp")
		if err := os.WriteFile(tmp, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}
