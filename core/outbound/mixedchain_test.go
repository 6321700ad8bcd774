package outbound

import (
	"fmt"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/internal/testnet"
)

// TestChainSOCKS5HTTPSSH: a chain of three kinds, each a real server —
// microsocks, then tinyproxy (HTTP CONNECT with Basic auth), then OpenSSH's
// sshd — reaches an echo target byte-exact, every time over the one SSH
// connection, which tinyproxy and microsocks carried once.
func TestChainSOCKS5HTTPSSH(t *testing.T) {
	s := startSSHD(t)
	tiny := startTinyproxy(t)
	socks := startMicrosocks(t)
	dst := socks5.AddrFromAddrPort(testnet.EchoTCP(t, "tcp4").AddrPort())
	c := &Chain{Hops: []Upstream{{Addr: socks}, tiny.hop(), s.upstream()}, Forward: noLocalDNS(t)}
	for i := range 5 {
		echoOnce(t, dialChain(t, c, dst), fmt.Sprint("socks5 → http → ssh ", i))
	}
	if n := s.logins(); n != 1 {
		t.Errorf("%d SSH logins for 5 CONNECTs, want 1", n)
	}
	if got := strings.Count(tiny.log.String(), "Established connection to host \""+strings.Split(s.addr, ":")[0]); got != 1 {
		t.Errorf("tinyproxy carried %d connections to sshd, want 1:\n%s", got, tiny.log.String())
	}
}
