package profiles

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"github.com/sockstray/sockstray/core/rules"
)

// FormatVersion is the version of the file format this package writes.
const FormatVersion = 2

// migrations[n] turns a version-n document into version n+1, in place, on
// the raw TOML tables: when the format changes, bump FormatVersion and add
// the step here. Files are rewritten in the new format only when the app
// saves them.
var migrations = map[int64]func(doc map[string]any){
	1: nameUpstreams,
}

// nameUpstreams is version 1 to 2: upstreams get names ("upstream 1", …)
// so that routes can refer to them. Version 1's meaning, one chain of all
// upstreams for everything, is what a profile without routes still means.
func nameUpstreams(doc map[string]any) {
	var ups []map[string]any
	switch v := doc["upstream"].(type) {
	case []map[string]any:
		ups = v
	case []any:
		for _, e := range v {
			if m, ok := e.(map[string]any); ok {
				ups = append(ups, m)
			}
		}
	}
	for i, u := range ups {
		if _, ok := u["name"]; !ok {
			u["name"] = fmt.Sprintf("upstream %d", i+1)
		}
	}
}

// Decode reads a profile file's content. The name comes from the file
// name; file names the file in errors. A problem of any kind (syntax,
// unknown key, wrong type, invalid value) is an *InvalidError listing all
// of them with their lines.
func Decode(name, file string, data []byte) (*Profile, error) {
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return nil, &InvalidError{Name: name, File: file, Problems: []Problem{syntaxProblem(err)}}
	}
	var ps problems
	p := New(name)
	if file != "" {
		p.dir = filepath.Dir(file)
	}
	if migrate(doc, &ps, FormatVersion, migrations) {
		decodeProfile(&reader{m: doc, ps: &ps}, p)
		p.validate(&ps)
	}
	locate(data, ps)
	ps.sortByLine()
	if err := ps.err(name, file); err != nil {
		return nil, err
	}
	return p, nil
}

// migrate checks the version and brings doc up to current with steps
// (steps[n] turns version n into n+1). A file without a version is
// version 1, the first format.
func migrate(doc map[string]any, ps *problems, current int64, steps map[int64]func(map[string]any)) bool {
	v := int64(1)
	if raw, ok := doc["version"]; ok {
		n, isInt := raw.(int64)
		if !isInt {
			ps.add("version", "%s; want a whole number such as version = %d", describe(raw), current)
			return false
		}
		v = n
	}
	if v < 1 || v > current {
		ps.add("version", "%d is not a format this Sockstray reads (1 to %d); a newer Sockstray wrote it, or it is mistyped", v, current)
		return false
	}
	for ; v < current; v++ {
		steps[v](doc)
	}
	doc["version"] = current
	return true
}

func decodeProfile(r *reader, p *Profile) {
	r.skip("version")
	r.str("host", &p.Host)
	r.integer("port", &p.Port)
	r.boolean("share_on_lan", &p.ShareOnLAN)
	r.str("lan_interface", &p.LANInterface)
	r.str("username", &p.Username)
	r.prefixes("allow", &p.Allow)
	r.boolean("open", &p.Open)
	r.boolean("allow_local_targets", &p.AllowLocalTargets)
	if o := r.table("options"); o != nil {
		udp, bind := !p.DisableUDP, !p.DisableBind
		o.boolean("udp", &udp)
		o.boolean("bind", &bind)
		p.DisableUDP, p.DisableBind = !udp, !bind
		o.duration("handshake_timeout", &p.HandshakeTimeout)
		o.duration("idle_timeout", &p.IdleTimeout)
		o.integer("max_connections", &p.MaxConns)
		o.unknown()
	}
	for _, u := range r.tables("upstream") {
		var up Upstream
		u.str("name", &up.Name)
		u.str("kind", &up.Kind)
		u.str("host", &up.Host)
		u.integer("port", &up.Port)
		u.str("username", &up.Username)
		u.str("ca_file", &up.CAFile)
		u.str("key_file", &up.KeyFile)
		u.str("known_hosts", &up.KnownHosts)
		if up.Kind == KindSOCKS5 {
			up.Kind = "" // the default, held as the zero value
		}
		u.unknown()
		p.Upstreams = append(p.Upstreams, up)
	}
	decodeRouting(r, p)
	r.unknown()
}

// decodeRouting reads routes, rules, rule lists and the default route.
func decodeRouting(r *reader, p *Profile) {
	r.str("default_route", &p.DefaultRoute)
	r.strs("rules", &p.Rules)
	for _, t := range r.tables("route") {
		var rt Route
		t.str("name", &rt.Name)
		t.strs("chain", &rt.Chain)
		t.strs("group", &rt.Group)
		t.str("policy", &rt.Policy)
		t.duration("check_interval", &rt.CheckInterval)
		t.str("check_target", &rt.CheckTarget)
		t.unknown()
		p.Routes = append(p.Routes, rt)
	}
	for _, t := range r.tables("rule_list") {
		var l RuleList
		t.str("file", &l.File)
		t.str("route", &l.Route)
		t.unknown()
		p.RuleLists = append(p.RuleLists, l)
	}
}

// reader takes typed values out of one TOML table, noting which keys it
// read so that the rest can be reported as unknown.
type reader struct {
	m      map[string]any
	prefix string // field path of this table, with a trailing dot
	used   []string
	ps     *problems
}

func (r *reader) get(key string) (any, bool) {
	r.used = append(r.used, key)
	v, ok := r.m[key]
	return v, ok
}

func (r *reader) skip(key string) { r.used = append(r.used, key) }

func (r *reader) wrongType(key string, v any, want string) {
	r.ps.add(r.prefix+key, "%s; want %s", describe(v), want)
}

func (r *reader) str(key string, dst *string) {
	if v, ok := r.get(key); ok {
		if s, isStr := v.(string); isStr {
			*dst = s
		} else {
			r.wrongType(key, v, "a string in quotes")
		}
	}
}

func (r *reader) integer(key string, dst *int) {
	if v, ok := r.get(key); ok {
		if n, isInt := v.(int64); isInt {
			*dst = int(max(min(n, 1<<31), -1<<31)) // out-of-range values stay out of range
		} else {
			r.wrongType(key, v, "a whole number")
		}
	}
}

func (r *reader) boolean(key string, dst *bool) {
	if v, ok := r.get(key); ok {
		if b, isBool := v.(bool); isBool {
			*dst = b
		} else {
			r.wrongType(key, v, "true or false")
		}
	}
}

func (r *reader) strs(key string, dst *[]string) {
	v, ok := r.get(key)
	if !ok {
		return
	}
	list, isList := v.([]any)
	if !isList {
		r.wrongType(key, v, `a list of strings such as ["a", "b"]`)
		return
	}
	*dst = nil
	for i, e := range list {
		s, isStr := e.(string)
		if !isStr {
			r.ps.add(fmt.Sprintf("%s%s[%d]", r.prefix, key, i+1), "%s; want a string in quotes", describe(e))
			continue
		}
		*dst = append(*dst, s)
	}
}

func (r *reader) duration(key string, dst *time.Duration) {
	v, ok := r.get(key)
	if !ok {
		return
	}
	s, isStr := v.(string)
	if !isStr {
		r.wrongType(key, v, `a duration in quotes such as "10s" or "2m"`)
		return
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		r.ps.add(r.prefix+key, `%q is not a duration; want one such as "10s", "2m" or "1h30m"`, s)
		return
	}
	*dst = d
}

func (r *reader) prefixes(key string, dst *[]netip.Prefix) {
	v, ok := r.get(key)
	if !ok {
		return
	}
	list, isList := v.([]any)
	if !isList {
		r.wrongType(key, v, `a list of CIDRs such as ["192.168.1.0/24"]`)
		return
	}
	*dst = nil
	for i, e := range list {
		field := fmt.Sprintf("%s%s[%d]", r.prefix, key, i+1)
		s, isStr := e.(string)
		if !isStr {
			r.ps.add(field, "%s; want a CIDR in quotes such as \"192.168.1.0/24\"", describe(e))
			continue
		}
		pfx, err := rules.ParseNetwork(s)
		if err != nil {
			r.ps.add(field, "%q is not a CIDR such as 192.168.1.0/24 or fd00::/8", s)
			continue
		}
		*dst = append(*dst, pfx)
	}
}

func (r *reader) table(key string) *reader {
	v, ok := r.get(key)
	if !ok {
		return nil
	}
	m, isTable := v.(map[string]any)
	if !isTable {
		r.wrongType(key, v, "a table ["+key+"]")
		return nil
	}
	return &reader{m: m, prefix: r.prefix + key + ".", ps: r.ps}
}

func (r *reader) tables(key string) []*reader {
	v, ok := r.get(key)
	if !ok {
		return nil
	}
	list, isList := v.([]map[string]any)
	if inline, ok := v.([]any); ok { // upstream = [{…}, {…}]
		isList = true
		for _, e := range inline {
			m, isTable := e.(map[string]any)
			isList = isList && isTable
			list = append(list, m)
		}
	}
	if !isList {
		r.wrongType(key, v, "[["+key+"]] tables")
		return nil
	}
	out := make([]*reader, len(list))
	for i, m := range list {
		out[i] = &reader{m: m, prefix: fmt.Sprintf("%s%s[%d].", r.prefix, key, i+1), ps: r.ps}
	}
	return out
}

// unknown reports the keys of the table that nothing read, in a stable
// order. Only names are reported, never values.
func (r *reader) unknown() {
	var keys []string
	for k := range r.m {
		if !slices.Contains(r.used, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		if strings.Contains(strings.ToLower(k), "password") {
			r.ps.add(r.prefix+k, "passwords do not belong in profile files; remove this line and store the password in the OS keychain (or set $%s / $%s, _2, …)", EnvPassword, UpstreamPasswordEnv(1))
			continue
		}
		r.ps.add(r.prefix+k, "unknown key; known here: %s", strings.Join(r.used, ", "))
	}
}

// describe names a TOML value's type for a message; it shows no value, so
// that a misplaced password cannot leak into an error.
func describe(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "a whole number"
	case float64:
		return "a decimal number"
	case bool:
		return "a boolean"
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	default:
		return "a date or time"
	}
}
