package profiles

import (
	"errors"
	"fmt"
	"os"
)

// Credentials are a profile's passwords, looked up apart from the profile
// so that a Profile never holds one.
type Credentials struct {
	// Local is the local user's password.
	Local string
	// Upstream holds each upstream's password, by the index of
	// Profile.Upstreams; empty where the upstream has no username.
	Upstream []string
}

// String and GoString hide the passwords from %v, %s and %#v.
func (Credentials) String() string   { return "profiles.Credentials{<redacted>}" }
func (Credentials) GoString() string { return "profiles.Credentials{<redacted>}" }

// Credentials looks up p's passwords: $SOCKSTRAY_PASSWORD for the local
// user and the upstream variables (UpstreamPasswordsFromEnv) when set, the
// keychain otherwise. Only accounts with a username are looked up, and
// each upstream's password is its own: the keychain holds one per server
// and user (UpstreamAccount), the environment one per hop of the chain.
func (k *Keychain) Credentials(p *Profile) (Credentials, error) {
	var c Credentials
	if p.Username != "" {
		c.Local = os.Getenv(EnvPassword)
		if c.Local == "" {
			pw, err := k.stored(LocalAccount(p.Name), "$"+EnvPassword)
			if err != nil {
				return Credentials{}, fmt.Errorf("profile %q, local user %q: %w", p.Name, p.Username, err)
			}
			c.Local = pw
		}
	}
	users := make([]string, len(p.Upstreams))
	for i, u := range p.Upstreams {
		users[i] = u.Username
	}
	var err error
	if c.Upstream, err = UpstreamPasswordsFromEnv(users); err != nil {
		return Credentials{}, fmt.Errorf("profile %q: %w", p.Name, err)
	}
	for i, u := range p.Upstreams {
		if u.Username == "" || c.Upstream[i] != "" {
			continue
		}
		pw, err := k.stored(UpstreamAccount(p.Name, u), UpstreamPasswordHint(i+1, len(users)))
		if errors.Is(err, ErrNoPassword) && u.kind() == KindSSH {
			continue // an SSH login may need none: the agent, or a key without a passphrase
		}
		if errors.Is(err, ErrNoPassword) {
			// Say which server: after its host, port or user changed, a
			// hop has no password until one is stored for it.
			return Credentials{}, fmt.Errorf("profile %q: upstream %d (%s) has %w", p.Name, i+1, u.Key(), err)
		}
		if err != nil {
			return Credentials{}, fmt.Errorf("profile %q, upstream %d (%s): %w", p.Name, i+1, u.Key(), err)
		}
		c.Upstream[i] = pw
	}
	return c, nil
}

// stored is account's password from the keychain; when there is none, the
// error says to store it or to set hint (the variable that would give it).
func (k *Keychain) stored(account, hint string) (string, error) {
	pw, err := k.Get(account)
	if errors.Is(err, ErrNoPassword) {
		return "", fmt.Errorf("%w (service %s, account %s); store it with the profile editor, or set %s", ErrNoPassword, k.service(), account, hint)
	}
	return pw, err
}

// deleteAll deletes every secret of the profile name with the upstreams
// ups (none when its file is gone): its local user's, each upstream's,
// and the positional entries of earlier versions (dropLegacy). The
// keychain cannot list accounts, so an upstream's password is found only
// through the upstream. It returns how many it deleted.
func (k *Keychain) deleteAll(name string, ups []Upstream) (int, error) {
	deleted := 0
	del := func(account string) error {
		err := k.Delete(account)
		if errors.Is(err, ErrNoPassword) {
			return nil
		}
		if err == nil {
			deleted++
		}
		return err
	}
	if err := del(LocalAccount(name)); err != nil {
		return deleted, err
	}
	// Every hop, with a username or not: one may have lost it in an edit
	// by hand, which deletes nothing.
	for _, u := range ups {
		if err := del(UpstreamAccount(name, u)); err != nil {
			return deleted, err
		}
	}
	n, err := k.dropLegacy(name, len(ups))
	return deleted + n, err
}

// move copies the secrets of p (named from) to the accounts of the name
// to, and returns the accounts it created so that a failure can be undone.
func (k *Keychain) move(p *Profile, from, to string) (created []string, err error) {
	type pair struct{ src, dst string }
	var pairs []pair
	if p.Username != "" {
		pairs = append(pairs, pair{LocalAccount(from), LocalAccount(to)})
	}
	for _, u := range p.Upstreams {
		if u.Username != "" {
			pairs = append(pairs, pair{UpstreamAccount(from, u), UpstreamAccount(to, u)})
		}
	}
	for _, pr := range pairs {
		pw, err := k.Get(pr.src)
		if errors.Is(err, ErrNoPassword) {
			continue // nothing to move
		}
		if err == nil {
			err = k.Set(pr.dst, pw)
		}
		if err != nil {
			return created, err
		}
		created = append(created, pr.dst)
	}
	return created, nil
}

// dropUnused deletes the secrets old used that p no longer does: a local
// username cleared, upstreams removed, without a username now, or whose
// host, port or user changed (the changed hop is another upstream, with
// no password yet). Reordered hops keep theirs: the accounts name the
// upstream, not its place.
func (k *Keychain) dropUnused(old, p *Profile) error {
	keep := map[string]bool{}
	for _, a := range p.secretAccounts() {
		keep[a] = true
	}
	for _, a := range old.secretAccounts() {
		if keep[a] {
			continue
		}
		if err := k.Delete(a); err != nil && !errors.Is(err, ErrNoPassword) {
			return err
		}
	}
	return nil
}
