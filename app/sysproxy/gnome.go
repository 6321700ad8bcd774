//go:build linux || freebsd || openbsd || netbsd || dragonfly

package sysproxy

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
)

const gnomeSchema = "org.gnome.system.proxy"

// gnome is GNOME's proxy settings (and those of every desktop that reads
// org.gnome.system.proxy: Cinnamon, Budgie, GTK and GLib apps elsewhere),
// through the gsettings tool. Raw keys are "SCHEMA KEY"; their values are
// gsettings' text. Unset marks a key that holds no value of its own, so a
// restore resets it rather than pinning today's default.
type gnome struct{}

func (gnome) Name() string { return "gnome" }

// newGNOME checks that gsettings runs and knows the proxy schema.
func newGNOME() (Backend, error) {
	if _, err := exec.LookPath("gsettings"); err != nil {
		return nil, err
	}
	if _, err := run("gsettings", "list-keys", gnomeSchema); err != nil {
		return nil, err
	}
	return gnome{}, nil
}

func (gnome) Read() (Settings, error) {
	raw, err := gnomeRaw()
	if err != nil {
		return Settings{}, err
	}
	return gnomeSettings(raw), nil
}

// gnomeRaw reads every key of the proxy schema and its children.
func gnomeRaw() ([]RawValue, error) {
	out, err := run("gsettings", "list-recursively", gnomeSchema)
	if err != nil {
		return nil, err
	}
	vals := parseGSettingsList(out)
	if len(vals) == 0 {
		return nil, fmt.Errorf("gsettings printed no keys for %s", gnomeSchema)
	}
	// A key counts as unset only if it has the schema's default value (the
	// memory backend starts empty, so it shows the defaults) and, where
	// dconf is the store, dconf holds nothing for it.
	defaults := map[string]string{}
	if out, err := runEnv([]string{"GSETTINGS_BACKEND=memory"}, "gsettings", "list-recursively", gnomeSchema); err == nil {
		for _, v := range parseGSettingsList(out) {
			defaults[v.Key] = v.Value
		}
	}
	userSet := dconfUserKeys()
	for i, v := range vals {
		d, ok := defaults[v.Key]
		vals[i].Unset = ok && d == v.Value && (userSet == nil || !userSet[v.Key])
	}
	return vals, nil
}

// parseGSettingsList reads `gsettings list-recursively` lines, "SCHEMA KEY
// VALUE", sorted by key for a stable order.
func parseGSettingsList(out []byte) []RawValue {
	var vals []RawValue
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 3)
		if len(f) == 3 && strings.HasPrefix(f[0], gnomeSchema) {
			vals = append(vals, RawValue{Key: f[0] + " " + f[1], Value: f[2]})
		}
	}
	slices.SortFunc(vals, func(a, b RawValue) int { return strings.Compare(a.Key, b.Key) })
	return vals
}

// dconfUserKeys lists the proxy keys that the user's dconf database holds,
// as "SCHEMA KEY"; nil when dconf is not the store or cannot be asked.
func dconfUserKeys() map[string]bool {
	if b := os.Getenv("GSETTINGS_BACKEND"); b != "" && b != "dconf" {
		return nil
	}
	out, err := run("dconf", "dump", "/system/proxy/")
	if err != nil {
		return nil
	}
	keys := map[string]bool{}
	schema := ""
	for line := range strings.Lines(string(out)) {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			schema = gnomeSchema
			if sec := strings.Trim(line, "[]/"); sec != "" {
				schema += "." + strings.ReplaceAll(sec, "/", ".")
			}
		case schema != "" && strings.Contains(line, "="):
			keys[schema+" "+line[:strings.IndexByte(line, '=')]] = true
		}
	}
	return keys
}

// gnomeSettings is the neutral view of the raw keys.
func gnomeSettings(raw []RawValue) Settings {
	get := func(key string) string {
		for _, v := range raw {
			if v.Key == key {
				return v.Value
			}
		}
		return ""
	}
	str := func(key string) string { s, _ := parseGString(get(key)); return s }
	ep := func(sub string) Endpoint {
		port, _ := strconv.Atoi(get(gnomeSchema + "." + sub + " port"))
		return Endpoint{Host: str(gnomeSchema + "." + sub + " host"), Port: port}
	}
	s := Settings{
		Mode:          Mode(str(gnomeSchema + " mode")),
		HTTP:          ep("http"),
		HTTPS:         ep("https"),
		SOCKS:         ep("socks"),
		FTP:           ep("ftp"),
		AutoConfigURL: str(gnomeSchema + " autoconfig-url"),
		Raw:           raw,
	}
	s.Bypass, _ = parseGStrings(get(gnomeSchema + " ignore-hosts"))
	if s.Mode != ModeNone && s.Mode != ModeManual && s.Mode != ModeAuto {
		s.Mode = ModeOther
	}
	return s
}

func (gnome) Apply(s Settings) error {
	want, err := gnomeWant(s)
	if err != nil {
		return err
	}
	cur, err := gnomeRaw()
	if err != nil {
		return err
	}
	// Clients act on mode: change it last when turning a proxy on, first
	// when turning it off, so none sees a half-written proxy.
	modeKey := gnomeSchema + " mode"
	i := slices.IndexFunc(want, func(v RawValue) bool { return v.Key == modeKey })
	if i >= 0 {
		m := want[i]
		want = slices.Delete(want, i, i+1)
		if m.Value == formatGString(string(ModeNone)) {
			want = slices.Insert(want, 0, m)
		} else {
			want = append(want, m)
		}
	}
	for _, v := range want {
		if slices.Contains(cur, v) {
			continue
		}
		schema, key, _ := strings.Cut(v.Key, " ")
		if v.Unset {
			_, err = run("gsettings", "reset", schema, key)
		} else {
			_, err = run("gsettings", "set", schema, key, v.Value)
		}
		if err != nil && strings.Contains(key, "password") {
			return fmt.Errorf("%s: gsettings could not write it", v.Key) // its stderr may quote the value
		}
		if err != nil {
			return fmt.Errorf("%s: %w", v.Key, err)
		}
	}
	return nil
}

// gnomeWant is the raw keys that make s: s.Raw, with the keys behind every
// neutral field that differs from what s.Raw says replaced.
func gnomeWant(s Settings) ([]RawValue, error) {
	base := gnomeSettings(s.Raw)
	want := slices.Clone(s.Raw)
	set := func(key, value string) {
		want = setRaw(want, RawValue{Key: key, Value: value})
	}
	if s.Mode != base.Mode {
		switch s.Mode {
		case ModeNone, ModeManual, ModeAuto:
			set(gnomeSchema+" mode", formatGString(string(s.Mode)))
		case "":
			set(gnomeSchema+" mode", formatGString(string(ModeNone)))
		default:
			return nil, fmt.Errorf("GNOME proxy settings have no mode %q", s.Mode)
		}
	}
	if s.AutoConfigURL != base.AutoConfigURL {
		set(gnomeSchema+" autoconfig-url", formatGString(s.AutoConfigURL))
	}
	if !slices.Equal(s.Bypass, base.Bypass) {
		set(gnomeSchema+" ignore-hosts", formatGStrings(s.Bypass))
	}
	for _, p := range []struct {
		sub      string
		new, old Endpoint
	}{{"http", s.HTTP, base.HTTP}, {"https", s.HTTPS, base.HTTPS}, {"socks", s.SOCKS, base.SOCKS}, {"ftp", s.FTP, base.FTP}} {
		if p.new == p.old {
			continue
		}
		set(gnomeSchema+"."+p.sub+" host", formatGString(p.new.Host))
		set(gnomeSchema+"."+p.sub+" port", strconv.Itoa(p.new.Port))
		if p.sub == "http" {
			// The user's proxy password is not for Sockstray.
			set(gnomeSchema+".http use-authentication", "false")
		}
	}
	return want, nil
}
