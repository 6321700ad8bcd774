package server

import (
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"time"

	"github.com/sockstray/sockstray/core/socks5"
)

// credentials compares username/password in constant time. Both sides are
// hashed first so that the comparison takes the same time whatever the
// lengths, and both fields are always compared, so a wrong user and a
// wrong password cost the same.
type credentials struct {
	user, pass [sha256.Size]byte
}

func newCredentials(user, pass string) *credentials {
	if user == "" {
		return nil
	}
	return &credentials{user: sha256.Sum256([]byte(user)), pass: sha256.Sum256([]byte(pass))}
}

func (c *credentials) match(u socks5.UserPass) bool {
	user := sha256.Sum256([]byte(u.Username))
	pass := sha256.Sum256([]byte(u.Password))
	ok := subtle.ConstantTimeCompare(c.user[:], user[:]) & subtle.ConstantTimeCompare(c.pass[:], pass[:])
	return ok == 1
}

// errAuthFailed is a client that gave wrong credentials. Its message never
// names the username tried: a password typed into the username field
// would end up in the log.
var errAuthFailed = errors.New("authentication failed: wrong username or password")

// errAuthRefused is a client that tried too many wrong passwords and
// must wait: its credentials are not even compared.
var errAuthRefused = fmt.Errorf("%w: too many failed logins from this address", errAuthFailed)

// errNoMethod is a client that offers no method the server accepts.
var errNoMethod = errors.New("no acceptable authentication method offered")

// login checks credentials a client gave, for every protocol that carries
// them, and admits the client. It returns the credentials that matched,
// the proof the server keeps to tell whether a later config still admits
// the client.
//
// Guessing is limited per client address (see package authlimit): failures
// are reported in aggregate by the limiter, not one log line each.
func (cl *client) login(cur *served, up socks5.UserPass) (*credentials, error) {
	guard, ip, now := cl.srv.guard, cl.addr.Addr(), time.Now()
	if v := guard.Check(ip, now); !v.Allowed {
		return nil, errAuthRefused
	}
	if !cur.creds.match(up) {
		guard.Failed(ip, now)
		return nil, errAuthFailed
	}
	guard.Succeeded(ip, now)
	if err := cl.srv.admit(cl.conn, cur.creds); err != nil {
		return nil, err
	}
	return cur.creds, nil
}

// negotiate runs method selection and, when the config asks for it, RFC
// 1929 authentication, and admits the client. It returns the
// authenticated username ("" without authentication).
func (cl *client) negotiate(cur *served, m *msgReader) (string, error) {
	g, err := readMsg(m, socks5.ParseGreeting)
	if err != nil {
		return "", fmt.Errorf("greeting: %w", err)
	}
	method := socks5.AuthNoAcceptable
	switch {
	case cur.creds != nil:
		if g.Has(socks5.AuthUserPass) {
			method = socks5.AuthUserPass
		}
	case g.Has(socks5.AuthNone):
		method = socks5.AuthNone
	}
	if _, err := cl.conn.Write(socks5.AppendMethodSelection(cl.out[:0], method)); err != nil {
		return "", fmt.Errorf("method selection: %w", err)
	}
	switch method {
	case socks5.AuthNoAcceptable:
		return "", errNoMethod
	case socks5.AuthNone:
		return "", cl.srv.admit(cl.conn, nil)
	}
	up, err := readMsg(m, socks5.ParseUserPass)
	if errors.Is(err, socks5.ErrEmptyUsername) || errors.Is(err, socks5.ErrEmptyPassword) {
		// RFC 1929 allows no empty field, but a client that sends one
		// deserves the same answer as any other wrong credentials.
		err = nil
	} else if err != nil {
		return "", fmt.Errorf("username/password: %w", err)
	}
	_, err = cl.login(cur, up)
	status := socks5.AuthSuccess
	if err != nil {
		status = socks5.AuthFailure
	}
	if _, werr := cl.conn.Write(socks5.AppendUserPassReply(cl.out[:0], status)); werr != nil && err == nil {
		err = fmt.Errorf("username/password reply: %w", werr)
	}
	if err != nil {
		return "", err
	}
	return up.Username, nil
}
