// Package proxyenv builds the environment variables that point
// command-line programs at the local proxy (http_proxy, https_proxy,
// all_proxy, no_proxy and their upper-case twins) and writes them in the
// syntax of a shell: for `sockstray env`, `sockstray run` and the tray's
// "Copy terminal proxy command".
//
// It never holds a password. A proxy that requires a login is described in
// a comment, and its URLs carry no credentials: a password in an
// environment variable is readable by every program the shell starts, and
// by other users through /proc on some systems.
package proxyenv

import (
	"net/url"
	"strings"

	"github.com/sockstray/sockstray/app/sysproxy"
)

// Proxy is where programs on this host reach the proxy.
type Proxy struct {
	// Addr is HOST:PORT as a local program dials it (see Local).
	Addr string
	// Username, when set, means the proxy requires a login. It appears
	// only in a comment, never in a variable.
	Username string
	// Bypass lists what programs reach directly: host names, domains
	// ("*.local") and networks ("10.0.0.0/8"), as sysproxy.DefaultBypass.
	Bypass []string
}

// New is the proxy a listener at listen is, with the system proxy's
// built-in bypass list.
func New(listen, username string) (Proxy, error) {
	addr, err := Local(listen)
	if err != nil {
		return Proxy{}, err
	}
	return Proxy{Addr: addr, Username: username, Bypass: sysproxy.DefaultBypass}, nil
}

// Local turns a listening address into the one a program on this host
// dials: a listener on all interfaces is reached on 127.0.0.1, and
// "localhost" is 127.0.0.1 too, for that is the one address Go listens on
// for it (a client that tried ::1 first would be refused).
func Local(listen string) (string, error) {
	ep, err := sysproxy.ParseEndpoint(listen)
	if err != nil {
		return "", err
	}
	if strings.EqualFold(ep.Host, "localhost") {
		ep.Host = "127.0.0.1"
	}
	return ep.String(), nil
}

// Var is one environment variable.
type Var struct {
	Name, Value string
}

// Vars are the variables, lower case first: curl and most Unix tools read
// http_proxy only in lower case, while Go, Python and others also read the
// upper case. HTTP goes to the proxy's HTTP side (it speaks HTTP proxy and
// SOCKS on one port); all_proxy is socks5h, so the proxy resolves names
// and the rules see them.
func (p Proxy) Vars() []Var {
	httpURL := proxyURL("http", p.Addr)
	socksURL := proxyURL("socks5h", p.Addr)
	noProxy := NoProxy(p.Bypass)
	var vars []Var
	for _, upper := range []bool{false, true} {
		for _, v := range []Var{
			{"http_proxy", httpURL},
			{"https_proxy", httpURL},
			{"all_proxy", socksURL},
			{"no_proxy", noProxy},
		} {
			if upper {
				v.Name = strings.ToUpper(v.Name)
			}
			vars = append(vars, v)
		}
	}
	return vars
}

// proxyURL is scheme://addr/ without credentials; url.URL escapes an IPv6
// zone's "%".
func proxyURL(scheme, addr string) string {
	u := url.URL{Scheme: scheme, Host: addr}
	return u.String()
}

// NoProxy writes a bypass list as no_proxy: comma-separated, "*.local" as
// ".local" (the form curl, wget, Go and Python all read as "this domain
// and its subdomains"). Networks stay CIDRs: curl (7.86 and later), Go and
// Python match them; older tools ignore them.
func NoProxy(bypass []string) string {
	out := make([]string, 0, len(bypass))
	for _, e := range bypass {
		e = strings.TrimSpace(e)
		if d, ok := strings.CutPrefix(e, "*."); ok {
			e = "." + d
		}
		if e != "" {
			out = append(out, e)
		}
	}
	return strings.Join(out, ",")
}

// Notes are the comment lines that go with the variables: for a proxy
// with a login, that clients need the username and that the password
// stays in the keychain.
func (p Proxy) Notes() []string {
	if p.Username == "" {
		return nil
	}
	who := "the profile's username"
	if plainName(p.Username) {
		who = `the username "` + p.Username + `"`
	}
	return []string{
		"This proxy requires a username and password, which these variables do not carry:",
		"give clients " + who + "; the password is in the keychain.",
	}
}

// plainName reports whether a username can be shown in a comment of every
// shell as it is: no quotes, no line breaks, nothing cmd would expand.
func plainName(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@+", r)
		if !ok {
			return false
		}
	}
	return true
}

// Environ is base with the variables set: any variable of the same name,
// in any case (Windows does not tell them apart), is replaced.
func (p Proxy) Environ(base []string) []string {
	vars := p.Vars()
	out := make([]string, 0, len(base)+len(vars))
	for _, kv := range base {
		k, _, _ := strings.Cut(kv, "=")
		if !isOurs(k) {
			out = append(out, kv)
		}
	}
	for _, v := range vars {
		out = append(out, v.Name+"="+v.Value)
	}
	return out
}

func isOurs(name string) bool {
	switch strings.ToLower(name) {
	case "http_proxy", "https_proxy", "all_proxy", "no_proxy":
		return true
	}
	return false
}
