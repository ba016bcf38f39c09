package simulate_test

import (
	"testing"
	"time"

	"github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/internal/simulate"
)

// TestLivesCoverEveryEvent: a few simulated partnerships between them record every kind
// of event, so that tests built on them exercise every read model.
func TestLivesCoverEveryEvent(t *testing.T) {
	seen := map[string]int{}
	total := 0
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		p := simulate.New(id, 1, time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), simulate.Options{DissolveAfter: 250, Eventful: true})
		for range 400 {
			_, evs := p.Next(false)
			if evs == nil {
				break
			}
			for _, e := range evs {
				seen[e.Type()]++
				total++
			}
		}
	}
	for _, typ := range governance.EventTypes() {
		if seen[typ] == 0 {
			t.Errorf("no %s in %d events", typ, total)
		}
	}
	t.Logf("%d events: %v", total, seen)
}
