package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"
)

const (
	startTimeout = 10 * time.Second
	stopTimeout  = 5 * time.Second
)

// serverSpec says how to run one SOCKS5 server under test.
type serverSpec struct {
	name string
	path string
	args []string
	env  []string // added to this process's environment
	// addr, when valid, is where the server listens (microsocks takes a
	// port); otherwise the server prints "listening on HOST:PORT" first.
	addr netip.AddrPort
}

// server is a running SOCKS5 server process. Its CPU time and memory are
// read from /proc by its pid.
type server struct {
	name   string
	addr   netip.AddrPort
	cmd    *exec.Cmd
	stderr *os.File      // its log: see startServer
	done   chan struct{} // closed once the process has exited
}

// startServer runs spec and returns once the server accepts connections.
func startServer(ctx context.Context, spec serverSpec) (*server, error) {
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	// Every server logs each connection; each writes its log to a file of
	// its own, as a daemon would. A pipe to this process would charge the
	// servers that log through it a reader's wake-up per line.
	log, err := os.CreateTemp("", "socksload-stderr-*")
	if err != nil {
		pr.Close()
		pw.Close()
		return nil, err
	}
	os.Remove(log.Name()) // open until the server is done
	s := &server{name: spec.name, stderr: log, done: make(chan struct{})}
	s.cmd = exec.Command(spec.path, spec.args...)
	s.cmd.Env = append(cleanEnv(), spec.env...)
	s.cmd.Stdout = pw
	s.cmd.Stderr = log
	s.cmd.SysProcAttr = childAttr()
	err = s.cmd.Start()
	pw.Close()
	if err != nil {
		pr.Close()
		log.Close()
		return nil, fmt.Errorf("start %s: %w", spec.name, err)
	}
	go func() {
		s.cmd.Wait()
		close(s.done)
	}()

	lines := make(chan string, 1)
	go func() {
		defer pr.Close()
		br := bufio.NewReader(pr)
		line, _ := br.ReadString('\n')
		lines <- line
		io.Copy(io.Discard, br) // ends when the process exits
	}()
	if spec.addr.IsValid() {
		s.addr = spec.addr
		err = s.waitDialable(ctx)
	} else {
		err = s.waitListening(ctx, lines)
	}
	if err != nil {
		words := s.lastWords()
		s.stop()
		return nil, fmt.Errorf("start %s: %w%s", spec.name, err, words)
	}
	return s, nil
}

func (s *server) waitListening(ctx context.Context, lines <-chan string) error {
	timer := time.NewTimer(startTimeout)
	defer timer.Stop()
	select {
	case line := <-lines:
		rest, ok := strings.CutPrefix(strings.TrimSpace(line), "listening on ")
		if !ok {
			return fmt.Errorf("first line of output is %q, want \"listening on HOST:PORT\"", line)
		}
		ap, err := netip.ParseAddrPort(rest)
		if err != nil {
			return fmt.Errorf("listening address: %w", err)
		}
		s.addr = ap
		return nil
	case <-s.done:
		return errors.New("exited before listening")
	case <-timer.C:
		return fmt.Errorf("no \"listening on\" line within %v", startTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitDialable polls until the server accepts a connection.
func (s *server) waitDialable(ctx context.Context) error {
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", s.addr.String(), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		select {
		case <-s.done:
			return errors.New("exited before listening")
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return fmt.Errorf("not accepting connections on %v within %v", s.addr, startTimeout)
}

// pid is the server's process id.
func (s *server) pid() int { return s.cmd.Process.Pid }

// alive reports whether the process still runs.
func (s *server) alive() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

// stop sends SIGTERM, then SIGKILL if the server has not exited in time.
func (s *server) stop() {
	defer s.stderr.Close()
	if !s.alive() {
		return
	}
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		s.cmd.Process.Kill()
		<-s.done
	}
}

// cleanEnv is this process's environment without the variables that change
// how sockstray runs, so that each variant sets only its own.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SOCKSTRAY_NO_COUNT=") && !strings.HasPrefix(kv, "SOCKSTRAY_PASSWORD=") {
			env = append(env, kv)
		}
	}
	return env
}

// freePort picks a free loopback TCP port for servers that need one given.
func freePort() (netip.AddrPort, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return netip.AddrPort{}, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).AddrPort(), nil
}

// lastWords is " (stderr: …)" with the last line or two the server
// logged, or "" when it logged nothing.
func (s *server) lastWords() string {
	const tailMax = 2048
	buf := make([]byte, tailMax)
	size, _ := s.stderr.Seek(0, io.SeekEnd)
	n, _ := s.stderr.ReadAt(buf, max(0, size-tailMax))
	text := strings.TrimSpace(string(buf[:n]))
	if text == "" {
		return ""
	}
	lines := strings.Split(text, "\n")
	if len(lines) > 2 {
		lines = lines[len(lines)-2:]
	}
	return " (stderr: " + strings.Join(lines, " / ") + ")"
}
