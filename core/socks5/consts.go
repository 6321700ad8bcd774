package socks5

import "strconv"

// Version is the protocol version byte of every RFC 1928 message.
const Version = 0x05

// AuthVersion is the version byte of the RFC 1929 username/password
// subnegotiation.
const AuthVersion = 0x01

// AuthMethod is an authentication method (RFC 1928 section 3).
type AuthMethod byte

// Authentication methods.
const (
	AuthNone         AuthMethod = 0x00
	AuthGSSAPI       AuthMethod = 0x01
	AuthUserPass     AuthMethod = 0x02
	AuthNoAcceptable AuthMethod = 0xFF
)

func (m AuthMethod) String() string {
	switch m {
	case AuthNone:
		return "no authentication required"
	case AuthGSSAPI:
		return "GSSAPI"
	case AuthUserPass:
		return "username/password"
	case AuthNoAcceptable:
		return "no acceptable methods"
	}
	return "method " + strconv.Itoa(int(m))
}

// Command is a request's CMD field (RFC 1928 section 4).
type Command byte

// Commands.
const (
	CmdConnect      Command = 0x01
	CmdBind         Command = 0x02
	CmdUDPAssociate Command = 0x03
)

func (c Command) String() string {
	switch c {
	case CmdConnect:
		return "CONNECT"
	case CmdBind:
		return "BIND"
	case CmdUDPAssociate:
		return "UDP ASSOCIATE"
	}
	return "command " + strconv.Itoa(int(c))
}

// AddrType is the ATYP field (RFC 1928 section 5).
type AddrType byte

// Address types.
const (
	AddrIPv4   AddrType = 0x01
	AddrDomain AddrType = 0x03
	AddrIPv6   AddrType = 0x04
)

// Reply is a reply's REP field (RFC 1928 section 6).
type Reply byte

// Reply codes.
const (
	ReplySucceeded               Reply = 0x00
	ReplyGeneralFailure          Reply = 0x01
	ReplyNotAllowed              Reply = 0x02
	ReplyNetworkUnreachable      Reply = 0x03
	ReplyHostUnreachable         Reply = 0x04
	ReplyConnectionRefused       Reply = 0x05
	ReplyTTLExpired              Reply = 0x06
	ReplyCommandNotSupported     Reply = 0x07
	ReplyAddressTypeNotSupported Reply = 0x08
)

func (r Reply) String() string {
	switch r {
	case ReplySucceeded:
		return "succeeded"
	case ReplyGeneralFailure:
		return "general SOCKS server failure"
	case ReplyNotAllowed:
		return "connection not allowed by ruleset"
	case ReplyNetworkUnreachable:
		return "network unreachable"
	case ReplyHostUnreachable:
		return "host unreachable"
	case ReplyConnectionRefused:
		return "connection refused"
	case ReplyTTLExpired:
		return "TTL expired"
	case ReplyCommandNotSupported:
		return "command not supported"
	case ReplyAddressTypeNotSupported:
		return "address type not supported"
	}
	return "unassigned reply " + strconv.Itoa(int(r))
}

// AuthStatus is the STATUS field of an RFC 1929 reply: zero is success, any
// other value is failure.
type AuthStatus byte

// Authentication statuses.
const (
	AuthSuccess AuthStatus = 0x00
	AuthFailure AuthStatus = 0x01
)
