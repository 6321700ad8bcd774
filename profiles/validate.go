package profiles

import (
	"fmt"
	"net/netip"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits a profile must keep.
const (
	maxNameLen          = 64
	maxUserLen          = 255 // RFC 1929
	maxHandshakeTimeout = time.Hour
	maxConnsLimit       = 1_000_000
)

// ValidName reports why name cannot name a profile (its file is
// name + ".toml" on every OS Sockstray runs on), or nil.
func ValidName(name string) error {
	n := utf8.RuneCountInString(name)
	switch {
	case n == 0:
		return fmt.Errorf("a name is needed (1–%d characters)", maxNameLen)
	case n > maxNameLen:
		return fmt.Errorf("%q is longer than %d characters", name, maxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("%q is not valid UTF-8", name)
	case strings.ContainsFunc(name, unicode.IsControl):
		return fmt.Errorf("%q holds a control character", name)
	case strings.ContainsAny(name, `/\:*?"<>|`):
		return fmt.Errorf(`%q holds one of / \ : * ? " < > |, which file names cannot`, name)
	case name[0] == '.' || name[0] == '-' || name[0] == ' ':
		return fmt.Errorf("%q starts with %q; start with a letter or digit", name, name[0])
	case strings.HasSuffix(name, ".") || strings.HasSuffix(name, " "):
		return fmt.Errorf("%q ends with a dot or a space, which Windows drops from file names", name)
	case reservedOnWindows(name):
		return fmt.Errorf("%q is a device name on Windows (CON, PRN, AUX, NUL, COM1…, LPT1…)", name)
	}
	return nil
}

func reservedOnWindows(name string) bool {
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	base = strings.TrimRight(base, " ")
	switch base {
	case "CON", "PRN", "AUX", "NUL":
		return true
	}
	return len(base) == 4 && (strings.HasPrefix(base, "COM") || strings.HasPrefix(base, "LPT")) &&
		base[3] >= '0' && base[3] <= '9'
}

// Validate returns an *InvalidError listing every problem with p, or nil.
func (p *Profile) Validate() error {
	var ps problems
	p.validate(&ps)
	return ps.err(p.Name, "")
}

func (p *Profile) validate(ps *problems) {
	if err := ValidName(p.Name); err != nil {
		ps.add("name", "%v", err)
	}
	p.validateListener(ps)
	p.validateShare(ps)
	for i, u := range p.Upstreams {
		u.validate(ps, fmt.Sprintf("upstream[%d]", i+1))
	}
	p.validateRouting(ps)
	p.validateOptions(ps)
}

// validateListener checks where the proxy listens when not shared, and
// who must log in.
func (p *Profile) validateListener(ps *problems) {
	switch {
	case p.Host == "":
		ps.add("host", "empty; want a loopback address such as 127.0.0.1")
	case !validHost(p.Host):
		ps.add("host", "%q is not an IP address or host name", p.Host)
	case !isLoopback(p.Host):
		ps.add("host", "%q is not a loopback address (127.0.0.1, ::1, localhost); to listen on the LAN set share_on_lan = true", p.Host)
	}
	checkPort(ps, "port", p.Port)
	checkUser(ps, "username", p.Username)
}

// validateShare checks the LAN share: its interface, its allowlist, and
// that a share without a password is narrowed or openly meant.
func (p *Profile) validateShare(ps *problems) {
	if p.LANInterface != "" && (len(p.LANInterface) > 256 || strings.ContainsFunc(p.LANInterface, unicode.IsControl)) {
		ps.add("lan_interface", "%q is not an interface name or IP address", p.LANInterface)
	}
	for i, a := range p.Allow {
		if !a.IsValid() {
			ps.add(fmt.Sprintf("allow[%d]", i+1), "not a CIDR such as 192.168.1.0/24")
		}
	}
	if !p.ShareOnLAN || p.Username != "" {
		return
	}
	switch {
	case len(p.Allow) > 0 && !p.narrowed():
		ps.add("allow", "admits most of the Internet, which is as open as no allowlist; a LAN share without a username needs networks of your own here, such as 192.168.1.0/24 (open = true does not change that)")
	case !p.narrowed() && !p.Open:
		ps.add("share_on_lan", "sharing on the LAN with no username and no narrowed allowlist lets anyone on %s use the proxy; set username (its password goes in the keychain), list client networks in allow, or write open = true to accept that", describeAllow(p))
	}
}

// validate checks one upstream, reported as field f.
func (u Upstream) validate(ps *problems, f string) {
	switch {
	case u.Host == "":
		ps.add(f+".host", "empty; want a host name or IP address")
	case !validHost(u.Host):
		ps.add(f+".host", "%q is not an IP address or host name", u.Host)
	}
	checkPort(ps, f+".port", u.Port)
	checkUser(ps, f+".username", u.Username)
	checkUpstreamKind(ps, f, u)
}

// validateOptions checks the [options] limits.
func (p *Profile) validateOptions(ps *problems) {
	if p.HandshakeTimeout <= 0 || p.HandshakeTimeout > maxHandshakeTimeout {
		ps.add("options.handshake_timeout", "%v is out of range; want more than 0s and at most 1h, such as \"10s\"", p.HandshakeTimeout)
	}
	if p.IdleTimeout < 0 {
		ps.add("options.idle_timeout", "%v is negative; want 0s (never) or a duration such as \"5m\"", p.IdleTimeout)
	}
	if p.MaxConns < 0 || p.MaxConns > maxConnsLimit {
		ps.add("options.max_connections", "%d is out of range; want 0 (no limit) to %d", p.MaxConns, maxConnsLimit)
	}
}

func describeAllow(p *Profile) string {
	if len(p.Allow) == 0 {
		return "the private networks"
	}
	return "any network"
}

func checkPort(ps *problems, field string, port int) {
	if port < 1 || port > 65535 {
		ps.add(field, "%d is not a port (1–65535)", port)
	}
}

func checkUser(ps *problems, field, user string) {
	if len(user) > maxUserLen {
		ps.add(field, "longer than %d bytes (RFC 1929)", maxUserLen)
	}
}

// validHost accepts an IP address or a DNS name (RFC 1123 labels; "_"
// allowed, as in the wild).
func validHost(h string) bool {
	if _, err := netip.ParseAddr(h); err == nil {
		return true
	}
	if len(h) > 253 || h == "" {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for _, r := range label {
			if !(r == '-' || r == '_' || r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r))) {
				return false
			}
		}
	}
	return true
}

func isLoopback(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(h)
	return err == nil && ip.Unmap().IsLoopback()
}
