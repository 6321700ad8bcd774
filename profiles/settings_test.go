package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sockstray/sockstray/internal/winetest"
)

func TestSettingsRoundTrip(t *testing.T) {
	path := filepath.Join(winetest.TempDir(t), "sockstray", "settings.toml")
	s, err := LoadSettings(path)
	if err != nil || !reflect.DeepEqual(s, Settings{}) || s.Active() != "Direct" {
		t.Fatalf("missing file: %+v, %v; want zero settings, active Direct", s, err)
	}
	for _, want := range []Settings{
		{ActiveProfile: "work", ProxyOnAtStart: true, Language: "zh-Hans", SystemProxyMode: SystemProxyPAC, WindowWidth: 900, WindowHeight: 640},
		{SystemProxyOnAtStart: true, SystemProxyBypass: []string{"*.corp.example", "10.0.0.0/8", "[::1]"}, Theme: "dark"},
		{SystemProxyBypass: []string{}, Theme: "light"}, // an empty list is not the built-in one
		{UsageHistory: true, UsageRetentionDays: 30},
		{ShareEndsProfile: "Work", ShareEnds: time.Date(2026, 11, 25, 18, 30, 0, 0, time.UTC)},
		{ShareEndsProfile: "Work", ShareEnds: time.Date(2026, 11, 25, 18, 30, 0, 0, time.UTC), ShareLength: time.Hour},
	} {
		if err := want.Save(path); err != nil {
			t.Fatal(err)
		}
		got, err := LoadSettings(path)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("LoadSettings = %#v, %v; want %#v", got, err, want)
		}
	}
	if fi, _ := os.Stat(path); runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("settings mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestSettingsProblems(t *testing.T) {
	path := filepath.Join(winetest.TempDir(t), "settings.toml")
	os.WriteFile(path, []byte("version = 1\nactive_profile = \"a/b\"\ncolour = \"dark\"\nlanguage = \"zh_CN\"\nsystem_proxy_mode = \"auto\"\n[window]\nwidth = -1\n"), 0o600)
	_, err := LoadSettings(path)
	var ie *InvalidError
	want := path + `:2:1: active_profile: "a/b" holds one of / \ : * ? " < > |, which file names cannot; ` +
		path + `:3:1: colour: unknown key; known here: version, active_profile, proxy_on_at_start, language, system_proxy_mode, system_proxy_on_at_start, system_proxy_bypass, theme, window, usage, lan_share; ` +
		path + `:4:1: language: "zh_CN" is not a language of the app; want "" (the system's) or one of en, zh-Hans; ` +
		path + `:5:1: system_proxy_mode: "auto" is not a system proxy mode; want "" (manual) or one of manual, pac; ` +
		path + `:7:1: window.width: -1 is out of range; want 0 (default) to 100000`
	if !errors.As(err, &ie) || err.Error() != want {
		t.Errorf("LoadSettings = %v\nwant %s", err, want)
	}
	for _, bad := range []Settings{{WindowHeight: -2}, {Theme: "blue"}, {SystemProxyBypass: []string{"a.example, b.example"}}, {SystemProxyBypass: []string{""}}} {
		if err := bad.Save(path); err == nil {
			t.Errorf("saved invalid settings %+v", bad)
		}
	}
	os.WriteFile(path, []byte("version = 1\n[lan_share]\nprofile = \"Work\"\nuntil = \"tomorrow\"\n"), 0o600)
	if _, err := LoadSettings(path); err == nil || err.Error() != path+`:4:1: lan_share.until: "tomorrow" is not a time such as 2026-11-25T18:00:00Z` {
		t.Errorf("LoadSettings with until = tomorrow: %v", err)
	}
	os.WriteFile(path, []byte("version = 1\n[lan_share]\nprofile = \"Work\"\nuntil = \"2026-11-25T18:00:00Z\"\nlength = \"an hour\"\n"), 0o600)
	if _, err := LoadSettings(path); err == nil || !strings.Contains(err.Error(), `lan_share.length: "an hour" is not a length such as 1h0m0s`) {
		t.Errorf("LoadSettings with length = an hour: %v", err)
	}
	os.WriteFile(path, []byte("version = 1\n[usage]\nhistory = true\nretention_days = 4000\n"), 0o600)
	if _, err := LoadSettings(path); err == nil || err.Error() != path+":4:1: usage.retention_days: 4000 is out of range; want 0 (default) to 3650" {
		t.Errorf("LoadSettings with retention 4000 = %v", err)
	}
}

func TestSettingsSystemProxyMode(t *testing.T) {
	if got := (Settings{}).SystemProxy(); got != SystemProxyManual {
		t.Errorf("default system proxy mode %q, want %q", got, SystemProxyManual)
	}
	path := filepath.Join(winetest.TempDir(t), "settings.toml")
	for _, mode := range []string{"", SystemProxyManual, SystemProxyPAC} {
		if err := (Settings{SystemProxyMode: mode}).Save(path); err != nil {
			t.Fatal(err)
		}
		got, err := LoadSettings(path)
		if err != nil || got.SystemProxyMode != mode {
			t.Errorf("saved %q, loaded %q, %v", mode, got.SystemProxyMode, err)
		}
	}
	// A file from before the key existed means manual.
	os.WriteFile(path, []byte("version = 1\nlanguage = \"en\"\n"), 0o600)
	if got, err := LoadSettings(path); err != nil || got.SystemProxy() != SystemProxyManual {
		t.Errorf("without the key: %q, %v", got.SystemProxy(), err)
	}
	if err := (Settings{SystemProxyMode: "PAC"}).Save(path); err == nil {
		t.Error("saved an unknown system proxy mode")
	}
}
