package sockowner

import "testing"

// The parts of a lookup, on this host as it is: listing the TCP sockets
// through sock_diag or /proc/net/tcp (which also formats TIME_WAIT ones),
// and walking every process's fds for a socket no one holds.

func BenchmarkSocketsDiag(b *testing.B) {
	for b.Loop() {
		s, err := diagSockets()
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(s)), "sockets")
	}
}

func BenchmarkSocketsProc(b *testing.B) {
	for b.Loop() {
		s := append(readTCP("/proc/net/tcp"), readTCP("/proc/net/tcp6")...)
		b.ReportMetric(float64(len(s)), "sockets")
	}
}

func BenchmarkFdScanAll(b *testing.B) {
	for b.Loop() {
		findProcesses("/proc", map[uint64]bool{1: true}, nil)
	}
}
