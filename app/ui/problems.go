package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/profiles"
)

// showIndexed shows each problem of the validator's "PREFIX[N]…" fields
// under the N-th of labels (as "rest: message" when the field goes on,
// "chain[2]: …"), and returns the problems that are not theirs.
func showIndexed(ps []profiles.Problem, prefix string, labels []*widget.Label) []profiles.Problem {
	msgs := make([][]string, len(labels))
	var rest []profiles.Problem
	for _, p := range ps {
		var i int
		if n, _ := fmt.Sscanf(p.Field, prefix+"[%d]", &i); n == 1 && i >= 1 && i <= len(labels) &&
			strings.HasPrefix(p.Field, prefix+"[") {
			msg := p.Msg
			if field := strings.TrimPrefix(p.Field[strings.IndexByte(p.Field, ']')+1:], "."); field != "" {
				msg = field + ": " + msg
			}
			msgs[i-1] = append(msgs[i-1], msg)
			continue
		}
		rest = append(rest, p)
	}
	for i, l := range labels {
		setMessage(l, strings.Join(msgs[i], "\n"))
	}
	return rest
}

// setMessage shows s in l, or hides l when s is empty.
func setMessage(l *widget.Label, s string) {
	l.SetText(s)
	l.Hidden = s == ""
	l.Refresh()
}

// newMessage is a label for a field's problems: red, wrapped, hidden
// until there is one.
func newMessage() *widget.Label {
	l := widget.NewLabel("")
	l.Importance = widget.DangerImportance
	l.Wrapping = fyne.TextWrapWord
	l.Hide()
	return l
}
