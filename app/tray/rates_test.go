package tray

import (
	"io"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/core/stats"
)

func TestTitleWithRates(t *testing.T) {
	test.NewTempApp(t)
	on := control.State{Profile: "Direct", Addr: "127.0.0.1:1080", Running: true}
	want := "Sockstray: on, 127.0.0.1:1080 (Direct) ↑ 1.5 KB/s ↓ 2.0 MB/s"
	if got := TitleWithRates(on, stats.Point{Up: 1500, Down: 2e6}); got != want {
		t.Errorf("title while on = %q, want %q", got, want)
	}
	off := on
	off.Running = false
	if got := TitleWithRates(off, stats.Point{Up: 1500}); strings.Contains(got, "↑") {
		t.Errorf("title while off shows rates: %q", got)
	}
}

// The tooltip's rates move with real traffic through the proxy.
func TestTrayTitleShowsLiveRates(t *testing.T) {
	test.NewTempApp(t)
	c := controltest.New(t)
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	titles := make(chan string, 64)
	tr := New(&fakeDesktop{}, c, Hooks{})
	tr.SetTitle = func(s string) {
		select {
		case titles <- s:
		default:
		}
	}
	tr.Refresh()
	stop := tr.ShowRates()
	t.Cleanup(stop)

	conn := controltest.Dial(t, c.State().Addr, controltest.Echo(t))
	go io.Copy(io.Discard, conn)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 64<<10)
		for {
			select {
			case <-done:
				return
			case <-time.After(30 * time.Millisecond): // about 2 MB/s each way
				conn.Write(buf)
			}
		}
	})
	defer func() { close(done); conn.Close(); wg.Wait() }()
	var seen []string
	timeout := time.After(10 * time.Second)
	for {
		select {
		case s := <-titles:
			seen = append(seen, s)
			if strings.Contains(s, "↑") && strings.Contains(s, "MB/s") {
				stop()
				// Off, the title loses its rates, and is set once.
				if err := c.SetProxy(false); err != nil {
					t.Fatal(err)
				}
				for len(titles) > 0 {
					<-titles
				}
				tr.showTitle(c.State())
				tr.showTitle(c.State())
				if len(titles) != 1 || strings.Contains(<-titles, "↑") {
					t.Errorf("proxy off: want one title without rates")
				}
				return
			}
		case <-timeout:
			t.Fatalf("no title with MB/s rates after 10 s of ~2 MB/s each way; titles: %q", seen)
		}
	}
}

// "Copy terminal proxy command" copies the shell's lines for the running
// proxy, never the password.
func TestCopyTerminalCommand(t *testing.T) {
	controltest.NeedKeychain(t)
	test.NewTempApp(t)
	t.Setenv("SHELL", "/bin/bash")
	c := controltest.New(t)
	p := controltest.AddProfile(t, c, "Work")
	p.Username = "alice"
	if err := c.SaveProfile("Work", p, control.Secrets{Local: "s3cret-pw"}); err != nil {
		t.Fatal(err)
	}
	if err := c.UseProfile("Work"); err != nil {
		t.Fatal(err)
	}
	var copied string
	item(t, Menu(c, Hooks{Copy: func(s string) { copied = s }}), LabelCopyEnv).Action()
	addr := "127.0.0.1:" + strconv.Itoa(p.Port)
	for _, want := range []string{"export http_proxy='http://" + addr + "'", "export all_proxy='socks5h://" + addr + "'", "export no_proxy='localhost,", "alice"} {
		if !strings.Contains(copied, want) {
			t.Errorf("copied text lacks %q:\n%s", want, copied)
		}
	}
	if strings.Contains(copied, "s3cret-pw") {
		t.Errorf("copied text holds the password:\n%s", copied)
	}
}
