package ledger

import (
	"fmt"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/governance"
)

// Recheck returns a check for audit.Options.Check: it re-decides each event, in log
// order, by the governance rules against its consortium's state just before it, so an
// event appended past the ledger that breaks the rules is caught where it stands. It
// keeps every consortium's state as it goes and is not safe for concurrent use.
func Recheck() func(events.Envelope) error {
	states := map[string]*governance.State{}
	return func(e events.Envelope) error {
		ev, err := Event(e)
		if err != nil {
			return err
		}
		s := states[e.Consortium]
		if err := governance.Check(s, ev); err != nil {
			return fmt.Errorf("%s: %w", e.Type, err)
		}
		states[e.Consortium] = governance.Apply(s, ev)
		return nil
	}
}
