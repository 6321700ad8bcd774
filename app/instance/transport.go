package instance

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
)

// A transport is how a later launch reaches the running copy. listen runs
// only while holding the lock.
type transport interface {
	listen(dir string) (ln net.Listener, token string, err error)
	dial(dir string) (c net.Conn, token string, err error)
}

// unixSocket is a Unix domain socket, dir/sockstray.sock. Only its owner can
// connect: the directory is private and the socket not world-writable.
type unixSocket struct{}

const sockName = "sockstray.sock"

func (unixSocket) listen(dir string) (net.Listener, string, error) {
	path := filepath.Join(dir, sockName)
	// Whatever is there was left by a copy that no longer holds the lock.
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, "", err
	}
	ln, err := net.Listen("unix", path)
	return ln, "", err
}

func (unixSocket) dial(dir string) (net.Conn, string, error) {
	c, err := net.DialTimeout("unix", filepath.Join(dir, sockName), ioTimeout)
	return c, "", err
}

// loopbackToken is a loopback TCP port for systems without a convenient
// local socket (Windows). Any local user can connect to a port, so the
// running copy writes a random token next to the port in dir/sockstray.addr,
// a file only its user can read, and answers only clients that send it.
type loopbackToken struct{}

const addrName = "sockstray.addr"

func (loopbackToken) listen(dir string) (net.Listener, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	var secret [16]byte
	_, _ = rand.Read(secret[:]) // crypto/rand.Read does not fail
	token := hex.EncodeToString(secret[:])
	path := filepath.Join(dir, addrName)
	tmp := path + ".tmp"
	err = os.WriteFile(tmp, []byte(ln.Addr().String()+" "+token+"\n"), 0o600)
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		ln.Close()
		return nil, "", err
	}
	return &removeOnClose{Listener: ln, path: path}, token, nil
}

func (loopbackToken) dial(dir string) (net.Conn, string, error) {
	data, err := os.ReadFile(filepath.Join(dir, addrName))
	if err != nil {
		return nil, "", err
	}
	addr, token, ok := strings.Cut(strings.TrimSpace(string(data)), " ")
	if !ok || token == "" {
		return nil, "", fmt.Errorf("%s: malformed", addrName)
	}
	if host, _, err := net.SplitHostPort(addr); err != nil || !net.ParseIP(host).IsLoopback() {
		return nil, "", fmt.Errorf("%s: %q is not a loopback address", addrName, addr)
	}
	c, err := net.DialTimeout("tcp", addr, ioTimeout)
	return c, token, err
}

// removeOnClose removes the address file when the listener closes.
type removeOnClose struct {
	net.Listener
	path string
}

func (l *removeOnClose) Close() error {
	err := l.Listener.Close()
	os.Remove(l.path)
	return err
}
