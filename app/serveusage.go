package main

import (
	"log/slog"
	"path/filepath"

	"github.com/sockstray/sockstray/app/sockowner"
	"github.com/sockstray/sockstray/app/usage"
	"github.com/sockstray/sockstray/profiles"
)

// serveUsage records the usage history while serve runs, when the
// settings keep one ("Keep usage history" in the app, usage_history in
// settings.toml), as the app does: `sockstray usage` then shows what a
// headless proxy carried too. The app and serve may run at once: each
// flush opens the file and waits its turn. A settings file that cannot be
// read only leaves the history off. The returned stop writes what is left.
func serveUsage(src usage.Source, log *slog.Logger) (stop func()) {
	path, err := profiles.SettingsPath()
	if err != nil {
		return func() {}
	}
	s, err := profiles.LoadSettings(path)
	if err != nil {
		log.Warn("usage history not kept: the settings cannot be read", "error", err.Error())
		return func() {}
	}
	if !s.UsageHistory {
		return func() {}
	}
	store := &usage.Store{Path: usage.DefaultPath(filepath.Dir(path))}
	rec, err := usage.Start(src, usage.Options{
		Store:      store,
		Retention:  s.UsageRetentionDays,
		ProgramsOf: new(sockowner.Resolver).ProgramsOf,
		OnError:    func(err error) { log.Warn("usage history not written", "error", err.Error()) },
	})
	if err != nil {
		log.Warn("usage history not kept", "error", err.Error())
		return func() {}
	}
	log.Info("keeping usage history", "file", store.Path)
	return func() {
		if err := rec.Stop(); err != nil {
			log.Warn("usage history not written", "error", err.Error())
		}
	}
}
