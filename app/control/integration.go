package control

import (
	"errors"
	"log/slog"
	"net"
	"slices"
	"strings"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/autostart"
	"github.com/sockstray/sockstray/app/sysproxy"
	"github.com/sockstray/sockstray/profiles"
)

// SystemProxy points the operating system's proxy setting at Sockstray
// and puts the user's own back (app/sysproxy.Manager).
type SystemProxy interface {
	Enable(hostPort string, mode sysproxy.Mode) error
	Disable() error
	Enabled() bool
}

// LoginItem starts Sockstray at login (app/autostart).
type LoginItem interface {
	Enable() error
	Disable() error
	Enabled() (bool, error)
}

// ErrNoSystemProxy is the switch's error where no supported desktop proxy
// setting was found.
var ErrNoSystemProxy error = noSystemProxyError{}

type noSystemProxyError struct{}

// Error is translated when it is read: the error is made before the
// translations are loaded.
func (noSystemProxyError) Error() string {
	return lang.L("no system proxy setting this app can change on this desktop")
}

// SystemProxyOn reports whether the system proxy points at Sockstray, as
// the last action left it.
func (c *Controller) SystemProxyOn() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.sysOn
}

// SetSystemProxy points the system proxy at the running proxy, or puts the
// user's settings back. Turning it on starts the proxy first if it is off:
// a system setting pointing at nothing would cut the user off. It runs the
// desktop's tools: call it off the UI thread.
func (c *Controller) SetSystemProxy(on bool) error {
	if c.sysProxy == nil {
		return c.fail(lang.L("system proxy"), ErrNoSystemProxy)
	}
	a, err := c.begin()
	if err != nil {
		return err
	}
	defer a.end()
	if !on {
		if err := c.sysProxy.Disable(); err != nil {
			return a.fail(lang.L("system proxy not restored"), err)
		}
		c.sysAddr = ""
		c.log.Info("system proxy restored")
		a.rememberSystemProxy(false)
		a.changed()
		return nil
	}
	if a.active.Username != "" {
		return a.fail(lang.L("system proxy not set"), ErrSystemProxyNeedsAuth)
	}
	if err := a.start(); err != nil {
		return a.fail(lang.L("proxy not started"), err)
	}
	if err := a.pointSystemProxy(); err != nil {
		return a.fail(lang.L("system proxy not set"), err)
	}
	a.changed()
	return nil
}

// SystemProxyMode is how the system proxy switch points the system at the
// proxy: profiles.SystemProxyManual (the proxy's address for HTTP, HTTPS
// and SOCKS) or profiles.SystemProxyPAC (the PAC file it serves).
func (c *Controller) SystemProxyMode() string { return c.Settings().SystemProxy() }

// SetSystemProxyMode saves the system proxy mode, one of
// profiles.SystemProxyModes, and while the system proxy is on, sets it
// again in that mode at once. It runs the desktop's tools: call it off the
// UI thread.
func (c *Controller) SetSystemProxyMode(mode string) error {
	if !slices.Contains(profiles.SystemProxyModes, mode) {
		return errors.New(lang.L(`system proxy mode "{{.Mode}}": want one of {{.List}}`, map[string]any{"Mode": mode, "List": strings.Join(profiles.SystemProxyModes, ", ")}))
	}
	a, err := c.begin()
	if err != nil {
		return err
	}
	defer a.end()
	if err := a.updateSettings(func(s *profiles.Settings) { s.SystemProxyMode = mode }); err != nil {
		return err
	}
	a.changed()
	if c.sysAddr != "" {
		if err := a.pointSystemProxy(); err != nil {
			return a.fail(lang.L("system proxy not set"), err)
		}
	}
	return nil
}

// systemProxyMode is the setting as app/sysproxy's mode.
func (c *Controller) systemProxyMode() sysproxy.Mode {
	if c.Settings().SystemProxy() == profiles.SystemProxyPAC {
		return sysproxy.ModeAuto
	}
	return sysproxy.ModeManual
}

// ErrSystemProxyNeedsAuth refuses the system proxy for a profile with a
// password: programs that follow the system setting cannot send one, so
// every connection would fail.
var ErrSystemProxyNeedsAuth error = needsAuthError{}

type needsAuthError struct{}

// Error is translated when it is read, like noSystemProxyError's.
func (needsAuthError) Error() string {
	return lang.L("the active profile requires a password, which programs that follow the system proxy cannot send")
}

// pointSystemProxy points the system proxy at the running engine in the
// mode and with the bypass list of the settings, and remembers it is on
// for the next start.
func (a *act) pointSystemProxy() error {
	c := a.c
	addr := localAddr(c.eng.Addr().String())
	if b, ok := c.sysProxy.(bypassSetter); ok {
		b.SetBypass(c.SystemProxyBypass())
	}
	pac := a.pacVersion()
	if v, ok := c.sysProxy.(pacVersionSetter); ok {
		v.SetPACVersion(pac)
	}
	if err := c.sysProxy.Enable(addr, c.systemProxyMode()); err != nil {
		return err
	}
	c.sysAddr, c.sysPAC = addr, pac
	c.log.Info("system proxy set", "proxy", addr, "mode", c.SystemProxyMode())
	a.rememberSystemProxy(true)
	return nil
}

// bypassSetter is a SystemProxy whose bypass list the settings choose
// (*sysproxy.Manager).
type bypassSetter interface{ SetBypass([]string) }

// pacVersionSetter is a SystemProxy that puts the PAC file's version in
// its URL (*sysproxy.Manager).
type pacVersionSetter interface{ SetPACVersion(string) }

// pacVersion is the version of the PAC file the profile in force serves,
// in the PAC mode; "" in the manual mode, where no URL carries it.
func (a *act) pacVersion() string {
	if a.c.systemProxyMode() != sysproxy.ModeAuto {
		return ""
	}
	return a.active.PACVersion()
}

// rememberSystemProxy saves whether the system proxy is on, for Restore:
// as the last action left it, not as quitting does (Close puts the user's
// settings back, and the choice stays for the next start).
func (a *act) rememberSystemProxy(on bool) {
	if a.c.isClosed() || a.c.Settings().SystemProxyOnAtStart == on {
		return
	}
	a.updateSettings(func(s *profiles.Settings) { s.SystemProxyOnAtStart = on })
}

// SystemProxyBypass is what goes direct while the system proxy is on,
// besides the user's own entries in the desktop's settings: the settings'
// list, or sysproxy.DefaultBypass when they have none.
func (c *Controller) SystemProxyBypass() []string {
	return slices.Clone(sysproxy.BypassOr(c.Settings().SystemProxyBypass))
}

// SetSystemProxyBypass saves the bypass list (nil: the built-in one) and,
// while the system proxy is on, sets it again at once. Each entry is
// checked first; a bad one saves nothing. It runs the desktop's tools:
// call it off the UI thread.
func (c *Controller) SetSystemProxyBypass(list []string) error {
	for _, e := range list {
		if err := profiles.CheckBypassEntry(e); err != nil {
			return err
		}
	}
	a, err := c.begin()
	if err != nil {
		return err
	}
	defer a.end()
	if err := a.updateSettings(func(s *profiles.Settings) { s.SystemProxyBypass = slices.Clone(list) }); err != nil {
		return err
	}
	a.changed()
	if c.sysAddr != "" {
		if err := a.pointSystemProxy(); err != nil {
			return a.fail(lang.L("system proxy not set"), err)
		}
	}
	return nil
}

// settleSystemProxy keeps the system proxy pointing at the proxy that
// runs, whatever the act changed: it follows a new address or PAC file
// (new rules on the same port must be fetched again), and puts the
// user's settings back when the proxy stopped or the profile in force
// needs a password. Every act ends with it.
func (a *act) settleSystemProxy() {
	c := a.c
	if c.sysAddr == "" {
		return
	}
	running := c.eng.Addr()
	switch {
	case running == nil:
		a.releaseSystemProxy()
	case a.active.Username != "":
		a.releaseSystemProxy()
		a.notify(slog.LevelWarn, lang.L("The system proxy was turned off: this profile requires a password."))
	case localAddr(running.String()) != c.sysAddr, a.pacVersion() != c.sysPAC:
		if err := a.pointSystemProxy(); err != nil {
			// Where it points, nothing listens any more.
			a.releaseSystemProxy()
			a.notify(slog.LevelError, lang.L("System proxy not changed: {{.Err}}", map[string]any{"Err": err}))
		}
	}
}

// localAddr is the address this host's programs use for a listener: a
// wildcard listener is reached on loopback.
func localAddr(hostPort string) string {
	host, port, err := net.SplitHostPort(hostPort)
	if err != nil {
		return hostPort
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// releaseSystemProxy puts the user's settings back when the proxy stops
// or the app quits.
func (a *act) releaseSystemProxy() {
	c := a.c
	if c.sysProxy == nil || (c.sysAddr == "" && !c.sysProxy.Enabled()) {
		return
	}
	a.changed()
	if err := c.sysProxy.Disable(); err != nil {
		// Still pointing at us, as far as we know: the next act tries again.
		a.notify(slog.LevelError, lang.L("{{.What}}: {{.Err}}", map[string]any{"What": lang.L("system proxy not restored"), "Err": err}))
		return
	}
	c.sysAddr = ""
	c.log.Info("system proxy restored")
	a.rememberSystemProxy(false)
}

// StartAtLogin reports whether Sockstray starts when the user logs in.
func (c *Controller) StartAtLogin() bool {
	if c.loginItem == nil {
		return false
	}
	on, err := c.loginItem.Enabled()
	return err == nil && on
}

// SetStartAtLogin adds or removes the login item.
func (c *Controller) SetStartAtLogin(on bool) error {
	if c.loginItem == nil {
		return c.fail(lang.L("start at login"), errors.New(lang.L("not available on this system")))
	}
	var err error
	if on {
		err = c.loginItem.Enable()
	} else {
		err = c.loginItem.Disable()
	}
	if err != nil {
		return c.fail(lang.L("start at login not changed"), err)
	}
	c.log.Info("start at login", "on", on)
	c.changed()
	return nil
}

// Autostart is the LoginItem of app/autostart for the executable Exe.
type Autostart struct{ Exe string }

// Enable adds the login item. It starts the app hidden: tray only, the
// window on demand.
func (a Autostart) Enable() error { return autostart.Enable(a.Exe, HiddenFlag) }

// HiddenFlag starts the desktop app with its window hidden, where a tray
// icon is the way in.
const HiddenFlag = "--hidden"

// Disable removes it.
func (a Autostart) Disable() error { return autostart.Disable() }

// Enabled reports whether it is there.
func (a Autostart) Enabled() (bool, error) { return autostart.Enabled() }
