package socks5

import "errors"

// Sentinel errors of the decoders, checked with errors.Is.
var (
	// ErrShort means the input ended inside a message: a slice decoder
	// needs more bytes, a stream decoder met EOF.
	ErrShort          = errors.New("socks5: message truncated")
	ErrBadVersion     = errors.New("socks5: wrong protocol version")
	ErrBadAuthVersion = errors.New("socks5: wrong username/password subnegotiation version")
	ErrNoMethods      = errors.New("socks5: greeting offers no methods")
	ErrEmptyUsername  = errors.New("socks5: empty username")
	ErrEmptyPassword  = errors.New("socks5: empty password")
	ErrEmptyDomain    = errors.New("socks5: empty domain name")
	ErrBadAddrType    = errors.New("socks5: unknown address type")
	// ErrTooLong is an encoder's error for a field over 255 bytes.
	ErrTooLong = errors.New("socks5: field longer than 255 bytes")
	// ErrBadAddr is an encoder's error for an address with neither a valid IP
	// nor a name.
	ErrBadAddr = errors.New("socks5: address has no IP and no name")
)
