package profiles

import (
	"bufio"
	"bytes"
	"strconv"
	"strings"
)

// The TOML decoder does not say where a key is, so problems are located by
// a small scan of the text for table headers and "key =" lines. The file
// has already parsed when this runs; a key it cannot find simply gets no
// line.

// locate sets Line and Col of each problem that has none from the field
// it names, or from the nearest enclosing key it can find.
func locate(data []byte, ps []Problem) {
	pos := keyPositions(data)
	for i := range ps {
		if ps[i].Line > 0 {
			continue
		}
		for f := ps[i].Field; f != ""; f = parentField(f) {
			if p, ok := pos[f]; ok {
				ps[i].Line, ps[i].Col = p[0], p[1]
				break
			}
		}
	}
}

// parentField strips the last ".key" or "[n]" from a field path.
func parentField(f string) string {
	if strings.HasSuffix(f, "]") {
		if i := strings.LastIndexByte(f, '['); i >= 0 {
			return f[:i]
		}
	}
	if i := strings.LastIndexByte(f, '.'); i >= 0 {
		return f[:i]
	}
	return ""
}

// keyPositions maps field paths ("port", "options.udp",
// "upstream[2].host", "upstream[2]") to [line, col] of their first
// appearance.
func keyPositions(data []byte) map[string][2]int {
	pos := map[string][2]int{}
	record := func(k string, line, col int) {
		if _, ok := pos[k]; !ok {
			pos[k] = [2]int{line, col}
		}
	}
	table := ""
	arrays := map[string]int{}
	inMultiline := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for line := 1; sc.Scan(); line++ {
		text := sc.Text()
		if inMultiline != "" {
			if strings.Count(text, inMultiline)%2 == 1 {
				inMultiline = ""
			}
			continue
		}
		trimmed := strings.TrimLeft(text, " \t")
		col := len(text) - len(trimmed) + 1
		switch {
		case strings.HasPrefix(trimmed, "[["):
			name := headerName(trimmed[2:], "]]")
			arrays[name]++
			table = name + "[" + strconv.Itoa(arrays[name]) + "]"
			record(name, line, col)
			record(table, line, col)
			continue
		case strings.HasPrefix(trimmed, "["):
			table = headerName(trimmed[1:], "]")
			record(table, line, col)
			continue
		}
		key, rest, ok := keyOf(trimmed)
		if !ok {
			continue
		}
		full := key
		if table != "" {
			full = table + "." + key
		}
		for f := full; f != "" && f != table; f = parentField(f) {
			record(f, line, col)
		}
		for _, q := range []string{`"""`, `'''`} {
			if strings.Count(rest, q)%2 == 1 {
				inMultiline = q
			}
		}
	}
	return pos
}

func headerName(s, end string) string {
	s, _, _ = strings.Cut(s, end)
	parts := strings.Split(s, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// keyOf reads a (possibly dotted, possibly quoted) key and the "=" after
// it at the start of s, and returns the key with its parts joined by dots
// and the text after the "=".
func keyOf(s string) (key, rest string, ok bool) {
	var parts []string
	for {
		s = strings.TrimLeft(s, " \t")
		var part string
		switch {
		case s == "":
			return "", "", false
		case s[0] == '"' || s[0] == '\'':
			end := strings.IndexByte(s[1:], s[0])
			if end < 0 {
				return "", "", false
			}
			part, s = s[1:end+1], s[end+2:]
		default:
			n := 0
			for n < len(s) && isBareKeyByte(s[n]) {
				n++
			}
			if n == 0 {
				return "", "", false
			}
			part, s = s[:n], s[n:]
		}
		parts = append(parts, part)
		s = strings.TrimLeft(s, " \t")
		if strings.HasPrefix(s, ".") {
			s = s[1:]
			continue
		}
		if strings.HasPrefix(s, "=") {
			return strings.Join(parts, "."), s[1:], true
		}
		return "", "", false
	}
}

func isBareKeyByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}
