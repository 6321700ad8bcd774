//go:build !unix

package relay

import "time"

// cpuTime is not measured here; benchmarks then skip the cpu-ms/GB metric.
func cpuTime() time.Duration { return -1 }
