package ui

import (
	"fmt"
	"math"
	"time"
)

// Bytes formats a byte count for people in SI units: "0 B", "950 B",
// "1.5 KB", "12 MB", "3.4 GB". Below ten of a unit it keeps one decimal.
func Bytes(n int64) string { return human(float64(n), "") }

// Rate formats bytes per second: "0 B/s", "1.5 KB/s", "120 MB/s".
func Rate(bps float64) string { return human(bps, "/s") }

var units = []string{"B", "KB", "MB", "GB", "TB", "PB", "EB"}

func human(v float64, suffix string) string {
	if math.IsNaN(v) || v < 0 {
		v = 0
	}
	i := 0
	for ; i < len(units)-1; i++ {
		// Move up a unit when the rounded value would print as 1000.
		if v < 1000 && (i == 0 || roundShown(v) < 1000) {
			break
		}
		v /= 1000
	}
	switch {
	case i == 0:
		return fmt.Sprintf("%.0f %s%s", v, units[i], suffix)
	case v < 9.95:
		return fmt.Sprintf("%.1f %s%s", v, units[i], suffix)
	}
	return fmt.Sprintf("%.0f %s%s", v, units[i], suffix)
}

// roundShown is v as it will be printed.
func roundShown(v float64) float64 {
	if v < 9.95 {
		return math.Round(v*10) / 10
	}
	return math.Round(v)
}

// Age formats how long a connection has been open: "4s", "3m05s",
// "2h07m", "3d04h".
func Age(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	s := int64(d / time.Second)
	switch {
	case s < 60:
		return fmt.Sprintf("%ds", s)
	case s < 3600:
		return fmt.Sprintf("%dm%02ds", s/60, s%60)
	case s < 86400:
		return fmt.Sprintf("%dh%02dm", s/3600, s%3600/60)
	}
	return fmt.Sprintf("%dd%02dh", s/86400, s%86400/3600)
}
