package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// ordered is a list of rows that the user reorders and removes with each
// row's buttons. Order is meaning here (hops of a chain, members of a
// failover group, rules where the first match wins), so every editor of
// a list uses this one, and its buttons behave the same everywhere.
type ordered[T any] struct {
	Items []*orderedItem[T]

	box      *fyne.Container
	onChange func() // after the user moved or removed a row
}

// orderedItem is one row: its value and the buttons that move it.
type orderedItem[T any] struct {
	V                T
	Up, Down, Remove *widget.Button
	obj              fyne.CanvasObject
}

func newOrdered[T any](onChange func()) *ordered[T] {
	return &ordered[T]{box: container.NewVBox(), onChange: onChange}
}

// Values are the rows' values in order.
func (o *ordered[T]) Values() []T {
	out := make([]T, len(o.Items))
	for i, it := range o.Items {
		out[i] = it.V
	}
	return out
}

// Add appends a row showing content, with its buttons on the right. It
// does not call onChange: loading a profile adds rows too.
func (o *ordered[T]) Add(v T, content fyne.CanvasObject) *orderedItem[T] {
	it := &orderedItem[T]{V: v}
	it.Up = widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { o.move(it, -1) })
	it.Down = widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { o.move(it, +1) })
	it.Remove = widget.NewButtonWithIcon("", theme.DeleteIcon(), func() { o.remove(it) })
	// The buttons stay at the top of a tall row, by its first line.
	it.obj = container.NewBorder(nil, nil, nil, container.NewVBox(container.NewHBox(it.Up, it.Down, it.Remove)), content)
	o.Items = append(o.Items, it)
	o.layout()
	return it
}

// Clear removes every row, without calling onChange.
func (o *ordered[T]) Clear() {
	o.Items = nil
	o.layout()
}

func (o *ordered[T]) move(it *orderedItem[T], by int) {
	i := slices.Index(o.Items, it)
	j := i + by
	if i < 0 || j < 0 || j >= len(o.Items) {
		return
	}
	o.Items[i], o.Items[j] = o.Items[j], o.Items[i]
	o.layout()
	o.onChange()
}

func (o *ordered[T]) remove(it *orderedItem[T]) {
	i := slices.Index(o.Items, it)
	if i < 0 {
		return
	}
	o.Items = slices.Delete(o.Items, i, i+1)
	o.layout()
	o.onChange()
}

// layout puts the rows in the box in order, and turns off the moves
// that would leave the list.
func (o *ordered[T]) layout() {
	objs := make([]fyne.CanvasObject, len(o.Items))
	for i, it := range o.Items {
		objs[i] = it.obj
		enable(it.Up, i > 0)
		enable(it.Down, i < len(o.Items)-1)
	}
	o.box.Objects = objs
	o.box.Refresh()
}

func enable(b *widget.Button, on bool) {
	if on {
		b.Enable()
	} else {
		b.Disable()
	}
}
