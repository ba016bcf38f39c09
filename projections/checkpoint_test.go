package projections_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/internal/simulate"
	"github.com/govledger/govledger/projections"
)

// TestCheckpointAtAnyPoint: models put through a checkpoint's encoding after any event
// of a history, then fed the rest of it, give the same answers as models fed the whole
// history without a break.
func TestCheckpointAtAnyPoint(t *testing.T) {
	// Two partnerships' histories, interleaved as the stream would hold them.
	var log []events.Envelope
	lives := []*simulate.Partnership{
		simulate.New("alliance", 3, day0, simulate.Options{DissolveAfter: 80}),
		simulate.New("collaborative", 3, day0, simulate.Options{}),
	}
	for i := range 200 {
		p := lives[i%2]
		_, evs := p.Next(false)
		for _, e := range evs {
			payload, _ := json.Marshal(e.Payload)
			log = append(log, events.Envelope{ID: fmt.Sprintf("01JQ%022d", len(log)+1), Type: e.Type(), Consortium: p.ID,
				Seq: uint64(len(log) + 1), OccurredAt: e.OccurredAt, Actor: events.Actor{Person: "secretary"}, Payload: payload})
		}
	}
	whole := projections.NewModels()
	for _, e := range log {
		whole.Apply(e)
	}
	times := []time.Time{day0, day0.AddDate(0, 3, 0), day0.AddDate(1, 0, 0), day0.AddDate(5, 0, 0)}
	want := answers(t, whole, times...)
	for k := 0; k <= len(log); k += 7 {
		m := projections.NewModels()
		for _, e := range log[:k] {
			m.Apply(e)
		}
		m = projections.ThroughCheckpoint(m)
		for _, e := range log[k:] {
			m.Apply(e)
		}
		if got := answers(t, m, times...); got != want {
			t.Fatalf("through a checkpoint after event %d, the answers differ", k)
		}
	}
}
