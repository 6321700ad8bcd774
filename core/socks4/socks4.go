// Package socks4 is the wire format of SOCKS 4 and its 4a extension (a
// destination given by name), which the server also speaks on its port for
// old clients. Encode/decode only, no sockets.
//
//	request:  VN=4 | CD | DSTPORT(2) | DSTIP(4) | USERID | 0x00 [| HOST | 0x00]
//	reply:    VN=0 | CD | DSTPORT(2) | DSTIP(4)
//
// In 4a, DSTIP is 0.0.0.x with x != 0 and HOST follows the user ID.
package socks4

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
)

// Version is the VN byte of a request.
const Version = 0x04

// Commands.
const (
	CmdConnect = 0x01
	CmdBind    = 0x02
)

// Reply codes (CD of a reply).
const (
	Granted  = 0x5A
	Rejected = 0x5B // request rejected or failed
	// NoIdentd and IdentMismatch are the identd failures; we never use
	// identd, so they appear here for completeness only.
	NoIdentd      = 0x5C
	IdentMismatch = 0x5D
)

// maxField bounds USERID and HOST so that a client cannot make the server
// buffer without end waiting for a NUL.
const maxField = 255

// Errors of the decoder.
var (
	ErrShort       = errors.New("socks4: request truncated")
	ErrBadVersion  = errors.New("socks4: wrong protocol version")
	ErrTooLong     = errors.New("socks4: user ID or host name longer than 255 bytes")
	ErrEmptyDomain = errors.New("socks4a: empty host name")
)

// Request is a SOCKS 4/4a request. Host is set for 4a (a name), IP
// otherwise.
type Request struct {
	Command byte
	Port    uint16
	IP      netip.Addr
	Host    string
	UserID  string
}

// Parse decodes a request from the start of b and returns the bytes used;
// ErrShort means more bytes are needed.
func Parse(b []byte) (Request, int, error) {
	if len(b) >= 1 && b[0] != Version {
		return Request{}, 0, ErrBadVersion
	}
	if len(b) < 8 {
		return Request{}, 0, ErrShort
	}
	q := Request{Command: b[1], Port: binary.BigEndian.Uint16(b[2:4]), IP: netip.AddrFrom4([4]byte(b[4:8]))}
	user, n, err := cstring(b[8:])
	if err != nil {
		return Request{}, 0, err
	}
	q.UserID = user
	n += 8
	ip := q.IP.As4()
	if ip[0] == 0 && ip[1] == 0 && ip[2] == 0 && ip[3] != 0 {
		host, m, err := cstring(b[n:])
		if err != nil {
			return Request{}, 0, err
		}
		if host == "" {
			return Request{}, 0, ErrEmptyDomain
		}
		q.Host, q.IP = host, netip.Addr{}
		n += m
	}
	return q, n, nil
}

// cstring reads a NUL-terminated field of at most maxField bytes.
func cstring(b []byte) (string, int, error) {
	i := bytes.IndexByte(b, 0)
	if i < 0 {
		if len(b) > maxField {
			return "", 0, ErrTooLong
		}
		return "", 0, ErrShort
	}
	if i > maxField {
		return "", 0, ErrTooLong
	}
	return string(b[:i]), i + 1, nil
}

// AppendRequest encodes a request (used by tests and clients).
func AppendRequest(b []byte, q Request) []byte {
	b = append(b, Version, q.Command)
	b = binary.BigEndian.AppendUint16(b, q.Port)
	if q.Host != "" {
		b = append(b, 0, 0, 0, 1)
	} else {
		ip := q.IP.As4()
		b = append(b, ip[:]...)
	}
	b = append(append(b, q.UserID...), 0)
	if q.Host != "" {
		b = append(append(b, q.Host...), 0)
	}
	return b
}

// AppendReply encodes a reply. A reply carries an IPv4 address only; any
// other address is sent as 0.0.0.0.
func AppendReply(b []byte, code byte, bound netip.AddrPort) []byte {
	b = append(b, 0, code)
	b = binary.BigEndian.AppendUint16(b, bound.Port())
	ip := [4]byte{}
	if a := bound.Addr().Unmap(); a.Is4() {
		ip = a.As4()
	}
	return append(b, ip[:]...)
}
