package profiles

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
)

// Settings are the app's own choices, kept in settings.toml next to the
// profiles folder. The zero value is a fresh install's.
type Settings struct {
	// ActiveProfile is the profile in use; empty means BuiltinName.
	ActiveProfile string
	// ProxyOnAtStart starts the proxy when the app starts.
	ProxyOnAtStart bool
	// Language is the desktop app's language, one of Languages; empty
	// means the system's.
	Language string
	// SystemProxyMode is how "Use as system proxy" points the system at
	// the proxy, one of SystemProxyModes; empty means SystemProxyManual.
	SystemProxyMode string
	// SystemProxyOnAtStart turns "Use as system proxy" back on once the
	// proxy listens after a start, as the user left it.
	SystemProxyOnAtStart bool
	// SystemProxyBypass is what goes direct while the system proxy points
	// at Sockstray (hosts, *.domains, networks), in the user's order; nil
	// means the app's built-in list, an empty list none.
	SystemProxyBypass []string
	// Theme is the desktop app's colours, one of Themes; empty means the
	// system's.
	Theme string
	// WindowWidth and WindowHeight are the window's last size; zero means
	// the app's default.
	WindowWidth, WindowHeight int
	// UsageHistory keeps the usage history (bytes per day by host, client
	// and program) on this computer; off by default.
	UsageHistory bool
	// UsageRetentionDays is how many days of usage history are kept; zero
	// means the app's default (90), at most MaxUsageRetention.
	UsageRetentionDays int
	// ShareEndsProfile is the profile whose LAN share was given an end,
	// at ShareEnds: a start after that turns the share off, so that a
	// crash cannot leave it shared for good, and a start before it takes
	// the share up again for the time left. Empty for none. ShareLength
	// is the length it was given ("for 1 hour"), zero where not known.
	ShareEndsProfile string
	ShareEnds        time.Time
	ShareLength      time.Duration
}

// MaxUsageRetention is the longest usage history kept, in days.
const MaxUsageRetention = 3650

// The values of Settings.SystemProxyMode.
const (
	// SystemProxyManual sets the proxy's address for HTTP, HTTPS and SOCKS:
	// everything that follows the system setting goes through it.
	SystemProxyManual = "manual"
	// SystemProxyPAC sets the PAC file the proxy serves (/proxy.pac): what
	// the rules route direct never reaches the proxy.
	SystemProxyPAC = "pac"
)

// SystemProxyModes are the values Settings.SystemProxyMode takes besides "".
var SystemProxyModes = []string{SystemProxyManual, SystemProxyPAC}

// SystemProxy is the system proxy mode in force: SystemProxyMode, or
// SystemProxyManual when it is empty.
func (s Settings) SystemProxy() string {
	if s.SystemProxyMode == "" {
		return SystemProxyManual
	}
	return s.SystemProxyMode
}

// Active is the profile in use.
func (s Settings) Active() string {
	if s.ActiveProfile == "" {
		return BuiltinName
	}
	return s.ActiveProfile
}

// Languages are the values Settings.Language takes besides "": the
// languages of the desktop app's translations (assets/translations), as
// BCP 47 tags.
var Languages = []string{"en", "zh-Hans"}

// Themes are the values Settings.Theme takes besides "" (the system's).
var Themes = []string{"light", "dark"}

const maxBypass = 500 // entries of SystemProxyBypass

const maxWindow = 100_000

// settingsVersion is the settings file's format; settingsMigrations work
// as migrations do for profiles.
const settingsVersion = 1

var settingsMigrations = map[int64]func(doc map[string]any){}

// SettingsPath is <user config dir>/sockstray/settings.toml.
func SettingsPath() (string, error) {
	dir, err := DefaultDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(dir), "settings.toml"), nil
}

// LoadSettings reads the settings file; a missing file is the zero
// Settings. Problems (syntax, unknown keys, bad values) are an
// *InvalidError with their lines; a file that is not a regular file, or
// too large, is a *FileError.
func LoadSettings(path string) (Settings, error) {
	data, _, err := readFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return Settings{}, nil
	}
	if err != nil {
		return Settings{}, err
	}
	var doc map[string]any
	if _, err := toml.Decode(string(data), &doc); err != nil {
		return Settings{}, &InvalidError{File: path, Problems: []Problem{syntaxProblem(err)}}
	}
	var s Settings
	var ps problems
	if migrate(doc, &ps, settingsVersion, settingsMigrations) {
		r := &reader{m: doc, ps: &ps}
		r.skip("version")
		r.str("active_profile", &s.ActiveProfile)
		r.boolean("proxy_on_at_start", &s.ProxyOnAtStart)
		r.str("language", &s.Language)
		r.str("system_proxy_mode", &s.SystemProxyMode)
		r.boolean("system_proxy_on_at_start", &s.SystemProxyOnAtStart)
		if _, ok := r.get("system_proxy_bypass"); ok {
			r.strs("system_proxy_bypass", &s.SystemProxyBypass)
			if s.SystemProxyBypass == nil {
				s.SystemProxyBypass = []string{} // none, not the built-in list
			}
		}
		r.str("theme", &s.Theme)
		if w := r.table("window"); w != nil {
			w.integer("width", &s.WindowWidth)
			w.integer("height", &s.WindowHeight)
			w.unknown()
		}
		if u := r.table("usage"); u != nil {
			u.boolean("history", &s.UsageHistory)
			u.integer("retention_days", &s.UsageRetentionDays)
			u.unknown()
		}
		if l := r.table("lan_share"); l != nil {
			l.str("profile", &s.ShareEndsProfile)
			var until string
			l.str("until", &until)
			if t, err := time.Parse(time.RFC3339, until); err == nil {
				s.ShareEnds = t
			} else {
				ps.add("lan_share.until", "%q is not a time such as 2026-11-25T18:00:00Z", until)
			}
			var length string
			l.str("length", &length)
			if d, err := time.ParseDuration(length); err == nil && d > 0 {
				s.ShareLength = d
			} else if length != "" {
				ps.add("lan_share.length", "%q is not a length such as 1h0m0s", length)
			}
			l.unknown()
		}
		r.unknown()
		s.validate(&ps)
	}
	locate(data, ps)
	ps.sortByLine()
	if err := ps.err("", path); err != nil {
		return Settings{}, err
	}
	return s, nil
}

func (s Settings) validate(ps *problems) {
	if s.ActiveProfile != "" {
		if err := ValidName(s.ActiveProfile); err != nil {
			ps.add("active_profile", "%v", err)
		}
	}
	if s.Language != "" && !slices.Contains(Languages, s.Language) {
		ps.add("language", "%q is not a language of the app; want \"\" (the system's) or one of %s", s.Language, strings.Join(Languages, ", "))
	}
	if s.SystemProxyMode != "" && !slices.Contains(SystemProxyModes, s.SystemProxyMode) {
		ps.add("system_proxy_mode", "%q is not a system proxy mode; want \"\" (%s) or one of %s", s.SystemProxyMode, SystemProxyManual, strings.Join(SystemProxyModes, ", "))
	}
	if len(s.SystemProxyBypass) > maxBypass {
		ps.add("system_proxy_bypass", "%d entries; at most %d", len(s.SystemProxyBypass), maxBypass)
	}
	for i, e := range s.SystemProxyBypass {
		if err := CheckBypassEntry(e); err != nil {
			ps.add(fmt.Sprintf("system_proxy_bypass[%d]", i+1), "%v", err)
		}
	}
	if s.Theme != "" && !slices.Contains(Themes, s.Theme) {
		ps.add("theme", "%q is not a theme; want \"\" (the system's) or one of %s", s.Theme, strings.Join(Themes, ", "))
	}
	if s.WindowWidth < 0 || s.WindowWidth > maxWindow {
		ps.add("window.width", "%d is out of range; want 0 (default) to %d", s.WindowWidth, maxWindow)
	}
	if s.WindowHeight < 0 || s.WindowHeight > maxWindow {
		ps.add("window.height", "%d is out of range; want 0 (default) to %d", s.WindowHeight, maxWindow)
	}
	if s.ShareEndsProfile != "" {
		if err := ValidName(s.ShareEndsProfile); err != nil {
			ps.add("lan_share.profile", "%v", err)
		}
	}
	if s.UsageRetentionDays < 0 || s.UsageRetentionDays > MaxUsageRetention {
		ps.add("usage.retention_days", "%d is out of range; want 0 (default) to %d", s.UsageRetentionDays, MaxUsageRetention)
	}
}

// Save writes the settings atomically, mode 0600.
func (s Settings) Save(path string) error {
	var ps problems
	s.validate(&ps)
	if err := ps.err("", ""); err != nil {
		return fmt.Errorf("settings: %w", err)
	}
	if err := mkdirPrivate(filepath.Dir(path)); err != nil {
		return err
	}
	bypass := "# system_proxy_bypass: what goes direct; without the key, the built-in list\n"
	if s.SystemProxyBypass != nil {
		bypass = "# what goes direct while the system proxy is on; remove the key for the built-in list\nsystem_proxy_bypass = " + quoteList(s.SystemProxyBypass) + "\n"
	}
	data := fmt.Sprintf("# Sockstray settings.\nversion = %d\n\nactive_profile = %s\nproxy_on_at_start = %t\n# \"\" follows the system; or %s\nlanguage = %s\n"+
		"# \"\" follows the system; or %s\ntheme = %s\n"+
		"# \"Use as system proxy\": %q (also \"\") sets the proxy for HTTP, HTTPS and SOCKS, %q its PAC file\nsystem_proxy_mode = %s\nsystem_proxy_on_at_start = %t\n%s\n[window]\nwidth = %d\nheight = %d\n",
		settingsVersion, quote(s.ActiveProfile), s.ProxyOnAtStart, strings.Join(Languages, ", "), quote(s.Language),
		strings.Join(Themes, ", "), quote(s.Theme),
		SystemProxyManual, SystemProxyPAC, quote(s.SystemProxyMode), s.SystemProxyOnAtStart, bypass, s.WindowWidth, s.WindowHeight)
	data += fmt.Sprintf("\n# Usage history, kept on this computer only; retention_days = 0 keeps 90 days\n[usage]\nhistory = %t\nretention_days = %d\n",
		s.UsageHistory, s.UsageRetentionDays)
	if s.ShareEndsProfile != "" {
		data += fmt.Sprintf("\n# A LAN share with an end: a start after it turns the share off\n[lan_share]\nprofile = %s\nuntil = %s\n",
			quote(s.ShareEndsProfile), quote(s.ShareEnds.UTC().Format(time.RFC3339)))
		if s.ShareLength > 0 {
			data += fmt.Sprintf("length = %s\n", quote(s.ShareLength.String()))
		}
	}
	return writeFileAtomic(path, []byte(data))
}

// CheckBypassEntry checks one entry of a system proxy bypass list: a host
// name, a *.domain, an IP address or a network, with no spaces, commas or
// quotes (the desktops keep the list as one comma-separated string).
func CheckBypassEntry(e string) error {
	switch {
	case e == "":
		return errors.New("an empty entry")
	case len(e) > 255:
		return fmt.Errorf("%d characters; at most 255", len(e))
	case strings.ContainsAny(e, " \t\r\n,;\"'\\"):
		return fmt.Errorf("%q has a space, comma, semicolon or quote; want one host, *.domain or network per entry", e)
	}
	return nil
}
