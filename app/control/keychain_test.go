package control_test

import (
	"sync"
	"testing"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/profiles"
)

// memKeychain is a keychain in memory that counts the lookups.
type memKeychain struct {
	*profiles.Keychain // Credentials only
	mu                 sync.Mutex
	pw                 map[string]string
	gets               int
}

func (k *memKeychain) Get(account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.gets++
	pw, ok := k.pw[account]
	if !ok {
		return "", profiles.ErrNoPassword
	}
	return pw, nil
}

func (k *memKeychain) Set(account, password string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.pw[account] = password
	return nil
}

func (k *memKeychain) lookups() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.gets
}

// HasPassword asks the keychain once per account, and knows a password
// the app stored without asking.
func TestHasPasswordCached(t *testing.T) {
	kc := &memKeychain{Keychain: &profiles.Keychain{Service: controltest.Service}, pw: map[string]string{}}
	c := controltest.NewWith(t, control.Options{Keychain: kc})
	p := controltest.AddProfile(t, c, "Auth")
	account := profiles.LocalAccount(p.Name)
	for i := 0; i < 3; i++ {
		if ok, err := c.HasPassword(account); ok || err != nil {
			t.Fatalf("HasPassword before a save: %v, %v", ok, err)
		}
	}
	if n := kc.lookups(); n != 1 {
		t.Fatalf("%d keychain lookups for 3 questions, want 1", n)
	}
	p.Username = "alice"
	if err := c.SaveProfile(p.Name, p, control.Secrets{Local: "secret"}); err != nil {
		t.Fatal(err)
	}
	if ok, err := c.HasPassword(account); !ok || err != nil {
		t.Fatalf("HasPassword after storing one: %v, %v", ok, err)
	}
	if n := kc.lookups(); n != 1 {
		t.Fatalf("%d keychain lookups after the save, want still 1", n)
	}
}
