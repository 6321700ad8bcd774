package authlimit

import (
	"fmt"
	"net/netip"
	"time"
)

// ReportWindow is how long the failures of one key are gathered into one
// Summary.
const ReportWindow = time.Minute

// EventBudget is how many events about single keys are reported per
// ReportWindow. Beyond it, an attacker with many addresses would flood the
// log again, so the rest are folded into one Summary of "other addresses".
const EventBudget = 30

// Kind tells events apart.
type Kind uint8

// The kinds of events.
const (
	FailedLogin Kind = iota + 1 // the first failure of a key in a window, reported at once
	Summary                     // the counts of a window that ended, reported by Flush
	LockedOut                   // a lockout started, reported at once
)

// String names the kind.
func (k Kind) String() string {
	switch k {
	case FailedLogin:
		return "failed login"
	case Summary:
		return "summary"
	case LockedOut:
		return "locked out"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Event is one line for the log. It never holds a username or a password:
// a password typed into the username field would end up in the log.
type Event struct {
	Kind Kind
	Key  netip.Prefix // the key counted; zero in a Summary of other addresses
	Addr netip.Addr   // FailedLogin, LockedOut: the client whose attempt it was
	Time time.Time    // when it happened; for a Summary, the window's end
	// Summary: failed logins in the window, the one reported at once
	// included; LockedOut: the failures counted so far.
	Failed  int
	Refused int       // Summary: attempts refused without being checked
	Keys    int       // Summary of other addresses: how many keys
	Locked  int       // Summary of other addresses: lockouts not reported alone
	Until   time.Time // LockedOut: when it ends
}

// String reads as a log message, for example "3 failed logins from
// 192.168.1.7 in the last minute".
func (e Event) String() string {
	switch e.Kind {
	case FailedLogin:
		return "failed login from " + e.Addr.String()
	case LockedOut:
		return fmt.Sprintf("%s locked out until %s after %s", e.who(), e.Until.Format(time.TimeOnly), plural(e.Failed, "failed login"))
	case Summary:
		what := plural(e.Failed, "failed login")
		if e.Failed == 0 {
			what = plural(e.Refused, "attempt")
		}
		s := what + " from " + e.who() + " in the last minute"
		if e.Failed > 0 && e.Refused > 0 {
			s += fmt.Sprintf(", %d more refused unchecked", e.Refused)
		} else if e.Failed == 0 && e.Refused > 0 {
			s += ", all refused unchecked"
		}
		if e.Locked > 0 {
			s += fmt.Sprintf(", %d locked out", e.Locked)
		}
		return s
	}
	return e.Kind.String()
}

// who names the key: the address for IPv4, the /64 for IPv6.
func (e Event) who() string {
	switch {
	case !e.Key.IsValid() && e.Keys > 0:
		return plural(e.Keys, "other address")
	case !e.Key.IsValid() && e.Locked > 0:
		return "other addresses"
	case e.Key.Addr().Is4():
		return e.Key.Addr().String()
	case e.Key.IsValid():
		return e.Key.String()
	}
	return "an unknown address"
}

func plural(n int, what string) string {
	switch {
	case n == 1:
		return "1 " + what
	case what[len(what)-1] == 's':
		return fmt.Sprintf("%d %ses", n, what)
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// window gathers one key's failures for a Summary.
type window struct {
	open            bool
	announced       bool // its FailedLogin was reported
	start           time.Time
	failed, refused int
	locked          int // lockouts folded in, for the other-addresses window
}

// winRef is an open window in the order windows opened. It is stale once
// the record's window closed or reopened.
type winRef struct {
	r     *record
	start time.Time
}

func (w winRef) valid() bool { return w.r.win.open && w.r.win.start.Equal(w.start) }

// openWindow makes sure r has a window to count in. A window that ended
// but was not flushed yet keeps counting until Flush closes it.
func (l *Limiter) openWindow(r *record, now time.Time) {
	if r.win.open {
		return
	}
	r.win = window{open: true, start: now}
	if len(l.wins) >= 2*l.cfg.MaxKeys {
		l.compact(now)
	}
	l.wins = append(l.wins, winRef{r, now})
}

// compact drops stale references, and windows of forgotten keys that
// ended without a Flush, so that a limiter nobody flushes stays bounded.
func (l *Limiter) compact(now time.Time) {
	kept := l.wins[:0]
	for _, w := range l.wins {
		live := l.recs[w.r.key] == w.r
		if w.valid() && (live || now.Before(w.start.Add(ReportWindow))) {
			kept = append(kept, w)
		}
	}
	clear(l.wins[len(kept):])
	l.wins = kept
}

// emit queues e for reporting, or folds it into the other-addresses
// window once the budget of this window is spent.
func (l *Limiter) emit(evs []Event, e Event, now time.Time) []Event {
	if !now.Before(l.budgetStart.Add(ReportWindow)) {
		l.budgetStart, l.budget = now, EventBudget
	}
	if l.budget > 0 {
		l.budget--
		return append(evs, e)
	}
	if !l.other.open {
		l.other = window{open: true, start: now}
	}
	switch e.Kind {
	case Summary:
		l.other.failed += e.Failed
		l.other.refused += e.Refused
		l.otherKeys++
	case LockedOut:
		l.other.locked++
	}
	return evs
}

// evict forgets r to make room; its counts join the other addresses.
func (l *Limiter) evict(r *record, now time.Time) {
	if r.win.open {
		if !l.other.open {
			l.other = window{open: true, start: now}
		}
		l.other.failed += r.win.failed
		l.other.refused += r.win.refused
		l.otherKeys++
		r.win.open = false
	}
	l.remove(r)
}

// Flush reports the windows that ended by now, and expires quiet keys.
// The server calls it from its 1 Hz ticker.
func (l *Limiter) Flush(now time.Time) {
	var evs []Event
	l.mu.Lock()
	l.expire(now)
	for len(l.wins) > 0 && !now.Before(l.wins[0].start.Add(ReportWindow)) {
		w := l.wins[0]
		l.wins[0] = winRef{}
		l.wins = l.wins[1:]
		if !w.valid() {
			continue
		}
		win := &w.r.win
		win.open = false
		if win.failed > 1 || win.refused > 0 || !win.announced {
			evs = l.emit(evs, Event{Kind: Summary, Key: w.r.key, Time: w.start.Add(ReportWindow), Failed: win.failed, Refused: win.refused}, now)
		}
	}
	if o := &l.other; o.open && !now.Before(o.start.Add(ReportWindow)) {
		evs = append(evs, Event{Kind: Summary, Time: o.start.Add(ReportWindow), Failed: o.failed, Refused: o.refused, Keys: l.otherKeys, Locked: o.locked})
		*o, l.otherKeys = window{}, 0
	}
	l.mu.Unlock()
	l.report(evs)
}
