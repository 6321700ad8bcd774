package ui

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/uitext"
	"github.com/sockstray/sockstray/core/socks5"
	"github.com/sockstray/sockstray/core/stats"
)

// ConnCloser closes live connections by id.
type ConnCloser interface {
	CloseConn(id uint64) bool
	CloseConns(ids []uint64) int
}

// Columns of the connections table; the last holds the close buttons.
const (
	colClient = iota
	colProgram
	colDest
	colRoute
	colReply
	colUp
	colDown
	colRate
	colAge
	colClose
	numCols
)

// colTitles are the columns' titles.
func colTitles() [numCols]string {
	return [numCols]string{lang.L("Client"), lang.L("Program"), lang.L("Destination"), lang.L("Route"), lang.L("Reply"),
		lang.L("Up"), lang.L("Down"), lang.L("Rate"), lang.L("Age"), ""}
}

var colWidths = [numCols]float32{140, 130, 200, 120, 120, 72, 72, 86, 62, 44}

// Connections is the live table of connections: sortable by any column,
// filtered by a search box, with a close button per row. It holds only the
// latest snapshot, so its memory is bounded by the live connections.
type Connections struct {
	Table    *widget.Table
	Filter   *widget.Entry
	Program  *widget.Select // shows only one program's connections
	CloseAll *widget.Button
	Count    *widget.Label

	closer  ConnCloser
	progs   *programs
	titles  [numCols]string
	conns   []stats.ConnStat // the latest snapshot's
	rows    []int            // indices into conns: filtered and sorted
	cells   []*connCell      // every cell the table made, shown or pooled
	now     time.Time
	sortCol int
	desc    bool
	content fyne.CanvasObject
}

// NewConnections builds the screen.
func NewConnections(closer ConnCloser) *Connections {
	c := &Connections{closer: closer, titles: colTitles(), sortCol: colAge, desc: false}
	c.Filter = widget.NewEntry()
	c.Filter.SetPlaceHolder(lang.L("Filter: client, destination, route, user"))
	c.Filter.OnChanged = func(string) { c.rebuild() }
	c.CloseAll = widget.NewButtonWithIcon(lang.L("Close all"), theme.CancelIcon(), c.onCloseAll)
	c.Count = widget.NewLabel("")
	c.Table = widget.NewTable(c.size, c.newCell, c.updateCell)
	c.progs = newPrograms(c.rebuild)
	c.Program = widget.NewSelect([]string{allPrograms()}, func(string) { c.rebuild() })
	c.Program.SetSelectedIndex(0)
	c.Table.ShowHeaderRow = true
	c.Table.CreateHeader = func() fyne.CanvasObject {
		b := widget.NewButton("", nil)
		b.Importance = widget.LowImportance
		b.Alignment = widget.ButtonAlignLeading
		return b
	}
	c.Table.UpdateHeader = c.updateHeader
	for i, w := range colWidths {
		c.Table.SetColumnWidth(i, w)
	}
	top := container.NewBorder(nil, nil, nil, container.NewHBox(c.Program, c.Count, c.CloseAll), c.Filter)
	c.content = container.NewBorder(top, nil, nil, nil, c.Table)
	return c
}

// Content is the screen's root object.
func (c *Connections) Content() fyne.CanvasObject { return c.content }

// Update shows a new snapshot; call it on the UI thread.
func (c *Connections) Update(s stats.Snapshot) {
	c.conns, c.now = s.Conns, s.Time
	c.progs.prune(s.Conns)
	c.rebuild()
}

// Tick moves the ages on to now, for a second in which nothing else
// changed since the last Update: only the age cells are set, and the table
// is not refreshed, so an idle table costs a few labels a second however
// many rows it has.
func (c *Connections) Tick(now time.Time) {
	c.now = now
	for _, cell := range c.cells {
		if cell.col == colAge && cell.row < len(c.rows) {
			c.updateCell(widget.TableCellID{Row: cell.row, Col: colAge}, cell)
		}
	}
}

// Rows returns the connections shown, in table order.
func (c *Connections) Rows() []stats.ConnStat {
	out := make([]stats.ConnStat, len(c.rows))
	for i, r := range c.rows {
		out[i] = c.conns[r]
	}
	return out
}

// SortBy sorts by the column; choosing the sorted column again reverses it.
func (c *Connections) SortBy(col int) {
	if col == c.sortCol {
		c.desc = !c.desc
	} else {
		c.sortCol, c.desc = col, col >= colUp && col <= colRate
	}
	c.rebuild()
}

// CloseRow closes the connection shown in row i.
func (c *Connections) CloseRow(i int) {
	if i >= 0 && i < len(c.rows) {
		c.closer.CloseConn(c.conns[c.rows[i]].ID)
	}
}

func (c *Connections) onCloseAll() {
	ids := make([]uint64, len(c.rows))
	for i, r := range c.rows {
		ids[i] = c.conns[r].ID
	}
	c.closer.CloseConns(ids)
}

// rebuild filters and sorts the rows, reusing the index slice.
func (c *Connections) rebuild() {
	q := strings.ToLower(strings.TrimSpace(c.Filter.Text))
	if cap(c.rows) > 2*len(c.conns)+1024 {
		c.rows = nil // after a burst of connections, give the memory back
	}
	c.rows = c.rows[:0]
	for i := range c.conns {
		if (q == "" || matches(&c.conns[i], q) || c.progs.matches(&c.conns[i], q)) && c.byProgram(&c.conns[i]) {
			c.rows = append(c.rows, i)
		}
	}
	c.programChoices()
	c.sortRows()
	d := map[string]any{"Shown": len(c.rows), "Count": len(c.conns)}
	if len(c.rows) == len(c.conns) {
		setText(c.Count, lang.L("Connections: {{.Count}}", d))
	} else {
		setText(c.Count, lang.L("Connections: {{.Shown}} of {{.Count}}", d))
	}
	c.CloseAll.Disable()
	if len(c.rows) > 0 {
		c.CloseAll.Enable()
	}
	c.Table.Refresh()
}

func matches(cs *stats.ConnStat, q string) bool {
	for _, s := range []string{cs.Client.String(), cs.Dest, cs.Route, cs.Rule, cs.User} {
		if strings.Contains(strings.ToLower(s), q) {
			return true
		}
	}
	return false
}

func (c *Connections) compare(a, b *stats.ConnStat) int {
	switch c.sortCol {
	case colClient:
		return a.Client.Compare(b.Client)
	case colProgram:
		return cmp.Compare(c.progs.text(a), c.progs.text(b))
	case colDest:
		return cmp.Compare(a.Dest, b.Dest)
	case colRoute:
		return cmp.Compare(a.Route, b.Route)
	case colReply:
		return cmp.Compare(replyKey(a), replyKey(b))
	case colUp:
		return cmp.Compare(a.Up, b.Up)
	case colDown:
		return cmp.Compare(a.Down, b.Down)
	case colRate:
		return cmp.Compare(a.Rate(), b.Rate())
	}
	// Age: the oldest first, which is the lowest ID.
	return cmp.Compare(a.ID, b.ID)
}

func replyKey(c *stats.ConnStat) int {
	if !c.Replied {
		return -1
	}
	return int(c.Reply)
}

func (c *Connections) size() (int, int) { return len(c.rows), numCols }

// connCell is one recycled cell: a label, or in the last column a button.
type connCell struct {
	widget.BaseWidget
	label    *widget.Label
	close    *widget.Button
	row, col int // what it shows, as of its last update
}

// newCell makes a cell for the table and keeps it, for Tick.
func (c *Connections) newCell() fyne.CanvasObject {
	cell := newConnCell()
	c.cells = append(c.cells, cell)
	return cell
}

func newConnCell() *connCell {
	cell := &connCell{label: widget.NewLabel("")}
	cell.label.Truncation = fyne.TextTruncateEllipsis
	cell.close = widget.NewButtonWithIcon("", theme.CancelIcon(), nil)
	cell.close.Importance = widget.LowImportance
	cell.ExtendBaseWidget(cell)
	return cell
}

func (cell *connCell) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(cell.label, cell.close))
}

func (c *Connections) updateCell(id widget.TableCellID, o fyne.CanvasObject) {
	cell := o.(*connCell)
	cell.row, cell.col = id.Row, id.Col
	if id.Row >= len(c.rows) {
		return
	}
	cs := &c.conns[c.rows[id.Row]]
	if id.Col == colClose {
		cell.label.Hide()
		cell.close.Show()
		cell.close.OnTapped = func() { c.CloseRow(cell.row) }
		return
	}
	cell.close.Hide()
	cell.label.Show()
	switch id.Col {
	case colRate:
		setCell(cell.label, Rate(cs.Rate()), cellTruncation(id.Col))
		return
	case colProgram:
		setCell(cell.label, c.progs.text(cs), cellTruncation(id.Col))
		return
	}
	setCell(cell.label, cellText(cs, id.Col, c.now), cellTruncation(id.Col))
}

func cellText(cs *stats.ConnStat, col int, now time.Time) string {
	switch col {
	case colClient:
		if cs.User != "" {
			return cs.User + "@" + cs.Client.String()
		}
		return cs.Client.String()
	case colDest:
		if cs.Command != "" && cs.Command != "CONNECT" {
			return cs.Command + " " + cs.Dest
		}
		return cs.Dest
	case colRoute:
		if cs.Rule != "" {
			return cs.Route + " (" + cs.Rule + ")" // the rule that chose it
		}
		return cs.Route
	case colReply:
		if !cs.Replied {
			return "…"
		}
		return fmt.Sprintf("%02x %s", cs.Reply, uitext.Reply(socks5.Reply(cs.Reply)))
	case colUp:
		return Bytes(cs.Up)
	case colDown:
		return Bytes(cs.Down)
	case colAge:
		return Age(now.Sub(cs.Start))
	}
	return ""
}

func (c *Connections) updateHeader(id widget.TableCellID, o fyne.CanvasObject) {
	b := o.(*widget.Button)
	col := id.Col
	if col < 0 || col >= numCols {
		return
	}
	text := c.titles[col]
	if col == c.sortCol {
		if c.desc {
			text += " ▼"
		} else {
			text += " ▲"
		}
	}
	if b.Text != text { // SetText redraws the header, the table refreshes it each second
		b.SetText(text)
	}
	if col == colClose {
		b.OnTapped = nil
		return
	}
	b.OnTapped = func() { c.SortBy(col) }
}
