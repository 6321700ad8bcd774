package socks5

import (
	"fmt"
	"io"
	"log/slog"
)

// Greeting is the client's first message: the methods it offers.
//
//	+----+----------+----------+
//	|VER | NMETHODS | METHODS  |
//	+----+----------+----------+
//	| 1  |    1     | 1 to 255 |
//	+----+----------+----------+
type Greeting struct {
	Methods []AuthMethod
}

// Has reports whether the greeting offers m.
func (g Greeting) Has(m AuthMethod) bool {
	for _, o := range g.Methods {
		if o == m {
			return true
		}
	}
	return false
}

// Append encodes the greeting.
func (g Greeting) Append(b []byte) ([]byte, error) {
	if len(g.Methods) == 0 {
		return b, ErrNoMethods
	}
	if len(g.Methods) > 255 {
		return b, ErrTooLong
	}
	b = append(b, Version, byte(len(g.Methods)))
	for _, m := range g.Methods {
		b = append(b, byte(m))
	}
	return b, nil
}

// ParseGreeting decodes a greeting from the start of b.
func ParseGreeting(b []byte) (Greeting, int, error) {
	if len(b) < 1 {
		return Greeting{}, 0, ErrShort
	}
	if b[0] != Version {
		return Greeting{}, 0, ErrBadVersion
	}
	if len(b) < 2 {
		return Greeting{}, 0, ErrShort
	}
	n := int(b[1])
	if n == 0 {
		return Greeting{}, 0, ErrNoMethods
	}
	if len(b) < 2+n {
		return Greeting{}, 0, ErrShort
	}
	ms := make([]AuthMethod, n)
	for i := range ms {
		ms[i] = AuthMethod(b[2+i])
	}
	return Greeting{Methods: ms}, 2 + n, nil
}

// ReadGreeting reads a greeting from r.
func ReadGreeting(r io.Reader) (Greeting, error) {
	var buf [2 + 255]byte
	if err := readFull(r, buf[:2]); err != nil {
		return Greeting{}, err
	}
	if buf[0] != Version {
		return Greeting{}, ErrBadVersion
	}
	if buf[1] == 0 {
		return Greeting{}, ErrNoMethods
	}
	n := 2 + int(buf[1])
	if err := readRest(r, buf[2:n]); err != nil {
		return Greeting{}, err
	}
	g, _, err := ParseGreeting(buf[:n])
	return g, err
}

// AppendMethodSelection encodes the server's choice of method.
//
//	+----+--------+
//	|VER | METHOD |
//	+----+--------+
//	| 1  |   1    |
//	+----+--------+
func AppendMethodSelection(b []byte, m AuthMethod) []byte {
	return append(b, Version, byte(m))
}

// ParseMethodSelection decodes the server's choice of method.
func ParseMethodSelection(b []byte) (AuthMethod, int, error) {
	if len(b) >= 1 && b[0] != Version {
		return 0, 0, ErrBadVersion
	}
	if len(b) < 2 {
		return 0, 0, ErrShort
	}
	return AuthMethod(b[1]), 2, nil
}

// ReadMethodSelection reads the server's choice of method from r.
func ReadMethodSelection(r io.Reader) (AuthMethod, error) {
	var buf [2]byte
	if err := readFull(r, buf[:]); err != nil {
		return 0, err
	}
	m, _, err := ParseMethodSelection(buf[:])
	return m, err
}

// UserPass is the RFC 1929 username/password request.
//
//	+----+------+----------+------+----------+
//	|VER | ULEN |  UNAME   | PLEN |  PASSWD  |
//	+----+------+----------+------+----------+
//	| 1  |  1   | 1 to 255 |  1   | 1 to 255 |
//	+----+------+----------+------+----------+
type UserPass struct {
	Username string
	Password string
}

// String leaves the password out, so that a UserPass in a log line or an
// error never discloses it.
func (u UserPass) String() string {
	return fmt.Sprintf("{Username:%q Password:<redacted>}", u.Username)
}

// GoString leaves the password out, also under %#v.
func (u UserPass) GoString() string { return "socks5." + u.String() }

// Format leaves the password out under every verb (%d, %x… too).
func (u UserPass) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, u.GoString())
		return
	}
	io.WriteString(f, u.String())
}

// MarshalJSON leaves the password out of JSON.
func (u UserPass) MarshalJSON() ([]byte, error) {
	return []byte(fmt.Sprintf(`{"username":%q,"password":"<redacted>"}`, u.Username)), nil
}

// LogValue leaves the password out of slog output, whatever the handler.
func (u UserPass) LogValue() slog.Value {
	return slog.GroupValue(slog.String("username", u.Username), slog.String("password", "<redacted>"))
}

// Append encodes the request.
func (u UserPass) Append(b []byte) ([]byte, error) {
	switch {
	case u.Username == "":
		return b, ErrEmptyUsername
	case u.Password == "":
		return b, ErrEmptyPassword
	case len(u.Username) > 255 || len(u.Password) > 255:
		return b, ErrTooLong
	}
	b = append(b, AuthVersion, byte(len(u.Username)))
	b = append(b, u.Username...)
	b = append(b, byte(len(u.Password)))
	return append(b, u.Password...), nil
}

// ParseUserPass decodes a username/password request from the start of b.
func ParseUserPass(b []byte) (UserPass, int, error) {
	if len(b) < 1 {
		return UserPass{}, 0, ErrShort
	}
	if b[0] != AuthVersion {
		return UserPass{}, 0, ErrBadAuthVersion
	}
	if len(b) < 2 {
		return UserPass{}, 0, ErrShort
	}
	ulen := int(b[1])
	if ulen == 0 {
		return UserPass{}, 0, ErrEmptyUsername
	}
	if len(b) < 2+ulen+1 {
		return UserPass{}, 0, ErrShort
	}
	plen := int(b[2+ulen])
	if plen == 0 {
		return UserPass{}, 0, ErrEmptyPassword
	}
	n := 2 + ulen + 1 + plen
	if len(b) < n {
		return UserPass{}, 0, ErrShort
	}
	return UserPass{
		Username: string(b[2 : 2+ulen]),
		Password: string(b[3+ulen : n]),
	}, n, nil
}

// ReadUserPass reads a username/password request from r.
func ReadUserPass(r io.Reader) (UserPass, error) {
	var buf [1 + 1 + 255 + 1 + 255]byte
	if err := readFull(r, buf[:2]); err != nil {
		return UserPass{}, err
	}
	if buf[0] != AuthVersion {
		return UserPass{}, ErrBadAuthVersion
	}
	ulen := int(buf[1])
	if ulen == 0 {
		return UserPass{}, ErrEmptyUsername
	}
	if err := readRest(r, buf[2:3+ulen]); err != nil {
		return UserPass{}, err
	}
	plen := int(buf[2+ulen])
	if plen == 0 {
		return UserPass{}, ErrEmptyPassword
	}
	n := 3 + ulen + plen
	if err := readRest(r, buf[3+ulen:n]); err != nil {
		return UserPass{}, err
	}
	u, _, err := ParseUserPass(buf[:n])
	return u, err
}

// AppendUserPassReply encodes the server's answer to a username/password
// request.
//
//	+----+--------+
//	|VER | STATUS |
//	+----+--------+
//	| 1  |   1    |
//	+----+--------+
func AppendUserPassReply(b []byte, s AuthStatus) []byte {
	return append(b, AuthVersion, byte(s))
}

// ParseUserPassReply decodes the server's answer to a username/password
// request.
func ParseUserPassReply(b []byte) (AuthStatus, int, error) {
	if len(b) >= 1 && b[0] != AuthVersion {
		return 0, 0, ErrBadAuthVersion
	}
	if len(b) < 2 {
		return 0, 0, ErrShort
	}
	return AuthStatus(b[1]), 2, nil
}

// ReadUserPassReply reads the server's answer to a username/password request.
func ReadUserPassReply(r io.Reader) (AuthStatus, error) {
	var buf [2]byte
	if err := readFull(r, buf[:]); err != nil {
		return 0, err
	}
	s, _, err := ParseUserPassReply(buf[:])
	return s, err
}

// readFull reads the first part of a message: an EOF before any byte stays
// io.EOF (the peer went away), one inside the part is ErrShort.
func readFull(r io.Reader, b []byte) error {
	_, err := io.ReadFull(r, b)
	if err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: %w", ErrShort, err)
	}
	return err
}

// readRest reads a later part of a message, where any EOF is ErrShort.
func readRest(r io.Reader, b []byte) error {
	_, err := io.ReadFull(r, b)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return fmt.Errorf("%w: %w", ErrShort, io.ErrUnexpectedEOF)
	}
	return err
}
