// Package sockowner finds the program on this host that holds the client
// end of a TCP connection to the proxy: its PID and name. It reads the OS's
// tables (on Linux the kernel's socket list through sock_diag, or
// /proc/net/tcp, and /proc/[pid]/fd) and never touches the connection
// itself, so it runs beside the relay at no cost to it; a lookup may take
// tens of milliseconds on a busy host, so make it off the UI goroutine.
// Where the OS is not supported yet, every lookup answers "not found".
package sockowner

import (
	"net/netip"
	"strconv"
	"sync"

	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/internal/hostaddr"
)

// Owner is a process holding a socket.
type Owner struct {
	PID  int
	Name string // the process's command name, such as "curl"
}

// String is "name (PID)", as the Connections table shows it.
func (o Owner) String() string { return o.Name + " (" + strconv.Itoa(o.PID) + ")" }

// Found reports whether o names a process: the zero Owner means none.
func (o Owner) Found() bool { return o.PID != 0 }

// Query is one connection as the proxy sees it: Client is the client's
// address (its own local address), Server the proxy's end. A Server with
// an unspecified address (a listener on 0.0.0.0 or ::) matches by port;
// a zero Server matches any.
type Query struct {
	Client, Server netip.AddrPort
}

// Resolver looks connections up, remembering the owner of each socket it
// found so that a socket is looked for across the processes once. Its
// zero value is ready; it is safe from several goroutines.
type Resolver struct {
	mu     sync.Mutex       // held through a lookup: one scan at a time
	known  map[uint64]Owner // by socket (inode), for the sockets seen in the last lookup
	noDiag bool             // read /proc/net/tcp even where sock_diag works (tests)
}

// Lookup finds the owner of the client end of one connection.
func (r *Resolver) Lookup(client, server netip.AddrPort) (Owner, bool) {
	o := r.LookupAll([]Query{{Client: client, Server: server}})[0]
	return o, o.Found()
}

// ProgramsOf names the programs of the proxy's connections cs, one walk
// of the OS's tables for all: the i-th name is cs[i]'s, "" where none was
// found. It is the usage history's look-up (usage.Options.ProgramsOf).
// Each connection is matched on both its ends: one local port may carry
// connections of different programs to different servers.
func (r *Resolver) ProgramsOf(cs []stats.ConnStat) []string {
	qs := make([]Query, len(cs))
	for i, c := range cs {
		qs[i] = Query{Client: c.Client, Server: c.Server}
	}
	names := make([]string, len(cs))
	for i, o := range r.LookupAll(qs) {
		names[i] = o.Name
	}
	return names
}

// LookupAll finds the owners of many connections with one walk of the
// OS's tables: the i-th Owner is qs[i]'s, the zero Owner where none was
// found (a client on another host, or a process that has exited).
func (r *Resolver) LookupAll(qs []Query) []Owner {
	out := make([]Owner, len(qs))
	// A client on another host has no socket here: its query costs nothing.
	var here []Query
	var at []int
	own := hostAddrs()
	for i, q := range qs {
		if a := q.Client.Addr().Unmap(); a.IsLoopback() || own[a] {
			here, at = append(here, q), append(at, i)
		}
	}
	if len(here) == 0 {
		return out
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, o := range r.lookupAll(here) {
		out[at[i]] = o
	}
	return out
}

// hostAddrs are this host's own addresses, which a client here may use.
func hostAddrs() map[netip.Addr]bool {
	all, _ := hostaddr.All()
	own := make(map[netip.Addr]bool, len(all))
	for _, p := range all {
		own[p.Addr()] = true
	}
	return own
}

// matches reports whether a socket with local address local and remote
// address remote is q's client end.
func (q Query) matches(local, remote netip.AddrPort) bool {
	if unmap(local) != unmap(q.Client) {
		return false
	}
	if !q.Server.IsValid() {
		return true
	}
	if remote.Port() != q.Server.Port() {
		return false
	}
	s := q.Server.Addr().Unmap()
	return s.IsUnspecified() || s == remote.Addr().Unmap()
}

func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}
