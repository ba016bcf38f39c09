// Package benchtest holds what the Go benchmarks of several packages share: sides
// measured by turns against raw JetStream. Only tests import it.
package benchtest

import (
	"runtime/metrics"
	"testing"
	"time"
)

// Side is what one side took over all the rounds: the time, the CPU time of the whole
// process meanwhile (the embedded server's work for it included), and the garbage
// collector's part of that CPU time.
type Side struct {
	Wall, CPU, GC time.Duration
}

// Rounds runs every side once a round, for as many rounds as b.Loop allows, each round
// starting with another side, so that none always runs first or last and a busy machine
// slows them alike. It returns what each side took over all the rounds.
func Rounds(b *testing.B, sides ...func()) []Side {
	took := make([]Side, len(sides))
	for round := 0; b.Loop(); round++ {
		for i := range sides {
			side := (round + i) % len(sides)
			cpu, gc, start := cpuTime()
			sides[side]()
			cpuAfter, gcAfter, end := cpuTime()
			took[side].Wall += end.Sub(start)
			took[side].CPU += cpuAfter - cpu
			took[side].GC += gcAfter - gc
		}
	}
	return took
}

// ReportCPU reports a side's CPU time and the collector's part of it, in seconds per
// million events (events: the events one round of the side handles), as name-cpu-s/M
// and name-gc-s/M.
func ReportCPU(b *testing.B, name string, s Side, events int) {
	perMillion := func(d time.Duration) float64 { return d.Seconds() / float64(events*b.N) * 1e6 }
	b.ReportMetric(perMillion(s.CPU), name+"-cpu-s/M")
	b.ReportMetric(perMillion(s.GC), name+"-gc-s/M")
}

// cpuTime is the process's CPU time so far (processCPU), the collector's part of it,
// and the time now. The runtime counts the collector's time as of its last cycle, which
// over a side of seconds, with many cycles, is close enough.
func cpuTime() (cpu, gc time.Duration, now time.Time) {
	m := []metrics.Sample{{Name: "/cpu/classes/gc/total:cpu-seconds"}}
	metrics.Read(m)
	return processCPU(), time.Duration(m[0].Value.Float64() * float64(time.Second)), time.Now()
}
