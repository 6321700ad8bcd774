package profiles

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Problem is one thing wrong with a profile.
type Problem struct {
	// Field is the key as the file spells it ("port", "upstream[2].host",
	// "allow[3]"); empty for the profile as a whole.
	Field string
	// Msg says what is wrong and what is allowed. It never holds a
	// password.
	Msg string
	// Line and Col locate the problem in its file, counting from 1; zero
	// when unknown.
	Line, Col int
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "%d:%d: ", p.Line, max(p.Col, 1))
	}
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// InvalidError is every problem with one profile (or its file) at once.
type InvalidError struct {
	// Name is the profile's name; File its file's path, empty when the
	// profile did not come from a file.
	Name, File string
	Problems   []Problem
}

// Error is one line: "FILE:LINE:COL: FIELD: MESSAGE; …".
func (e *InvalidError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		s := p.String()
		if e.File != "" {
			if p.Line > 0 {
				s = e.File + ":" + s
			} else {
				s = e.File + ": " + s
			}
		}
		parts[i] = s
	}
	if e.File == "" && e.Name != "" {
		return fmt.Sprintf("profile %q: %s", e.Name, strings.Join(parts, "; "))
	}
	return strings.Join(parts, "; ")
}

// problems collects Problems; its zero value is ready.
type problems []Problem

func (ps *problems) add(field, format string, args ...any) {
	*ps = append(*ps, Problem{Field: field, Msg: fmt.Sprintf(format, args...)})
}

// sortByLine orders located problems by line, those without a line
// first, keeping the order of problems on the same line.
func (ps problems) sortByLine() {
	slices.SortStableFunc(ps, func(a, b Problem) int { return a.Line - b.Line })
}

// err returns nil when there is no problem, else an *InvalidError.
func (ps problems) err(name, file string) error {
	if len(ps) == 0 {
		return nil
	}
	return &InvalidError{Name: name, File: file, Problems: ps}
}

// ErrNotFound is the error of a profile with no file.
var ErrNotFound = errors.New("no such profile")

// ErrExists is the error of creating or renaming onto a profile that
// exists (names are compared ignoring case, as on macOS and Windows).
var ErrExists = errors.New("a profile with that name exists")
