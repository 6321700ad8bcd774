package tray

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/control"
	"github.com/sockstray/sockstray/app/ui"
	"github.com/sockstray/sockstray/core/stats"
)

// TitleWithRates is Title with the live rates while the proxy runs (the
// series' newest point, as the graph and the Connections table measure
// them). Fyne's systray sets it as the tray item's tooltip and title.
func TitleWithRates(st control.State, now stats.Point) string {
	title := Title(st)
	if st.Running && st.Err == nil {
		title = lang.L("{{.Title}} ↑ {{.Up}} ↓ {{.Down}}", map[string]any{"Title": title, "Up": ui.Rate(now.Up), "Down": ui.Rate(now.Down)})
	}
	return title
}

// showTitle sets the title for st and the rates now, when it changed;
// call it on the UI goroutine.
func (t *Tray) showTitle(st control.State) {
	title := TitleWithRates(st, t.ctrl.Throughput())
	if t.busy > 0 {
		title = lang.L("{{.Title}} (working…)", map[string]any{"Title": title})
	}
	if title != t.Shown {
		t.Shown = title
		t.SetTitle(title)
	}
}

// ShowRates keeps the title's rates live, once a second, until the
// returned stop is called. Each second costs one read of the newest point
// (no copy of the table) and, only when the text changed, one title.
func (t *Tray) ShowRates() (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				fyne.Do(func() { t.showTitle(t.ctrl.State()) })
			}
		}
	})
	return sync.OnceFunc(func() { close(done); wg.Wait() })
}

// copyTerminalCommand puts the lines that point a terminal at the proxy
// on the clipboard (no password in them), or says why it cannot.
func copyTerminalCommand(c *control.Controller, h Hooks) {
	cmd, err := c.TerminalCommand()
	if err != nil {
		if h.Fail != nil {
			h.Fail(lang.L("Terminal proxy command not copied"), err)
		}
		return
	}
	if h.Copy != nil {
		h.Copy(cmd)
	}
}
