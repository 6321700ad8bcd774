package main

import (
	"fmt"
	"log/slog"
)

// openFiles is the open-file limit in force, set once at start-up by
// raiseFileLimit for the commands that serve connections, and logged on
// serve's "serving" line.
var openFiles fileLimit

// fileLimit is what raiseFileLimit found and left.
type fileLimit struct {
	soft, was uint64 // 0: not known
	err       error
}

// LogValue says the limit, and what it was if it was raised.
func (l fileLimit) LogValue() slog.Value {
	switch {
	case l.err != nil:
		return slog.StringValue("not raised: " + l.err.Error())
	case l.soft == 0:
		return slog.StringValue("unknown")
	case l.was != l.soft:
		return slog.StringValue(fmt.Sprintf("%d (raised from %d)", l.soft, l.was))
	}
	return slog.StringValue(fmt.Sprint(l.soft))
}
