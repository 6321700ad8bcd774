//go:build linux || freebsd || openbsd || netbsd || dragonfly

package sysproxy

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"

	"github.com/godbus/dbus/v5"

	"github.com/sockstray/sockstray/internal/sessionbus"
)

// kde is KDE Plasma's proxy settings: the [Proxy Settings] group of
// kioslaverc, through kreadconfig and kwriteconfig (version 6 or 5), and a
// D-Bus signal that makes running KIO workers read it again. Raw keys are
// the kioslaverc keys; Unset marks a key the file did not have.
type kde struct{ read, write string }

const (
	kdeGroup = "Proxy Settings"
	kdeType  = "ProxyType" // 0 none, 1 manual, 2 PAC, 3 WPAD, 4 environment variables
	kdePAC   = "Proxy Config Script"
	// kdeMissing is the default kreadconfig prints for a key the file
	// does not have, to tell it from an empty value.
	kdeMissing = "__sockstray_missing__"
)

var kdeKeys = []string{kdeType, "httpProxy", "httpsProxy", "ftpProxy", "socksProxy", "NoProxyFor", "ReversedException", kdePAC}

func (kde) Name() string { return "kde" }

// newKDE finds kwriteconfig and kreadconfig of one version, the session's
// ($KDE_SESSION_VERSION) first.
func newKDE() (Backend, error) {
	versions := []string{"6", "5"}
	if os.Getenv("KDE_SESSION_VERSION") == "5" {
		versions = []string{"5", "6"}
	}
	for _, v := range versions {
		w, werr := exec.LookPath("kwriteconfig" + v)
		r, rerr := exec.LookPath("kreadconfig" + v)
		if werr == nil && rerr == nil {
			return kde{read: r, write: w}, nil
		}
	}
	return nil, fmt.Errorf("neither kwriteconfig6 nor kwriteconfig5 (with kreadconfig) is installed")
}

func (k kde) Read() (Settings, error) {
	raw, err := k.raw()
	if err != nil {
		return Settings{}, err
	}
	return kdeSettings(raw), nil
}

func (k kde) raw() ([]RawValue, error) {
	raw := make([]RawValue, 0, len(kdeKeys))
	for _, key := range kdeKeys {
		out, err := run(k.read, "--file", "kioslaverc", "--group", kdeGroup, "--key", key, "--default", kdeMissing)
		if err != nil {
			return nil, fmt.Errorf("read KDE proxy setting %s: %w", key, err)
		}
		v := strings.TrimSuffix(string(out), "\n")
		if v == kdeMissing {
			raw = append(raw, RawValue{Key: key, Unset: true})
		} else {
			raw = append(raw, RawValue{Key: key, Value: v})
		}
	}
	return raw, nil
}

// kdeSettings is the neutral view of the raw keys.
func kdeSettings(raw []RawValue) Settings {
	get := func(key string) string {
		if i := slices.IndexFunc(raw, func(v RawValue) bool { return v.Key == key }); i >= 0 {
			return raw[i].Value
		}
		return ""
	}
	s := Settings{Raw: raw}
	switch strings.TrimSpace(get(kdeType)) {
	case "", "0":
		s.Mode = ModeNone
	case "1":
		s.Mode = ModeManual
	case "2", "3":
		s.Mode = ModeAuto
	default:
		s.Mode = ModeOther
	}
	if s.Mode == ModeOther { // the proxy keys hold environment variable names
		return s
	}
	s.HTTP = parseKDEProxy(get("httpProxy"))
	s.HTTPS = parseKDEProxy(get("httpsProxy"))
	s.FTP = parseKDEProxy(get("ftpProxy"))
	s.SOCKS = parseKDEProxy(get("socksProxy"))
	if get(kdeType) == "2" {
		s.AutoConfigURL = get(kdePAC)
	}
	// With ReversedException the list names the hosts that do use the
	// proxy: nothing of it is a bypass entry.
	if !strings.EqualFold(get("ReversedException"), "true") {
		for e := range strings.SplitSeq(get("NoProxyFor"), ",") {
			if e = strings.TrimSpace(e); e != "" {
				s.Bypass = append(s.Bypass, e)
			}
		}
	}
	return s
}

func (k kde) Apply(s Settings) error {
	want, err := kdeWant(s)
	if err != nil {
		return err
	}
	cur, err := k.raw()
	if err != nil {
		return err
	}
	// Like GNOME's mode: ProxyType last when turning a proxy on, first
	// when turning it off.
	i := slices.IndexFunc(want, func(v RawValue) bool { return v.Key == kdeType })
	if i >= 0 {
		t := want[i]
		want = slices.Delete(want, i, i+1)
		if t.Unset || t.Value == "0" {
			want = slices.Insert(want, 0, t)
		} else {
			want = append(want, t)
		}
	}
	changed := false
	for _, v := range want {
		if slices.Contains(cur, v) {
			continue
		}
		args := []string{"--file", "kioslaverc", "--group", kdeGroup, "--key", v.Key}
		if v.Unset {
			args = append(args, "--delete")
		} else {
			args = append(args, "--", v.Value)
		}
		if _, err := run(k.write, args...); err != nil {
			return fmt.Errorf("write KDE proxy setting %s: %w", v.Key, err)
		}
		changed = true
	}
	if changed {
		notifyKIO()
	}
	return nil
}

// kdeWant is the raw keys that make s: s.Raw, with the keys behind every
// neutral field that differs from what s.Raw says replaced.
func kdeWant(s Settings) ([]RawValue, error) {
	base := kdeSettings(s.Raw)
	want := slices.Clone(s.Raw)
	set := func(key, value string) {
		want = setRaw(want, RawValue{Key: key, Value: value, Unset: value == ""})
	}
	if s.Mode != base.Mode || s.AutoConfigURL != base.AutoConfigURL {
		switch {
		case s.Mode == ModeNone || s.Mode == "":
			set(kdeType, "0")
		case s.Mode == ModeManual:
			set(kdeType, "1")
		case s.Mode == ModeAuto && s.AutoConfigURL != "":
			set(kdeType, "2")
		case s.Mode == ModeAuto:
			set(kdeType, "3")
		default:
			return nil, fmt.Errorf("KDE proxy settings have no mode %q", s.Mode)
		}
		set(kdePAC, s.AutoConfigURL)
	}
	for _, p := range []struct {
		key, scheme string
		new, old    Endpoint
	}{{"httpProxy", "http", s.HTTP, base.HTTP}, {"httpsProxy", "http", s.HTTPS, base.HTTPS}, {"socksProxy", "socks", s.SOCKS, base.SOCKS}, {"ftpProxy", "ftp", s.FTP, base.FTP}} {
		if p.new != p.old {
			v := ""
			if p.new != (Endpoint{}) {
				v = formatKDEProxy(p.scheme, p.new)
			}
			set(p.key, v)
		}
	}
	if !slices.Equal(s.Bypass, base.Bypass) {
		set("NoProxyFor", strings.Join(s.Bypass, ","))
		set("ReversedException", "false")
	}
	return want, nil
}

// notifyKIO tells running KDE apps to read kioslaverc again, the signal
// KDE's own proxy settings module sends. It is best effort: without a
// session bus there is nobody to tell, and new processes read the file.
func notifyKIO() {
	addr, ok := sessionbus.Address()
	if !ok {
		return
	}
	conn, err := dbus.Connect(addr)
	if err != nil {
		return
	}
	defer conn.Close()
	conn.Emit("/KIO/Scheduler", "org.kde.KIO.Scheduler.reparseSlaveConfiguration", "")
}
