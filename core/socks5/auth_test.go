package socks5_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/core/socks5"
)

// allMethods is a greeting offering every method byte but 0xFF: 255 of them,
// the most NMETHODS can count.
func allMethods() ([]socks5.AuthMethod, []byte) {
	ms := make([]socks5.AuthMethod, 255)
	raw := []byte{0x05, 0xFF}
	for i := range ms {
		ms[i] = socks5.AuthMethod(i)
		raw = append(raw, byte(i))
	}
	return ms, raw
}

func greetingCases() []decodeCase[socks5.Greeting] {
	ms, raw := allMethods()
	return []decodeCase[socks5.Greeting]{
		{
			name: "no-auth and user/pass",
			data: h("05 02 00 02"),
			want: socks5.Greeting{Methods: []socks5.AuthMethod{socks5.AuthNone, socks5.AuthUserPass}},
		},
		{
			name: "no-auth only",
			data: h("05 01 00"),
			want: socks5.Greeting{Methods: []socks5.AuthMethod{socks5.AuthNone}},
		},
		{
			name: "GSSAPI, private and 0xFF",
			data: h("05 03 01 80 FF"),
			want: socks5.Greeting{Methods: []socks5.AuthMethod{socks5.AuthGSSAPI, 0x80, socks5.AuthNoAcceptable}},
		},
		{name: "255 methods", data: raw, want: socks5.Greeting{Methods: ms}},

		{name: "empty", data: nil, wantErr: socks5.ErrShort},
		{name: "methods cut", data: h("05 03 00 02"), wantErr: socks5.ErrShort},
		{name: "NMETHODS 0", data: h("05 00"), wantErr: socks5.ErrNoMethods},
		{name: "NMETHODS 0 and more bytes", data: h("05 00 00 02"), wantErr: socks5.ErrNoMethods},
		{name: "VER 4", data: h("04 01 00"), wantErr: socks5.ErrBadVersion},
		{name: "SOCKS4 CONNECT", data: h("04 01 00 50 CB 00 71 05 00"), wantErr: socks5.ErrBadVersion},
		{name: "HTTP", data: []byte("GET / HTTP/1.1\r\n"), wantErr: socks5.ErrBadVersion},
	}
}

func TestGreeting(t *testing.T) {
	testCodec(t, greetingCodec, greetingCases())
}

func TestGreetingAppendErrors(t *testing.T) {
	ms, _ := allMethods()
	testEncode(t, greetingCodec, []encodeCase[socks5.Greeting]{
		{name: "no methods", in: socks5.Greeting{}, wantErr: socks5.ErrNoMethods},
		{name: "empty methods", in: socks5.Greeting{Methods: []socks5.AuthMethod{}}, wantErr: socks5.ErrNoMethods},
		{name: "256 methods", in: socks5.Greeting{Methods: append(ms, 0xFF)}, wantErr: socks5.ErrTooLong},
	})
}

func TestGreetingHas(t *testing.T) {
	g := socks5.Greeting{Methods: []socks5.AuthMethod{socks5.AuthNone, socks5.AuthUserPass}}
	for _, tc := range []struct {
		m    socks5.AuthMethod
		want bool
	}{
		{socks5.AuthNone, true},
		{socks5.AuthUserPass, true},
		{socks5.AuthGSSAPI, false},
		{socks5.AuthNoAcceptable, false},
	} {
		if got := g.Has(tc.m); got != tc.want {
			t.Errorf("Has(%v) = %v, want %v", tc.m, got, tc.want)
		}
	}
	if (socks5.Greeting{}).Has(socks5.AuthNone) {
		t.Error("an empty greeting has AuthNone")
	}
}

func TestMethodSelection(t *testing.T) {
	testCodec(t, methodCodec, []decodeCase[socks5.AuthMethod]{
		{name: "username/password", data: h("05 02"), want: socks5.AuthUserPass},
		{name: "no-auth", data: h("05 00"), want: socks5.AuthNone},
		{name: "no acceptable methods", data: h("05 FF"), want: socks5.AuthNoAcceptable},

		{name: "empty", data: nil, wantErr: socks5.ErrShort},
		{name: "VER only", data: h("05"), wantErr: socks5.ErrShort},
		{name: "VER 4", data: h("04 00"), wantErr: socks5.ErrBadVersion},
		{name: "an RFC 1929 reply instead", data: h("01 00"), wantErr: socks5.ErrBadVersion},
	})
}

func userPassCases() []decodeCase[socks5.UserPass] {
	u255, p255 := strings.Repeat("u", 255), strings.Repeat("p", 255)
	return []decodeCase[socks5.UserPass]{
		{
			name: "myuser/mypasswd",
			data: h("01 06 6D 79 75 73 65 72 08 6D 79 70 61 73 73 77 64"),
			want: socks5.UserPass{Username: "myuser", Password: "mypasswd"},
		},
		{
			name: "one byte each",
			data: h("01 01 61 01 62"),
			want: socks5.UserPass{Username: "a", Password: "b"},
		},
		{
			// RFC 1929 fields are octets, not text: any byte goes.
			name: "binary and UTF-8",
			data: cat(h("01 03 00 FF 0A 04"), []byte("пф")),
			want: socks5.UserPass{Username: "\x00\xff\n", Password: "пф"},
		},
		{
			name: "255-byte username and password",
			data: cat(h("01 FF"), []byte(u255), h("FF"), []byte(p255)),
			want: socks5.UserPass{Username: u255, Password: p255},
		},

		{name: "empty", data: nil, wantErr: socks5.ErrShort},
		{name: "password cut", data: h("01 06 6D 79 75 73 65 72 08 6D 79"), wantErr: socks5.ErrShort},
		{name: "ULEN 0", data: h("01 00 08 6D 79 70 61 73 73 77 64"), wantErr: socks5.ErrEmptyUsername},
		{name: "PLEN 0", data: h("01 06 6D 79 75 73 65 72 00"), wantErr: socks5.ErrEmptyPassword},
		{name: "PLEN 0 and more bytes", data: h("01 06 6D 79 75 73 65 72 00 61"), wantErr: socks5.ErrEmptyPassword},
		{name: "VER 5", data: h("05 06 6D 79 75 73 65 72 08 6D 79 70 61 73 73 77 64"), wantErr: socks5.ErrBadAuthVersion},
		{name: "VER 0", data: h("00 01 61 01 62"), wantErr: socks5.ErrBadAuthVersion},
	}
}

func TestUserPass(t *testing.T) {
	testCodec(t, userPassCodec, userPassCases())
}

func TestUserPassAppendErrors(t *testing.T) {
	s255, s256 := strings.Repeat("x", 255), strings.Repeat("x", 256)
	testEncode(t, userPassCodec, []encodeCase[socks5.UserPass]{
		{name: "empty username", in: socks5.UserPass{Password: "p"}, wantErr: socks5.ErrEmptyUsername},
		{name: "empty password", in: socks5.UserPass{Username: "u"}, wantErr: socks5.ErrEmptyPassword},
		{name: "both empty", in: socks5.UserPass{}, wantErr: socks5.ErrEmptyUsername},
		{name: "256-byte username", in: socks5.UserPass{Username: s256, Password: "p"}, wantErr: socks5.ErrTooLong},
		{name: "256-byte password", in: socks5.UserPass{Username: "u", Password: s256}, wantErr: socks5.ErrTooLong},
		{
			name: "255 and 255",
			in:   socks5.UserPass{Username: s255, Password: s255},
			want: cat(h("01 FF"), []byte(s255), h("FF"), []byte(s255)),
		},
	})
}

func TestUserPassReply(t *testing.T) {
	testCodec(t, userPassReplyCodec, []decodeCase[socks5.AuthStatus]{
		{name: "success", data: h("01 00"), want: socks5.AuthSuccess},
		{name: "failure", data: h("01 01"), want: socks5.AuthFailure},
		{name: "other failure", data: h("01 FF"), want: socks5.AuthStatus(0xFF)},

		{name: "empty", data: nil, wantErr: socks5.ErrShort},
		{name: "VER only", data: h("01"), wantErr: socks5.ErrShort},
		{name: "VER 5", data: h("05 00"), wantErr: socks5.ErrBadAuthVersion},
	})
}

// A server reuses its read buffer: the decoded strings must not alias it.
func TestParseUserPassCopies(t *testing.T) {
	data := h("01 06 6D 79 75 73 65 72 08 6D 79 70 61 73 73 77 64")
	u, _, err := socks5.ParseUserPass(data)
	if err != nil {
		t.Fatal(err)
	}
	clear(data)
	if u.Username != "myuser" || u.Password != "mypasswd" {
		t.Errorf("decoded strings changed with the input buffer: %q %q", u.Username, []byte(u.Password))
	}
}

func TestUserPassNeverShowsPassword(t *testing.T) {
	u := socks5.UserPass{Username: "myuser", Password: "mypasswd"}
	j, _ := json.Marshal(u)
	var logged strings.Builder
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("x", "auth", u)
	for _, s := range []string{fmt.Sprintf("%d %x %s %v %+v %#v %q", u, u, u, u, u, u, u), string(j), logged.String()} {
		if strings.Contains(s, "mypasswd") {
			t.Errorf("password shown: %s", s)
		}
		if !strings.Contains(s, "myuser") {
			t.Errorf("username missing: %s", s)
		}
	}
}
