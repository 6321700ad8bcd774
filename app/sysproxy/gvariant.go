package sysproxy

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// GVariant text format, the little of it that gsettings prints for the
// proxy keys: strings ('a', "it's") and string arrays (['a', 'b'], @as []).

var errGVariant = errors.New("unsupported GVariant text")

// parseGString reads one quoted GVariant string.
func parseGString(s string) (string, error) {
	v, rest, err := scanGString(strings.TrimSpace(s))
	if err == nil && strings.TrimSpace(rest) != "" {
		err = fmt.Errorf("%w: trailing %q", errGVariant, rest)
	}
	return v, err
}

// parseGStrings reads a GVariant string array.
func parseGStrings(s string) ([]string, error) {
	s = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), "@as"))
	if !strings.HasPrefix(s, "[") || !strings.HasSuffix(s, "]") {
		return nil, fmt.Errorf("%w: not an array: %q", errGVariant, s)
	}
	rest := strings.TrimSpace(s[1:])
	var out []string
	for !strings.HasPrefix(rest, "]") {
		v, r, err := scanGString(rest)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
		rest = strings.TrimSpace(r)
		if strings.HasPrefix(rest, ",") {
			rest = strings.TrimSpace(rest[1:])
		} else if !strings.HasPrefix(rest, "]") {
			return nil, fmt.Errorf("%w: expected , or ] at %q", errGVariant, rest)
		}
	}
	if strings.TrimSpace(rest[1:]) != "" {
		return nil, fmt.Errorf("%w: trailing %q", errGVariant, rest[1:])
	}
	return out, nil
}

// scanGString reads a string in single or double quotes with GVariant's
// escapes from the start of s, and returns what follows it.
func scanGString(s string) (string, string, error) {
	if s == "" || (s[0] != '\'' && s[0] != '"') {
		return "", "", fmt.Errorf("%w: not a string: %q", errGVariant, s)
	}
	q := s[0]
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		c := s[i]
		switch {
		case c == q:
			return b.String(), s[i+1:], nil
		case c != '\\':
			b.WriteByte(c)
			continue
		}
		i++
		if i == len(s) {
			break
		}
		switch e := s[i]; e {
		case 'n', 't', 'r', 'a', 'b', 'f', 'v':
			b.WriteByte("\n\t\r\a\b\f\v"[strings.IndexByte("ntrabfv", e)])
		case 'u', 'U':
			n := 4
			if e == 'U' {
				n = 8
			}
			if i+n >= len(s) {
				return "", "", fmt.Errorf("%w: short \\%c escape", errGVariant, e)
			}
			r, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32)
			if err != nil {
				return "", "", fmt.Errorf("%w: bad \\%c escape", errGVariant, e)
			}
			b.WriteRune(rune(r))
			i += n
		default: // \\, \', \" and any other character stand for themselves
			b.WriteByte(e)
		}
	}
	return "", "", fmt.Errorf("%w: unterminated string", errGVariant)
}

// formatGString quotes s for gsettings: single quotes, with backslash
// escapes for quotes, backslashes and control characters.
func formatGString(s string) string {
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		switch {
		case r == '\'' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f || r == utf8.RuneError:
			fmt.Fprintf(&b, "\\u%04x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('\'')
	return b.String()
}

// formatGStrings writes a string array; an empty one needs its type.
func formatGStrings(list []string) string {
	if len(list) == 0 {
		return "@as []"
	}
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = formatGString(s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}
