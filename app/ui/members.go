package ui

import (
	"image/color"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// members edits the ordered names of a chain (upstreams) or a group
// (routes). Each is picked from the choices but may be typed too: a name
// that no longer exists stays as written, with the validator's message,
// rather than vanish from the list unseen.
type members struct {
	Add *widget.Button

	list     *ordered[*widget.SelectEntry]
	choices  []string
	onChange func()
	content  fyne.CanvasObject
}

func newMembers(addLabel, placeholder string, onChange func()) *members {
	m := &members{onChange: onChange}
	m.list = newOrdered[*widget.SelectEntry](onChange)
	m.Add = widget.NewButtonWithIcon(addLabel, theme.ContentAddIcon(), func() {
		m.add(m.unused()).SetPlaceHolder(placeholder)
		m.onChange()
	})
	// Indented under the route they belong to.
	indent := canvas.NewRectangle(color.Transparent)
	indent.SetMinSize(fyne.NewSize(theme.Padding()*6, 0))
	m.content = container.NewBorder(nil, nil, indent, nil, container.NewVBox(m.list.box, container.NewHBox(m.Add)))
	return m
}

// set shows names, replacing what was shown.
func (m *members) set(names []string) {
	m.list.Clear()
	for _, n := range names {
		m.add(n)
	}
}

func (m *members) add(name string) *widget.SelectEntry {
	e := widget.NewSelectEntry(m.choices)
	e.SetText(name)
	e.OnChanged = func(string) { m.onChange() }
	m.list.Add(e, e)
	return e
}

// unused is the first choice not yet a member, so that Add picks a
// sensible one; "" when all are.
func (m *members) unused() string {
	have := m.names()
	for _, c := range m.choices {
		if !slices.Contains(have, c) {
			return c
		}
	}
	return ""
}

// Entries are the members' fields, in order.
func (m *members) Entries() []*widget.SelectEntry { return m.list.Values() }

// names are the members as typed; nil when none.
func (m *members) names() []string {
	var out []string
	for _, e := range m.list.Values() {
		out = append(out, strings.TrimSpace(e.Text))
	}
	return out
}

// setChoices offers choices in every member's list.
func (m *members) setChoices(choices []string) {
	if slices.Equal(m.choices, choices) {
		return
	}
	m.choices = choices
	for _, e := range m.list.Values() {
		e.SetOptions(choices)
	}
}
