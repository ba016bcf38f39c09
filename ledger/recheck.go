package ledger

import (
	"fmt"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/internal/intern"
	"github.com/govledger/govledger/internal/payload"
)

// Recheck returns a check for audit.Options.Check: it re-decides each event, in log
// order, by the governance rules against its consortium's state just before it, so an
// event appended past the ledger that breaks the rules is caught where it stands. It
// keeps every consortium's state as it goes and is not safe for concurrent use.
func Recheck() func(events.Envelope) error {
	states := map[string]*governance.State{}
	// One copy of each partner id, vote, matter and role the states hold, however many
	// events name it.
	words := intern.New(0)
	return func(e events.Envelope) error {
		p, err := payload.Decode(e.Type, e.Payload, words.Of)
		if err != nil {
			return fmt.Errorf("event %s at sequence %d: %w", e.ID, e.Seq, err)
		}
		ev := governance.Event{OccurredAt: e.OccurredAt, Actor: governance.Actor{Person: e.Actor.Person, Partner: e.Actor.Partner}, Payload: p}
		s := states[e.Consortium]
		if err := governance.Check(s, ev); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		if next := governance.Apply(s, ev); next != s { // formed; otherwise s, changed in place
			states[e.Consortium] = next
		}
		return nil
	}
}
