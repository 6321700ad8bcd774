// Package control is the one owner of the desktop app's state, apart from
// its widgets: the engine, the active profile, the settings, the profile
// watcher and the log. The tray and the window both drive one Controller;
// tests drive it without a display.
//
// Its methods are safe from any goroutine, and the state stays whole by
// construction, with two locks:
//
//   - Every action (proxy on or off, a profile switch or save, LAN sharing,
//     the system proxy, an edit on disk seen by the watcher) runs as an act
//     (act.go): it holds c.op from its first check to its last change, so
//     nothing runs in between, and it may be slow (keychain, disk, engine,
//     the desktop's proxy tools). Its end points the system proxy at what
//     runs, or puts the user's setting back, and publishes the outcome.
//   - State, Active, Settings and SystemProxyOn read only what the last
//     finished act published, under c.mu, which is never held across slow
//     work: the window never waits for an action to read the state.
//
// Listeners added with OnChange and OnNotice are called from whichever
// goroutine made the change, after the act ended and never with a lock
// held: widgets must hop to the UI thread (fyne.Do) themselves.
package control

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/logring"
	"github.com/sockstray/sockstray/core/engine"
	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/profiles"
)

// Options are what a Controller works on. The zero value is the real
// thing: the user's profiles folder, settings file and OS keychain.
type Options struct {
	// Store is the profiles folder; nil means the user's.
	Store *profiles.Store
	// SettingsPath is settings.toml; empty means profiles.SettingsPath().
	SettingsPath string
	// Log keeps the recent log lines; nil means a new ring.
	Log *logring.Ring
	// Stderr also gets every log line, as text; nil for none.
	Stderr io.Writer
	// SystemProxy and LoginItem are the OS integrations; nil where the
	// desktop has none (the switches then say so).
	SystemProxy SystemProxy
	LoginItem   LoginItem
	// Keychain is where the controller reads and stores passwords; nil
	// means the Store's (the OS keychain). Tests put a slow one here.
	// Renaming and removing a profile still move its passwords through
	// the Store's keychain.
	Keychain Keychain
	// ProgramsOf names the local programs of connections for the usage
	// history (see usage.Options); nil leaves programs out of it.
	ProgramsOf func([]stats.ConnStat) []string
}

// Keychain holds the profiles' passwords (*profiles.Keychain). Its calls
// may be slow (D-Bus, a locked keyring): make them off the UI goroutine.
type Keychain interface {
	Get(account string) (string, error)
	Set(account, password string) error
	Credentials(p *profiles.Profile) (profiles.Credentials, error)
}

// State is what the tray and the window show about the proxy.
type State struct {
	Running  bool
	Addr     string // listening address when running, the profile's otherwise
	Profile  string // the active profile's name
	ShareLAN bool   // whether the active profile shares on the LAN
	Err      error  // why the last start or switch failed; nil after a success

	// ShareUntil is when the LAN share turns itself off, ShareFor after
	// it began (ShareLANFor); both zero when it has no end or there is no
	// share.
	ShareUntil time.Time
	ShareFor   time.Duration
}

// Notice is a message for the user: an error where it happened, or a
// one-time remark. Level is slog's: LevelError for failures.
type Notice struct {
	Level slog.Level
	Text  string
	Alert bool // worth a desktop notification: something ended by itself
}

// Controller is the desktop app's state. Create it with Open.
type Controller struct {
	eng          *engine.Engine
	store        *profiles.Store
	keychain     Keychain
	settingsPath string
	ring         *logring.Ring
	log          *slog.Logger
	sysProxy     SystemProxy
	loginItem    LoginItem
	usage        usageHistory

	op      sync.Mutex // held by the one act in progress
	sysAddr string     // where the system proxy points, "" for the user's own; acts only
	sysPAC  string     // the PAC file version it was set with; acts only

	share *timedShare // the LAN share's end, nil for none; acts only (sharetimer.go)

	saveMu sync.Mutex // held while settings.toml is written; see saveSettings

	mu        sync.Mutex // guards what follows, for a few copies at a time
	active    *profiles.Profile
	addr      string // where the engine listened when the last act ended; "" when off
	sysOn     bool   // whether the system proxy pointed at it then
	settings  profiles.Settings
	lastErr   error
	listeners []func()
	noticeFns []func(Notice)
	watcher   *profiles.Watcher
	watchDone chan struct{}
	closed    bool
	// hasPw caches HasPassword's answers by account, so that a form shows
	// "password present" without a keychain round-trip each refresh. The
	// app's own stores and deletes keep it right (see forgetPasswords).
	hasPw    map[string]bool
	hasPwGen int // counts forgetPasswords, so a slow lookup does not undo one

	// shareUntil is when the active profile's LAN share ends, shareFor
	// after it began, as the last act left them; zero for never.
	shareUntil time.Time
	shareFor   time.Duration
}

// Open loads the settings and the active profile (writing the built-in
// profile on a first start) and starts watching the profiles folder. It
// does not start the proxy: Restore does. Problems with the files are
// logged and kept as notices; only an unusable folder is an error.
func Open(o Options) (*Controller, error) {
	c := &Controller{eng: engine.New(), store: o.Store, settingsPath: o.SettingsPath, ring: o.Log,
		sysProxy: o.SystemProxy, loginItem: o.LoginItem}
	if c.store == nil {
		c.store = &profiles.Store{}
	}
	switch {
	case o.Keychain != nil:
		c.keychain = o.Keychain
	case c.store.Keychain != nil:
		c.keychain = c.store.Keychain
	default:
		c.keychain = &profiles.Keychain{}
	}
	if c.ring == nil {
		c.ring = logring.New(0)
	}
	c.log = slog.New(c.ring.Handler(o.Stderr))
	if c.settingsPath == "" {
		p, err := profiles.SettingsPath()
		if err != nil {
			return nil, err
		}
		c.settingsPath = p
	}
	if _, err := c.store.EnsureBuiltin(); err != nil {
		return nil, fmt.Errorf("%s: %w", lang.L("profiles folder"), err)
	}
	s, err := profiles.LoadSettings(c.settingsPath)
	if err != nil {
		c.notify(slog.LevelError, lang.L("Settings not read, using the defaults: {{.Err}}", map[string]any{"Err": err}))
		s = profiles.Settings{}
	}
	c.settings = s
	c.active = c.loadOrBuiltin(s.Active())
	c.openUsage(o.ProgramsOf)
	w, err := c.store.Watch()
	if err != nil {
		c.notify(slog.LevelWarn, lang.L("Profile files are not watched: edits on disk need a restart: {{.Err}}", map[string]any{"Err": err}))
	} else {
		c.watcher, c.watchDone = w, make(chan struct{})
		go c.watch(w)
	}
	return c, nil
}

// loadOrBuiltin loads the profile name, falling back to the built-in
// profile (with a notice) when it is missing or broken.
func (c *Controller) loadOrBuiltin(name string) *profiles.Profile {
	p, err := c.store.Load(name)
	if err == nil {
		return p
	}
	if name != profiles.BuiltinName {
		c.notify(slog.LevelError, lang.L(`Profile "{{.Name}}" not loaded, using "{{.Builtin}}": {{.Err}}`,
			map[string]any{"Name": name, "Builtin": profiles.BuiltinName, "Err": err}))
		if p, err := c.store.Load(profiles.BuiltinName); err == nil {
			return p
		}
	} else {
		c.notify(slog.LevelError, lang.L(`Profile "{{.Name}}" not loaded, using its defaults: {{.Err}}`, map[string]any{"Name": name, "Err": err}))
	}
	return profiles.Builtin()
}

// Logger is the app's logger: into the ring (and stderr).
func (c *Controller) Logger() *slog.Logger { return c.log }

// Log is the ring of recent log lines.
func (c *Controller) Log() *logring.Ring { return c.ring }

// Store is the profiles folder.
func (c *Controller) Store() *profiles.Store { return c.store }

// Snapshot copies the engine's live statistics; it never waits on the relay.
func (c *Controller) Snapshot() stats.Snapshot { return c.eng.Snapshot() }

// Changes counts the changes to what Snapshot shows of the connections:
// while it stays the same, only their ages move.
func (c *Controller) Changes() uint64 { return c.eng.Changes() }

// Summary is Snapshot without the connections: series and totals only,
// for views that show no rows.
func (c *Controller) Summary() stats.Snapshot { return c.eng.Summary() }

// CloseConn closes one live connection.
func (c *Controller) CloseConn(id uint64) bool { return c.eng.CloseConn(id) }

// CloseConns closes the live connections with the given ids and returns how
// many it closed.
func (c *Controller) CloseConns(ids []uint64) int {
	n := 0
	for _, id := range ids {
		if c.eng.CloseConn(id) {
			n++
		}
	}
	return n
}

// Active returns a copy of the active profile, as the last action left it.
func (c *Controller) Active() *profiles.Profile {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.active.Clone()
}

// State is the proxy's state as the last action left it: profile, address
// and sharing always agree.
func (c *Controller) State() State {
	c.mu.Lock()
	s := State{Profile: c.active.Name, ShareLAN: c.active.ShareOnLAN, Err: c.lastErr, Running: c.addr != "", Addr: c.addr}
	s.ShareUntil, s.ShareFor = c.shareUntil, c.shareFor
	p := c.active
	c.mu.Unlock()
	if s.Running {
		return s
	}
	if host, err := p.ListenHost(); err == nil {
		s.Addr = net.JoinHostPort(host, strconv.Itoa(p.Port))
	}
	return s
}

// OnChange adds a function called after every change of State or of the
// profile list.
func (c *Controller) OnChange(f func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.listeners = append(c.listeners, f)
}

// OnNotice adds a function called with every notice.
func (c *Controller) OnNotice(f func(Notice)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.noticeFns = append(c.noticeFns, f)
}

func (c *Controller) changed() {
	c.mu.Lock()
	fs := append([]func(){}, c.listeners...)
	c.mu.Unlock()
	for _, f := range fs {
		f()
	}
}

// Notify logs a notice for the user and hands it to the listeners.
func (c *Controller) Notify(level slog.Level, text string) { c.notify(level, text) }

// notify logs a notice and hands it to the listeners.
func (c *Controller) notify(level slog.Level, text string) {
	n := Notice{Level: level, Text: text}
	c.log.Log(context.Background(), level, n.Text)
	c.deliver(n)
}

// deliver hands a logged notice to the listeners.
func (c *Controller) deliver(n Notice) {
	c.mu.Lock()
	fs := append([]func(Notice){}, c.noticeFns...)
	c.mu.Unlock()
	for _, f := range fs {
		f(n)
	}
}

// Close stops watching, stops the engine (closing every connection) and
// saves the settings, with the window size when w and h are positive. The
// proxy's on/off choice is kept as it was, for the next start.
func (c *Controller) Close(w, h int) error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	watcher, done := c.watcher, c.watchDone
	c.mu.Unlock()
	// Before taking c.op: the watch goroutine may be waiting for it.
	if watcher != nil {
		watcher.Close()
		<-done
	}
	// Not a.stop: the proxy's on/off choice stays for the next start.
	c.op.Lock()
	a := c.beginAlways()
	a.releaseSystemProxy()
	c.eng.Stop()
	a.endShareOnQuit()
	a.end()
	if err := c.stopUsage(); err != nil { // after the engine: every connection has ended
		c.notify(slog.LevelError, lang.L("Usage history not written: {{.Err}}", map[string]any{"Err": err}))
	}
	c.log.Info("stopped")
	return c.updateSettings(func(s *profiles.Settings) {
		if w > 0 && h > 0 {
			s.WindowWidth, s.WindowHeight = w, h
		}
	})
}

// setErr records the outcome of an action: the error for the user, or
// none after a success.
func (c *Controller) setErr(err error) {
	c.mu.Lock()
	c.lastErr = err
	c.mu.Unlock()
}

// fail records err as the last error, tells the user, and returns it.
func (c *Controller) fail(what string, err error) error {
	c.setErr(err)
	c.notify(slog.LevelError, lang.L("{{.What}}: {{.Err}}", map[string]any{"What": what, "Err": err}))
	c.changed()
	return err
}

// errClosed is the error of an action asked for while the app quits.
var errClosed error = closedError{}

type closedError struct{}

// Error is translated when it is read: the error is made before the
// translations are loaded.
func (closedError) Error() string { return lang.L("the app is quitting") }
