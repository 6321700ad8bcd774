package ui

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/sockstray/sockstray/app/control/controltest"
	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/internal/testnet"
)

// ncatThrough starts ncat, a real program, connected through the SOCKS5
// proxy at proxyAddr to target, holding the connection until the test ends.
func ncatThrough(t *testing.T, proxyAddr, target string) *exec.Cmd {
	t.Helper()
	host, port, _ := strings.Cut(target, ":")
	cmd := testnet.Ncat(t, "--proxy", proxyAddr, "--proxy-type", "socks5", host, port)
	return cmd
}

// programCells are the Program column's texts as drawn.
func programCells(w *Window) []string {
	var out []string
	for _, cell := range find(w.Connections.Table, func(c *connCell) bool { return c.label.Visible() }) {
		out = append(out, cell.label.Text)
	}
	return out
}

func TestConnectionsShowProgramsAndFilterByProgram(t *testing.T) {
	w, c := newWindow(t)
	if err := c.SetProxy(true); err != nil {
		t.Fatal(err)
	}
	echo := controltest.Echo(t)
	nc := ncatThrough(t, c.State().Addr, echo)
	mine := controltest.Dial(t, c.State().Addr, echo) // from this test's own process
	defer mine.Close()
	w.ShowTab(TabConnections)
	eventually(t, "both connections", func() bool { w.sample(); return len(w.Connections.Rows()) == 2 })
	settle(w) // the lookup runs off the UI goroutine; its answer redraws the table

	ncat := "ncat (" + strconv.Itoa(nc.Process.Pid) + ")"
	self := filepath.Base(os.Args[0])
	if len(self) > 15 {
		self = self[:15]
	}
	selfText := self + " (" + strconv.Itoa(os.Getpid()) + ")"
	cells := programCells(w)
	if !slices.Contains(cells, ncat) || !slices.Contains(cells, selfText) {
		t.Fatalf("cells %q: want %q and %q", cells, ncat, selfText)
	}

	sel := w.Connections.Program
	if !slices.Contains(sel.Options, "ncat") {
		t.Fatalf("program filter offers %q", sel.Options)
	}
	sel.SetSelected("ncat")
	settle(w)
	if rows := w.Connections.Rows(); len(rows) != 1 || w.Connections.progs.text(&rows[0]) != ncat {
		t.Fatalf("filtered by ncat: %d rows", len(rows))
	}
	if got := w.Connections.Count.Text; got != "Connections: 1 of 2" {
		t.Errorf("count %q", got)
	}
	sel.SetSelectedIndex(0)
	w.Connections.Filter.SetText("ncat")
	if rows := w.Connections.Rows(); len(rows) != 1 {
		t.Errorf("text filter \"ncat\": %d rows, want 1", len(rows))
	}
}

// A client on another host has no program here: "—", and no wait.
func TestConnectionsProgramOfLANClient(t *testing.T) {
	w, _ := newWindow(t)
	w.ShowTab(TabConnections)
	s := synthetic(3) // clients on 192.168.1.x: not this host
	w.Connections.Update(s)
	settle(w)
	for _, cs := range w.Connections.Rows() {
		if got := w.Connections.progs.text(&cs); got != "—" {
			t.Errorf("%v: program %q, want —", cs.Client, got)
		}
	}
	// Answers for connections that ended are forgotten.
	w.Connections.Update(stats.Snapshot{Time: s.Time})
	if n := len(w.Connections.progs.known); n != 0 {
		t.Errorf("%d answers kept for ended connections", n)
	}
}
