// Package sshdtest runs a real OpenSSH server (sshd) on a loopback port for
// tests: its own host key, one authorized client key, a known_hosts file
// that trusts it, and its log to count logins. CI runs the tests as root;
// sshd comes from Debian's openssh-server (scripts/deps.sh).
package sshdtest

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/sockstray/sockstray/internal/testnet"
)

// Server is a real OpenSSH server on a loopback port, with its own host key
// and one authorized client key, run by the test (as root in CI).
type Server struct {
	t          testing.TB
	bin, Dir   string
	Addr       string
	HostKey    ssh.PublicKey
	KnownHosts string // a file that trusts HostKey for Addr
	KeyFile    string // the client's private key, unencrypted
	ClientKey  ssh.Signer

	mu  sync.Mutex
	log bytes.Buffer // sshd -e's log, over all runs
	cmd *exec.Cmd
}

// Write takes sshd's log.
func (s *Server) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.Write(p)
}

// Logins counts the SSH sessions sshd authenticated: one per connection.
func (s *Server) Logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Count(s.log.String(), "Accepted publickey")
}

// LogText is what sshd -e has logged, over all its runs.
func (s *Server) LogText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// NewKey makes an ed25519 key and writes its private half, in OpenSSH's
// format, to dir/name (encrypted when passphrase is set).
func NewKey(t testing.TB, dir, name, passphrase string) (ssh.Signer, string) {
	t.Helper()
	s, file, _ := NewKeyPriv(t, dir, name, passphrase)
	return s, file
}

// NewKeyPriv is NewKey that also returns the private key itself.
func NewKeyPriv(t testing.TB, dir, name, passphrase string) (ssh.Signer, string, ed25519.PrivateKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "test key")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test key", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, name)
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, file, priv
}

// Start starts sshd on a free loopback port; it fails the test (not
// skips it) when sshd is missing: `make test` installs openssh-server.
// authorized are more keys sshd lets in. It is killed, with every session
// it runs, when the test ends.
func Start(t testing.TB, authorized ...ssh.PublicKey) *Server {
	t.Helper()
	bin, err := exec.LookPath("sshd")
	if err != nil {
		bin = "/usr/sbin/sshd"
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("sshd not installed (Debian: openssh-server; scripts/deps.sh installs it): %v", err)
	}
	if err := os.MkdirAll("/run/sshd", 0o755); err != nil {
		t.Fatalf("sshd's privilege separation directory: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{t: t, bin: bin, Dir: t.TempDir(), Addr: ln.Addr().String()}
	ln.Close()
	hostSigner, hostFile := NewKey(t, s.Dir, "host_ed25519", "")
	s.HostKey = hostSigner.PublicKey()
	s.ClientKey, s.KeyFile = NewKey(t, s.Dir, "id_ed25519", "")
	var auth []byte
	for _, k := range append([]ssh.PublicKey{s.ClientKey.PublicKey()}, authorized...) {
		auth = append(auth, ssh.MarshalAuthorizedKey(k)...)
	}
	WriteFile(t, filepath.Join(s.Dir, "authorized_keys"), string(auth))
	s.KnownHosts = filepath.Join(s.Dir, "known_hosts")
	WriteFile(t, s.KnownHosts, knownhosts.Line([]string{knownhosts.Normalize(s.Addr)}, s.HostKey)+"\n")
	host, port, _ := net.SplitHostPort(s.Addr)
	WriteFile(t, filepath.Join(s.Dir, "sshd_config"), fmt.Sprintf(`ListenAddress %s:%s
HostKey %s
AuthorizedKeysFile %s
PidFile %s
UsePAM no
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
AllowTcpForwarding yes
LogLevel VERBOSE
`, host, port, hostFile, filepath.Join(s.Dir, "authorized_keys"), filepath.Join(s.Dir, "sshd.pid")))
	s.start()
	t.Cleanup(s.Kill)
	return s
}

// WriteFile writes a file of the test, mode 0600.
func WriteFile(t testing.TB, file, text string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// start runs sshd in a process group of its own, so that kill ends its
// per-connection children too, and waits until it accepts.
func (s *Server) start() {
	t := s.t
	t.Helper()
	cmd := exec.Command(s.bin, "-D", "-e", "-f", filepath.Join(s.Dir, "sshd_config"))
	cmd.Stderr = s
	ownGroup(cmd)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd = cmd
	host, port, _ := net.SplitHostPort(s.Addr)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(s.LogText(), "Server listening on "+host+" port "+port); {
		if time.Now().After(deadline) {
			s.Kill()
			t.Fatalf("sshd did not start on %s:\n%s", s.Addr, s.LogText())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Kill ends sshd and every session it runs, as a crash would. The
// sessions call setsid, so they leave sshd's process group: find them as
// its descendants.
func (s *Server) Kill() {
	if s.cmd == nil {
		return
	}
	for _, pid := range append(testnet.Descendants(s.cmd.Process.Pid), s.cmd.Process.Pid) {
		kill(pid)
	}
	s.cmd.Wait()
	s.cmd = nil
}

// Pid is the running sshd's process id.
func (s *Server) Pid() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cmd.Process.Pid
}

// Restart kills sshd and starts it again on the same port.
func (s *Server) Restart() {
	s.Kill()
	s.mu.Lock()
	s.log.Reset() // so start waits for the new "Server listening"
	s.mu.Unlock()
	s.start()
}
