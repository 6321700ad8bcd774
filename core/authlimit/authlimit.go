// Package authlimit limits password guessing against the proxy per client
// address, and turns failed logins into a few report events instead of one
// log line per guess.
//
// The policy, with the defaults: each key (an IPv4 address, or the /64 of an
// IPv6 address, since one host can own a whole /64) has 5 free failures.
// After them, checked attempts are spaced 1 s apart, doubling up to 60 s; an
// attempt that arrives earlier is refused without comparing credentials, so
// parallel connections gain nothing. The 20th failure locks the key out for
// 10 minutes, and every failure after a lockout starts another one. A success
// forgets the key, and so do 15 minutes without a checked attempt. An attacker
// trying as fast as it can gets 24 attempts checked in its first hour and 6
// an hour after that. At most 4096 keys are remembered; when the table is
// full the least recently active key is forgotten.
//
// Loopback clients follow the same rules: a malicious local program is
// possible, and a user who mistypes is only slowed after the fifth failure.
// Clients sharing a key (behind one NAT, in one /64, on loopback) share its
// fate: an attacker among them can lock them out, and their successes clear
// the attacker's record.
//
// Failures are reported as Events, never as one line per guess: the first
// of a key's minute at once, the rest as a Summary from Flush, and each
// lockout as it starts; past EventBudget lines a minute the rest are summed
// up as "other addresses". Nothing here ever sees a username or password.
//
// The package has no sockets, goroutines or clock of its own: the server
// passes the time to every call and calls Flush from its ticker.
package authlimit

import (
	"net/netip"
	"sync"
	"time"
)

// Config is the policy. The zero value of each field means its default.
type Config struct {
	FreeFailures int           // failures before spacing starts (5)
	BaseDelay    time.Duration // first spacing, doubled per failure (1 s)
	MaxDelay     time.Duration // cap of the spacing (60 s)
	LockoutAfter int           // failures that start a lockout (20)
	Lockout      time.Duration // length of a lockout (10 min)
	Forget       time.Duration // quiet time after which a key starts fresh (15 min)
	MaxKeys      int           // keys remembered at most (4096)
	// Report receives the events; nil drops them. It is called without
	// the limiter's lock held, possibly from several goroutines at once.
	Report func(Event)
}

func (c Config) withDefaults() Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&c.FreeFailures, 5)
	def(&c.LockoutAfter, 20)
	def(&c.MaxKeys, 4096)
	defDur(&c.BaseDelay, time.Second)
	defDur(&c.MaxDelay, time.Minute)
	defDur(&c.Lockout, 10*time.Minute)
	defDur(&c.Forget, 15*time.Minute)
	return c
}

// Verdict is the answer of Check. A refused attempt must be rejected
// without comparing its credentials and is not reported to Failed.
type Verdict struct {
	Allowed bool
	Until   time.Time // when refused: the first time an attempt is checked again
	Lockout bool      // when refused: the key is locked out, not only spaced
}

// String says "allowed" or "refused until 15:04:05", for a log line.
func (v Verdict) String() string {
	switch {
	case v.Allowed:
		return "allowed"
	case v.Lockout:
		return "locked out until " + v.Until.Format(time.TimeOnly)
	}
	return "refused until " + v.Until.Format(time.TimeOnly)
}

// Limiter keeps the failure records. Create it with New; it is safe for
// concurrent use. Times passed to it should not go backwards by much: the
// oldest-first order of the table is the order of the calls.
type Limiter struct {
	cfg Config

	mu   sync.Mutex
	recs map[netip.Prefix]*record
	// The records in the order of their last attempt, oldest first, so
	// that expiry and eviction take the front in O(1).
	oldest, newest *record
	wins           []winRef // report windows in the order they opened
	// other gathers what is not reported key by key: evicted keys, and
	// events past the budget, which counts down from budgetStart.
	other       window
	otherKeys   int
	budget      int
	budgetStart time.Time
}

// record is one key's state.
type record struct {
	key          netip.Prefix
	prev, next   *record
	last         time.Time // last checked attempt
	notBefore    time.Time // no attempt is checked before this
	fails        int       // checked attempts not followed by a success
	inflight     int       // allowed by Check, not yet Failed or Succeeded
	reportedLock time.Time // the lockout already reported, by its end
	win          window
}

// New returns a limiter with cfg's policy.
func New(cfg Config) *Limiter {
	return &Limiter{cfg: cfg.withDefaults(), recs: make(map[netip.Prefix]*record)}
}

// Key is what the limiter counts by: the address with IPv4-mapped IPv6
// unmapped and the zone dropped, as a /32 for IPv4 and a /64 for IPv6. An
// invalid address gives the zero Prefix, one key shared by all of them.
func Key(addr netip.Addr) netip.Prefix {
	addr = addr.Unmap()
	if addr.Is4() {
		return netip.PrefixFrom(addr, 32)
	}
	p, _ := addr.WithZone("").Prefix(64)
	return p
}

// Check tells whether an attempt from addr may have its credentials
// compared at now. An allowed attempt is counted as a failure at once (so
// parallel attempts see it) until Succeeded forgives it; the server then
// calls Failed or Succeeded. A refused attempt is counted for the report
// only.
func (l *Limiter) Check(addr netip.Addr, now time.Time) Verdict {
	key := Key(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire(now)
	r := l.recs[key]
	if r == nil {
		r = l.insert(key, now)
	} else if now.Before(r.notBefore) {
		l.openWindow(r, now)
		r.win.refused++
		return Verdict{Until: r.notBefore, Lockout: r.fails >= l.cfg.LockoutAfter}
	}
	r.inflight++
	l.charge(r, now)
	return Verdict{Allowed: true}
}

// Failed reports that the attempt Check allowed had wrong credentials.
// Called without a Check before it, it counts the attempt itself. Never
// call it for an attempt Check refused: that one was not a guess.
func (l *Limiter) Failed(addr netip.Addr, now time.Time) {
	key := Key(addr)
	var buf [2]Event
	evs := buf[:0]
	l.mu.Lock()
	l.expire(now)
	r := l.recs[key]
	if r == nil {
		r = l.insert(key, now)
	}
	if r.inflight > 0 {
		r.inflight--
	} else {
		l.charge(r, now)
	}
	l.openWindow(r, now)
	if r.win.failed == 0 {
		n := len(evs)
		evs = l.emit(evs, Event{Kind: FailedLogin, Key: key, Addr: addr.Unmap(), Time: now}, now)
		r.win.announced = len(evs) > n
	}
	r.win.failed++
	if r.fails >= l.cfg.LockoutAfter && now.Before(r.notBefore) && !r.reportedLock.Equal(r.notBefore) {
		r.reportedLock = r.notBefore
		evs = l.emit(evs, Event{Kind: LockedOut, Key: key, Addr: addr.Unmap(), Time: now, Until: r.notBefore, Failed: r.fails}, now)
	}
	l.mu.Unlock()
	l.report(evs)
}

// Succeeded reports that the attempt Check allowed had the right
// credentials: the key's record is forgotten. Failures of its current
// report window are still reported by Flush.
func (l *Limiter) Succeeded(addr netip.Addr, now time.Time) {
	key := Key(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.expire(now)
	if r := l.recs[key]; r != nil {
		l.remove(r)
	}
}

// Len returns the number of keys remembered.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recs)
}

// charge counts a checked attempt and sets when the next may be checked.
func (l *Limiter) charge(r *record, now time.Time) {
	r.fails++
	r.last = now
	l.unlink(r)
	l.pushNewest(r)
	c := &l.cfg
	switch {
	case r.fails >= c.LockoutAfter:
		r.notBefore = now.Add(c.Lockout)
	case r.fails >= c.FreeFailures:
		d := c.BaseDelay
		for k := r.fails - c.FreeFailures; k > 0 && d < c.MaxDelay; k-- {
			d *= 2
		}
		r.notBefore = now.Add(min(d, c.MaxDelay))
	}
}

// insert adds a fresh record for key, evicting the oldest when full.
func (l *Limiter) insert(key netip.Prefix, now time.Time) *record {
	for len(l.recs) >= l.cfg.MaxKeys && l.oldest != nil {
		l.evict(l.oldest, now)
	}
	r := &record{key: key, last: now}
	l.recs[key] = r
	l.pushNewest(r)
	return r
}

// expire forgets the records quiet for long enough. A record lives at
// least as long as its spacing or lockout, which started at its last attempt.
func (l *Limiter) expire(now time.Time) {
	keep := max(l.cfg.Forget, l.cfg.Lockout, l.cfg.MaxDelay)
	for r := l.oldest; r != nil && !now.Before(r.last.Add(keep)); r = l.oldest {
		r.win.open = false // ended long ago: Flush has reported it
		l.remove(r)
	}
}

func (l *Limiter) remove(r *record) {
	delete(l.recs, r.key)
	l.unlink(r)
}

func (l *Limiter) pushNewest(r *record) {
	r.prev, r.next = l.newest, nil
	if l.newest != nil {
		l.newest.next = r
	} else {
		l.oldest = r
	}
	l.newest = r
}

func (l *Limiter) unlink(r *record) {
	if r.prev != nil {
		r.prev.next = r.next
	} else if l.oldest == r {
		l.oldest = r.next
	}
	if r.next != nil {
		r.next.prev = r.prev
	} else if l.newest == r {
		l.newest = r.prev
	}
	r.prev, r.next = nil, nil
}

func (l *Limiter) report(evs []Event) {
	if l.cfg.Report == nil {
		return
	}
	for _, e := range evs {
		l.cfg.Report(e)
	}
}
