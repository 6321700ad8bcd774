package socks5

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"

	"github.com/sockstray/sockstray/internal/sockerr"
)

// ErrNotAllowed is the error of a request that the server's access rules
// refuse; it maps to ReplyNotAllowed.
var ErrNotAllowed = errors.New("connection not allowed by ruleset")

// ErrCommandNotSupported is the error of a request whose command the server
// does not carry out (unknown, or turned off); it maps to
// ReplyCommandNotSupported.
var ErrCommandNotSupported = errors.New("command not supported")

// ReplyError is a reply other than success, received from a SOCKS server.
// A relay passes it on to its own client unchanged.
type ReplyError struct {
	Reply Reply
}

func (e *ReplyError) Error() string {
	return fmt.Sprintf("socks5 server replied %#02x (%v)", byte(e.Reply), e.Reply)
}

// ReplyFor is the one place that maps an error from serving a request (a
// failed dial, a refused rule, an upstream's reply) to the RFC 1928 reply
// code the client gets. A nil error is success.
func ReplyFor(err error) Reply {
	if err == nil {
		return ReplySucceeded
	}
	var re *ReplyError
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &re):
		return re.Reply
	case errors.Is(err, ErrNotAllowed):
		return ReplyNotAllowed
	case errors.Is(err, ErrCommandNotSupported):
		return ReplyCommandNotSupported
	case errors.Is(err, ErrBadAddrType):
		return ReplyAddressTypeNotSupported
	case sockerr.Is(err, sockerr.Refused):
		return ReplyConnectionRefused
	case sockerr.Is(err, sockerr.NetUnreachable):
		return ReplyNetworkUnreachable
	case sockerr.Is(err, sockerr.HostUnreachable):
		return ReplyHostUnreachable
	case errors.As(err, &dnsErr):
		// The name does not resolve, so the host cannot be reached.
		return ReplyHostUnreachable
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded),
		sockerr.Is(err, sockerr.TimedOut), isTimeout(err):
		return ReplyTTLExpired
	}
	return ReplyGeneralFailure
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
