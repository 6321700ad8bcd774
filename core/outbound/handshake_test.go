package outbound

import (
	"context"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// h decodes hex with spaces: h("05 00").
func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// scripted plays a server over net.Pipe: for each step it reads len(want)
// bytes, compares them, and writes the answer; then it hangs up. The
// answer "hang" makes it wait, silent, until the client closes.
func scripted(t *testing.T, steps ...[2]string) net.Conn {
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer server.Close()
		for _, s := range steps {
			want := h(s[0])
			got := make([]byte, len(want))
			if _, err := io.ReadFull(server, got); err != nil {
				return
			}
			if string(got) != string(want) {
				t.Errorf("server read % x, want % x", got, want)
				return
			}
			if s[1] == "hang" {
				io.Copy(io.Discard, server)
				return
			}
			if _, err := server.Write(h(s[1])); err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() { client.Close(); <-done })
	return client
}

func TestHandshake(t *testing.T) {
	dst := socks5.Addr{Name: "example.org", Port: 443}
	const greetNone, greetBoth = "05 01 00", "05 02 00 02"
	const request = "05 01 00 03 0b 6578616d706c652e6f7267 01bb"
	alice := &socks5.UserPass{Username: "alice", Password: "pw"}
	const authAlice = "01 05 616c696365 02 7077"
	for _, tc := range []struct {
		name    string
		auth    *socks5.UserPass
		steps   [][2]string
		wantErr string // substring; "" for success
		is      error
		reply   socks5.Reply
	}{
		{"no auth", nil, [][2]string{{greetNone, "05 00"}, {request, "05 00 00 01 7f000001 1f90"}}, "", nil, 0},
		{"user/pass", alice, [][2]string{{greetBoth, "05 02"}, {authAlice, "01 00"}, {request, "05 00 00 01 7f000001 1f90"}}, "", nil, 0},
		{"auth refused", alice, [][2]string{{greetBoth, "05 02"}, {authAlice, "01 01"}}, `authentication failed (user "alice")`, ErrAuthFailed, socks5.ReplyGeneralFailure},
		{"no acceptable method", nil, [][2]string{{greetNone, "05 ff"}}, "greeting: no acceptable authentication method (offered: no authentication required)", ErrNoAcceptableAuth, socks5.ReplyGeneralFailure},
		{"method not offered", nil, [][2]string{{greetNone, "05 02"}}, "greeting: server chose username/password, which was not offered", nil, socks5.ReplyGeneralFailure},
		{"not socks5", nil, [][2]string{{greetNone, "48 54"}}, "greeting: socks5: wrong protocol version", socks5.ErrBadVersion, socks5.ReplyGeneralFailure},
		{"closed at greeting", nil, [][2]string{{greetNone, ""}}, "greeting: EOF", io.EOF, socks5.ReplyGeneralFailure},
		{"refused", nil, [][2]string{{greetNone, "05 00"}, {request, "05 05 00 01 00000000 0000"}}, "connect example.org:443: socks5 server replied 0x05 (connection refused)", nil, socks5.ReplyConnectionRefused},
		// A failure reply cut short still passes its code on.
		{"short failure reply", nil, [][2]string{{greetNone, "05 00"}, {request, "05 04"}}, "socks5 server replied 0x04", nil, socks5.ReplyHostUnreachable},
		{"closed at request", nil, [][2]string{{greetNone, "05 00"}, {request, ""}}, "connect example.org:443: EOF", io.EOF, socks5.ReplyGeneralFailure},
		{"truncated success", nil, [][2]string{{greetNone, "05 00"}, {request, "05 00 00 01 7f"}}, "message truncated", socks5.ErrShort, socks5.ReplyGeneralFailure},
		// A success with a broken address is the upstream's fault: general
		// failure, not "address type not supported" for our client.
		{"success, bad atyp", nil, [][2]string{{greetNone, "05 00"}, {request, "05 00 00 09 00"}}, "connect example.org:443: malformed reply", nil, socks5.ReplyGeneralFailure},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conn := scripted(t, tc.steps...)
			bound, err := Handshake(context.Background(), conn, socks5.CmdConnect, dst, tc.auth)
			if tc.wantErr == "" {
				if err != nil || bound.String() != "127.0.0.1:8080" {
					t.Fatalf("bound %v, err %v", bound, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tc.wantErr)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("%v is not %v", err, tc.is)
			}
			if got := socks5.ReplyFor(err); got != tc.reply {
				t.Errorf("ReplyFor = %v, want %v", got, tc.reply)
			}
			if strings.Contains(err.Error(), "pw") {
				t.Errorf("password in %q", err)
			}
		})
	}
}

func TestHandshakeCancelled(t *testing.T) {
	conn := scripted(t, [2]string{"05 01 00", "hang"})
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := Handshake(ctx, conn, socks5.CmdConnect, socks5.Addr{Name: "a.test", Port: 1}, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("returned after %v", d)
	}
}
