package outbound

import (
	"context"
	"errors"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// Password logins are tested against an in-process x/crypto/ssh server:
// sshd would need a password for root in /etc/shadow, and tests do not
// change the system's accounts.
func TestSSHPassword(t *testing.T) {
	dir := t.TempDir()
	hostKey, _ := newKey(t, dir, "host", "")
	cfg := &ssh.ServerConfig{PasswordCallback: func(m ssh.ConnMetadata, pw []byte) (*ssh.Permissions, error) {
		if m.User() == "alice" && string(pw) == "s3cret-pw" {
			return nil, nil
		}
		return nil, errors.New("wrong password")
	}}
	cfg.AddHostKey(hostKey)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	testnet.Serve(t, ln, func(c net.Conn) { serveSSH(c, cfg) })
	t.Cleanup(sshClients.closeAll)
	kh := filepath.Join(dir, "known_hosts")
	write(t, kh, knownhosts.Line([]string{knownhosts.Normalize(ln.Addr().String())}, hostKey.PublicKey())+"\n")
	dst := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	up := Upstream{Kind: SSH, Addr: ln.Addr().String(), Username: "alice", Password: "s3cret-pw",
		SSH: &SSHConfig{KnownHosts: []string{kh}, NoAgent: true}}

	echoOnce(t, dialChain(t, &Chain{Hops: []Upstream{up}}, dst), "password")
	up.Password = "not-it-pw"
	err = chainErr(t, &Chain{Hops: []Upstream{up}}, context.Background(), dst.String())
	want := "upstream ssh://alice@" + ln.Addr().String() + ": authentication failed (methods tried: password)"
	if !errors.Is(err, ErrAuthFailed) || err.Error() != want || strings.Contains(err.Error(), "not-it") {
		t.Errorf("error %q, want %q", err, want)
	}
}

// serveSSH is a minimal SSH server: it logs in by cfg and carries
// direct-tcpip channels, until the connection ends.
func serveSSH(c net.Conn, cfg *ssh.ServerConfig) {
	sc, chans, reqs, err := ssh.NewServerConn(c, cfg)
	if err != nil {
		return
	}
	defer sc.Close()
	go ssh.DiscardRequests(reqs)
	var wg sync.WaitGroup
	defer wg.Wait()
	for nc := range chans {
		var msg struct {
			Host     string
			Port     uint32
			OrigHost string
			OrigPort uint32
		}
		if nc.ChannelType() != "direct-tcpip" || ssh.Unmarshal(nc.ExtraData(), &msg) != nil {
			nc.Reject(ssh.UnknownChannelType, "no")
			continue
		}
		out, err := net.Dial("tcp", net.JoinHostPort(msg.Host, strconv.Itoa(int(msg.Port))))
		if err != nil {
			nc.Reject(ssh.ConnectionFailed, err.Error())
			continue
		}
		ch, creqs, err := nc.Accept()
		if err != nil {
			out.Close()
			continue
		}
		go ssh.DiscardRequests(creqs)
		wg.Add(2)
		go func() {
			defer wg.Done()
			io.Copy(out, ch)
			out.(*net.TCPConn).CloseWrite()
		}()
		go func() {
			defer wg.Done()
			io.Copy(ch, out)
			ch.Close()
			out.Close()
		}()
	}
}
