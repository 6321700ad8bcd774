package uitext

import (
	"testing"
	"time"
)

func TestCountdownAndDurations(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0: "0:00", 300 * time.Millisecond: "0:01", 59*time.Minute + 12*time.Second: "59:12",
		time.Hour: "1:00:00", 4*time.Hour - time.Second - time.Millisecond: "3:59:59", -time.Second: "0:00",
	} {
		if got := Countdown(d); got != want {
			t.Errorf("Countdown(%v) = %q, want %q", d, got, want)
		}
	}
	var texts []string
	for _, d := range []time.Duration{15 * time.Minute, time.Hour, 4 * time.Hour, 0} {
		texts = append(texts, ShareDuration(d))
	}
	if got := texts; len(got) != 4 || got[0] != "for 15 minutes" || got[1] != "for 1 hour" || got[2] != "for 4 hours" || got[3] != "until turned off" {
		t.Errorf("durations %q", got)
	}
}
