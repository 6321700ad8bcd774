package profiles

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// Link is a share link, socks5://USER@HOST:PORT#NAME (percent-encoded):
// where a proxy is, to import as a profile that chains through it.
type Link struct {
	Name     string
	Host     string
	Port     int
	Username string
	// Password is only set when the link carried one; String never shows
	// it.
	Password string
}

const linkForm = "want socks5://USER@HOST:PORT#NAME"

// ParseLink reads a share link. Its errors never repeat the password.
func ParseLink(s string) (Link, error) {
	if err := checkLinkScheme(s); err != nil {
		return Link{}, err
	}
	u, err := url.Parse(s)
	if err != nil {
		// url's errors quote the whole input, password and all.
		return Link{}, fmt.Errorf("link: malformed (bad percent-encoding, or a character that needs it); %s", linkForm)
	}
	l := Link{Host: u.Hostname()}
	if u.User != nil {
		l.Username = u.User.Username()
		l.Password, _ = u.User.Password()
	}
	if err := l.checkParts(u); err != nil {
		return Link{}, err
	}
	if l.Port, err = strconv.Atoi(u.Port()); err != nil || l.Port < 1 || l.Port > 65535 {
		return Link{}, fmt.Errorf("link: port %s is not a port (1–65535)", u.Port())
	}
	l.Name = u.Fragment
	if l.Name == "" {
		l.Name = strings.NewReplacer(":", "-", "%", "-").Replace(l.Host)
	}
	if err := ValidName(l.Name); err != nil {
		return Link{}, fmt.Errorf("link: #NAME: %w", err)
	}
	return l, nil
}

// checkLinkScheme says what s is when it is not a socks5:// link.
func checkLinkScheme(s string) error {
	if strings.HasPrefix(strings.ToLower(s), "socks5://") {
		return nil
	}
	scheme, _, found := strings.Cut(s, "://")
	if !found || strings.ContainsAny(scheme, "@:/") {
		return fmt.Errorf("link: not a socks5:// link; %s", linkForm)
	}
	return fmt.Errorf("link: scheme %q is not socks5; %s", scheme, linkForm)
}

// checkParts says what is missing or too much in a link parsed as u, of
// which l holds the host and login.
func (l Link) checkParts(u *url.URL) error {
	switch {
	case l.Host == "":
		return fmt.Errorf("link: no host; %s", linkForm)
	case !validHost(l.Host):
		return fmt.Errorf("link: host %q is not a host name or IP address", l.Host)
	case u.Port() == "":
		return fmt.Errorf("link: no port; %s", linkForm)
	case u.Path != "" && u.Path != "/" || u.RawQuery != "":
		return fmt.Errorf("link: unexpected path or query after the port; %s", linkForm)
	case l.Password != "" && l.Username == "":
		return fmt.Errorf("link: a password without a username; %s", linkForm)
	case len(l.Username) > maxUserLen || len(l.Password) > maxUserLen:
		return fmt.Errorf("link: username and password are limited to %d bytes each (RFC 1929)", maxUserLen)
	}
	return nil
}

// LinkHasPassword reports whether s carries a password (USER:PASSWORD@)
// as ParseLink would read it, whatever else is wrong with s: a caller that
// must keep passwords off a command line checks this before ParseLink.
func LinkHasPassword(s string) bool {
	if _, after, found := strings.Cut(s, "://"); found {
		s = after
	}
	s, _, _ = strings.Cut(s, "#")
	at := strings.LastIndex(s, "@")
	if at < 0 {
		return false
	}
	_, pw, found := strings.Cut(s[:at], ":")
	return found && pw != ""
}

// Encode writes the link, with its password only when withPassword.
func (l Link) Encode(withPassword bool) string {
	u := url.URL{Scheme: "socks5", Host: net.JoinHostPort(l.Host, strconv.Itoa(l.Port)), Fragment: l.Name}
	switch {
	case l.Username != "" && withPassword && l.Password != "":
		u.User = url.UserPassword(l.Username, l.Password)
	case l.Username != "":
		u.User = url.User(l.Username)
	}
	return u.String()
}

// String is the link without its password.
func (l Link) String() string { return l.Encode(false) }

// GoString hides the password under %#v too.
func (l Link) GoString() string { return "profiles.Link(" + l.Encode(false) + ")" }
