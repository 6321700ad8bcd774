package outbound

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
	"syscall"
	"testing"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// sshd is a real OpenSSH server on a loopback port, with its own host key
// and one authorized client key, run by the test (as root in CI).
type sshd struct {
	t          testing.TB
	bin, dir   string
	addr       string
	hostKey    ssh.PublicKey
	knownHosts string // a file that trusts hostKey for addr
	keyFile    string // the client's private key, unencrypted
	clientKey  ssh.Signer

	mu  sync.Mutex
	log bytes.Buffer // sshd -e's log, over all runs
	cmd *exec.Cmd
}

func (s *sshd) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.Write(p)
}

// logins counts the SSH sessions sshd authenticated: one per connection.
func (s *sshd) logins() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Count(s.log.String(), "Accepted publickey")
}

func (s *sshd) logText() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.log.String()
}

// newKey makes an ed25519 key and writes its private half, in OpenSSH's
// format, to dir/name (encrypted when passphrase is set).
func newKey(t testing.TB, dir, name, passphrase string) (ssh.Signer, string) {
	t.Helper()
	s, file, _ := newKeyPriv(t, dir, name, passphrase)
	return s, file
}

// newKeyPriv is newKey that also returns the private key itself.
func newKeyPriv(t testing.TB, dir, name, passphrase string) (ssh.Signer, string, ed25519.PrivateKey) {
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

// startSSHD starts sshd on a free loopback port; it fails the test (not
// skips it) when sshd is missing: `make test` installs openssh-server.
// authorized are more keys sshd lets in. The pool is emptied before sshd
// stops, so no SSH connection outlives the test.
func startSSHD(t testing.TB, authorized ...ssh.PublicKey) *sshd {
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
	s := &sshd{t: t, bin: bin, dir: t.TempDir(), addr: ln.Addr().String()}
	ln.Close()
	hostSigner, hostFile := newKey(t, s.dir, "host_ed25519", "")
	s.hostKey = hostSigner.PublicKey()
	s.clientKey, s.keyFile = newKey(t, s.dir, "id_ed25519", "")
	var auth []byte
	for _, k := range append([]ssh.PublicKey{s.clientKey.PublicKey()}, authorized...) {
		auth = append(auth, ssh.MarshalAuthorizedKey(k)...)
	}
	write(t, filepath.Join(s.dir, "authorized_keys"), string(auth))
	s.knownHosts = filepath.Join(s.dir, "known_hosts")
	write(t, s.knownHosts, knownhosts.Line([]string{knownhosts.Normalize(s.addr)}, s.hostKey)+"\n")
	host, port, _ := net.SplitHostPort(s.addr)
	write(t, filepath.Join(s.dir, "sshd_config"), fmt.Sprintf(`ListenAddress %s:%s
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
`, host, port, hostFile, filepath.Join(s.dir, "authorized_keys"), filepath.Join(s.dir, "sshd.pid")))
	s.start()
	t.Cleanup(s.kill)
	t.Cleanup(sshClients.closeAll)
	return s
}

func write(t testing.TB, file, text string) {
	t.Helper()
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// start runs sshd in a process group of its own, so that kill ends its
// per-connection children too, and waits until it accepts.
func (s *sshd) start() {
	t := s.t
	t.Helper()
	cmd := exec.Command(s.bin, "-D", "-e", "-f", filepath.Join(s.dir, "sshd_config"))
	cmd.Stderr = s
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.cmd = cmd
	host, port, _ := net.SplitHostPort(s.addr)
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(s.logText(), "Server listening on "+host+" port "+port); {
		if time.Now().After(deadline) {
			s.kill()
			t.Fatalf("sshd did not start on %s:\n%s", s.addr, s.logText())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// kill ends sshd and every session it runs, as a crash would. The
// sessions call setsid, so they leave sshd's process group: find them as
// its descendants.
func (s *sshd) kill() {
	if s.cmd == nil {
		return
	}
	for _, pid := range append(descendants(s.cmd.Process.Pid), s.cmd.Process.Pid) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	s.cmd.Wait()
	s.cmd = nil
}

// descendants lists the processes below pid, from /proc.
func descendants(pid int) []int {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		stat, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// "PID (COMM) STATE PPID ...": COMM may hold spaces, so cut at
		// the last ')'.
		var self, parent int
		rest := stat[bytes.LastIndexByte(stat, ')')+1:]
		if _, err := fmt.Sscanf(e.Name(), "%d", &self); err != nil {
			continue
		}
		f := strings.Fields(string(rest)) // STATE PPID ...
		if len(f) < 2 {
			continue
		}
		if _, err := fmt.Sscanf(f[1], "%d", &parent); err != nil {
			continue
		}
		children[parent] = append(children[parent], self)
	}
	var out []int
	for todo := children[pid]; len(todo) > 0; {
		p := todo[0]
		todo = append(todo[1:], children[p]...)
		out = append(out, p)
	}
	return out
}

// restart kills sshd and starts it again on the same port.
func (s *sshd) restart() {
	s.kill()
	s.mu.Lock()
	s.log.Reset() // so start waits for the new "Server listening"
	s.mu.Unlock()
	s.start()
}

// upstream is the hop for s, logging in with its key file, checked
// against its known_hosts, agent off.
func (s *sshd) upstream() Upstream {
	return Upstream{Kind: SSH, Addr: s.addr, Username: "root",
		SSH: &SSHConfig{KnownHosts: []string{s.knownHosts}, KeyFile: s.keyFile, NoAgent: true}}
}
