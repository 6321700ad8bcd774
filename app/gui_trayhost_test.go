//go:build linux

package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"github.com/sockstray/sockstray/app/tray"
)

// The tray's D-Bus names, as a StatusNotifierItem host sees them.
const (
	watcherPath  = "/StatusNotifierWatcher"
	itemIface    = "org.kde.StatusNotifierItem"
	menuIface    = "com.canonical.dbusmenu"
	noHostNotice = "No tray host on this desktop"
)

// panelConfig is an xfce4-panel configuration (xfconf's channel file) with
// one panel holding only the notification area, whose StatusNotifierItem
// watcher is the tray host under test.
const panelConfig = `<?xml version="1.0" encoding="UTF-8"?>
<channel name="xfce4-panel" version="1.0">
  <property name="configver" type="int" value="2"/>
  <property name="panels" type="array">
    <value type="int" value="1"/>
    <property name="panel-1" type="empty">
      <property name="position" type="string" value="p=6;x=0;y=0"/>
      <property name="length" type="uint" value="100"/>
      <property name="position-locked" type="bool" value="true"/>
      <property name="size" type="uint" value="30"/>
      <property name="plugin-ids" type="array">
        <value type="int" value="1"/>
      </property>
    </property>
  </property>
  <property name="plugins" type="empty">
    <property name="plugin-1" type="string" value="systray"/>
  </property>
</channel>
`

// desk is a private desktop session for one test: its own D-Bus session
// bus and X display, so no other test sees its tray host and it sees no
// other test's tray.
type desk struct {
	env []string // DBUS_SESSION_BUS_ADDRESS and DISPLAY of this session
	bus *dbus.Conn
}

// newDesk starts a private bus daemon and Xvfb.
func newDesk(t *testing.T) *desk {
	t.Helper()
	needDisplay(t) // the real-window tests' switch and tools
	daemon := needTool(t, "dbus-daemon", "dbus")
	xvfb := needTool(t, "Xvfb", "xvfb")

	busProc := startProc(t, childEnv(), daemon, "--session", "--nofork", "--print-address=1")
	addr := busProc.firstLine(t)
	display := startXvfb(t, xvfb)
	bus, err := dbus.Connect(addr)
	if err != nil {
		t.Fatalf("connect to the private bus %s: %v", addr, err)
	}
	t.Cleanup(func() { bus.Close() })
	return &desk{env: []string{"DBUS_SESSION_BUS_ADDRESS=" + addr, "DISPLAY=" + display, "NO_AT_BRIDGE=1"}, bus: bus}
}

// startXvfb starts an X server on the first free display, which it names
// itself (-displayfd), and returns the display.
func startXvfb(t *testing.T, xvfb string) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &proc{name: "Xvfb", done: make(chan struct{})}
	cmd := exec.Command(xvfb, "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	cmd.Stderr = &p.stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start Xvfb: %v", err)
	}
	w.Close()
	go func() { p.waitErr = cmd.Wait(); close(p.done) }()
	// The read end stays open while Xvfb runs: it writes the number and
	// the newline apart, and a closed pipe is fatal to it.
	t.Cleanup(func() {
		killGroup(cmd.Process.Pid, syscall.SIGTERM)
		<-p.done
		r.Close()
		if t.Failed() {
			t.Logf("Xvfb: %v\n%s", p.waitErr, p.stderr.String())
		}
	})
	line := make(chan string, 1)
	go func() {
		l, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(l)
	}()
	select {
	case n := <-line:
		if _, err := strconv.Atoi(n); err != nil {
			t.Fatalf("Xvfb named no display (%q)\n%s", n, p.stderr.String())
		}
		return ":" + n
	case <-time.After(startTimeout):
		t.Fatalf("Xvfb named no display within %v\n%s", startTimeout, p.stderr.String())
	}
	return ""
}

// startPanel starts xfce4-panel with panelConfig (and xfconfd, which
// serves the configuration to it) in the session, and waits until its
// watcher owns tray.HostName.
func (d *desk) startPanel(t *testing.T) *proc {
	t.Helper()
	panel := needTool(t, "xfce4-panel", "xfce4-panel")
	xfconfd := ""
	for _, p := range []string{"/usr/lib/x86_64-linux-gnu/xfce4/xfconf/xfconfd", "/usr/lib/aarch64-linux-gnu/xfce4/xfconf/xfconfd", "/usr/lib/xfce4/xfconf/xfconfd"} {
		if _, err := os.Stat(p); err == nil {
			xfconfd = p
		}
	}
	if xfconfd == "" {
		missing(t, "xfconfd not found: install the package xfconf (xfce4-panel depends on it; scripts/deps.sh installs it)")
	}
	home := t.TempDir()
	channel := filepath.Join(home, "config", "xfce4", "xfconf", "xfce-perchannel-xml", "xfce4-panel.xml")
	if err := os.MkdirAll(filepath.Dir(channel), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(channel, []byte(panelConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	env := childEnv(append(d.env, "XDG_CONFIG_HOME="+filepath.Join(home, "config"),
		"XDG_CACHE_HOME="+filepath.Join(home, "cache"), "XDG_DATA_HOME="+filepath.Join(home, "data"))...)
	// xfconfd first, with this configuration: a panel that finds no
	// xfconfd on the bus has the bus start one, with the bus's environment.
	conf := startProc(t, env, xfconfd)
	if !waitFor(startTimeout, func() bool { return d.hasOwner("org.xfce.Xfconf") }) {
		t.Fatalf("xfconfd did not take org.xfce.Xfconf within %v\nstderr:\n%s", startTimeout, conf.stderr.String())
	}
	p := startProc(t, env, panel, "--disable-wm-check")
	if !waitFor(startTimeout, func() bool { return d.hasOwner(tray.HostName) }) {
		t.Fatalf("xfce4-panel's watcher did not take %s within %v\nstderr:\n%s", tray.HostName, startTimeout, p.stderr.String())
	}
	return p
}

func (d *desk) hasOwner(name string) bool {
	var has bool
	err := d.bus.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, name).Store(&has)
	return err == nil && has
}

// items is the watcher's RegisteredStatusNotifierItems: "SERVICE/PATH" or
// "SERVICE" per item.
func (d *desk) items() ([]string, error) {
	v, err := d.bus.Object(tray.HostName, watcherPath).GetProperty(tray.HostName + ".RegisteredStatusNotifierItems")
	if err != nil {
		return nil, err
	}
	items, ok := v.Value().([]string)
	if !ok {
		return nil, fmt.Errorf("RegisteredStatusNotifierItems is %s", v.Signature())
	}
	return items, nil
}

// sni is an app's StatusNotifierItem as the host reaches it.
type sni struct {
	item, menu dbus.BusObject
}

// waitItem waits for an item of the process pid to register with the
// watcher and returns it.
func (d *desk) waitItem(t *testing.T, pid int, app *proc) sni {
	t.Helper()
	var found string
	var last []string
	ok := waitFor(startTimeout, func() bool {
		items, err := d.items()
		if err != nil {
			return false
		}
		last = items
		for _, it := range items {
			service, _, _ := strings.Cut(it, "/")
			var owner uint32
			if d.bus.BusObject().Call("org.freedesktop.DBus.GetConnectionUnixProcessID", 0, service).Store(&owner) == nil && int(owner) == pid {
				found = it
				return true
			}
		}
		return false
	})
	if !ok {
		t.Fatalf("no StatusNotifierItem of pid %d registered with the panel; registered: %q\nstderr:\n%s", pid, last, app.stderr.String())
	}
	service, path, _ := strings.Cut(found, "/")
	if path == "" {
		path = "StatusNotifierItem"
	}
	item := d.bus.Object(service, dbus.ObjectPath("/"+path))
	v, err := item.GetProperty(itemIface + ".Menu")
	if err != nil {
		t.Fatalf("item %s has no Menu: %v", found, err)
	}
	menuPath, _ := v.Value().(dbus.ObjectPath)
	return sni{item: item, menu: d.bus.Object(service, menuPath)}
}

// icon is the item's IconPixmap, flattened to compare.
func (s sni) icon(t *testing.T) []byte {
	t.Helper()
	v, err := s.item.GetProperty(itemIface + ".IconPixmap")
	if err != nil {
		t.Fatalf("IconPixmap: %v", err)
	}
	var px []struct {
		W, H int32
		Data []byte
	}
	if err := dbus.Store([]any{v.Value()}, &px); err != nil {
		t.Fatalf("IconPixmap %s: %v", v.Signature(), err)
	}
	var out []byte
	for _, p := range px {
		out = append(out, fmt.Sprintf("%dx%d:", p.W, p.H)...)
		out = append(out, p.Data...)
	}
	return out
}

// menuItem is one entry of the exported menu.
type menuItem struct {
	id      int32
	label   string
	toggled bool
	enabled bool
}

// menuItems is the top level of the item's menu, from GetLayout.
func (s sni) menuItems(t *testing.T) []menuItem {
	t.Helper()
	var rev uint32
	var layout struct {
		ID       int32
		Props    map[string]dbus.Variant
		Children []dbus.Variant
	}
	if err := s.menu.Call(menuIface+".GetLayout", 0, int32(0), int32(1), []string{}).Store(&rev, &layout); err != nil {
		t.Fatalf("GetLayout: %v", err)
	}
	var out []menuItem
	for _, c := range layout.Children {
		f, ok := c.Value().([]any)
		if !ok || len(f) != 3 {
			t.Fatalf("GetLayout child %s", c.Signature())
		}
		it := menuItem{id: f[0].(int32), enabled: true}
		props := f[1].(map[string]dbus.Variant)
		if l, ok := props["label"]; ok {
			it.label, _ = l.Value().(string)
		}
		if e, ok := props["enabled"]; ok {
			it.enabled, _ = e.Value().(bool)
		}
		if ts, ok := props["toggle-state"]; ok {
			n, _ := ts.Value().(int32)
			it.toggled = n == 1
		}
		out = append(out, it)
	}
	return out
}

// find is the top-level menu item labelled label. The app rebuilds its
// menu after each change, so a GetLayout may come between the removal of
// the old items and the new ones: false means not found now.
func (s sni) find(t *testing.T, label string) (menuItem, bool) {
	t.Helper()
	for _, it := range s.menuItems(t) {
		if it.label == label {
			return it, true
		}
	}
	return menuItem{}, false
}

// checked reports whether the item labelled label shows now, checked.
func (s sni) checked(t *testing.T, label string) bool {
	it, ok := s.find(t, label)
	return ok && it.toggled
}

// unchecked reports whether the item labelled label shows now, unchecked.
func (s sni) unchecked(t *testing.T, label string) bool {
	it, ok := s.find(t, label)
	return ok && !it.toggled
}

// click sends the host's "clicked" event for the item labelled label,
// once it shows enabled (the app disables its items while an action runs
// and rebuilds the menu when it ends).
func (s sni) click(t *testing.T, label string) {
	t.Helper()
	var it menuItem
	if !waitFor(startTimeout, func() (ok bool) { it, ok = s.find(t, label); return ok && it.enabled }) {
		t.Fatalf("the tray menu has no enabled %q: %+v", label, s.menuItems(t))
	}
	if err := s.menu.Call(menuIface+".Event", 0, it.id, "clicked", dbus.MakeVariant(""), uint32(time.Now().Unix())).Err; err != nil {
		t.Fatalf("Event clicked on %q: %v", label, err)
	}
}

func listening(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err == nil {
		c.Close()
	}
	return err == nil
}

// TestTrayUnderXfcePanel runs the real app under a real tray host,
// xfce4-panel: its item registers with the panel's watcher, the menu the
// panel would show turns the proxy off and on (the port really closes and
// listens again), the icon follows, and the window says nothing about a
// missing tray host.
func TestTrayUnderXfcePanel(t *testing.T) {
	d := newDesk(t)
	panel := d.startPanel(t)
	bin := sockstrayBin(t)
	env, port := guiHome(t)
	addr := "127.0.0.1:" + strconv.Itoa(port)
	app := startProc(t, append(env, d.env...), bin)

	s := d.waitItem(t, app.cmd.Process.Pid, app)
	if !waitFor(startTimeout, func() bool { return listening(addr) && s.checked(t, tray.LabelProxy) }) {
		t.Fatalf("the proxy did not come on at %s with its menu item checked: %+v\nstderr:\n%s", addr, s.menuItems(t), app.stderr.String())
	}
	iconOn := s.icon(t)

	s.click(t, tray.LabelProxy)
	if !waitFor(startTimeout, func() bool { return !listening(addr) && s.unchecked(t, tray.LabelProxy) }) {
		t.Fatalf("Proxy on clicked: %s still listens or the item is checked: %+v\nstderr:\n%s", addr, s.menuItems(t), app.stderr.String())
	}
	var iconOff []byte
	if !waitFor(startTimeout, func() bool { iconOff = s.icon(t); return !bytes.Equal(iconOff, iconOn) }) {
		t.Fatal("the tray icon did not change when the proxy went off")
	}

	s.click(t, tray.LabelProxy)
	if !waitFor(startTimeout, func() bool { return listening(addr) && s.checked(t, tray.LabelProxy) }) {
		t.Fatalf("Proxy on clicked again: %s does not listen: %+v\nstderr:\n%s", addr, s.menuItems(t), app.stderr.String())
	}
	if !waitFor(startTimeout, func() bool { return bytes.Equal(s.icon(t), iconOn) }) {
		t.Fatal("the tray icon did not come back to the 'on' icon")
	}

	if strings.Contains(app.stderr.String(), noHostNotice) || strings.Contains(app.stderr.String(), "No system tray") {
		t.Errorf("the app says there is no tray host under xfce4-panel\nstderr:\n%s", app.stderr.String())
	}
	if code := app.stop(t, syscall.SIGTERM); code != 0 || strings.Contains(app.stderr.String(), "panic") {
		t.Fatalf("exit %d\nstderr:\n%s", code, app.stderr.String())
	}
	if panel.exited() {
		t.Errorf("xfce4-panel ended during the test\nstderr:\n%s", panel.stderr.String())
	}
}

// TestNoTrayHostNotice is the same session without the panel: the app
// says no tray host shows its icon (the notice the test above must not
// see).
func TestNoTrayHostNotice(t *testing.T) {
	d := newDesk(t)
	env, port := guiHome(t)
	app := startProc(t, append(env, d.env...), sockstrayBin(t))
	addr := "127.0.0.1:" + strconv.Itoa(port)
	if !waitFor(startTimeout, func() bool { return listening(addr) && strings.Contains(app.stderr.String(), noHostNotice) }) {
		t.Fatalf("no proxy at %s or no %q notice\nstderr:\n%s", addr, noHostNotice, app.stderr.String())
	}
	if code := app.stop(t, syscall.SIGTERM); code != 0 {
		t.Fatalf("exit %d\nstderr:\n%s", code, app.stderr.String())
	}
}
