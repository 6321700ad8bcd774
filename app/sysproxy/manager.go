package sysproxy

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"sync"
	"time"
)

// Options configure a Manager. The zero value is the real thing: the
// detected desktop, the default state file and a watchdog that is this
// executable run as `sockstray sysproxy-watchdog`.
type Options struct {
	// Backend is the settings store; nil means Detect().
	Backend Backend
	// StatePath is the state file; "" means StatePath().
	StatePath string
	// NoWatchdog starts no watchdog process: only RecoverStale at the next
	// start then guards against a crash.
	NoWatchdog bool
	// Watchdog makes the watchdog's command from its arguments (see
	// RunWatchdog); nil runs os.Executable() with WatchdogCommand first.
	Watchdog func(args []string) *exec.Cmd
}

// ErrBusy is returned by Enable while another running Sockstray has the
// system proxy pointed at itself.
var ErrBusy = errors.New("another running Sockstray manages the system proxy")

// Manager turns the system proxy on and off. Its methods are safe from any
// goroutine; each blocks while it runs the desktop's tools (well under a
// second), so call them off the UI thread.
type Manager struct {
	backend Backend
	path    string
	opts    Options

	mu      sync.Mutex
	bypass  []string // nil: DefaultBypass
	pacVer  string   // the PAC file's version, for its URL
	enabled bool
	st      *state // what Enable saved, should the file go missing
	wd      *exec.Cmd
	wdDone  chan struct{} // closed when wd has exited and been reaped
}

// New returns a Manager for the detected (or given) backend.
func New(o Options) (*Manager, error) {
	m := &Manager{backend: o.Backend, path: o.StatePath, opts: o}
	if m.backend == nil {
		b, err := Detect()
		if err != nil {
			return nil, err
		}
		m.backend = b
	}
	if m.path == "" {
		p, err := StatePath()
		if err != nil {
			return nil, err
		}
		m.path = p
	}
	return m, nil
}

// Backend is the name of the settings store the Manager writes.
func (m *Manager) Backend() string { return m.backend.Name() }

// Enabled reports whether this Manager has the system proxy set.
func (m *Manager) Enabled() bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.enabled
}

// SetBypass sets what goes direct in ModeManual besides the user's own
// entries, which stay first; nil means DefaultBypass. It applies from the
// next Enable.
func (m *Manager) SetBypass(list []string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.bypass = slices.Clone(list)
}

// SetPACVersion sets the version ModeAuto puts in the PAC file's URL
// (profiles.Profile.PACVersion), so that programs fetch the file again
// when its rules change. It applies from the next Enable.
func (m *Manager) SetPACVersion(v string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.pacVer = v
}

// Enable points the system proxy at proxyHostPort (the listening address;
// an unspecified host means this machine's loopback), in mode: ModeManual
// sets it as the HTTP, HTTPS and SOCKS proxy, ModeAuto sets the PAC file it
// serves (PACURL). The current settings are saved to the state file before
// anything changes; calling Enable again with a new address or mode keeps
// the settings saved the first time.
func (m *Manager) Enable(proxyHostPort string, mode Mode) error {
	ep, err := ParseEndpoint(proxyHostPort)
	if err != nil {
		return fmt.Errorf("system proxy address: %w", err)
	}
	if mode != ModeManual && mode != ModeAuto {
		return fmt.Errorf("system proxy mode %q: want %q or %q", mode, ModeManual, ModeAuto)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	unlock, err := lockState(m.path)
	if err != nil {
		return err
	}
	defer unlock()

	st, err := m.ownState()
	if err != nil {
		return err
	}
	if !slices.Contains(st.Proxies, ep.String()) {
		st.Proxies = append(st.Proxies, ep.String())
	}
	if err := saveState(m.path, st); err != nil {
		return err
	}
	if err := m.guard(); err != nil {
		return err
	}
	if err := m.backend.Apply(proxiedWith(st.Saved, ep, mode, BypassOr(m.bypass), m.pacVer)); err != nil {
		if rerr := m.backend.Apply(st.Saved); rerr != nil {
			// The state file stays: the watchdog or the next start retries.
			return fmt.Errorf("set system proxy: %w (and restoring the saved settings: %v)", err, rerr)
		}
		removeState(m.path)
		m.enabled, m.st = false, nil
		m.stopWatchdog()
		return fmt.Errorf("set system proxy: %w", err)
	}
	m.enabled, m.st = true, st
	return nil
}

// ownState is the state this Manager enables under, the state lock held:
// its own when it has the proxy set; else the user's settings as they are
// now, after putting back those a dead earlier run left. Another live
// Sockstray holding the proxy is ErrBusy.
func (m *Manager) ownState() (*state, error) {
	st, err := loadState(m.path)
	if err != nil {
		return nil, err
	}
	if st != nil && !(m.enabled && st.PID == os.Getpid()) {
		if st.PID != os.Getpid() && alive(st.PID, st.Start) {
			return nil, fmt.Errorf("%w (process %d)", ErrBusy, st.PID)
		}
		if _, err := m.restore(st); err != nil {
			return nil, fmt.Errorf("restore the settings an earlier run left: %w", err)
		}
		st = nil
	}
	if st == nil && m.enabled {
		return m.st, nil // the file was removed under us: never save our own settings as the user's
	}
	if st == nil {
		saved, err := m.backend.Read()
		if err != nil {
			return nil, fmt.Errorf("read system proxy settings: %w", err)
		}
		start, _ := procStart(os.Getpid())
		st = &state{PID: os.Getpid(), Start: start, Backend: m.backend.Name(), Saved: saved, Time: time.Now().UTC()}
	}
	return st, nil
}

// guard sets up what puts the settings back if this process dies: the
// login check and the watchdog. On a first Enable that fails here the
// state file goes, as nothing was changed.
func (m *Manager) guard() error {
	err := installLoginCheck()
	if err == nil {
		err = m.startWatchdog()
	}
	if err != nil && !m.enabled {
		removeState(m.path)
	}
	return err
}

// Disable puts back the settings Enable saved and removes the state file.
// If someone changed the system proxy meanwhile (not to Sockstray), their
// settings stay. On an error the state file and the watchdog stay, so the
// restore is tried again when the app exits and at the next start.
func (m *Manager) Disable() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	unlock, err := lockState(m.path)
	if err != nil {
		return err
	}
	defer unlock()
	st, err := loadState(m.path)
	if err != nil {
		return err
	}
	if st == nil && m.enabled {
		st = m.st // someone removed the file; the copy in memory still knows
	}
	if st != nil && st.PID == os.Getpid() {
		if _, err := m.restore(st); err != nil {
			return err
		}
	}
	m.enabled, m.st = false, nil
	m.stopWatchdog()
	return nil
}

// RecoverStale restores the settings a dead Sockstray left pointing at
// itself: call it at start, before anything else. It does nothing when
// there is no state file or its owner still runs.
func (m *Manager) RecoverStale() (restored bool, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	unlock, err := lockState(m.path)
	if err != nil {
		return false, err
	}
	defer unlock()
	st, err := loadState(m.path)
	if err != nil || st == nil {
		return false, err
	}
	// Our own PID in the file is a previous process's (PIDs are reused
	// across reboots) unless this Manager enabled the proxy.
	if st.PID == os.Getpid() && m.enabled || st.PID != os.Getpid() && alive(st.PID, st.Start) {
		return false, nil
	}
	return m.restore(st)
}

// restore puts st.Saved back unless someone else changed the settings
// since, and removes the state file either way. The state lock is held.
func (m *Manager) restore(st *state) (bool, error) {
	b := m.backend
	if st.Backend != b.Name() {
		var err error
		if b, err = backendNamed(st.Backend); err != nil {
			return false, fmt.Errorf("restore system proxy: %w", err)
		}
	}
	cur, err := b.Read()
	if err != nil {
		return false, fmt.Errorf("read system proxy settings: %w", err)
	}
	if foreign(cur, st.Saved, st.Proxies) {
		return false, removeState(m.path)
	}
	if err := b.Apply(st.Saved); err != nil {
		return false, fmt.Errorf("restore system proxy settings: %w", err)
	}
	return true, removeState(m.path)
}
