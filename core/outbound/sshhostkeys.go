package outbound

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// HostKeyError is an SSH upstream's host key that no known_hosts file
// vouches for. The connection was refused; a program may show Key's
// fingerprint to the user and, once they have checked it out of band,
// call TrustHostKey(File, Host, Key).
type HostKeyError struct {
	// Host is the upstream's "host:port" as configured.
	Host string
	// Key is the key the server presented.
	Key ssh.PublicKey
	// File is the known_hosts file the key would be trusted in (the
	// first configured).
	File string
	// Known are the keys the files hold for Host. Non-empty means the key
	// CHANGED: the host was reinstalled, or someone is in between.
	Known []knownhosts.KnownKey
	// Revoked is set when the key is marked @revoked.
	Revoked bool
}

// Error says what to do: check an unknown key and trust it; never just
// trust a changed or revoked one.
func (e *HostKeyError) Error() string {
	file := homeRel(e.File)
	key := e.Key.Type() + " " + ssh.FingerprintSHA256(e.Key)
	switch {
	case e.Revoked:
		return fmt.Sprintf("host key of %s is REVOKED in known_hosts: %s; refused", e.Host, key)
	case len(e.Known) > 0:
		k := e.Known[0]
		return fmt.Sprintf("WARNING: host key of %s has CHANGED: the server sent %s, but %s:%d has %s %s; "+
			"someone may be intercepting the connection, or the host was reinstalled; refused until the old key is removed",
			e.Host, key, homeRel(k.Filename), k.Line, k.Key.Type(), ssh.FingerprintSHA256(k.Key))
	}
	return fmt.Sprintf("host key of %s is not in %s: %s; check it and trust it", e.Host, file, key)
}

// hostKeys checks one upstream's host key against its known_hosts files.
type hostKeys struct {
	addr  string
	files []string // as configured, or the default
	db    ssh.HostKeyCallback
}

func newHostKeys(addr string, files []string) (*hostKeys, error) {
	if len(files) == 0 {
		home, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("known_hosts: no home directory (%w); configure the file", err)
		}
		files = []string{filepath.Join(home, ".ssh", "known_hosts")}
	}
	hk := &hostKeys{addr: addr, files: files}
	// knownhosts.New wants every file to exist; a missing one holds no
	// keys, as for OpenSSH.
	var exist []string
	for _, f := range files {
		if _, err := os.Stat(f); err == nil {
			exist = append(exist, f)
		} else if !errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("known_hosts: %w", err)
		}
	}
	if len(exist) > 0 {
		db, err := knownhosts.New(exist...)
		if err != nil {
			return nil, fmt.Errorf("known_hosts: %w", err)
		}
		hk.db = db
	}
	return hk, nil
}

// check is the ssh.HostKeyCallback. It looks the key up under the
// configured address only: the TCP peer may be a SOCKS5 hop in front.
func (hk *hostKeys) check(_ string, _ net.Addr, key ssh.PublicKey) error {
	err := &HostKeyError{Host: hk.addr, Key: key, File: hk.files[0]}
	if hk.db == nil {
		return err
	}
	var ke *knownhosts.KeyError
	var re *knownhosts.RevokedError
	switch e := hk.db(hk.addr, label{"tcp", hk.addr}, key); {
	case e == nil:
		return nil
	case errors.As(e, &re):
		err.Revoked = true
	case errors.As(e, &ke):
		err.Known = ke.Want
	default:
		return fmt.Errorf("known_hosts: %w", e)
	}
	return err
}

// algorithms are the host key algorithms for the key types known_hosts
// holds for the host, so that a server with several keys shows the one we
// know (as OpenSSH's client does); nil (x/crypto's default) when none is
// known.
func (hk *hostKeys) algorithms() []string {
	if hk.db == nil {
		return nil
	}
	// A throwaway key is never known: the KeyError lists what is.
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	probe, _ := ssh.NewPublicKey(pub)
	var ke *knownhosts.KeyError
	if !errors.As(hk.db(hk.addr, label{"tcp", hk.addr}, probe), &ke) {
		return nil
	}
	var algos []string
	for _, k := range ke.Want {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			algos = append(algos, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		default:
			algos = append(algos, t)
		}
	}
	return algos
}

// TrustHostKey adds key as host's key to the known_hosts file (creating
// it, and its directory, when missing), for when the user has checked a
// HostKeyError's fingerprint. host is "host:port" as in Upstream.Addr.
// The file is replaced atomically, so a crash leaves the old one whole.
func TrustHostKey(file, host string, key ssh.PublicKey) error {
	old, err := os.ReadFile(file)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("trust host key: %w", err)
	}
	mode := fs.FileMode(0o600)
	if fi, err := os.Stat(file); err == nil {
		mode = fi.Mode().Perm()
	}
	if len(old) > 0 && !bytes.HasSuffix(old, []byte("\n")) {
		old = append(old, '\n')
	}
	line := knownhosts.Line([]string{knownhosts.Normalize(host)}, key) + "\n"
	dir := filepath.Dir(file)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("trust host key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".known_hosts-*")
	if err != nil {
		return fmt.Errorf("trust host key: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	_, err = tmp.Write(append(old, line...))
	if err == nil {
		err = tmp.Chmod(mode)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), file)
	}
	if err != nil {
		return fmt.Errorf("trust host key: %w", err)
	}
	return nil
}

// homeRel shows a path under the home directory as "~/…".
func homeRel(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" {
		return path
	}
	if rel, ok := strings.CutPrefix(path, home+string(filepath.Separator)); ok {
		return "~/" + filepath.ToSlash(rel)
	}
	return path
}
