package events

import (
	"sync"
	"testing"
	"time"
)

// Appends to different consortia seal events on different goroutines at once; the ids
// each goroutine gets must still increase, or a consortium's chain fails the audit.
func TestIDsIncreaseAcrossGoroutines(t *testing.T) {
	const goroutines, each = 4, 20_000
	got := make([][]string, goroutines)
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for range each {
				got[g] = append(got[g], nextID(time.Now()))
			}
		})
	}
	wg.Wait()
	seen := map[string]bool{}
	for g, ids := range got {
		for i, id := range ids {
			if i > 0 && id <= ids[i-1] {
				t.Fatalf("goroutine %d: id %d %s is not after %s", g, i, id, ids[i-1])
			}
			if seen[id] {
				t.Fatalf("id %s made twice", id)
			}
			seen[id] = true
		}
	}
	// A clock that goes back does not take the ids back with it.
	later := nextID(time.Now().Add(-time.Hour))
	if last := got[0][each-1]; later <= last {
		t.Fatalf("id %s made after %s with an earlier clock is not after it", later, last)
	}
}
