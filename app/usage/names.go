// Package usage is the opt-in usage history: bytes per day by destination
// host, by client and by program, counted from the engine's connection
// table and kept in a bbolt file on this computer only.
//
// A [Recorder] counts each connection's bytes once, as deltas: the live
// connections from a snapshot at each flush, the ended ones from the
// table's OnDone hook. It keeps the counts in memory and writes them once a
// minute in one transaction, so a crash or kill -9 loses at most the last
// minute. Only host names, client addresses and program names are stored:
// never a URL, a path, a user name or a password.
package usage

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
)

// Dim is what bytes are counted by.
type Dim string

// The dimensions of the history.
const (
	ByHost    Dim = "host"    // the destination's host name or address, as the client asked
	ByClient  Dim = "client"  // the client's address; ThisComputer for loopback
	ByProgram Dim = "program" // the local program that opened the connection
)

// Dims are the dimensions in the order they are shown.
var Dims = []Dim{ByHost, ByClient, ByProgram}

// ParseDim reads a dimension's name.
func ParseDim(s string) (Dim, error) {
	for _, d := range Dims {
		if string(d) == s {
			return d, nil
		}
	}
	return "", fmt.Errorf("%q: want host, client or program", s)
}

// ThisComputer is the client name of connections from loopback.
const ThisComputer = "this computer"

// Invalid is the name kept for a destination or program name that is not
// a plain name (so that nothing else a client sends is ever stored).
const Invalid = "(invalid name)"

// maxName bounds a stored name: a DNS name has at most 253 characters.
const maxName = 253

// HostOf is the host part of a destination host:port, lower-cased. A
// destination that is not a plain host name or address (a URL, a path,
// user@host) gives Invalid.
func HostOf(dest string) string {
	host := dest
	if i := strings.LastIndexByte(dest, ':'); i >= 0 && !strings.HasSuffix(dest, "]") {
		host = dest[:i]
	}
	host = strings.TrimSuffix(strings.TrimPrefix(host, "["), "]")
	if ip, err := netip.ParseAddr(host); err == nil {
		return ip.WithZone("").String()
	}
	if host == "" || len(host) > maxName {
		return Invalid
	}
	for _, r := range host {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
			return Invalid
		}
	}
	return strings.ToLower(host)
}

// ClientOf names a client by its address, without the port.
func ClientOf(ap netip.AddrPort) string {
	ip := ap.Addr().Unmap()
	switch {
	case !ip.IsValid():
		return Invalid
	case ip.IsLoopback():
		return ThisComputer
	}
	return ip.WithZone("").String()
}

// ProgramName is a program's name as stored: the last element of what
// the lookup gave (never a path), at most maxName bytes of printable text;
// "" for none.
func ProgramName(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	s = filepath.Base(strings.ReplaceAll(s, `\`, "/"))
	if len(s) > maxName {
		s = s[:maxName]
	}
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, s)
}
