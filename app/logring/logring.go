// Package logring keeps the app's last log lines in memory, bounded,
// for the Log screen, through a slog.Handler.
package logring

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// DefaultLines is how many lines a Ring keeps when New is given none.
const DefaultLines = 2000

// Line is one log record as the Log screen shows it.
type Line struct {
	Seq   uint64 // increases by one per line, across the ring's life
	Time  time.Time
	Level slog.Level
	Text  string // the message and its attributes, key=value
}

// Ring keeps the last lines logged; older ones drop out, so its memory is
// bounded however long the app runs. Safe for concurrent use.
type Ring struct {
	mu    sync.Mutex
	lines []Line // circular, len == cap once full
	next  int    // where the next line goes once full
	seq   uint64
}

// New returns a ring that keeps n lines (DefaultLines if n <= 0).
func New(n int) *Ring {
	if n <= 0 {
		n = DefaultLines
	}
	return &Ring{lines: make([]Line, 0, n)}
}

func (r *Ring) add(l Line) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.seq++
	l.Seq = r.seq
	if len(r.lines) < cap(r.lines) {
		r.lines = append(r.lines, l)
		return
	}
	r.lines[r.next] = l
	r.next = (r.next + 1) % len(r.lines)
}

// Lines returns the kept lines at or above min, oldest first.
func (r *Ring) Lines(min slog.Level) []Line {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Line, 0, len(r.lines))
	for i := range r.lines {
		l := r.lines[(r.next+i)%len(r.lines)]
		if l.Level >= min {
			out = append(out, l)
		}
	}
	return out
}

// Seq is the sequence number of the last line logged (0 before any), so a
// reader can tell cheaply whether anything is new.
func (r *Ring) Seq() uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.seq
}

// Handler returns a slog.Handler that writes into the ring and, when w is
// not nil, as text to w (stderr for the app).
func (r *Ring) Handler(w io.Writer) slog.Handler {
	h := &ringHandler{ring: r}
	if w != nil {
		h.text = slog.NewTextHandler(w, nil)
	}
	return h
}

// ringHandler formats a record's attributes with slog's own text handler
// (so quoting and LogValuer redaction behave as on stderr) and keeps the
// result in the ring.
type ringHandler struct {
	ring *Ring
	text slog.Handler // to stderr; nil for none
	// ops replays WithAttrs and WithGroup, in order, on the per-record
	// formatter.
	ops []func(slog.Handler) slog.Handler
}

func (h *ringHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h *ringHandler) Handle(ctx context.Context, rec slog.Record) error {
	var buf bytes.Buffer
	th := slog.Handler(slog.NewTextHandler(&buf, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && (a.Key == slog.TimeKey || a.Key == slog.LevelKey || a.Key == slog.MessageKey) {
				return slog.Attr{}
			}
			return a
		},
	}))
	for _, op := range h.ops {
		th = op(th)
	}
	_ = th.Handle(ctx, rec)
	text := rec.Message
	if attrs := strings.TrimSpace(buf.String()); attrs != "" {
		text += "  " + attrs
	}
	h.ring.add(Line{Time: rec.Time, Level: rec.Level, Text: text})
	if h.text != nil {
		return h.text.Handle(ctx, rec)
	}
	return nil
}

func (h *ringHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.ops = append(h.ops[:len(h.ops):len(h.ops)], func(t slog.Handler) slog.Handler { return t.WithAttrs(as) })
	if h.text != nil {
		c.text = h.text.WithAttrs(as)
	}
	return &c
}

func (h *ringHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.ops = append(h.ops[:len(h.ops):len(h.ops)], func(t slog.Handler) slog.Handler { return t.WithGroup(name) })
	if h.text != nil {
		c.text = h.text.WithGroup(name)
	}
	return &c
}
