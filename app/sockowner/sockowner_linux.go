package sockowner

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// lookupAll reads the kernel's TCP tables (cheap: one file each) to find
// each client's socket inode, then walks /proc/[pid]/fd once for the
// inodes not known from an earlier lookup. Owners are remembered by inode,
// not by address: a client port can be reused by another program, an
// inode cannot while the socket lives.
func (r *Resolver) lookupAll(qs []Query) []Owner {
	const root = "/proc"
	byLocal := map[netip.AddrPort][]socket{} // a client's socket has the client's address
	for _, s := range r.sockets(root) {
		if s.inode != 0 { // 0: no process holds it any more
			byLocal[unmap(s.local)] = append(byLocal[unmap(s.local)], s)
		}
	}
	inodes := make([]uint64, len(qs))
	live := make(map[uint64]bool, len(qs))
	var missing map[uint64]bool
	for i, q := range qs {
		for _, s := range byLocal[unmap(q.Client)] {
			if q.matches(s.local, s.remote) {
				inodes[i] = s.inode
				live[s.inode] = true
				if _, ok := r.known[s.inode]; !ok {
					if missing == nil {
						missing = map[uint64]bool{}
					}
					missing[s.inode] = true
				}
				break
			}
		}
	}
	known := make(map[uint64]Owner, len(live)) // only the sockets still asked about
	for ino := range live {
		if o, ok := r.known[ino]; ok {
			known[ino] = o
		}
	}
	var first []int // the owners found before, most likely to open more
	for _, o := range known {
		first = append(first, o.PID)
	}
	for ino, o := range findProcesses(root, missing, first) {
		known[ino] = o
	}
	r.known = known
	out := make([]Owner, len(qs))
	for i, ino := range inodes {
		out[i] = known[ino] // the zero Owner for inode 0 or a socket no process shows
	}
	return out
}

// sockets lists this host's TCP sockets: through sock_diag, or from
// /proc/net/tcp and tcp6 where that fails.
func (r *Resolver) sockets(root string) []socket {
	if !r.noDiag {
		if socks, err := diagSockets(); err == nil {
			return socks
		}
	}
	var socks []socket
	for _, f := range []string{"tcp", "tcp6"} {
		socks = append(socks, readTCP(filepath.Join(root, "net", f))...)
	}
	return socks
}

// socket is one TCP socket: a row of /proc/net/tcp, or of a sock_diag dump.
type socket struct {
	local, remote netip.AddrPort
	inode         uint64
}

// readTCP parses a /proc/net/tcp or tcp6 file; a file that cannot be read
// (no IPv6) has no sockets.
//
//	sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
//	 0: 0100007F:0438 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 23915 ...
func readTCP(path string) []socket {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var out []socket
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Scan() // the header
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			continue
		}
		local, ok1 := parseAddr(f[1])
		remote, ok2 := parseAddr(f[2])
		inode, err := strconv.ParseUint(f[9], 10, 64)
		if ok1 && ok2 && err == nil {
			out = append(out, socket{local, remote, inode})
		}
	}
	return out
}

// parseAddr parses "0100007F:0438": the address as 32-bit words in the
// host's byte order, the port in hex.
func parseAddr(s string) (netip.AddrPort, bool) {
	h, p, ok := strings.Cut(s, ":")
	port, err := strconv.ParseUint(p, 16, 16)
	if !ok || err != nil {
		return netip.AddrPort{}, false
	}
	raw, err := hex.DecodeString(h)
	if err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.AddrPort{}, false
	}
	b := make([]byte, len(raw))
	for i := 0; i < len(raw); i += 4 {
		binary.BigEndian.PutUint32(b[i:], binary.NativeEndian.Uint32(raw[i:]))
	}
	a, _ := netip.AddrFromSlice(b)
	return netip.AddrPortFrom(a, uint16(port)), true
}

// findProcesses walks /proc/[pid]/fd for the sockets wanted and returns
// the owner of each found; it stops once all are found. It looks first at
// the processes in first (those that opened the connections before: a
// browser opens many), and last at this one, which holds the proxy's own
// sockets, thousands on a busy proxy. Processes that end meanwhile, or
// whose fds this user may not read, are passed over.
func findProcesses(root string, want map[uint64]bool, first []int) map[uint64]Owner {
	if len(want) == 0 {
		return nil
	}
	found := map[uint64]Owner{}
	for _, pid := range scanOrder(root, first) {
		if findIn(root, pid, want, found) {
			break
		}
	}
	return found
}

// scanOrder lists the processes: first's, the others, this one.
func scanOrder(root string, first []int) []int {
	procs, err := os.ReadDir(root)
	if err != nil {
		return nil
	}
	self := os.Getpid()
	seen := map[int]bool{self: true}
	var order []int
	for _, pid := range first {
		if !seen[pid] {
			seen[pid] = true
			order = append(order, pid)
		}
	}
	for _, d := range procs {
		if pid, err := strconv.Atoi(d.Name()); err == nil && pid > 0 && !seen[pid] {
			order = append(order, pid)
		}
	}
	return append(order, self)
}

// findIn records the sockets wanted among pid's fds in found, and reports
// whether all are found.
func findIn(root string, pid int, want map[uint64]bool, found map[uint64]Owner) bool {
	dir := filepath.Join(root, strconv.Itoa(pid), "fd")
	fds, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, fd := range fds {
		ino, ok := socketInode(filepath.Join(dir, fd.Name()))
		if !ok || !want[ino] {
			continue
		}
		if _, dup := found[ino]; !dup {
			found[ino] = Owner{PID: pid, Name: processName(root, strconv.Itoa(pid))}
		}
		if len(found) == len(want) {
			return true
		}
	}
	return false
}

// socketInode reads an fd link such as "socket:[23915]".
func socketInode(link string) (uint64, bool) {
	t, err := os.Readlink(link)
	if err != nil || !strings.HasPrefix(t, "socket:[") || !strings.HasSuffix(t, "]") {
		return 0, false
	}
	n, err := strconv.ParseUint(t[len("socket:["):len(t)-1], 10, 64)
	return n, err == nil
}

// processName is the process's command name; the kernel cuts comm at 15
// bytes, so a name that long is completed from the executable's when that
// starts the same way.
func processName(root, pid string) string {
	b, _ := os.ReadFile(filepath.Join(root, pid, "comm"))
	name := strings.TrimSpace(string(b))
	if len(name) >= 15 {
		if exe, err := os.Readlink(filepath.Join(root, pid, "exe")); err == nil {
			if base := filepath.Base(exe); strings.HasPrefix(base, name) {
				return base
			}
		}
	}
	if name == "" {
		name = "?"
	}
	return name
}
