// Package sysproxy points the desktop's system proxy settings at Sockstray
// and puts them back afterwards: in manual mode at its mixed port for HTTP,
// HTTPS and SOCKS, in automatic mode at the PAC file the port serves.
//
// A Backend reads and writes one desktop's settings: GNOME (gsettings) and
// KDE (kioslaverc) on Linux and the BSDs, networksetup on macOS, the WinINet
// registry values on Windows. A Manager saves the user's settings to a state
// file before it changes anything, restores them exactly on Disable, and
// makes sure they are never stranded: RecoverStale at the next start, a
// watchdog child process, and a login item (LoginCheck, which runs
// `sockstray sysproxy-restore --if-stale` at the next login while the proxy
// is set) all restore them when the app died with the system proxy still
// pointing at it.
package sysproxy

import (
	"errors"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Mode is how the system picks a proxy.
type Mode string

// The modes every backend knows. A backend maps what it cannot express in
// these (KDE's "use environment variables", say) to ModeOther and keeps the
// exact value in Settings.Raw.
const (
	ModeNone   Mode = "none"   // direct connections
	ModeManual Mode = "manual" // the HTTP, HTTPS and SOCKS endpoints
	ModeAuto   Mode = "auto"   // a PAC file (AutoConfigURL) or WPAD
	ModeOther  Mode = "other"
)

// Endpoint is a proxy's host and port; the zero value means none.
type Endpoint struct {
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
}

// String is host:port, with brackets around an IPv6 host; "" for none.
func (e Endpoint) String() string {
	if e.Host == "" && e.Port == 0 {
		return ""
	}
	return net.JoinHostPort(e.Host, strconv.Itoa(e.Port))
}

// RawValue is one setting exactly as a backend read it, so that restoring
// writes back the very same thing. Unset means the key had no value of its
// own (the desktop's default applied): restoring removes it again.
type RawValue struct {
	Key   string `json:"key"`
	Value string `json:"value,omitempty"`
	Unset bool   `json:"unset,omitempty"`
}

// Settings is a snapshot of the system proxy settings. The named fields are
// the platform-neutral view a Manager changes; Raw is the backend's own
// record of every key it read.
//
// A backend's Apply writes the named fields; where a named field equals what
// Raw says, Apply writes Raw's exact value instead. So applying a snapshot
// that Read returned restores it exactly, and applying one with a changed
// field changes only the keys behind that field.
type Settings struct {
	Mode          Mode       `json:"mode"`
	HTTP          Endpoint   `json:"http"`
	HTTPS         Endpoint   `json:"https"`
	SOCKS         Endpoint   `json:"socks"`
	FTP           Endpoint   `json:"ftp"`
	Bypass        []string   `json:"bypass,omitempty"` // hosts, domains (*.local) and networks (10.0.0.0/8) that go direct
	AutoConfigURL string     `json:"autoConfigURL,omitempty"`
	Raw           []RawValue `json:"raw,omitempty"`
}

// Backend reads and writes one desktop's system proxy settings.
type Backend interface {
	// Name is a short stable name ("gnome", "kde", "networksetup",
	// "wininet"), kept in the state file.
	Name() string
	// Read returns the current settings, Raw filled in.
	Read() (Settings, error)
	// Apply makes s the current settings (see Settings for how Raw is used).
	Apply(s Settings) error
}

// ErrNoDesktop is returned by Detect when no supported settings store is
// found.
var ErrNoDesktop = errors.New("no supported desktop proxy settings found (GNOME gsettings or KDE)")

// DefaultBypass is what always goes direct while the system proxy points at
// Sockstray: the loopback and private networks, and mDNS names.
var DefaultBypass = []string{
	"localhost", "127.0.0.0/8", "::1",
	"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16",
	"*.local",
}

// BypassOr is the bypass list chosen, or DefaultBypass when none was
// chosen (nil; an empty list is a choice: nothing bypasses).
func BypassOr(chosen []string) []string {
	if chosen == nil {
		return DefaultBypass
	}
	return chosen
}

// MergeBypass returns the user's entries followed by those of extra that
// the user's list lacks, each once, in order. Entries compare without case.
func MergeBypass(user, extra []string) []string {
	out := make([]string, 0, len(user)+len(extra))
	seen := make(map[string]bool, len(user)+len(extra))
	for _, list := range [][]string{user, extra} {
		for _, e := range list {
			e = strings.TrimSpace(e)
			k := strings.ToLower(e)
			if e == "" || seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
}

// ParseEndpoint turns a listening address into the endpoint that clients
// on this machine use: an unspecified or empty host becomes 127.0.0.1.
func ParseEndpoint(hostport string) (Endpoint, error) {
	host, ps, err := net.SplitHostPort(hostport)
	if err != nil {
		return Endpoint{}, err
	}
	port, err := strconv.Atoi(ps)
	if err != nil || port < 1 || port > 65535 {
		return Endpoint{}, errors.New("bad port in " + strconv.Quote(hostport))
	}
	if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
		host = "127.0.0.1"
	}
	return Endpoint{Host: host, Port: port}, nil
}

// pacPath is where the mixed port serves the PAC file made from the
// profile's rules (core/server).
const pacPath = "/proxy.pac"

// PACURL is the PAC file's address at the proxy endpoint ep (as ParseEndpoint
// made it: a wildcard listener is reached on 127.0.0.1, any other host as
// it is, for that is the only address it listens on).
func PACURL(ep Endpoint) string { return "http://" + ep.String() + pacPath }

// pacVersionKey carries a PAC file's version in its URL ("?v=…"): desktops
// and browsers keep a PAC file by its URL, and fetch it again only when
// the URL changes.
const pacVersionKey = "?v="

// versionedPACURL is PACURL with the file's version, if there is one.
func versionedPACURL(ep Endpoint, version string) string {
	if version == "" {
		return PACURL(ep)
	}
	return PACURL(ep) + pacVersionKey + url.QueryEscape(version)
}

// unversioned is a PAC URL without the version versionedPACURL added.
func unversioned(u string) string {
	base, _, _ := strings.Cut(u, pacVersionKey)
	return base
}

// proxied returns the settings that send traffic through ep in mode:
//
//   - ModeManual: ep for HTTP, HTTPS and SOCKS (the port speaks all of
//     them), no PAC file, and the user's bypass list with DefaultBypass
//     merged in.
//   - ModeAuto: the PAC file that ep serves. The user's proxies and bypass
//     list stay as they were: the PAC file decides, and the fewer keys
//     change, the less there is to put back.
//
// Each backend maps these fields to its own keys in one place (its Apply),
// so the two modes differ only in the values written.
func proxied(saved Settings, ep Endpoint, mode Mode) Settings {
	return proxiedWith(saved, ep, mode, DefaultBypass, "")
}

// proxiedWith is proxied with bypass in place of DefaultBypass, and the
// PAC file's version in its URL.
func proxiedWith(saved Settings, ep Endpoint, mode Mode, bypass []string, pacVersion string) Settings {
	s := saved
	s.Mode = mode
	switch mode {
	case ModeManual:
		s.HTTP, s.HTTPS, s.SOCKS = ep, ep, ep
		s.AutoConfigURL = ""
		s.Bypass = MergeBypass(saved.Bypass, bypass)
	case ModeAuto:
		s.AutoConfigURL = versionedPACURL(ep, pacVersion)
	}
	return s
}

// foreign reports whether someone else changed the settings since they were
// saved: a mode, proxy host or port, or PAC URL that is neither the saved
// one nor one Sockstray set (or cleared). Host and port are judged apart,
// as a backend that stopped half-way may have written one and not the
// other. Restoring over such a change would undo the user's work, so it is
// left alone. Bypass lists are not compared: a backend may store them in
// another form than Settings.
func foreign(cur, saved Settings, ours []string) bool {
	hosts, ports, pacs := []string{""}, []int{0}, []string{""}
	for _, o := range ours {
		if e, err := ParseEndpoint(o); err == nil {
			hosts, ports, pacs = append(hosts, e.Host), append(ports, e.Port), append(pacs, PACURL(e))
		}
	}
	for _, p := range [][2]Endpoint{{cur.HTTP, saved.HTTP}, {cur.HTTPS, saved.HTTPS}, {cur.SOCKS, saved.SOCKS}, {cur.FTP, saved.FTP}} {
		if p[0].Host != p[1].Host && !slices.Contains(hosts, p[0].Host) ||
			p[0].Port != p[1].Port && !slices.Contains(ports, p[0].Port) {
			return true
		}
	}
	ourPAC := slices.Contains(pacs, unversioned(cur.AutoConfigURL))
	// Automatic mode is ours only with our PAC file: with none it is WPAD,
	// which Sockstray never turns on.
	ourMode := cur.Mode == ModeManual || cur.Mode == ModeAuto && ourPAC && cur.AutoConfigURL != ""
	if cur.Mode != saved.Mode && !ourMode {
		return true
	}
	return cur.AutoConfigURL != saved.AutoConfigURL && !ourPAC
}

// setRaw puts v in place of the value with its key in raw, or appends it.
func setRaw(raw []RawValue, v RawValue) []RawValue {
	if i := slices.IndexFunc(raw, func(w RawValue) bool { return w.Key == v.Key }); i >= 0 {
		raw[i] = v
		return raw
	}
	return append(raw, v)
}
