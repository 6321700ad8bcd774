package rules

import "strings"

// RenameRoute returns line with its route renamed from old to name, and
// whether it named old: the rest of the line stays as written. A line
// that does not parse, or names another route, comes back unchanged.
func RenameRoute(line, old, name string) (string, bool) {
	r, err := ParseLine(line, "")
	if err != nil || r.Route != old {
		return line, false
	}
	fields := strings.Split(line, ",")
	// The type, then the value unless MATCH, then the route is the first
	// field that is not a resolve flag.
	first := 2
	if r.Kind == KindMatch {
		first = 1
	}
	for i := first; i < len(fields); i++ {
		f := strings.TrimSpace(fields[i])
		if f != old {
			continue
		}
		at := strings.Index(fields[i], f)
		fields[i] = fields[i][:at] + name + fields[i][at+len(f):]
		return strings.Join(fields, ","), true
	}
	return line, false
}
