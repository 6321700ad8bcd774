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
	"github.com/sockstray/sockstray/internal/sockerr"
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

// errno is this platform's first error number of kind k: Windows has its
// own (WSAECONNREFUSED is 10061, not errno(sockerr.Refused)).
func errno(k sockerr.Kind) syscall.Errno { return sockerr.Errnos(k)[0] }

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

		{"refused", dialErr(errno(sockerr.Refused)), socks5.ReplyConnectionRefused},
		{"refused, bare errno", errno(sockerr.Refused), socks5.ReplyConnectionRefused},
		{"refused, wrapped", fmt.Errorf("dial target: %w", dialErr(errno(sockerr.Refused))), socks5.ReplyConnectionRefused},
		{"network unreachable", dialErr(errno(sockerr.NetUnreachable)), socks5.ReplyNetworkUnreachable},
		{"host unreachable", dialErr(sockerr.Errnos(sockerr.HostUnreachable)[0]), socks5.ReplyHostUnreachable},
		{"host down", dialErr(sockerr.Errnos(sockerr.HostUnreachable)[1]), socks5.ReplyHostUnreachable},
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
		{"timed out", dialErr(errno(sockerr.TimedOut)), socks5.ReplyTTLExpired},
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
		{"reset", dialErr(errno(sockerr.Reset)), socks5.ReplyGeneralFailure},
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

// A real refused dial on loopback gets 05 on every platform.
func TestReplyForRefusedDial(t *testing.T) {
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conn, err := net.Dial("tcp4", addr)
	if err == nil {
		conn.Close()
		t.Fatalf("dial %s: something else listens there", addr)
	}
	if got := socks5.ReplyFor(err); got != socks5.ReplyConnectionRefused {
		t.Fatalf("ReplyFor(%v) = %v, want %v", err, got, socks5.ReplyConnectionRefused)
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
