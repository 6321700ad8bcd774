package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/sockerr"
)

// SSHConfig is how to log in to an SSH upstream and how to check its host
// key. The zero value uses the agent at $SSH_AUTH_SOCK, the password in
// Upstream.Password if any, and ~/.ssh/known_hosts.
//
// Methods are offered in this order, each only when available: the
// agent's keys, KeyFile, then Upstream.Password as a password.
type SSHConfig struct {
	// KnownHosts are the known_hosts files (OpenSSH's format) that vouch
	// for host keys; empty means ~/.ssh/known_hosts. A missing file counts
	// as empty. An unknown key is refused with a *HostKeyError, never
	// accepted silently; TrustHostKey adds one to the first file.
	KnownHosts []string
	// KeyFile is a private key file (OpenSSH or PEM). When it is
	// encrypted, Upstream.Password is its passphrase, and is then not
	// offered to the server as a password.
	KeyFile string
	// AgentSocket is ssh-agent's socket; empty means $SSH_AUTH_SOCK.
	AgentSocket string
	// NoAgent leaves the agent out even when a socket is known.
	NoAgent bool
}

// GoString shows the config; it holds no secret.
func (c *SSHConfig) GoString() string {
	if c == nil {
		return "nil"
	}
	return fmt.Sprintf("&outbound.SSHConfig{KnownHosts:%q, KeyFile:%q, AgentSocket:%q, NoAgent:%v}",
		c.KnownHosts, c.KeyFile, c.AgentSocket, c.NoAgent)
}

func (u Upstream) sshConfig() *SSHConfig {
	if u.SSH != nil {
		return u.SSH
	}
	return &SSHConfig{}
}

// lastSSH is the index of the last SSH hop in hops, or -1.
func lastSSH(hops []Upstream) int {
	for k := len(hops) - 1; k >= 0; k-- {
		if hops[k].Kind == SSH {
			return k
		}
	}
	return -1
}

// sshChannel returns a connection to next opened as a direct-tcpip
// channel by the SSH server that is the last of hops, over the pooled SSH
// connection to it (made through the hops before it on first use).
func (c *Chain) sshChannel(ctx context.Context, hops []Upstream, next socks5.Addr, network string, target net.Addr) (net.Conn, error) {
	h := hops[len(hops)-1]
	key := sshPoolKey(c.Forward, hops)
	dial := func(ctx context.Context) (*ssh.Client, error) {
		return c.sshClient(ctx, hops, network, target)
	}
	// A pooled connection may have died since it was last used (sshd
	// restarted): the first open then fails without an answer from the
	// server, and one fresh connection is worth a try.
	for attempt := 0; ; attempt++ {
		pc, reused, err := sshClients.get(ctx, key, dial)
		if err != nil {
			return nil, err // hopError'd by sshClient
		}
		conn, err := pc.open(ctx, next)
		if err == nil {
			return conn, nil
		}
		var oce *ssh.OpenChannelError
		if !errors.As(err, &oce) && ctx.Err() == nil && reused && attempt == 0 {
			pc.drop()
			continue
		}
		return nil, hopError(h, network, target, fmt.Errorf("direct-tcpip %v: %w", next, sshOpenError(err, next)))
	}
}

// sshClient makes a new SSH connection to the last of hops: a stream to
// it through the hops before it, then the SSH handshake over the stream.
func (c *Chain) sshClient(ctx context.Context, hops []Upstream, network string, target net.Addr) (*ssh.Client, error) {
	h := hops[len(hops)-1]
	cfg, closeAuth, err := h.sshClientConfig()
	if err != nil {
		return nil, hopError(h, network, target, err)
	}
	defer closeAuth()
	conn, err := c.reach(ctx, hops, network, target)
	if err != nil {
		return nil, err
	}
	sc, chans, reqs, err := sshHandshake(ctx, conn, h.Addr, cfg.ClientConfig)
	if err != nil {
		conn.Close()
		return nil, hopError(h, network, target, cfg.explain(err))
	}
	return ssh.NewClient(sc, chans, reqs), nil
}

// sshHandshake runs ssh.NewClientConn on conn within ctx, the way
// Handshake does for SOCKS5: ctx's deadline becomes conn's, and
// cancelling pulls it into the past.
func sshHandshake(ctx context.Context, conn net.Conn, addr string, cfg *ssh.ClientConfig) (ssh.Conn, <-chan ssh.NewChannel, <-chan *ssh.Request, error) {
	release := guardConn(ctx, conn)
	sc, chans, reqs, err := ssh.NewClientConn(conn, addr, cfg)
	release()
	if err != nil && errors.Is(err, os.ErrDeadlineExceeded) {
		err = fmt.Errorf("ssh handshake: %w", ctxCause(ctx, err))
	}
	return sc, chans, reqs, err
}

// sshOpenError gives a refused channel open the cause a SOCKS5 reply can
// tell (through socks5.ReplyFor): OpenSSH answers "connect failed" with
// strerror's or getaddrinfo's text, which we map back to what it was.
func sshOpenError(err error, next socks5.Addr) error {
	var oce *ssh.OpenChannelError
	if !errors.As(err, &oce) {
		return err
	}
	switch oce.Reason {
	case ssh.Prohibited:
		return fmt.Errorf("%w: %v", socks5.ErrNotAllowed, oce)
	case ssh.UnknownChannelType:
		return fmt.Errorf("%w: %v", socks5.ErrCommandNotSupported, oce)
	case ssh.ConnectionFailed:
		msg := strings.ToLower(oce.Message)
		for _, m := range openFailures {
			if strings.Contains(msg, m.text) {
				return fmt.Errorf("%w: %w", oce, sockerr.Errnos(m.kind)[0])
			}
		}
		for _, text := range nameFailures {
			if strings.Contains(msg, text) {
				dnsErr := &net.DNSError{Err: oce.Message, Name: next.Name, IsNotFound: true}
				return fmt.Errorf("%w: %w", oce, dnsErr)
			}
		}
	}
	return err
}

// openFailures are OpenSSH's strerror texts for a failed connect.
// The error carries this platform's number of that kind, as a local
// dial's would.
var openFailures = []struct {
	text string
	kind sockerr.Kind
}{
	{"connection refused", sockerr.Refused},
	{"no route to host", sockerr.HostUnreachable},
	{"host is down", sockerr.HostUnreachable},
	{"network is unreachable", sockerr.NetUnreachable},
	{"timed out", sockerr.TimedOut},
}

// nameFailures are getaddrinfo's texts for a name that does not resolve.
var nameFailures = []string{
	"name or service not known", "no address associated", "nodename nor servname",
	"temporary failure in name resolution", "name does not resolve",
}

// sshAddrPort splits next for a direct-tcpip request: a name stays a
// name, for the SSH server to resolve.
func sshAddrPort(next socks5.Addr) (host string, port uint32) {
	host = next.Name
	if host == "" {
		host = next.IP.Unmap().String()
	}
	return host, uint32(next.Port)
}
