package controltest

import (
	"sync"

	"github.com/sockstray/sockstray/profiles"
)

// GateKeychain is the test keychain behind a gate: while the gate is shut,
// every call waits until it opens, as with a locked or slow keychain. Put
// it in control.Options.Keychain. It starts open.
type GateKeychain struct {
	*profiles.Keychain
	// Waiting gets the name of each call that finds the gate shut
	// (dropped when no one reads it).
	Waiting chan string

	mu   sync.Mutex
	open chan struct{} // closed while the gate is open
}

// NewGateKeychain returns an open gate over the test keychain service.
func NewGateKeychain() *GateKeychain {
	open := make(chan struct{})
	close(open)
	return &GateKeychain{Keychain: &profiles.Keychain{Service: Service}, Waiting: make(chan string, 16), open: open}
}

// Shut makes the calls from now wait.
func (k *GateKeychain) Shut() {
	k.mu.Lock()
	defer k.mu.Unlock()
	select {
	case <-k.open:
		k.open = make(chan struct{})
	default:
	}
}

// Open lets the waiting calls and those after them through.
func (k *GateKeychain) Open() {
	k.mu.Lock()
	defer k.mu.Unlock()
	select {
	case <-k.open:
	default:
		close(k.open)
	}
}

func (k *GateKeychain) pass(call string) {
	k.mu.Lock()
	open := k.open
	k.mu.Unlock()
	select {
	case <-open:
		return
	default:
	}
	select {
	case k.Waiting <- call:
	default:
	}
	<-open
}

// Get is the keychain's, once the gate is open.
func (k *GateKeychain) Get(account string) (string, error) {
	k.pass("Get")
	return k.Keychain.Get(account)
}

// Set is the keychain's, once the gate is open.
func (k *GateKeychain) Set(account, password string) error {
	k.pass("Set")
	return k.Keychain.Set(account, password)
}

// Credentials is the keychain's, once the gate is open.
func (k *GateKeychain) Credentials(p *profiles.Profile) (profiles.Credentials, error) {
	k.pass("Credentials")
	return k.Keychain.Credentials(p)
}
