package outbound

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// sshLogin is an ssh.ClientConfig that remembers which authentication
// methods the server made us try, to say so when all failed.
type sshLogin struct {
	*ssh.ClientConfig
	mu    sync.Mutex
	tried []string
}

func (l *sshLogin) try(method string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.tried {
		if m == method {
			return
		}
	}
	l.tried = append(l.tried, method)
}

// explain turns an error of ssh.NewClientConn into one a user can act on:
// a refused host key as the *HostKeyError it is, a failed login as
// ErrAuthFailed with the methods tried, anything else as the handshake
// step. x/crypto reports a failed login only as text.
func (l *sshLogin) explain(err error) error {
	var hke *HostKeyError
	if errors.As(err, &hke) {
		return hke
	}
	if strings.Contains(err.Error(), "unable to authenticate") {
		l.mu.Lock()
		defer l.mu.Unlock()
		tried := "none"
		if len(l.tried) > 0 {
			tried = strings.Join(l.tried, ", ")
		}
		return fmt.Errorf("%w (methods tried: %s)", ErrAuthFailed, tried)
	}
	if inner := errors.Unwrap(err); inner != nil {
		err = inner // drop x/crypto's "ssh: handshake failed" prefix
	}
	return fmt.Errorf("ssh handshake: %w", err)
}

// sshClientConfig builds the login for SSH upstream u: its user, the
// methods available in SSHConfig's order, and its host key check. The
// returned func releases the agent connection; call it after the
// handshake.
func (u Upstream) sshClientConfig() (*sshLogin, func(), error) {
	cfg := u.sshConfig()
	name := u.Username
	if name == "" {
		me, err := user.Current()
		if err != nil {
			return nil, nil, fmt.Errorf("no user name configured, and this host's: %w", err)
		}
		name = me.Username
	}
	l := &sshLogin{ClientConfig: &ssh.ClientConfig{User: name}}
	closeAgent := func() {}

	var signers []ssh.Signer
	var agentSigners func() ([]ssh.Signer, error)
	sock := cfg.AgentSocket
	if sock == "" {
		sock = os.Getenv("SSH_AUTH_SOCK")
	}
	if !cfg.NoAgent && sock != "" {
		// An agent that is configured but gone is no reason to fail:
		// the next method may still work.
		if conn, err := net.DialTimeout("unix", sock, 5*time.Second); err == nil {
			closeAgent = func() { conn.Close() }
			agentSigners = agent.NewClient(conn).Signers
		}
	}
	passphraseUsed := false
	if cfg.KeyFile != "" {
		s, encrypted, err := loadKey(cfg.KeyFile, u.Password)
		if err != nil {
			closeAgent()
			return nil, nil, err
		}
		signers, passphraseUsed = append(signers, s), encrypted
	}
	if agentSigners != nil || len(signers) > 0 {
		l.Auth = append(l.Auth, ssh.PublicKeysCallback(func() ([]ssh.Signer, error) {
			l.try("publickey")
			var all []ssh.Signer
			if agentSigners != nil {
				all, _ = agentSigners() // an agent error leaves the key file
			}
			return append(all, signers...), nil
		}))
	}
	if u.Password != "" && !passphraseUsed {
		l.Auth = append(l.Auth, ssh.PasswordCallback(func() (string, error) {
			l.try("password")
			return u.Password, nil
		}))
	}
	hk, err := newHostKeys(u.Addr, cfg.KnownHosts)
	if err != nil {
		closeAgent()
		return nil, nil, err
	}
	l.HostKeyCallback = hk.check
	l.HostKeyAlgorithms = hk.algorithms()
	return l, closeAgent, nil
}

// loadKey reads a private key file; encrypted tells whether the
// passphrase was needed. Errors name the file, never the passphrase.
func loadKey(file, passphrase string) (s ssh.Signer, encrypted bool, err error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, false, fmt.Errorf("key file: %w", err)
	}
	s, err = ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if !errors.As(err, &missing) {
		if err != nil {
			return nil, false, fmt.Errorf("key file %s: %w", file, err)
		}
		return s, false, nil
	}
	if passphrase == "" {
		return nil, true, fmt.Errorf("key file %s is encrypted, and no passphrase is set", file)
	}
	s, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(passphrase))
	if err != nil {
		// x/crypto's errors here never quote the passphrase.
		return nil, true, fmt.Errorf("key file %s: wrong passphrase or damaged key: %w", file, err)
	}
	return s, true, nil
}
