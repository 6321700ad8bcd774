//go:build linux

package netns

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// LinkName is the veth interface's name inside both namespaces.
const LinkName = "lan0"

// nsDir is where `ip netns add` mounts the namespaces it names; etcDir is
// where `ip netns exec` finds files to show a program in place of /etc's.
const (
	nsDir  = "/var/run/netns"
	etcDir = "/etc/netns"
)

// etcFiles make name lookups of programs run by Command local and
// predictable: localhost from hosts, and a DNS server on the namespace's
// own loopback, where nothing listens, so a query fails at once instead
// of leaving for this machine's resolver (unreachable from the pair).
var etcFiles = map[string]string{
	"hosts":         "127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback\n",
	"resolv.conf":   "nameserver 127.0.0.1\noptions timeout:1 attempts:1\n",
	"nsswitch.conf": "hosts: files dns\n",
}

var counter atomic.Int64

// Net is a pair of namespaces joined by one veth link: a small LAN of two
// hosts. Each host also has a default route (IPv4 and IPv6) via the other,
// so every destination, multicast included, is routable and goes to the
// peer, which does not forward it: nothing leaves the pair.
type Net struct {
	Server, Client *Host

	prefix4 netip.Prefix // a random /24 inside 10.200.0.0/16
	prefix6 netip.Prefix // a random /64 inside fd00::/8
}

// Prefix4 is the LAN's IPv4 prefix (a /24 inside 10.200.0.0/16).
func (n *Net) Prefix4() netip.Prefix { return n.prefix4 }

// Broadcast4 is the directed broadcast address of the IPv4 prefix.
func (n *Net) Broadcast4() netip.Addr {
	b := n.prefix4.Addr().As4()
	b[3] = 255
	return netip.AddrFrom4(b)
}

// Prefix6 is the LAN's IPv6 prefix (a /64 inside fd00::/8).
func (n *Net) Prefix6() netip.Prefix { return n.prefix6 }

// New creates the two namespaces for t and removes them in t.Cleanup. It
// skips t where creating a namespace is not permitted (not root, no ip
// tool, EPERM) and fails it on any other error.
func New(t testing.TB) *Net {
	t.Helper()
	ipTool := checkPermitted(t)
	id := counter.Add(1)
	third, err := rand.Int(rand.Reader, big.NewInt(256))
	if err != nil {
		t.Fatalf("netns: random subnet: %v", err)
	}
	sub6, err := rand.Int(rand.Reader, big.NewInt(1<<32))
	if err != nil {
		t.Fatalf("netns: random subnet: %v", err)
	}
	n := &Net{
		prefix4: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 200, byte(third.Int64()), 0}), 24),
	}
	s := uint32(sub6.Int64())
	n.prefix6 = netip.PrefixFrom(netip.AddrFrom16([16]byte{0xfd, 0x00, 0x5e, 0x57,
		byte(s >> 24), byte(s >> 16), byte(s >> 8), byte(s)}), 64)
	base := fmt.Sprintf("sockstray-%d-%d", os.Getpid(), id)
	n.Server = newHost(base+"-server", ipTool, n, 1)
	n.Client = newHost(base+"-client", ipTool, n, 2)

	// Registered before anything is created, so a failure half-way still
	// removes what exists; it runs after the cleanups of everything the
	// test starts later (processes inside, sockets).
	t.Cleanup(func() {
		for _, h := range []*Host{n.Server, n.Client} {
			h.close()
			if err := os.RemoveAll(etcDir + "/" + h.name); err != nil {
				t.Errorf("netns: %v", err)
			}
			if _, err := os.Stat(nsDir + "/" + h.name); err == nil {
				if out, err := exec.Command(ipTool, "netns", "delete", h.name).CombinedOutput(); err != nil {
					t.Errorf("netns: delete %s: %v: %s", h.name, err, out)
				}
			}
		}
	})

	ip := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(ipTool, args...).CombinedOutput(); err != nil {
			t.Fatalf("netns: ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	for i, h := range []*Host{n.Server, n.Client} {
		out, err := exec.Command(ipTool, "netns", "add", h.name).CombinedOutput()
		if err != nil {
			if i == 0 && notPermitted(string(out)) {
				t.Skipf("netns: SKIPPED: creating a network namespace is not permitted here (ip netns add: %s); these tests need root", strings.TrimSpace(string(out)))
			}
			t.Fatalf("netns: ip netns add %s: %v: %s", h.name, err, out)
		}
		if err := h.open(); err != nil {
			t.Fatalf("netns: %v", err)
		}
		if err := writeEtc(h.name); err != nil {
			t.Fatalf("netns: %v", err)
		}
	}
	// The link is made inside the server namespace with its peer placed
	// straight into the client's, so no interface ever exists in the root
	// namespace, not even for a moment.
	ip("-n", n.Server.name, "link", "add", LinkName, "type", "veth", "peer", "name", LinkName, "netns", n.Client.name)
	for _, h := range []*Host{n.Server, n.Client} {
		peer := n.Client
		if h == n.Client {
			peer = n.Server
		}
		ip("-n", h.name, "link", "set", "lo", "up")
		// No automatic link-local address: ours is fixed and, like the
		// others, skips duplicate address detection so it is usable at once.
		ip("-n", h.name, "link", "set", LinkName, "addrgenmode", "none")
		ip("-n", h.name, "addr", "add", netip.PrefixFrom(h.v4, 24).String(), "brd", "+", "dev", LinkName)
		ip("-n", h.name, "-6", "addr", "add", netip.PrefixFrom(h.v6, 64).String(), "dev", LinkName, "nodad")
		ip("-n", h.name, "-6", "addr", "add", netip.PrefixFrom(h.ll, 64).String(), "dev", LinkName, "nodad")
		ip("-n", h.name, "link", "set", LinkName, "up")
		ip("-n", h.name, "route", "add", "default", "via", peer.v4.String(), "dev", LinkName)
		ip("-n", h.name, "-6", "route", "add", "default", "via", peer.v6.String(), "dev", LinkName)
	}
	return n
}

func writeEtc(name string) error {
	dir := etcDir + "/" + name
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for f, text := range etcFiles {
		if err := os.WriteFile(dir+"/"+f, []byte(text), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// checkPermitted skips t unless namespaces can be made here, and returns
// the path of the ip tool.
func checkPermitted(t testing.TB) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("netns: SKIPPED: creating network namespaces needs root (euid %d); run as root, as CI does", os.Geteuid())
	}
	p, err := exec.LookPath("ip")
	if err != nil {
		for _, c := range []string{"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip"} {
			if fi, e := os.Stat(c); e == nil && fi.Mode().IsRegular() {
				return c
			}
		}
		t.Skipf("netns: SKIPPED: the ip tool (package iproute2) is not installed: %v", err)
	}
	return p
}

// notPermitted tells from ip's message whether the kernel refused the
// namespace for lack of privilege (a container without CAP_SYS_ADMIN, a
// sandbox), as opposed to a real failure.
func notPermitted(msg string) bool {
	return strings.Contains(msg, unix.EPERM.Error()) || strings.Contains(msg, unix.EACCES.Error())
}
