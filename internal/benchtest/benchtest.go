// Package benchtest holds what the Go benchmarks of several packages share: sides
// measured by turns against raw JetStream. Only tests import it.
package benchtest

import (
	"testing"
	"time"
)

// Rounds runs every side once a round, for as many rounds as b.Loop allows, each round
// starting with another side, so that none always runs first or last and a busy machine
// slows them alike. It returns the time each side took over all the rounds.
func Rounds(b *testing.B, sides ...func()) []time.Duration {
	took := make([]time.Duration, len(sides))
	for round := 0; b.Loop(); round++ {
		for i := range sides {
			side := (round + i) % len(sides)
			start := time.Now()
			sides[side]()
			took[side] += time.Since(start)
		}
	}
	return took
}
