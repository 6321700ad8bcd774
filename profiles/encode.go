package profiles

import (
	"fmt"
	"strings"
	"unicode"
)

// Encode writes p in the current file format: every key present, so the
// file documents itself. It holds no password.
func (p *Profile) Encode() []byte {
	var b strings.Builder
	// No name in the file: the file name is the profile's name.
	b.WriteString("# Sockstray profile. Passwords are kept in the OS keychain, never here.\n")
	fmt.Fprintf(&b, "version = %d\n\n", FormatVersion)
	fmt.Fprintf(&b, "host = %s\n", quote(p.Host))
	fmt.Fprintf(&b, "port = %d\n", p.Port)
	fmt.Fprintf(&b, "share_on_lan = %t\n", p.ShareOnLAN)
	fmt.Fprintf(&b, "lan_interface = %s\n", quote(p.LANInterface))
	fmt.Fprintf(&b, "username = %s\n", quote(p.Username))
	allow := make([]string, len(p.Allow))
	for i, a := range p.Allow {
		allow[i] = quote(a.String())
	}
	fmt.Fprintf(&b, "allow = [%s]\n", strings.Join(allow, ", "))
	fmt.Fprintf(&b, "open = %t\n", p.Open)
	fmt.Fprintf(&b, "allow_local_targets = %t\n", p.AllowLocalTargets)
	b.WriteString("\n[options]\n")
	fmt.Fprintf(&b, "udp = %t\n", !p.DisableUDP)
	fmt.Fprintf(&b, "bind = %t\n", !p.DisableBind)
	fmt.Fprintf(&b, "handshake_timeout = %s\n", quote(p.HandshakeTimeout.String()))
	fmt.Fprintf(&b, "idle_timeout = %s\n", quote(p.IdleTimeout.String()))
	fmt.Fprintf(&b, "max_connections = %d\n", p.MaxConns)
	for _, u := range p.Upstreams {
		b.WriteString("\n[[upstream]]\n")
		fmt.Fprintf(&b, "host = %s\n", quote(u.Host))
		fmt.Fprintf(&b, "port = %d\n", u.Port)
		fmt.Fprintf(&b, "username = %s\n", quote(u.Username))
	}
	return []byte(b.String())
}

// quote writes s as a TOML basic string.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case unicode.IsControl(r) || r == unicode.ReplacementChar:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
