package outbound

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/sockstray/sockstray/core/socks5"
)

// TestGroupClassify is the specification of whose fault a failure is.
// The errors are built the way Chain, Handshake and Direct build them.
func TestGroupClassify(t *testing.T) {
	const h1, h2 = "192.0.2.1:1080", "192.0.2.2:1080"
	one := &Chain{Hops: []Upstream{{Addr: h1}}}
	two := &Chain{Hops: []Upstream{{Addr: h1}, {Addr: h2}}}
	dst := label{"tcp", "198.51.100.7:443"}
	at := func(hop string, err error) error { return hopError(Upstream{Addr: hop}, "tcp", dst, err) }
	dial := func(err error) error { return fmt.Errorf("dial: %w", err) }
	greeting := func(err error) error { return fmt.Errorf("greeting: %w", err) }
	request := func(next string, err error) error { return &requestError{"connect " + next, err} }
	reply := func(r socks5.Reply) error { return &socks5.ReplyError{Reply: r} }
	refused := &os.SyscallError{Syscall: "connect", Err: syscall.ECONNREFUSED}
	dnsErr := &net.DNSError{Err: "no such host", Name: "nowhere.test", IsNotFound: true}
	lastAnswer := at(h1, request(dst.addr, reply(socks5.ReplyConnectionRefused)))

	for _, tc := range []struct {
		name   string
		member Route
		err    error
		want   verdict
	}{
		// The upstream itself fails: its fault.
		{"upstream refuses TCP", one, at(h1, dial(refused)), memberFault},
		{"upstream dial times out", one, at(h1, dial(os.ErrDeadlineExceeded)), memberFault},
		{"upstream name does not resolve", one, at(h1, dial(dnsErr)), memberFault},
		{"upstream hangs before greeting", one, at(h1, greeting(context.DeadlineExceeded)), memberFault},
		{"upstream hangs up in greeting", one, at(h1, greeting(io.EOF)), memberFault},
		{"upstream refuses password", one, at(h1, ErrAuthFailed), memberFault},
		{"upstream wants a password", one, at(h1, greeting(ErrNoAcceptableAuth)), memberFault},
		{"upstream address invalid", one, at(h1, fmt.Errorf("address: %w", socks5.ErrBadAddr)), memberFault},
		{"upstream speaks another protocol", one, at(h1, request(dst.addr, socks5.ErrBadVersion)), memberFault},
		{"chain without hops", &Chain{}, ErrNoHops, memberFault},

		// The last upstream works and answers for the destination.
		{"05 connection refused", one, lastAnswer, answer},
		{"02 not allowed", one, at(h1, request(dst.addr, reply(socks5.ReplyNotAllowed))), answer},
		{"04 host unreachable", one, at(h1, request(dst.addr, reply(socks5.ReplyHostUnreachable))), answer},
		{"03 network unreachable", one, at(h1, request(dst.addr, reply(socks5.ReplyNetworkUnreachable))), answer},
		{"06 TTL expired", one, at(h1, request(dst.addr, reply(socks5.ReplyTTLExpired))), answer},
		{"01 general failure (servers that say nothing else)", one, at(h1, request(dst.addr, reply(socks5.ReplyGeneralFailure))), answer},
		{"no reply before our deadline (slow destination)", one, at(h1, request(dst.addr, context.DeadlineExceeded)), answer},
		{"hangs up instead of replying", one, at(h1, request(dst.addr, io.ErrUnexpectedEOF)), answer},

		// Earlier hops carry the chain: their refusals are its fault.
		{"hop 1 refuses hop 2", two, at(h1, request(h2, reply(socks5.ReplyConnectionRefused))), memberFault},
		{"hop 1 times out reaching hop 2", two, at(h1, request(h2, context.DeadlineExceeded)), memberFault},
		{"hop 2 hangs in greeting", two, at(h2, greeting(context.DeadlineExceeded)), memberFault},
		{"hop 2 refuses the destination", two, at(h2, request(dst.addr, reply(socks5.ReplyConnectionRefused))), answer},

		// Cannot carry this kind of request: skip, health untouched.
		{"07 from the last hop", one, at(h1, request(dst.addr, reply(socks5.ReplyCommandNotSupported))), unsupported},
		{"UDP through a non-SOCKS5 hop", one, fmt.Errorf("UDP through http upstream %s: %w", h1, socks5.ErrCommandNotSupported), unsupported},

		// Our own rules: every member would refuse.
		{"target check", one, &net.OpError{Op: "dial", Net: "tcp", Addr: dst, Err: socks5.ErrNotAllowed}, answer},

		// Direct reaches the destination itself.
		{"direct: refused", &Direct{}, &net.OpError{Op: "dial", Net: "tcp", Err: refused}, answer},
		{"direct: no such host", &Direct{}, &net.OpError{Op: "dial", Net: "tcp", Err: dnsErr}, answer},
		{"direct: timeout", &Direct{}, &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}, answer},

		// Nested groups.
		{"inner group passed an answer on", &Group{}, &answerError{lastAnswer}, answer},
		{"inner group: every member failed", &Group{}, &GroupError{Failures: []MemberError{{"a", lastAnswer}}}, memberFault},

		{"inner group: no member for UDP", &Group{}, &GroupError{Failures: []MemberError{{"a", socks5.ErrCommandNotSupported}}}, unsupported},

		{"unknown route, unknown error", &Group{}, errors.New("boom"), memberFault},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := classify(tc.member, tc.err); got != tc.want {
				t.Errorf("classify(%v, %q) = %v, want %v", tc.member, tc.err, got, tc.want)
			}
		})
	}
}
