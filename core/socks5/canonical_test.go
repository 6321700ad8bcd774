package socks5

import (
	"net/netip"
	"testing"
)

func TestCanonical(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"127.0.0.1", "127.0.0.1"},
		{"127.1", "127.0.0.1"},
		{"127.0.1", "127.0.0.1"},
		{"2130706433", "127.0.0.1"},
		{"0x7f.1", "127.0.0.1"},
		{"0X7F.0.0.1", "127.0.0.1"},
		{"0177.0.0.1", "127.0.0.1"},
		{"0x7f000001", "127.0.0.1"},
		{"10.0x10.0377", "10.16.0.255"},
		{"0", "0.0.0.0"},
		{"::1", "::1"},
		{"::ffff:127.0.0.1", "127.0.0.1"},
		{"fe80::1%eth0", "fe80::1%eth0"},
		// Stay names.
		{"localhost", ""},
		{"example.org", ""},
		{"1.2.3.4.5", ""},
		{"256.1.1.1", ""},
		{"1.16777216", ""},
		{"4294967296", ""},
		{"08.1", ""}, // 8 is not an octal digit
		{"0x", ""},
		{"1..1", ""},
		{"1.2.3.", ""},
		{"+1", ""},
		{"123abc", ""},
	} {
		got := Addr{Name: tc.name, Port: 80}.Canonical()
		if tc.want == "" {
			if got.Name != tc.name {
				t.Errorf("%q became %v, want it left a name", tc.name, got)
			}
			continue
		}
		if got.Name != "" || got.IP != netip.MustParseAddr(tc.want) || got.Port != 80 {
			t.Errorf("%q = %v, want %s:80", tc.name, got, tc.want)
		}
	}
}

func FuzzCanonical(f *testing.F) {
	for _, s := range []string{"127.1", "0x7f.1", "2130706433", "::1", "a.b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a := Addr{Name: s, Port: 1}.Canonical()
		if a.Name == "" && !a.IP.IsValid() {
			t.Fatalf("%q gave neither a name nor an IP", s)
		}
	})
}
