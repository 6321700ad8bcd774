package profiles

import (
	"cmp"
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
	fmt.Fprintf(&b, "default_route = %s\n", quote(p.DefaultRoute))
	b.WriteString("rules = [")
	for _, r := range p.Rules {
		fmt.Fprintf(&b, "\n  %s,", quote(r))
	}
	if len(p.Rules) > 0 {
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	b.WriteString("\n[options]\n")
	fmt.Fprintf(&b, "udp = %t\n", !p.DisableUDP)
	fmt.Fprintf(&b, "bind = %t\n", !p.DisableBind)
	fmt.Fprintf(&b, "handshake_timeout = %s\n", quote(p.HandshakeTimeout.String()))
	fmt.Fprintf(&b, "idle_timeout = %s\n", quote(p.IdleTimeout.String()))
	fmt.Fprintf(&b, "max_connections = %d\n", p.MaxConns)
	for _, u := range p.Upstreams {
		b.WriteString("\n[[upstream]]\n")
		fmt.Fprintf(&b, "name = %s\n", quote(u.Name))
		fmt.Fprintf(&b, "kind = %s\n", quote(u.kind()))
		fmt.Fprintf(&b, "host = %s\n", quote(u.Host))
		fmt.Fprintf(&b, "port = %d\n", u.Port)
		fmt.Fprintf(&b, "username = %s\n", quote(u.Username))
		writeIf(&b, "ca_file", u.CAFile)
		writeIf(&b, "key_file", u.KeyFile)
		writeIf(&b, "known_hosts", u.KnownHosts)
	}
	for _, r := range p.Routes {
		b.WriteString("\n[[route]]\n")
		fmt.Fprintf(&b, "name = %s\n", quote(r.Name))
		if r.Group != nil {
			fmt.Fprintf(&b, "group = %s\n", quoteList(r.Group))
			fmt.Fprintf(&b, "policy = %s\n", quote(cmp.Or(r.Policy, PolicyFailover)))
			if r.CheckInterval > 0 {
				fmt.Fprintf(&b, "check_interval = %s\n", quote(r.CheckInterval.String()))
				fmt.Fprintf(&b, "check_target = %s\n", quote(r.CheckTarget))
			}
		} else {
			fmt.Fprintf(&b, "chain = %s\n", quoteList(r.Chain))
		}
	}
	for _, l := range p.RuleLists {
		b.WriteString("\n[[rule_list]]\n")
		fmt.Fprintf(&b, "file = %s\n", quote(l.File))
		fmt.Fprintf(&b, "route = %s\n", quote(l.Route))
	}
	return []byte(b.String())
}

// writeIf writes key = value when value is set: keys that belong to one
// kind of upstream only.
func writeIf(b *strings.Builder, key, value string) {
	if value != "" {
		fmt.Fprintf(b, "%s = %s\n", key, quote(value))
	}
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = quote(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
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
