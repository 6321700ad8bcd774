package tray

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
)

func item(t *testing.T, m *fyne.Menu, label string) *fyne.MenuItem {
	t.Helper()
	for _, it := range m.Items {
		if it.Label == label {
			return it
		}
	}
	t.Fatalf("menu has no %q", label)
	return nil
}

// fakeDesktop records what the tray sets.
type fakeDesktop struct {
	menu *fyne.Menu
	icon fyne.Resource
}

func (f *fakeDesktop) SetSystemTrayMenu(m *fyne.Menu)    { f.menu = m }
func (f *fakeDesktop) SetSystemTrayIcon(r fyne.Resource) { f.icon = r }
func (f *fakeDesktop) SetSystemTrayWindow(fyne.Window)   {}

// waiting returns h with its actions run off the caller's goroutine, as in
// the app, and a wait for them.
func waiting(t *testing.T, h Hooks) (Hooks, func()) {
	var wg sync.WaitGroup
	h.Run = func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	t.Cleanup(wg.Wait)
	return h, wg.Wait
}

func TestMenuStartsAndStopsEngine(t *testing.T) {
	test.NewTempApp(t)
	c := controltest.New(t)
	h, wait := waiting(t, Hooks{})
	m := Menu(c, h)
	if p := item(t, m, LabelProxy); p.Checked {
		t.Fatal("proxy checked before start")
	}
	item(t, m, LabelProxy).Action()
	wait()
	st := c.State()
	if !st.Running {
		t.Fatalf("not running: %v", st.Err)
	}
	controltest.Dial(t, st.Addr, controltest.Echo(t)).Close()
	m = Menu(c, h)
	if !item(t, m, LabelProxy).Checked {
		t.Error("proxy not checked while on")
	}
	item(t, m, LabelProxy).Action()
	wait()
	if c.State().Running {
		t.Fatal("still running")
	}
	if conn, err := net.Dial("tcp", st.Addr); err == nil {
		conn.Close()
		t.Error("port still listening after Proxy off")
	}
}

func TestMenuChoosesProfileLive(t *testing.T) {
	test.NewTempApp(t)
	c := controltest.New(t)
	other := controltest.AddProfile(t, c, "Other")
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	h, wait := waiting(t, Hooks{})
	m := Menu(c, h)
	profs := item(t, m, LabelProfiles).ChildMenu
	if len(profs.Items) != 2 || !item(t, profs, "Direct").Checked || item(t, profs, "Other").Checked {
		t.Fatalf("profiles submenu %+v", profs.Items)
	}
	item(t, profs, "Other").Action()
	wait()
	st := c.State()
	if st.Profile != "Other" || st.Addr != controltest.Addr(other.Port) || !st.Running {
		t.Fatalf("state after choosing Other: %+v", st)
	}
	controltest.Dial(t, st.Addr, controltest.Echo(t)).Close()
	if !item(t, item(t, Menu(c, Hooks{}), LabelProfiles).ChildMenu, "Other").Checked {
		t.Error("Other not checked")
	}
}

func TestMenuHooksAndFailures(t *testing.T) {
	test.NewTempApp(t)
	c := controltest.New(t)
	var copied, failed string
	shown, quit := false, false
	h, wait := waiting(t, Hooks{
		Show: func() { shown = true },
		Quit: func() { quit = true },
		Copy: func(s string) { copied = s },
		Fail: func(what string, err error) { failed = what + ": " + err.Error() },
	})
	m := Menu(c, h)
	item(t, m, LabelCopy).Action()
	item(t, m, LabelShow).Action()
	item(t, m, LabelQuit).Action()
	if copied != c.State().Addr || !shown || !quit {
		t.Errorf("copied %q shown %v quit %v", copied, shown, quit)
	}
	if !item(t, m, LabelQuit).IsQuit {
		t.Error("Quit is not the quit item")
	}
	// The built-in profile has no password: sharing it is refused, and
	// the user hears why.
	item(t, m, LabelShare).Action()
	wait()
	if !strings.Contains(failed, "LAN sharing not changed") || !strings.Contains(failed, "share_on_lan") {
		t.Errorf("failure %q", failed)
	}
}

func TestTrayIconAndTitleFollowState(t *testing.T) {
	test.NewTempApp(t)
	c := controltest.New(t)
	fd := &fakeDesktop{}
	tr := New(fd, c, Hooks{})
	var title string
	tr.SetTitle = func(s string) { title = s }
	tr.Refresh()
	if fd.icon != IconOff || fd.menu == nil || !strings.HasPrefix(title, "Sockstray: off") {
		t.Fatalf("off: icon %v title %q", fd.icon.Name(), title)
	}
	c.SetProxy(true)
	tr.Refresh()
	if fd.icon != IconOn || !strings.Contains(title, "on, "+c.State().Addr) {
		t.Fatalf("on: icon %v title %q", fd.icon.Name(), title)
	}
	c.SetProxy(false)
	ln, err := net.Listen("tcp", c.State().Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	c.SetProxy(true)
	tr.Refresh()
	if fd.icon != IconError || !strings.Contains(title, "error") || !strings.Contains(title, "in use") {
		t.Fatalf("error: icon %v title %q", fd.icon.Name(), title)
	}
}

func TestIconsArePNG(t *testing.T) {
	for _, r := range []fyne.Resource{IconOff, IconOn, IconError} {
		if c := r.Content(); len(c) < 8 || string(c[1:4]) != "PNG" {
			t.Errorf("%s is not a PNG", r.Name())
		}
	}
}

func TestMenuStartAtLoginAndSystemProxy(t *testing.T) {
	cfg := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", cfg)
	c := controltest.NewWith(t, control.Options{LoginItem: control.Autostart{Exe: "/usr/bin/sockstray"}})
	failed := make(chan string, 4)
	h, wait := waiting(t, Hooks{Fail: func(what string, err error) { failed <- what + ": " + err.Error() }})
	if item(t, Menu(c, h), LabelLogin).Checked {
		t.Fatal("start at login checked on a fresh config")
	}
	item(t, Menu(c, h), LabelLogin).Action()
	wait()
	if _, err := os.Stat(filepath.Join(cfg, "autostart", "io.github.sockstray.Sockstray.desktop")); err != nil {
		t.Fatalf("no autostart entry after the menu item: %v", err)
	}
	if !item(t, Menu(c, h), LabelLogin).Checked {
		t.Error("start at login not checked after turning it on")
	}
	item(t, Menu(c, h), LabelLogin).Action()
	wait()
	if item(t, Menu(c, h), LabelLogin).Checked {
		t.Error("start at login still checked after turning it off")
	}
	// No system proxy backend in this controller: the item reports why.
	if item(t, Menu(c, h), LabelSysProxy).Checked {
		t.Error("system proxy checked without a backend")
	}
	item(t, Menu(c, h), LabelSysProxy).Action()
	select {
	case f := <-failed:
		if !strings.Contains(f, "system proxy") {
			t.Errorf("failure reported: %q", f)
		}
	case <-time.After(5 * time.Second):
		t.Error("no failure reported for a system proxy switch without a backend")
	}
}

// A locked keychain does not hold up the tray: the menu's actions return at
// once, the tray says that it works and disables the actions meanwhile,
// and the proxy is on once the keychain answers.
func TestTrayDoesNotWaitForKeychain(t *testing.T) {
	test.NewTempApp(t)
	kc := controltest.NewGateKeychain()
	c := controltest.NewWith(t, control.Options{Keychain: kc})
	fd := &fakeDesktop{}
	tr := New(fd, c, Hooks{})
	var title string
	tr.SetTitle = func(s string) { title = s }
	tr.Refresh()
	kc.Shut()
	t.Cleanup(kc.Open)
	start := time.Now()
	item(t, tr.Menu, LabelProxy).Action()
	if d := time.Since(start); d > 200*time.Millisecond {
		t.Fatalf("the menu action took %v", d)
	}
	select {
	case <-kc.Waiting:
	case <-time.After(5 * time.Second):
		t.Fatal("the action never reached the keychain")
	}
	if !strings.Contains(title, "working") || !item(t, fd.menu, LabelProxy).Disabled {
		t.Errorf("while it works: title %q, proxy item disabled %v", title, item(t, fd.menu, LabelProxy).Disabled)
	}
	kc.Open()
	tr.Wait()
	if st := c.State(); !st.Running {
		t.Fatalf("not running once the keychain answered: %v", st.Err)
	}
	if strings.Contains(title, "working") || item(t, fd.menu, LabelProxy).Disabled || !item(t, fd.menu, LabelProxy).Checked {
		t.Errorf("after it: title %q, proxy item %+v", title, item(t, fd.menu, LabelProxy))
	}
}
