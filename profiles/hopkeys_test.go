package profiles

import (
	"errors"
	"slices"
	"testing"
)

func TestUpstreamKey(t *testing.T) {
	for _, tc := range []struct {
		u    Upstream
		want string
	}{
		{Upstream{Host: "Proxy.Example", Port: 1080, Username: "bob"}, "bob@proxy.example:1080"},
		{Upstream{Host: "proxy.example", Port: 1080, Username: "Bob"}, "Bob@proxy.example:1080"},
		{Upstream{Host: "2001:DB8:0::1", Port: 1080, Username: "u"}, "u@[2001:db8::1]:1080"},
		{Upstream{Host: "fe80::1%eth0", Port: 2, Username: "u"}, "u@[fe80::1%eth0]:2"},
		{Upstream{Host: "127.0.0.1", Port: 9, Username: "a@b"}, "a@b@127.0.0.1:9"},
		{Upstream{Host: "h", Port: 1}, "@h:1"},
	} {
		if got := tc.u.Key(); got != tc.want {
			t.Errorf("%+v.Key() = %q, want %q", tc.u, got, tc.want)
		}
	}
	if got := UpstreamAccount("Work", Upstream{Host: "P", Port: 1, Username: "u"}); got != "Work/upstream/u@p:1" {
		t.Errorf("UpstreamAccount = %q", got)
	}
}

var (
	hopA = Upstream{Host: "a.example", Port: 1080, Username: "alice"}
	hopB = Upstream{Host: "b.example", Port: 1081, Username: "bob"}
)

// hopStore is a store with the test keychain and no password variables.
func hopStore(t *testing.T) (*Store, *Keychain) {
	t.Helper()
	k := needKeychain(t)
	t.Setenv(EnvPassword, "")
	clearUpstreamEnv(t)
	s := newStore(t)
	s.Keychain = k
	return s, k
}

// chainAB saves the profile name with upstreams [A, B] and a random
// password for each, and returns the profile and the passwords.
func chainAB(t *testing.T, s *Store, k *Keychain, name string) (*Profile, string, string) {
	t.Helper()
	p := New(name)
	p.Upstreams = []Upstream{hopA, hopB}
	if err := s.Create(p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Remove(name) })
	pwA, pwB := randomWord(t), randomWord(t)
	setSecret(t, k, UpstreamAccount(name, hopA), pwA)
	setSecret(t, k, UpstreamAccount(name, hopB), pwB)
	return p, pwA, pwB
}

func setSecret(t *testing.T, k *Keychain, account, pw string) {
	t.Helper()
	if err := k.Set(account, pw); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { k.Delete(account) })
}

// upstreamPasswords loads name and returns what its hops would send.
func upstreamPasswords(t *testing.T, s *Store, k *Keychain, name string) ([]string, error) {
	t.Helper()
	p, err := s.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	c, err := k.Credentials(p)
	return c.Upstream, err
}

// TestRemoveHopKeepsOthersPasswords is the bug: [A, B] saved as [B] gave
// B the password of A (positional accounts).
func TestRemoveHopKeepsOthersPasswords(t *testing.T) {
	s, k := hopStore(t)
	p, _, pwB := chainAB(t, s, k, "drop")
	p.Upstreams = []Upstream{hopB}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if got, err := upstreamPasswords(t, s, k, "drop"); err != nil || !slices.Equal(got, []string{pwB}) {
		t.Errorf("B after A was removed: %v; want B's own password", err)
	}
	assertNoSecrets(t, k, UpstreamAccount("drop", hopA))
}

// TestRemoveHopByHand: an edit by hand that removes hop A leaves B with
// its own password (A's stays in the keychain: nothing saw it go).
func TestRemoveHopByHand(t *testing.T) {
	s, k := hopStore(t)
	_, _, pwB := chainAB(t, s, k, "hand")
	writeProfile(t, s, "hand", "[[upstream]]\nhost = \"b.example\"\nport = 1081\nusername = \"bob\"\n")
	if got, err := upstreamPasswords(t, s, k, "hand"); err != nil || !slices.Equal(got, []string{pwB}) {
		t.Errorf("B after A was removed by hand: %v; want B's own password", err)
	}
}

func TestReorderHopsKeepsPasswords(t *testing.T) {
	s, k := hopStore(t)
	p, pwA, pwB := chainAB(t, s, k, "order")
	p.Upstreams = []Upstream{hopB, hopA}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if got, err := upstreamPasswords(t, s, k, "order"); err != nil || !slices.Equal(got, []string{pwB, pwA}) {
		t.Errorf("[B, A]: %v; want each hop's own password", err)
	}
}

// TestChangedHopHasNoPassword: a hop whose host changed is another server;
// it gets no password until one is stored, and the error names it.
func TestChangedHopHasNoPassword(t *testing.T) {
	s, k := hopStore(t)
	p, _, _ := chainAB(t, s, k, "moved")
	p.Upstreams[1].Host = "proxy2.example"
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	_, err := upstreamPasswords(t, s, k, "moved")
	want := `profile "moved": upstream 2 (bob@proxy2.example:1081) has no password in the keychain (service ` + testService +
		`, account moved/upstream/bob@proxy2.example:1081); store it with the profile editor, or set $SOCKSTRAY_UPSTREAM_PASSWORD_2`
	if !errors.Is(err, ErrNoPassword) || err.Error() != want {
		t.Errorf("Credentials = %v\nwant %s", err, want)
	}
	assertNoSecrets(t, k, UpstreamAccount("moved", hopB))
}

// legacyChain writes the profile name by hand with upstreams [A, B] and
// positional entries for both and a stray third, as an earlier version
// left them.
func legacyChain(t *testing.T, s *Store, k *Keychain, name string) (string, string) {
	t.Helper()
	writeProfile(t, s, name, "[[upstream]]\nhost = \"a.example\"\nport = 1080\nusername = \"alice\"\n"+
		"[[upstream]]\nhost = \"b.example\"\nport = 1081\nusername = \"bob\"\n")
	t.Cleanup(func() { s.Remove(name) })
	pwA, pwB := randomWord(t), randomWord(t)
	setSecret(t, k, legacyUpstreamAccount(name, 1), pwA)
	setSecret(t, k, legacyUpstreamAccount(name, 2), pwB)
	setSecret(t, k, legacyUpstreamAccount(name, 3), randomWord(t))
	t.Cleanup(func() { k.Delete(UpstreamAccount(name, hopA)); k.Delete(UpstreamAccount(name, hopB)) })
	return pwA, pwB
}

func legacyAccounts(name string) []string {
	return []string{legacyUpstreamAccount(name, 1), legacyUpstreamAccount(name, 2), legacyUpstreamAccount(name, 3)}
}

func TestMigrateOnLoad(t *testing.T) {
	s, k := hopStore(t)
	pwA, pwB := legacyChain(t, s, k, "old")
	if got, err := upstreamPasswords(t, s, k, "old"); err != nil || !slices.Equal(got, []string{pwA, pwB}) {
		t.Errorf("after migration: %v; want each hop's password", err)
	}
	assertNoSecrets(t, k, legacyAccounts("old")...)
	// A password stored since for a hop's own account is newer than a
	// positional one, which must not replace it.
	newer := randomWord(t)
	setSecret(t, k, UpstreamAccount("old2", hopA), newer)
	legacyChain(t, s, k, "old2")
	if got, _ := upstreamPasswords(t, s, k, "old2"); len(got) != 2 || got[0] != newer {
		t.Errorf("migration replaced the hop's own password")
	}
	assertNoSecrets(t, k, legacyAccounts("old2")...)
}

// TestMigrateBeforeSave: a store that never loaded the profile (the app
// saving an editor's version at once) still migrates against the file on
// disk, so removing hop A does not give B the first positional entry.
func TestMigrateBeforeSave(t *testing.T) {
	s, k := hopStore(t)
	_, pwB := legacyChain(t, s, k, "first")
	p := New("first")
	p.Upstreams = []Upstream{hopB}
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if got, err := upstreamPasswords(t, s, k, "first"); err != nil || !slices.Equal(got, []string{pwB}) {
		t.Errorf("B after the first save without A: %v; want B's own password", err)
	}
	assertNoSecrets(t, k, append(legacyAccounts("first"), UpstreamAccount("first", hopA))...)
}

// TestMigrateBeforeRename: positional entries move with the profile.
func TestMigrateBeforeRename(t *testing.T) {
	s, k := hopStore(t)
	pwA, pwB := legacyChain(t, s, k, "was")
	if err := s.Rename("was", "is"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Remove("is") })
	if got, err := upstreamPasswords(t, s, k, "is"); err != nil || !slices.Equal(got, []string{pwA, pwB}) {
		t.Errorf("after rename: %v; want each hop's password", err)
	}
	assertNoSecrets(t, k, append(legacyAccounts("was"), UpstreamAccount("was", hopA), UpstreamAccount("was", hopB))...)
}

// TestNewProfileIgnoresStaleEntries: positional entries of a profile whose
// file was deleted by hand are not migrated into a new one of that name.
func TestNewProfileIgnoresStaleEntries(t *testing.T) {
	s, k := hopStore(t)
	setSecret(t, k, legacyUpstreamAccount("reused", 1), randomWord(t))
	p := New("reused")
	p.Upstreams = []Upstream{hopB}
	if err := s.Create(p); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Remove("reused") })
	if _, err := upstreamPasswords(t, s, k, "reused"); !errors.Is(err, ErrNoPassword) {
		t.Errorf("a new profile's hop got a stale positional entry (%v)", err)
	}
	assertNoSecrets(t, k, legacyUpstreamAccount("reused", 1))
}

func TestRenameAndRemoveHopAccounts(t *testing.T) {
	s, k := hopStore(t)
	chainAB(t, s, k, "r1")
	p, _ := s.Load("r1")
	p.Upstreams = []Upstream{hopB, hopA} // reordered: the accounts follow the hops
	if err := s.Save(p); err != nil {
		t.Fatal(err)
	}
	if err := s.Rename("r1", "r2"); err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, k, UpstreamAccount("r1", hopA), UpstreamAccount("r1", hopB))
	for _, u := range []Upstream{hopA, hopB} {
		if _, err := k.Get(UpstreamAccount("r2", u)); err != nil {
			t.Errorf("%s not moved: %v", u.Key(), err)
		}
	}
	if err := s.Remove("r2"); err != nil {
		t.Fatal(err)
	}
	assertNoSecrets(t, k, UpstreamAccount("r2", hopA), UpstreamAccount("r2", hopB))
}
