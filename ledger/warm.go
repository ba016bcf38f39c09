package ledger

import (
	"context"

	"github.com/govledger/govledger/events"
)

// Warm loads the state of every consortium in one pass over the log, so that no
// command waits for its consortium's history to be read: otherwise the first command
// on a consortium in a process reads that history through a filtered consumer over the
// whole stream, a second or more on a million events. It returns how many consortia it
// loaded.
//
// Commands may run meanwhile. Each event is applied under its consortium's lock, and
// only if it is the next one of the state held (later than the last applied and naming
// it as prev): one a command of this process applied first is passed over. A consortium
// whose events cannot be applied is left to be loaded when it is commanded, which then
// reports what is wrong.
func (l *Ledger) Warm(ctx context.Context) (int, error) {
	broken := map[string]bool{}
	warmed := map[string]*live{}
	err := l.log.Replay(ctx, 1, func(e events.Envelope) error {
		if broken[e.Consortium] {
			return nil
		}
		lv := l.live(e.Consortium)
		lv.mu.Lock()
		defer lv.mu.Unlock()
		switch {
		case e.Seq <= lv.seq:
		case e.Prev != lv.hash || lv.apply(e) != nil:
			broken[e.Consortium] = true
			delete(warmed, e.Consortium)
		default:
			warmed[e.Consortium] = lv
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	for _, lv := range warmed {
		lv.mu.Lock()
		lv.loaded = true
		lv.mu.Unlock()
	}
	return len(warmed), nil
}
