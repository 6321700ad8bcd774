package outbound

import (
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/sockstray/sockstray/internal/sshdtest"
)

// sshd is the real sshd of internal/sshdtest, with what this package's
// tests ask of it.
type sshd struct {
	*sshdtest.Server
	addr       string
	hostKey    ssh.PublicKey
	knownHosts string
	keyFile    string
}

// startSSHD starts a real sshd (see sshdtest.Start); the SSH pool is
// emptied before sshd stops, so no SSH connection outlives the test.
func startSSHD(t testing.TB, authorized ...ssh.PublicKey) *sshd {
	t.Helper()
	s := sshdtest.Start(t, authorized...)
	t.Cleanup(sshClients.closeAll)
	return &sshd{Server: s, addr: s.Addr, hostKey: s.HostKey, knownHosts: s.KnownHosts, keyFile: s.KeyFile}
}

func (s *sshd) logins() int     { return s.Logins() }
func (s *sshd) logText() string { return s.LogText() }
func (s *sshd) restart()        { s.Restart() }

// upstream is the hop for s, logging in with its key file, checked
// against its known_hosts, agent off.
func (s *sshd) upstream() Upstream {
	return Upstream{Kind: SSH, Addr: s.addr, Username: "root",
		SSH: &SSHConfig{KnownHosts: []string{s.knownHosts}, KeyFile: s.keyFile, NoAgent: true}}
}

var (
	newKey     = sshdtest.NewKey
	newKeyPriv = sshdtest.NewKeyPriv
)

func write(t testing.TB, file, text string) { sshdtest.WriteFile(t, file, text) }
