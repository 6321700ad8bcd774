package socks5_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/sockstray/sockstray/core/socks5"
)

// dialErr builds the error net.Dial returns for a failed connect(2): an
// *os.SyscallError inside a *net.OpError. Nothing is dialled.
func dialErr(errno syscall.Errno) error {
	return &net.OpError{
		Op:     "dial",
		Net:    "tcp",
		Source: net.TCPAddrFromAddrPort(netip.MustParseAddrPort("192.0.2.1:40000")),
		Addr:   net.TCPAddrFromAddrPort(netip.MustParseAddrPort("203.0.113.5:80")),
		Err:    os.NewSyscallError("connect", errno),
	}
}

// timeoutErr is a net.Error that is a timeout but none of the sentinels.
type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

func TestReplyFor(t *testing.T) {
	notFound := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{
		Err: "no such host", Name: "nonexistent.example", IsNotFound: true,
	}}
	tests := []struct {
		name string
		err  error
		want socks5.Reply
	}{
		{"nil", nil, socks5.ReplySucceeded},

		{"refused", dialErr(syscall.ECONNREFUSED), socks5.ReplyConnectionRefused},
		{"refused, bare errno", syscall.ECONNREFUSED, socks5.ReplyConnectionRefused},
		{"refused, wrapped", fmt.Errorf("dial target: %w", dialErr(syscall.ECONNREFUSED)), socks5.ReplyConnectionRefused},
		{"network unreachable", dialErr(syscall.ENETUNREACH), socks5.ReplyNetworkUnreachable},
		{"host unreachable", dialErr(syscall.EHOSTUNREACH), socks5.ReplyHostUnreachable},
		{"host down", dialErr(syscall.EHOSTDOWN), socks5.ReplyHostUnreachable},
		{"no such host", notFound, socks5.ReplyHostUnreachable},
		{"no such host, bare", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, socks5.ReplyHostUnreachable},
		{
			// A name that cannot be resolved in time still cannot be
			// reached: 04 (the style guide allows 06 or 04).
			"DNS timeout",
			&net.DNSError{Err: "i/o timeout", Name: "slow.example", IsTimeout: true},
			socks5.ReplyHostUnreachable,
		},

		// net.Dialer turns its deadline into os.ErrDeadlineExceeded.
		{"dial deadline", &net.OpError{Op: "dial", Net: "tcp", Err: os.ErrDeadlineExceeded}, socks5.ReplyTTLExpired},
		{"deadline, bare", os.ErrDeadlineExceeded, socks5.ReplyTTLExpired},
		{"context deadline", context.DeadlineExceeded, socks5.ReplyTTLExpired},
		{"context deadline, wrapped", fmt.Errorf("upstream handshake: %w", context.DeadlineExceeded), socks5.ReplyTTLExpired},
		{"ETIMEDOUT", dialErr(syscall.ETIMEDOUT), socks5.ReplyTTLExpired},
		{"other net.Error timeout", &net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}}, socks5.ReplyTTLExpired},

		{"not allowed", socks5.ErrNotAllowed, socks5.ReplyNotAllowed},
		{"not allowed, wrapped", fmt.Errorf("rule 3: %w", socks5.ErrNotAllowed), socks5.ReplyNotAllowed},
		{"command not supported", socks5.ErrCommandNotSupported, socks5.ReplyCommandNotSupported},
		{"command not supported, wrapped", fmt.Errorf("BIND: %w", socks5.ErrCommandNotSupported), socks5.ReplyCommandNotSupported},
		{"bad address type", socks5.ErrBadAddrType, socks5.ReplyAddressTypeNotSupported},
		{"bad address type, wrapped", fmt.Errorf("read request: %w", socks5.ErrBadAddrType), socks5.ReplyAddressTypeNotSupported},

		// An upstream SOCKS server's reply is passed on unchanged.
		{"upstream refused", &socks5.ReplyError{Reply: socks5.ReplyConnectionRefused}, socks5.ReplyConnectionRefused},
		{"upstream TTL expired", fmt.Errorf("upstream: %w", &socks5.ReplyError{Reply: socks5.ReplyTTLExpired}), socks5.ReplyTTLExpired},
		{"upstream unassigned", &socks5.ReplyError{Reply: 0x42}, socks5.Reply(0x42)},
		{
			// The upstream's word beats what a wrapped timeout would say.
			"upstream reply with a deadline",
			errors.Join(&socks5.ReplyError{Reply: socks5.ReplyNotAllowed}, os.ErrDeadlineExceeded),
			socks5.ReplyNotAllowed,
		},

		{"plain error", errors.New("boom"), socks5.ReplyGeneralFailure},
		{"canceled", context.Canceled, socks5.ReplyGeneralFailure},
		{"EOF", io.EOF, socks5.ReplyGeneralFailure},
		{"reset", dialErr(syscall.ECONNRESET), socks5.ReplyGeneralFailure},
		{"truncated upstream reply", fmt.Errorf("upstream: %w", socks5.ErrShort), socks5.ReplyGeneralFailure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := socks5.ReplyFor(tc.err); got != tc.want {
				t.Errorf("ReplyFor(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}

func TestReplyErrorMessage(t *testing.T) {
	err := fmt.Errorf("upstream: %w", &socks5.ReplyError{Reply: socks5.ReplyConnectionRefused})
	msg := err.Error()
	for _, want := range []string{"0x05", "connection refused"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q does not contain %q", msg, want)
		}
	}
	var re *socks5.ReplyError
	if !errors.As(err, &re) || re.Reply != socks5.ReplyConnectionRefused {
		t.Errorf("errors.As = %v", re)
	}
}
