package socks5_test

import (
	"fmt"
	"log"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/core/socks5"
)

func TestStrings(t *testing.T) {
	tests := []struct {
		v    fmt.Stringer
		want string
	}{
		{socks5.AuthNone, "no authentication required"},
		{socks5.AuthGSSAPI, "GSSAPI"},
		{socks5.AuthUserPass, "username/password"},
		{socks5.AuthNoAcceptable, "no acceptable methods"},
		{socks5.AuthMethod(0x80), "method 128"},

		{socks5.CmdConnect, "CONNECT"},
		{socks5.CmdBind, "BIND"},
		{socks5.CmdUDPAssociate, "UDP ASSOCIATE"},
		{socks5.Command(0), "command 0"},
		{socks5.Command(9), "command 9"},

		{socks5.ReplySucceeded, "succeeded"},
		{socks5.ReplyGeneralFailure, "general SOCKS server failure"},
		{socks5.ReplyNotAllowed, "connection not allowed by ruleset"},
		{socks5.ReplyNetworkUnreachable, "network unreachable"},
		{socks5.ReplyHostUnreachable, "host unreachable"},
		{socks5.ReplyConnectionRefused, "connection refused"},
		{socks5.ReplyTTLExpired, "TTL expired"},
		{socks5.ReplyCommandNotSupported, "command not supported"},
		{socks5.ReplyAddressTypeNotSupported, "address type not supported"},
		{socks5.Reply(9), "unassigned reply 9"},
		{socks5.Reply(0xFF), "unassigned reply 255"},
	}
	for _, tc := range tests {
		if got := tc.v.String(); got != tc.want {
			t.Errorf("%T(%d).String() = %q, want %q", tc.v, tc.v, got, tc.want)
		}
		// %v in a log line goes through String too.
		if got := fmt.Sprintf("%v", tc.v); got != tc.want {
			t.Errorf("%%v of %T = %q, want %q", tc.v, got, tc.want)
		}
	}
}

// A UserPass may end up in a log line or an error message; whatever the verb
// and however it is wrapped, the password must not.
func TestUserPassRedacted(t *testing.T) {
	const secret = "hunter2-s3cret"
	u := socks5.UserPass{Username: "myuser", Password: secret}
	shown := map[string]any{
		"value":     u,
		"pointer":   &u,
		"in struct": struct{ Creds socks5.UserPass }{u},
		"in slice":  []socks5.UserPass{u},
		"in map":    map[string]socks5.UserPass{"k": u},
		"in any":    []any{u},
	}
	for what, v := range shown {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			got := fmt.Sprintf(verb, v)
			if strings.Contains(got, secret) {
				t.Errorf("%s of %s = %s: shows the password", verb, what, got)
			}
			if !strings.Contains(got, "myuser") {
				t.Errorf("%s of %s = %s: the username is useful in a log line", verb, what, got)
			}
		}
	}
	var sb strings.Builder
	log.New(&sb, "", 0).Println("auth failed for", u)
	if strings.Contains(sb.String(), secret) {
		t.Errorf("log line %q shows the password", sb.String())
	}
	if got, want := u.String(), `{Username:"myuser" Password:<redacted>}`; got != want {
		t.Errorf("String() = %s, want %s", got, want)
	}
}
