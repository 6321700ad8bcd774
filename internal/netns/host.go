//go:build linux

package netns

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"sync"

	"golang.org/x/sys/unix"
)

// Host is one network namespace of a Net.
//
// Sockets belong to the namespace of the thread that created them and stay
// there for life: a listener or connection made inside Do (or by Listen,
// Dial, ListenPacket) keeps working in its namespace from any goroutine
// afterwards, while everything else in the test process stays in the root
// namespace.
type Host struct {
	name string
	ip   string     // path of the ip tool
	v4   netip.Addr // 10.200.X.N
	v6   netip.Addr // fd00:5e57:...::N
	ll   netip.Addr // fe80::N on LinkName

	mu sync.Mutex
	fd int // an open handle on the namespace, -1 once closed
}

func newHost(name, ipTool string, n *Net, num byte) *Host {
	v4 := n.prefix4.Addr().As4()
	v4[3] = num
	v6 := n.prefix6.Addr().As16()
	v6[15] = num
	var ll [16]byte
	ll[0], ll[1], ll[15] = 0xfe, 0x80, num
	return &Host{name: name, ip: ipTool, v4: netip.AddrFrom4(v4), v6: netip.AddrFrom16(v6), ll: netip.AddrFrom16(ll), fd: -1}
}

// Name is the namespace's name, as `ip netns` knows it.
func (h *Host) Name() string { return h.name }

// V4 is the host's IPv4 address on the link.
func (h *Host) V4() netip.Addr { return h.v4 }

// V6 is the host's IPv6 (ULA) address on the link.
func (h *Host) V6() netip.Addr { return h.v6 }

// LinkLocal is the host's IPv6 link-local address with its zone (LinkName).
func (h *Host) LinkLocal() netip.Addr { return h.ll.WithZone(LinkName) }

func (h *Host) open() error {
	fd, err := unix.Open(nsDir+"/"+h.name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open namespace %s: %w", h.name, err)
	}
	h.mu.Lock()
	h.fd = fd
	h.mu.Unlock()
	return nil
}

func (h *Host) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.fd >= 0 {
		unix.Close(h.fd)
		h.fd = -1
	}
}

// Do runs fn on an OS thread of its own, switched into the namespace, and
// returns fn's error. fn must create its sockets itself, in its own
// goroutine: goroutines it starts run on other threads, in the root
// namespace. Use IP literals: a dial that resolves a name may race
// addresses from other goroutines, and the resolver reads this machine's
// /etc/resolv.conf, not the namespace's (see Command).
func (h *Host) Do(fn func() error) error {
	h.mu.Lock()
	fd := h.fd
	h.mu.Unlock()
	if fd < 0 {
		return fmt.Errorf("namespace %s: already removed", h.name)
	}
	errc := make(chan error, 1)
	go func() {
		// A goroutine that ends while locked takes its thread with it,
		// which is what a thread stuck in the wrong namespace needs.
		runtime.LockOSThread()
		orig, err := unix.Open("/proc/thread-self/ns/net", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("namespace of this thread: %w", err)
			return
		}
		defer unix.Close(orig)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			errc <- fmt.Errorf("enter namespace %s: %w", h.name, err)
			return
		}
		ferr := fn()
		if err := unix.Setns(orig, unix.CLONE_NEWNET); err != nil {
			// Stay locked: the thread dies with this goroutine instead of
			// running other goroutines inside the test's namespace.
			errc <- fmt.Errorf("leave namespace %s: %w", h.name, err)
			return
		}
		runtime.UnlockOSThread()
		errc <- ferr
	}()
	return <-errc
}

// Listen is net.Listen inside the namespace.
func (h *Host) Listen(network, addr string) (net.Listener, error) {
	var ln net.Listener
	err := h.Do(func() (err error) {
		ln, err = net.Listen(network, addr)
		return err
	})
	return ln, err
}

// ListenPacket is net.ListenPacket inside the namespace.
func (h *Host) ListenPacket(network, addr string) (net.PacketConn, error) {
	var pc net.PacketConn
	err := h.Do(func() (err error) {
		pc, err = net.ListenPacket(network, addr)
		return err
	})
	return pc, err
}

// LocalPorts sets the range of local ports the namespace gives outgoing
// connections, lo to hi (net.ipv4.ip_local_port_range, which IPv6 uses
// too): one port makes the kernel share it between destinations.
func (h *Host) LocalPorts(lo, hi int) error {
	return h.Do(func() error {
		return os.WriteFile("/proc/sys/net/ipv4/ip_local_port_range", fmt.Appendf(nil, "%d %d", lo, hi), 0)
	})
}

// Dial is net.Dial inside the namespace.
func (h *Host) Dial(network, addr string) (net.Conn, error) {
	var c net.Conn
	err := h.Do(func() (err error) {
		c, err = net.Dial(network, addr)
		return err
	})
	return c, err
}

// Command returns a command that runs name inside the namespace, through
// `ip netns exec`, which execs name in place: the process started is the
// program itself, and signals reach it. The program sees the namespace's
// own /etc/hosts (localhost only), /etc/resolv.conf (a DNS server on its
// loopback where nothing answers) and /etc/nsswitch.conf (files, dns).
func (h *Host) Command(name string, args ...string) *exec.Cmd {
	return exec.Command(h.ip, h.args(name, args)...)
}

// CommandContext is Command with a context, as exec.CommandContext.
func (h *Host) CommandContext(ctx context.Context, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, h.ip, h.args(name, args)...)
}

func (h *Host) args(name string, args []string) []string {
	return append([]string{"netns", "exec", h.name, name}, args...)
}
