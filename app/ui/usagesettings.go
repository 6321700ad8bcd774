package ui

import (
	"slices"

	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/sockstray/sockstray/app/usage"
)

// retentions are the retention choices offered, in days.
var retentions = []int{30, 90, 180, 365, 730}

func retentionLabel(days int) string {
	return lang.L("{{.Days}} days of history", map[string]any{"Days": days})
}

// buildUsage makes the "Keep usage history" switch and its retention.
func (s *Settings) buildUsage() {
	s.UsageHistory = widget.NewCheck(lang.L("Keep usage history (on this computer only)"), s.onUsageHistory)
	s.UsageRetention = widget.NewSelect(nil, s.onUsageRetention)
}

// refreshUsage shows the saved choices; s.refreshing is set.
func (s *Settings) refreshUsage() {
	set := s.ctrl.Settings()
	s.UsageHistory.SetChecked(set.UsageHistory)
	days := set.UsageRetentionDays
	if days == 0 {
		days = usage.DefaultRetention
	}
	choices := retentions
	if !slices.Contains(choices, days) { // set in the file by hand
		choices = slices.Sorted(slices.Values(append([]int{days}, retentions...)))
	}
	labels := make([]string, len(choices))
	for i, d := range choices {
		labels[i] = retentionLabel(d)
	}
	s.UsageRetention.SetOptions(labels)
	s.UsageRetention.SetSelected(retentionLabel(days))
}

// onUsageHistory starts or stops the history off the UI goroutine (it
// writes to disk) and shows the outcome.
func (s *Settings) onUsageHistory(on bool) {
	if s.refreshing {
		return
	}
	s.UsageHistory.Disable()
	s.jobs.run(func() func() {
		err := s.ctrl.SetUsageHistory(on)
		return func() {
			s.UsageHistory.Enable()
			s.refreshSaved(err)
		}
	})
}

func (s *Settings) onUsageRetention(label string) {
	if s.refreshing {
		return
	}
	days := 0
	for _, d := range append([]int{s.ctrl.Settings().UsageRetentionDays}, retentions...) {
		if retentionLabel(d) == label {
			days = d
		}
	}
	if days == 0 {
		return
	}
	s.UsageRetention.Disable()
	s.jobs.run(func() func() {
		err := s.ctrl.SetUsageRetention(days)
		return func() {
			s.UsageRetention.Enable()
			s.refreshSaved(err)
		}
	})
}

// refreshSaved shows the settings in force after a save, and its error.
func (s *Settings) refreshSaved(err error) {
	s.refreshing = true
	s.refreshUsage()
	s.refreshing = false
	if err != nil {
		s.Note.SetText(lang.L("Not saved: {{.Err}}", map[string]any{"Err": err}))
		s.Note.Show()
	}
}
