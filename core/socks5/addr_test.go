package socks5_test

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/sockstray/sockstray/core/socks5"
)

func TestParseAddr(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    socks5.Addr
		wantErr error // nil with anyErr set means some error
		anyErr  bool
	}{
		{name: "IPv4", in: "203.0.113.5:80", want: ipAddr("203.0.113.5", 80)},
		{name: "IPv6", in: "[2001:db8::1]:443", want: ipAddr("2001:db8::1", 443)},
		{name: "mapped IPv4 is unmapped", in: "[::ffff:203.0.113.5]:80", want: ipAddr("203.0.113.5", 80)},
		{name: "domain", in: "example.com:443", want: nameAddr("example.com", 443)},
		{name: "port 0", in: "example.com:0", want: nameAddr("example.com", 0)},
		{name: "port 65535", in: "example.com:65535", want: nameAddr("example.com", 65535)},
		{name: "255-byte domain", in: domain255 + ":80", want: nameAddr(domain255, 80)},

		{name: "256-byte domain", in: domain256 + ":80", wantErr: socks5.ErrTooLong},
		{name: "empty host", in: ":80", wantErr: socks5.ErrEmptyDomain},
		{name: "no port", in: "example.com", anyErr: true},
		{name: "port too big", in: "example.com:65536", anyErr: true},
		{name: "named port", in: "example.com:http", anyErr: true},
		{name: "negative port", in: "example.com:-1", anyErr: true},
		{name: "unbracketed IPv6", in: "2001:db8::1:443", anyErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := socks5.ParseAddr(tc.in)
			switch {
			case tc.wantErr != nil:
				if !errors.Is(err, tc.wantErr) {
					t.Errorf("err = %v, want %v", err, tc.wantErr)
				}
			case tc.anyErr:
				if err == nil {
					t.Errorf("= %+v, want an error", got)
				}
			case err != nil:
				t.Errorf("unexpected error %v", err)
			case got != tc.want:
				t.Errorf("= %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestAddrMethods(t *testing.T) {
	tests := []struct {
		a      socks5.Addr
		typ    socks5.AddrType
		host   string
		str    string
		isAddr bool
	}{
		{ipAddr("203.0.113.5", 80), socks5.AddrIPv4, "203.0.113.5", "203.0.113.5:80", true},
		{ipAddr("2001:db8::1", 443), socks5.AddrIPv6, "2001:db8::1", "[2001:db8::1]:443", true},
		{ipAddr("::ffff:203.0.113.5", 80), socks5.AddrIPv6, "::ffff:203.0.113.5", "[::ffff:203.0.113.5]:80", true},
		{nameAddr("example.com", 443), socks5.AddrDomain, "example.com", "example.com:443", false},
	}
	for _, tc := range tests {
		if got := tc.a.Type(); got != tc.typ {
			t.Errorf("%v: Type() = %d, want %d", tc.a, got, tc.typ)
		}
		if got := tc.a.Host(); got != tc.host {
			t.Errorf("%v: Host() = %q, want %q", tc.a, got, tc.host)
		}
		if got := tc.a.String(); got != tc.str {
			t.Errorf("String() = %q, want %q", got, tc.str)
		}
		ap, ok := tc.a.AddrPort()
		if ok != tc.isAddr {
			t.Errorf("%v: AddrPort ok = %v, want %v", tc.a, ok, tc.isAddr)
		}
		if ok && (ap.Addr() != tc.a.IP || ap.Port() != tc.a.Port) {
			t.Errorf("%v: AddrPort() = %v", tc.a, ap)
		}
		// String is what net.Dial takes, and ParseAddr reads it back (an
		// IP literal comes back unmapped).
		back, err := socks5.ParseAddr(tc.a.String())
		if want := (socks5.Addr{Name: tc.a.Name, IP: tc.a.IP.Unmap(), Port: tc.a.Port}); err != nil || back != want {
			t.Errorf("ParseAddr(%q) = %+v, %v; want %+v", tc.a.String(), back, err, want)
		}
	}
	if _, ok := (socks5.Addr{}).AddrPort(); ok {
		t.Error("the zero Addr has an AddrPort")
	}
}

func TestAddrFromNet(t *testing.T) {
	tests := []struct {
		name string
		in   net.Addr
		want socks5.Addr
	}{
		{
			// net.ParseIP gives 16 bytes even for IPv4: it must still
			// encode with ATYP 01.
			"TCP IPv4 in 16 bytes",
			&net.TCPAddr{IP: net.ParseIP("10.0.0.1"), Port: 49168},
			ipAddr("10.0.0.1", 49168),
		},
		{"TCP IPv6", &net.TCPAddr{IP: net.ParseIP("2001:db8::1"), Port: 443}, ipAddr("2001:db8::1", 443)},
		{"UDP IPv4", &net.UDPAddr{IP: net.IPv4(203, 0, 113, 5), Port: 53}, ipAddr("203.0.113.5", 53)},
		{"UDP from AddrPort", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("[2001:db8::2]:53")), ipAddr("2001:db8::2", 53)},
		{"unix", &net.UnixAddr{Name: "/tmp/s", Net: "unix"}, ipAddr("0.0.0.0", 0)},
		{"nil", nil, ipAddr("0.0.0.0", 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := socks5.AddrFromNet(tc.in); got != tc.want {
				t.Errorf("= %+v, want %+v", got, tc.want)
			}
		})
	}
	// What the server puts in a response for a bound IPv4 socket.
	b, err := socks5.Response{Bound: socks5.AddrFromNet(&net.TCPAddr{IP: net.ParseIP("10.0.0.1"), Port: 49168})}.Append(nil)
	if want := h("05 00 00 01 0A 00 00 01 C0 10"); err != nil || string(b) != string(want) {
		t.Errorf("response = % x, %v; want % x", b, err, want)
	}
}
