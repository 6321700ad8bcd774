package profiles

import (
	"errors"
	"slices"
	"strconv"
)

// Before upstream accounts named the upstream (UpstreamAccount), they
// named its place in the chain: PROFILE/upstream/N, counting from 1. Such
// an entry went to whatever hop was N-th in the file, so removing or
// reordering hops (in the editor or by hand) sent one upstream's password
// to another. Nothing writes them any more; this file moves the ones that
// exist to the accounts of their upstreams, once, and clears the rest.

// legacyUpstreamAccount is the positional account of a profile's i-th
// upstream that earlier versions used.
func legacyUpstreamAccount(profile string, i int) string {
	return profile + "/upstream/" + strconv.Itoa(i)
}

// migrate moves p's positional entries to the accounts of its upstreams,
// once per profile name and store. p must be the profile as its file is
// on disk, not as an editor changed it: that is what makes the move safe.
// Earlier versions wrote the file and the positional entries together, so
// the file, as long as nothing but Sockstray wrote it, still lists the
// hops in the order their passwords were stored, and entry N is the
// password of the hop that is N-th in it. (An edit by hand made between
// the last save by an earlier version and the first load by this one
// cannot be told apart; the entry then goes to the hop that earlier
// version would have sent it to, as before.) Hence the store migrates on
// the first load, and before any save that changes the hops.
func (s *Store) migrate(p *Profile) error {
	if !slices.ContainsFunc(p.Upstreams, func(u Upstream) bool { return u.Username != "" }) {
		return nil // earlier versions stored no upstream password for it
	}
	s.mig.Lock()
	defer s.mig.Unlock()
	if s.migrated[p.Name] {
		return nil
	}
	if err := s.keychain().adoptLegacy(p); err != nil {
		return err
	}
	s.markMigrated(p.Name)
	return nil
}

// markMigrated records that name has no positional entries left. Call
// with s.mig held.
func (s *Store) markMigrated(name string) {
	if s.migrated == nil {
		s.migrated = map[string]bool{}
	}
	s.migrated[name] = true
}

// clearLegacy deletes positional entries of name that belong to no file:
// a profile created or renamed to name has none, so any there were left
// by an earlier profile of that name (its file deleted by hand) and must
// not be migrated into the new one. Best effort: a profile created
// without a keychain is not refused for it, and the first load that
// reaches the keychain migrates instead.
func (s *Store) clearLegacy(p *Profile) {
	if !slices.ContainsFunc(p.Upstreams, func(u Upstream) bool { return u.Username != "" }) {
		return // nothing would read them
	}
	s.mig.Lock()
	defer s.mig.Unlock()
	if _, err := s.keychain().dropLegacy(p.Name, 0); err == nil {
		s.markMigrated(p.Name)
	}
}

// forgetMigrated makes the next load of name look for positional entries
// again (its secrets were deleted or moved away).
func (s *Store) forgetMigrated(name string) {
	s.mig.Lock()
	defer s.mig.Unlock()
	delete(s.migrated, name)
}

// adoptLegacy moves each positional entry of p to the account of the hop
// at that place in p, unless that account already holds a password (then
// one stored by this version, newer than the positional one). Entries of
// hops without a username and beyond the chain's end (left by an edit by
// hand, from the place after the last hop on) are deleted: nothing reads
// them any more.
func (k *Keychain) adoptLegacy(p *Profile) error {
	for i := 1; ; i++ {
		legacy := legacyUpstreamAccount(p.Name, i)
		pw, err := k.Get(legacy)
		if errors.Is(err, ErrNoPassword) {
			if i > len(p.Upstreams) {
				return nil
			}
			continue
		}
		if err != nil {
			return err
		}
		if i <= len(p.Upstreams) && p.Upstreams[i-1].Username != "" {
			if err := k.setIfAbsent(UpstreamAccount(p.Name, p.Upstreams[i-1]), pw); err != nil {
				return err
			}
		}
		if err := k.Delete(legacy); err != nil && !errors.Is(err, ErrNoPassword) {
			return err
		}
	}
}

// setIfAbsent stores password as account's unless it has one.
func (k *Keychain) setIfAbsent(account, password string) error {
	_, err := k.Get(account)
	if errors.Is(err, ErrNoPassword) {
		return k.Set(account, password)
	}
	return err
}

// dropLegacy deletes the positional entries of the profile name: 1 to n,
// and further ones from n+1 up to the first that is absent (earlier
// versions left those when hops were removed by hand, always following
// the last hop). It returns how many it deleted.
func (k *Keychain) dropLegacy(name string, n int) (int, error) {
	deleted := 0
	for i := 1; ; i++ {
		err := k.Delete(legacyUpstreamAccount(name, i))
		switch {
		case errors.Is(err, ErrNoPassword):
			if i > n {
				return deleted, nil
			}
		case err != nil:
			return deleted, err
		default:
			deleted++
		}
	}
}
