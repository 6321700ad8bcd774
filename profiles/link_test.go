package profiles

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestParseLink(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Link
	}{
		{"socks5://alice@proxy.example.com:1080#Work", Link{Name: "Work", Host: "proxy.example.com", Port: 1080, Username: "alice"}},
		{"socks5://192.168.1.5:1080#Home%20LAN", Link{Name: "Home LAN", Host: "192.168.1.5", Port: 1080}},
		{"SOCKS5://a%40b:p%3Aw%2F@[::1]:9050/#caf%C3%A9", Link{Name: "café", Host: "::1", Port: 9050, Username: "a@b", Password: "p:w/"}},
		{"socks5://h.example:1", Link{Name: "h.example", Host: "h.example", Port: 1}},
		{"socks5://[fd00::1]:2#", Link{Name: "fd00--1", Host: "fd00::1", Port: 2}},
	} {
		got, err := ParseLink(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseLink(%q) = %#v, %v; want %#v", tc.in, got, err, tc.want)
		}
	}
}

func TestParseLinkErrors(t *testing.T) {
	const pw = "s3cr3t-pw"
	for _, tc := range []struct{ in, want string }{
		{"", "link: not a socks5:// link; want socks5://USER@HOST:PORT#NAME"},
		{"proxy.example.com:1080", "link: not a socks5:// link; want socks5://USER@HOST:PORT#NAME"},
		{"http://u:" + pw + "@h:1#x", `link: scheme "http" is not socks5; want socks5://USER@HOST:PORT#NAME`},
		{"socks5://u:" + pw + "@h:port#x", "link: malformed (bad percent-encoding, or a character that needs it); want socks5://USER@HOST:PORT#NAME"},
		{"socks5://u:" + pw + "%zz@h:1#x", "link: malformed (bad percent-encoding, or a character that needs it); want socks5://USER@HOST:PORT#NAME"},
		{"socks5://u:" + pw + "@:1080#x", "link: no host; want socks5://USER@HOST:PORT#NAME"},
		{"socks5://u:" + pw + "@h#x", "link: no port; want socks5://USER@HOST:PORT#NAME"},
		{"socks5://u:" + pw + "@h:0#x", "link: port 0 is not a port (1–65535)"},
		{"socks5://u:" + pw + "@h:70000#x", "link: port 70000 is not a port (1–65535)"},
		{"socks5://u:" + pw + "@bad_host-:1#x", `link: host "bad_host-" is not a host name or IP address`},
		{"socks5://u:" + pw + "@h:1/path#x", "link: unexpected path or query after the port; want socks5://USER@HOST:PORT#NAME"},
		{"socks5://u:" + pw + "@h:1?q=1#x", "link: unexpected path or query after the port; want socks5://USER@HOST:PORT#NAME"},
		{"socks5://:" + pw + "@h:1#x", "link: a password without a username; want socks5://USER@HOST:PORT#NAME"},
		{"socks5://u:" + pw + "@h:1#a%2Fb", `link: #NAME: "a/b" holds one of / \ : * ? " < > |, which file names cannot`},
		{"socks5://" + strings.Repeat("u", 256) + "@h:1#x", "link: username and password are limited to 255 bytes each (RFC 1929)"},
	} {
		_, err := ParseLink(tc.in)
		if err == nil || err.Error() != tc.want {
			t.Errorf("ParseLink(%q) = %v\nwant %s", tc.in, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), pw) {
			t.Errorf("ParseLink(%q): the error shows the password: %v", tc.in, err)
		}
	}
}

func TestLinkEncode(t *testing.T) {
	l := Link{Name: "Home LAN é", Host: "::1", Port: 1080, Username: "a@b c", Password: "p@ss:w/rd"}
	if got, want := l.Encode(false), "socks5://a%40b%20c@[::1]:1080#Home%20LAN%20%C3%A9"; got != want {
		t.Errorf("Encode(false) = %s, want %s", got, want)
	}
	with := l.Encode(true)
	if want := "socks5://a%40b%20c:p%40ss%3Aw%2Frd@[::1]:1080#Home%20LAN%20%C3%A9"; with != want {
		t.Errorf("Encode(true) = %s, want %s", with, want)
	}
	back, err := ParseLink(l.Encode(true))
	if err != nil || back != l {
		t.Errorf("round trip = %#v, %v", back, err)
	}
	for _, s := range []string{fmt.Sprint(l), fmt.Sprintf("%v %s %+v %#v", l, l, l, l)} {
		if strings.Contains(s, "rd") {
			t.Errorf("a link prints its password: %s", s)
		}
	}
}

func TestImportAndExport(t *testing.T) {
	k := needKeychain(t)
	t.Setenv(EnvPassword, "")
	t.Setenv(EnvUpstreamPassword, "")
	s := newStore(t)
	s.Keychain = k
	l, err := ParseLink("socks5://bob:b0b-pw@gateway.example.com:1080#Work")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Import(l)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Remove("Work") })
	if len(p.Upstreams) != 1 || p.Upstreams[0] != (Upstream{Host: "gateway.example.com", Port: 1080, Username: "bob"}) || p.Host != "127.0.0.1" {
		t.Errorf("imported %+v", p)
	}
	if pw, err := k.Get(UpstreamAccount("Work", p.Upstreams[0])); err != nil || pw != "b0b-pw" {
		t.Errorf("the link's password is not in the keychain: %v", err)
	}
	if _, err := s.Import(l); !errors.Is(err, ErrExists) ||
		err.Error() != `a profile with that name exists: "Work"; remove it first, or change the link's #NAME` {
		t.Errorf("second Import = %v", err)
	}
	l.Name = "work"
	if _, err := s.Import(l); !errors.Is(err, ErrExists) {
		t.Errorf("Import differing in case = %v", err)
	}

	// Export: a LAN share with a user, on a chosen address.
	shared := New("Shared")
	shared.ShareOnLAN, shared.LANInterface, shared.Username, shared.Port = true, "192.168.1.20", "me", 1090
	if err := s.Save(shared); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Remove("Shared") })
	got, err := s.Export("Shared", false)
	if err != nil || got.Encode(false) != "socks5://me@192.168.1.20:1090#Shared" {
		t.Errorf("Export = %v, %v", got, err)
	}
	if _, err := s.Export("Shared", true); !errors.Is(err, ErrNoPassword) {
		t.Errorf("Export with a password that is not stored = %v", err)
	}
	k.Set(LocalAccount("Shared"), "me-pw")
	got, err = s.Export("Shared", true)
	if err != nil || got.Encode(true) != "socks5://me:me-pw@192.168.1.20:1090#Shared" {
		t.Errorf("Export --with-password = %v, %v", got.Encode(true), err)
	}
	if _, err := s.Export("Work", true); err == nil || err.Error() != `profile "Work" has no username, so no password to export` {
		t.Errorf("Export of a profile without a user = %v", err)
	}
	if _, err := s.Export("nope", false); !errors.Is(err, ErrNotFound) {
		t.Errorf("Export of a missing profile = %v", err)
	}
}

func TestLinkHasPassword(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"socks5://alice:pw@proxy.example:1080#Work", true},
		{"SOCKS5://a%40b:p%3Aw@[::1]:9050/#x", true},
		{"socks5://:pw@h:1", true},       // no username: still a password
		{"socks5://u:pw@h:port#x", true}, // not a valid link: still a password
		{"http://u:pw@h:1", true},        // another scheme
		{"u:pw@h:1", true},               // no scheme
		{"socks5://u:p@ss@h:1", true},    // an unescaped @ in the password
		{"socks5://alice@proxy.example:1080#Work", false},
		{"socks5://u:@h:1", false},      // an empty password is none
		{"socks5://h:1#me@home", false}, // an @ in the name
		{"socks5://[::1]:1080", false},
		{"", false},
	} {
		if got := LinkHasPassword(tc.in); got != tc.want {
			t.Errorf("LinkHasPassword(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
