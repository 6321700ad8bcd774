package main

import (
	"bufio"
	"os"
	"strings"

	"fyne.io/fyne/v2"

	"github.com/sockstray/sockstray/app/ui"
)

// envUIControl names a FIFO from which the desktop app takes window
// commands, one a line: "hide", or "show TAB" with TAB a tab's English
// name (ui.TabConnections…). Only tools/uicost, to measure what the
// window costs in each state, and packaging/screenshot.sh set it; the app
// ignores anything else.
const envUIControl = "SOCKSTRAY_UI_CONTROL"

// followUIControl applies the commands of the FIFO named by
// $SOCKSTRAY_UI_CONTROL to win, if it is set.
func followUIControl(win *ui.Window) {
	path := os.Getenv(envUIControl)
	if path == "" {
		return
	}
	// Read and write, so that the FIFO never reads as ended between
	// writers and opening never waits for one.
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return
	}
	go func() {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			verb, arg, _ := strings.Cut(strings.TrimSpace(sc.Text()), " ")
			switch verb {
			case "hide":
				fyne.Do(win.Hide)
			case "show":
				win.ShowTabSoon(arg)
			}
		}
	}()
}
