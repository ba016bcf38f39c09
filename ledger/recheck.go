package ledger

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/internal/intern"
	"github.com/govledger/govledger/internal/payload"
)

// Rules re-decide a log's events by the governance rules, as audit.Rules (for Verify and
// VerifyExport): each event against its consortium's state just before it (each
// consortium's events must come in log order; how the consortia interleave does not
// matter), so that an event appended past the ledger that breaks them is caught where
// it stands; and, at the end, whatever the last events left undone. Rules keep every
// consortium's state as they go and are not safe for concurrent use.
type Rules struct {
	states map[string]*governance.State
	// owing are the consortia whose last event is an outcome still owing its effect,
	// with that event: rare, and only for the moment between the two.
	owing map[string]events.Envelope
	// One copy of each partner id, vote, matter and role the states hold, however many
	// events name it.
	words *intern.Table
}

// Recheck returns rules that have seen no event yet.
func Recheck() *Rules {
	return &Rules{states: map[string]*governance.State{}, owing: map[string]events.Envelope{}, words: intern.New(0)}
}

// Check re-decides e against its consortium's state before it, then applies it.
func (r *Rules) Check(e events.Envelope) error {
	p, err := payload.Decode(e.Type, e.Payload, r.words.Of)
	if err != nil {
		return fmt.Errorf("event %s at sequence %d: %w", e.ID, e.Seq, err)
	}
	ev := governance.Event{OccurredAt: e.OccurredAt, Actor: governance.Actor{Person: e.Actor.Person, Partner: e.Actor.Partner}, Payload: p}
	s := r.states[e.Consortium]
	if err := governance.Check(s, ev); err != nil {
		return fmt.Errorf("%s: %w", e.Type, err)
	}
	owed := s != nil && s.EffectDue != ""
	next := governance.Apply(s, ev)
	if next != s { // formed; otherwise s, changed in place
		r.states[e.Consortium] = next
	}
	switch {
	case next.EffectDue != "":
		r.owing[e.Consortium] = e
	case owed:
		delete(r.owing, e.Consortium)
	}
	return nil
}

// End is the rules' word on the end of the log: the first event after which what the
// rules require never came (an outcome without the event that carries it out), and
// why; a zero event and nil when nothing is left undone.
func (r *Rules) End() (events.Envelope, error) {
	if len(r.owing) == 0 {
		return events.Envelope{}, nil
	}
	outcomes := slices.SortedFunc(func(yield func(events.Envelope) bool) {
		for _, e := range r.owing {
			if !yield(e) {
				return
			}
		}
	}, func(a, b events.Envelope) int { return cmp.Compare(a.Seq, b.Seq) })
	e := outcomes[0]
	return e, fmt.Errorf("%s: %w", e.Type, governance.Unfinished(r.states[e.Consortium]))
}
