package control

import (
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2/lang"

	"github.com/sockstray/sockstray/app/usage"
	"github.com/sockstray/sockstray/core/stats"
	"github.com/sockstray/sockstray/profiles"
)

// usageHistory is the usage recorder while "Keep usage history" is on.
// With it off nothing runs and nothing is written.
type usageHistory struct {
	mu         sync.Mutex // held while the recorder starts or stops
	store      *usage.Store
	rec        *usage.Recorder // nil while off
	programsOf func([]stats.ConnStat) []string
	// failing: the last flush failed and the user was told. Not under mu:
	// Stop, called with mu held, waits for the flush that sets it.
	failing atomic.Bool
}

// openUsage sets up the history beside the settings file and starts
// recording when the settings say so.
func (c *Controller) openUsage(programsOf func([]stats.ConnStat) []string) {
	c.usage.store = &usage.Store{Path: usage.DefaultPath(filepath.Dir(c.settingsPath))}
	c.usage.programsOf = programsOf
	s := c.Settings()
	if s.UsageHistory {
		if err := c.startUsage(s.UsageRetentionDays); err != nil {
			c.notify(slog.LevelError, lang.L("Usage history not kept: {{.Err}}", map[string]any{"Err": err}))
		}
	}
}

// startUsage starts the recorder on the engine; c.usage.mu is not held.
func (c *Controller) startUsage(retention int) error {
	u := &c.usage
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.rec != nil {
		return nil
	}
	rec, err := usage.Start(c.eng, usage.Options{Store: u.store, Retention: retention, ProgramsOf: u.programsOf, OnError: c.usageFailed})
	if err != nil {
		return err
	}
	u.rec = rec
	return nil
}

// usageFailed tells the user of the first of a row of failed flushes; the
// counts wait for the next one.
func (c *Controller) usageFailed(err error) {
	first := !c.usage.failing.Swap(true)
	c.log.Warn("usage history not written", "err", err)
	if first {
		c.notify(slog.LevelError, lang.L("Usage history not written: {{.Err}}", map[string]any{"Err": err}))
	}
}

// stopUsage writes what the recorder holds and stops it.
func (c *Controller) stopUsage() error {
	u := &c.usage
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.rec == nil {
		return nil
	}
	err := u.rec.Stop()
	u.rec = nil
	u.failing.Store(false)
	return err
}

// SetUsageHistory turns the usage history on or off and saves the
// choice. Turning it off keeps what was recorded. It writes to disk: call
// it off the UI goroutine.
func (c *Controller) SetUsageHistory(on bool) error {
	if on {
		if err := c.startUsage(c.Settings().UsageRetentionDays); err != nil {
			return err
		}
	} else if err := c.stopUsage(); err != nil {
		c.notify(slog.LevelError, lang.L("Usage history not written: {{.Err}}", map[string]any{"Err": err}))
	}
	return c.updateSettings(func(s *profiles.Settings) { s.UsageHistory = on })
}

// SetUsageRetention sets how many days of history are kept (0 for the
// default); older days go at the next flush.
func (c *Controller) SetUsageRetention(days int) error {
	if days < 0 || days > profiles.MaxUsageRetention {
		return errors.New(lang.L("{{.Days}} days is out of range: keep 1 to {{.Max}} days (0 keeps 90)", map[string]any{"Days": days, "Max": profiles.MaxUsageRetention}))
	}
	if err := c.updateSettings(func(s *profiles.Settings) { s.UsageRetentionDays = days }); err != nil {
		return err
	}
	c.usage.mu.Lock()
	if c.usage.rec != nil {
		c.usage.rec.SetRetention(days)
	}
	c.usage.mu.Unlock()
	return nil
}

// UsageReport reads the last days of history, with what the recorder
// holds in memory written first. It reads the disk: call it off the UI
// goroutine. Without a history it is usage.ErrNoHistory.
func (c *Controller) UsageReport(days int) (*usage.Report, error) {
	c.usage.mu.Lock()
	rec := c.usage.rec
	var err error
	if rec != nil {
		err = rec.Flush()
	}
	c.usage.mu.Unlock()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", lang.L("Usage history not written"), err)
	}
	return c.usage.store.Read(time.Now(), days)
}

// UsagePath is the usage history's file.
func (c *Controller) UsagePath() string { return c.usage.store.Path }
