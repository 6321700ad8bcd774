package profiles

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"strings"

	"github.com/zalando/go-keyring"

	"github.com/sockstray/sockstray/internal/sessionbus"
)

// Service is the keychain service every Sockstray secret is stored under.
const Service = "sockstray"

// Environment variables that override the keychain, for headless use:
// the local user's password, and a one-upstream chain's (each upstream of
// a longer chain has its own: UpstreamPasswordEnv).
const (
	EnvPassword         = "SOCKSTRAY_PASSWORD"
	EnvUpstreamPassword = "SOCKSTRAY_UPSTREAM_PASSWORD"
)

// Keychain errors. A *net.OpError from go-keyring (no session bus) or a
// missing Secret Service becomes ErrKeychainUnavailable; a keyring that
// cannot be unlocked becomes ErrKeychainLocked. Their messages say what to
// start or unlock. Sockstray never falls back to a file.
var (
	ErrKeychainUnavailable = errors.New("the OS keychain is not available")
	ErrKeychainLocked      = errors.New("the OS keychain is locked")
	ErrNoPassword          = errors.New("no password in the keychain")
)

// LocalAccount is the keychain account of a profile's local user.
func LocalAccount(profile string) string { return profile + "/local" }

// UpstreamAccount is the keychain account of the password of upstream u
// of a profile: PROFILE/upstream/USER@HOST:PORT (Upstream.Key). It names
// the server and user the password was stored for, not the hop's place
// in the chain: removing, adding or reordering hops never hands one
// upstream's password to another, and a hop whose host, port or user
// changed has no password until one is stored for it.
func UpstreamAccount(profile string, u Upstream) string {
	return profile + "/upstream/" + u.Key()
}

// Key is u's identity as keychain accounts and messages name it,
// USER@HOST:PORT, normalised so that one server written two ways is one
// key: a host name in lower case (DNS names are case-insensitive), an IP
// address in its canonical form, IPv6 in brackets. The username is kept
// as it is: RFC 1929 compares it byte for byte. A host never holds '@',
// so the last '@' ends the username.
func (u Upstream) Key() string {
	host := strings.ToLower(u.Host)
	if ip, err := netip.ParseAddr(u.Host); err == nil {
		host = ip.String()
	}
	return u.Username + "@" + net.JoinHostPort(host, strconv.Itoa(u.Port))
}

// Keychain stores passwords in the OS keychain (Secret Service on Linux,
// Keychain on macOS, Credential Manager on Windows), one account per
// secret. The zero value uses Service.
type Keychain struct {
	// Service overrides Service; tests use their own.
	Service string
}

func (k *Keychain) service() string {
	if k != nil && k.Service != "" {
		return k.Service
	}
	return Service
}

// Get returns the password of account; an error wrapping ErrNoPassword
// when there is none.
func (k *Keychain) Get(account string) (string, error) {
	if err := sessionBusMissing(); err != nil {
		return "", keychainError(err)
	}
	pw, err := keyring.Get(k.service(), account)
	if err != nil {
		return "", fmt.Errorf("keychain account %s: %w", account, keychainError(err))
	}
	return pw, nil
}

// Set stores password as account's, replacing any.
func (k *Keychain) Set(account, password string) error {
	if err := sessionBusMissing(); err != nil {
		return keychainError(err)
	}
	if err := keyring.Set(k.service(), account, password); err != nil {
		return fmt.Errorf("keychain account %s: %w", account, keychainError(err))
	}
	return nil
}

// Delete removes account's password; an error wrapping ErrNoPassword when
// there was none.
func (k *Keychain) Delete(account string) error {
	if err := sessionBusMissing(); err != nil {
		return keychainError(err)
	}
	if err := keyring.Delete(k.service(), account); err != nil {
		return fmt.Errorf("keychain account %s: %w", account, keychainError(err))
	}
	return nil
}

// kcError is a keychain failure: what it means (kind) and what the
// keychain said (cause).
type kcError struct{ kind, cause error }

func (e *kcError) Error() string {
	return fmt.Sprintf("%v (%v): %s", e.kind, e.cause, advice(e.kind))
}

func (e *kcError) Unwrap() []error { return []error{e.kind, e.cause} }

// keychainError maps go-keyring's errors to ours.
func keychainError(err error) error {
	var op *net.OpError
	msg := err.Error()
	switch {
	case errors.Is(err, keyring.ErrNotFound):
		return ErrNoPassword
	case errors.As(err, &op), errors.Is(err, keyring.ErrUnsupportedPlatform),
		errors.Is(err, errNoSessionBus),
		strings.Contains(msg, "not provided by any .service files"),
		strings.Contains(msg, "couldn't determine address of session bus"):
		return &kcError{ErrKeychainUnavailable, err}
	case strings.Contains(msg, "failed to unlock"):
		return &kcError{ErrKeychainLocked, err}
	}
	return err
}

func advice(kind error) string {
	headless := fmt.Sprintf("for headless use set $%s and $%s, _2, … (one per upstream) instead", EnvPassword, UpstreamPasswordEnv(1))
	switch runtime.GOOS {
	case "darwin":
		if kind == ErrKeychainLocked {
			return "unlock the login keychain (Keychain Access) and try again, or " + headless
		}
		return "the login keychain must be available, or " + headless
	case "windows":
		return "Windows Credential Manager must be available, or " + headless
	}
	if kind == ErrKeychainLocked {
		return "unlock your keyring (the login keyring in gnome-keyring/Seahorse, or the KeePassXC database with Secret Service integration on) and try again, or " + headless
	}
	return "a Secret Service such as gnome-keyring or KeePassXC must be running and unlocked in your desktop session, or " + headless
}

var errNoSessionBus = errors.New("no D-Bus session bus: DBUS_SESSION_BUS_ADDRESS is not set")

// sessionBusMissing reports a missing D-Bus session bus on systems that
// use the Secret Service, before go-keyring would try to autolaunch one
// (a bus daemon that would outlive this process).
func sessionBusMissing() error {
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "android":
		return nil
	}
	if _, ok := sessionbus.Address(); ok {
		return nil
	}
	return errNoSessionBus
}
