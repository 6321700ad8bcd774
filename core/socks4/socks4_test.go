package socks4_test

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/core/socks4"
)

func h(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		name    string
		data    []byte
		want    socks4.Request
		wantErr error
	}{
		{"CONNECT 203.0.113.5:80 user fred", h("04 01 00 50 CB 00 71 05 66 72 65 64 00"),
			socks4.Request{Command: 1, Port: 80, IP: netip.MustParseAddr("203.0.113.5"), UserID: "fred"}, nil},
		{"4a CONNECT example.com:443", append(h("04 01 01 BB 00 00 00 01 00"), "example.com\x00"...),
			socks4.Request{Command: 1, Port: 443, Host: "example.com"}, nil},
		{"wrong version", h("05 01 00 50 CB 00 71 05 00"), socks4.Request{}, socks4.ErrBadVersion},
		{"no NUL yet", h("04 01 00 50 CB 00 71 05 66"), socks4.Request{}, socks4.ErrShort},
		{"4a empty host", h("04 01 00 50 00 00 00 01 00 00"), socks4.Request{}, socks4.ErrEmptyDomain},
		{"user ID over 255", append(h("04 01 00 50 CB 00 71 05"), bytes.Repeat([]byte("a"), 256)...), socks4.Request{}, socks4.ErrTooLong},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, n, err := socks4.Parse(tc.data)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if got != tc.want || n != len(tc.data) {
				t.Fatalf("got %+v (%d bytes), want %+v (%d)", got, n, tc.want, len(tc.data))
			}
			if enc := socks4.AppendRequest(nil, got); !bytes.Equal(enc, tc.data) {
				t.Fatalf("re-encoded % x, want % x", enc, tc.data)
			}
			for i := 0; i < len(tc.data); i++ {
				if _, _, err := socks4.Parse(tc.data[:i]); !errors.Is(err, socks4.ErrShort) {
					t.Fatalf("prefix of %d bytes: err %v, want ErrShort", i, err)
				}
			}
		})
	}
}

func TestAppendReply(t *testing.T) {
	got := socks4.AppendReply(nil, socks4.Granted, netip.MustParseAddrPort("10.0.0.1:49168"))
	if want := h("00 5A C0 10 0A 00 00 01"); !bytes.Equal(got, want) {
		t.Fatalf("% x, want % x", got, want)
	}
	got = socks4.AppendReply(nil, socks4.Rejected, netip.MustParseAddrPort("[::1]:80"))
	if want := h("00 5B 00 50 00 00 00 00"); !bytes.Equal(got, want) {
		t.Fatalf("% x, want % x", got, want)
	}
}

func FuzzParse(f *testing.F) {
	f.Add(h("04 01 00 50 CB 00 71 05 66 72 65 64 00"))
	f.Add(append(h("04 01 01 BB 00 00 00 01 00"), "example.com\x00"...))
	f.Fuzz(func(t *testing.T, b []byte) {
		q, n, err := socks4.Parse(b)
		if err != nil {
			return
		}
		if n > len(b) {
			t.Fatalf("used %d of %d bytes", n, len(b))
		}
		if q.Host == "" && !q.IP.Is4() {
			t.Fatalf("no destination: %+v", q)
		}
	})
}
