package ui

import (
	"math"
	"testing"
	"time"
)

func TestBytesAndRate(t *testing.T) {
	for _, tc := range []struct {
		in    float64
		bytes string
		rate  string
	}{
		{0, "0 B", "0 B/s"},
		{-5, "0 B", "0 B/s"},
		{math.NaN(), "0 B", "0 B/s"},
		{1, "1 B", "1 B/s"},
		{999, "999 B", "999 B/s"},
		{1000, "1.0 KB", "1.0 KB/s"},
		{1500, "1.5 KB", "1.5 KB/s"},
		{9949, "9.9 KB", "9.9 KB/s"},
		{9960, "10 KB", "10 KB/s"},
		{12_345, "12 KB", "12 KB/s"},
		{999_499, "999 KB", "999 KB/s"},
		{999_999, "1.0 MB", "1.0 MB/s"},
		{2_500_000, "2.5 MB", "2.5 MB/s"},
		{120_000_000, "120 MB", "120 MB/s"},
		{3_400_000_000, "3.4 GB", "3.4 GB/s"},
		{5e15, "5.0 PB", "5.0 PB/s"},
		{9.2e18, "9.2 EB", "9.2 EB/s"},
	} {
		if got := Rate(tc.in); got != tc.rate {
			t.Errorf("Rate(%v) = %q, want %q", tc.in, got, tc.rate)
		}
		if tc.in < 9e18 && !math.IsNaN(tc.in) {
			if got := Bytes(int64(tc.in)); got != tc.bytes {
				t.Errorf("Bytes(%v) = %q, want %q", int64(tc.in), got, tc.bytes)
			}
		}
	}
}

func TestAge(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{-time.Second, "0s"},
		{0, "0s"},
		{4*time.Second + 900*time.Millisecond, "4s"},
		{59 * time.Second, "59s"},
		{3*time.Minute + 5*time.Second, "3m05s"},
		{2*time.Hour + 7*time.Minute, "2h07m"},
		{76 * time.Hour, "3d04h"},
	} {
		if got := Age(tc.in); got != tc.want {
			t.Errorf("Age(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
