package rules

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Error is a problem with one line of a rule list.
type Error struct {
	File string // the list's name as given to Parse, e.g. "ads.list"
	Line int    // 1-based
	Err  error
}

func (e *Error) Error() string {
	return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// maxErrors bounds how many bad lines one Parse reports: enough to fix a
// file in one go, not so many that a wrong file floods the log.
const maxErrors = 10

// maxLine bounds a line; no rule is anywhere near it.
const maxLine = 4096

// Parse reads a rule list: Clash's classical text form (one rule per line,
// '#' comments, blank lines) or a Clash rule-provider file (a "payload:"
// line followed by "- RULE" items, optionally quoted). Each rule's Source
// is "file:line"; route is the route of lines that name none.
//
// Lines of rule types that Clash knows but Sockstray does not support are
// left out and returned in skipped, one *Error each, so a list written
// for Clash still loads. Any other bad line makes err non-nil (up to
// maxErrors *Error values, joined) and rules nil.
func Parse(r io.Reader, file, route string) (rules []Rule, skipped []*Error, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 512), maxLine)
	var errs []error
	yaml := false  // seen "payload:"
	begun := false // seen a rule or "payload:"
	n := 0
	for len(errs) < maxErrors && sc.Scan() {
		n++
		line := sc.Text()
		if n == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		if !begun && isPayloadKey(line) {
			yaml, begun = true, true
			continue
		}
		begun = true
		rule, lerr := parseListLine(line, route, yaml)
		switch {
		case errors.Is(lerr, ErrUnsupported):
			skipped = append(skipped, &Error{file, n, lerr})
		case lerr != nil:
			errs = append(errs, &Error{file, n, lerr})
		default:
			rule.Source = file + ":" + strconv.Itoa(n)
			rules = append(rules, rule)
		}
	}
	if serr := sc.Err(); serr != nil && len(errs) < maxErrors {
		if errors.Is(serr, bufio.ErrTooLong) {
			serr = fmt.Errorf("line longer than %d bytes", maxLine)
		}
		errs = append(errs, &Error{file, n + 1, serr})
	}
	if len(errs) > 0 {
		return nil, skipped, errors.Join(errs...)
	}
	return rules, skipped, nil
}

// parseListLine parses one non-blank, non-comment line of a list.
func parseListLine(line, route string, yaml bool) (Rule, error) {
	switch {
	case strings.HasPrefix(line, "payload:"):
		return Rule{}, errors.New(`"payload:" must come first and be followed by "- RULE" lines`)
	case !yaml && strings.HasPrefix(line, "- "):
		return Rule{}, errors.New(`a "- RULE" item without "payload:" before it`)
	case yaml:
		item, err := payloadItem(line)
		if err != nil {
			return Rule{}, err
		}
		line = item
	}
	return ParseLine(line, route)
}

// isPayloadKey reports whether line is the "payload:" key of a
// rule-provider file (an inline comment allowed).
func isPayloadKey(line string) bool {
	rest, ok := strings.CutPrefix(line, "payload:")
	rest = strings.TrimSpace(rest)
	return ok && (rest == "" || rest[0] == '#')
}

// payloadItem returns the rule of a "- RULE" item: plain, 'single' or
// "double" quoted. That is all of YAML that rule-provider files use;
// anything else is an error rather than a guess.
func payloadItem(line string) (string, error) {
	v, ok := strings.CutPrefix(line, "-")
	if !ok || (v != "" && v[0] != ' ' && v[0] != '\t') {
		return "", errors.New(`want a "- RULE" item under "payload:"`)
	}
	v = strings.TrimSpace(v)
	if v == "" {
		return "", errors.New("empty item")
	}
	switch q := v[0]; q {
	case '\'', '"':
		end := strings.LastIndexByte(v, q)
		if end == 0 {
			return "", errors.New("unterminated quote")
		}
		if tail := strings.TrimSpace(v[end+1:]); tail != "" && tail[0] != '#' {
			return "", fmt.Errorf("unexpected %q after the quoted item", tail)
		}
		v = v[1:end]
		if strings.ContainsAny(v, `'"\`) {
			// Escapes ('' or \x) never occur in rules; refuse rather
			// than half-implement YAML.
			return "", errors.New("quotes or escapes inside a quoted item")
		}
		return v, nil
	}
	// A plain scalar ends at " #", which starts a comment.
	if i := strings.Index(v, " #"); i >= 0 {
		v = strings.TrimSpace(v[:i])
	}
	return v, nil
}
