package main

import (
	"slices"
	"sync"
	"time"
)

// column is one server under test, a column of the table.
type column int

// The columns, in table order.
const (
	colDirect column = iota
	colSockstray
	colNoCount
	colAuth
	colRules
	colMicrosocks
	colMicroAuth
	colBare
	numColumns
)

var columnNames = [numColumns]string{
	colDirect:     "direct",
	colSockstray:  "sockstray",
	colNoCount:    "sockstray no-count",
	colAuth:       "sockstray auth",
	colRules:      "sockstray 20k rules",
	colMicrosocks: "microsocks",
	colMicroAuth:  "microsocks auth",
	colBare:       "bare relay",
}

func (c column) String() string { return columnNames[c] }

// metric is one row of the table.
type metric int

// The metrics, in table order.
const (
	mUp1 metric = iota
	mDown1
	mBoth8
	mCPU
	mHS8
	mHS8p50
	mHS8p99
	mHS32
	mHS32p50
	mHS32p99
	mHS128
	mHS128p99
	mHSName32
	mConns8
	mConnCPU
	mMem
	mMemOK
	mHSIdle
	mUDP
	mUDPLost
	numMetrics
	noMetric metric = -1 // a step's metric slot it does not fill
)

// metricInfo says how a metric is named, combined over rounds and printed.
type metricInfo struct {
	name   string
	agg    func([]float64) float64
	prec   int  // decimals
	ratios bool // whether ratios between columns mean anything
}

var metrics = [numMetrics]metricInfo{
	mUp1:      {"upload, 1 stream (MB/s)", median, 0, true},
	mDown1:    {"download, 1 stream (MB/s)", median, 0, true},
	mBoth8:    {"8 streams each way, sum (MB/s)", median, 0, true},
	mCPU:      {"server CPU per GB relayed (ms)", median, 0, true},
	mHS8:      {"CONNECTs/s, 8 workers", median, 0, true},
	mHS8p50:   {"  p50 latency (µs)", median, 0, true},
	mHS8p99:   {"  p99 latency (µs)", median, 0, true},
	mHS32:     {"CONNECTs/s, 32 workers", median, 0, true},
	mHS32p50:  {"  p50 latency (µs)", median, 0, true},
	mHS32p99:  {"  p99 latency (µs)", median, 0, true},
	mHS128:    {"CONNECTs/s, 128 workers", median, 0, true},
	mHS128p99: {"  p99 latency (µs)", median, 0, true},
	mHSName32: {"CONNECTs/s by name, 32 workers", median, 0, true},
	mConns8:   {"conn+echo+close/s, 8 workers", median, 0, true},
	mConnCPU:  {"server CPU per connection (µs)", median, 1, true},
	mMem:      {"memory per idle conn (KiB)", median, 1, true},
	mMemOK:    {"  idle conns echoing (worst)", slices.Min[[]float64], 0, false},
	mHSIdle:   {"  CONNECTs/s with them open ÷ without", median, 2, false},
	mUDP:      {"UDP datagrams/s, 32 in flight", median, 0, true},
	mUDPLost:  {"  datagrams lost (worst)", slices.Max[[]float64], 0, false},
}

// results holds every sample, per metric and column.
type results struct {
	mu      sync.Mutex
	samples [numMetrics][numColumns][]float64
	failed  [numMetrics][numColumns]bool
}

func (r *results) add(m metric, c column, v float64) {
	r.mu.Lock()
	r.samples[m][c] = append(r.samples[m][c], v)
	r.mu.Unlock()
}

func (r *results) fail(c column, ms ...metric) {
	r.mu.Lock()
	for _, m := range ms {
		r.failed[m][c] = true
	}
	r.mu.Unlock()
}

// value is the metric's figure for the column over all rounds.
func (r *results) value(m metric, c column) (float64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.samples[m][c]
	if len(s) == 0 {
		return 0, false
	}
	return metrics[m].agg(s), true
}

func median(s []float64) float64 {
	s = slices.Sorted(slices.Values(s))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// percentile is the p-th percentile (0 < p ≤ 100) of sorted, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// applies reports whether metric m can be measured for column c at all:
// direct has no server process, microsocks and the bare relay no UDP, and
// the sockstray variants each serve one comparison.
func applies(m metric, c column) bool {
	switch m {
	case mUp1, mDown1, mBoth8:
		return c != colAuth && c != colRules && c != colMicroAuth
	case mCPU:
		return c != colAuth && c != colRules && c != colMicroAuth && c != colDirect
	case mHS8, mHS8p50, mHS8p99, mHS32, mHS32p50, mHS32p99, mHS128, mHS128p99, mHSName32, mConns8:
		return c != colNoCount
	case mConnCPU:
		return c != colNoCount && c != colDirect
	case mMem, mMemOK, mHSIdle:
		return c == colSockstray || c == colMicrosocks || c == colBare
	case mUDP, mUDPLost:
		return c == colDirect || c == colSockstray
	}
	return false
}

// spread is half the range of the samples relative to their median: how
// far apart the rounds were, so a reader can tell whether a difference of
// a few percent between columns means anything.
func (r *results) spread(m metric, c column) (float64, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.samples[m][c]
	if len(s) < 2 {
		return 0, false
	}
	med := median(s)
	if med == 0 {
		return 0, false
	}
	return (slices.Max(s) - slices.Min(s)) / 2 / med, true
}
