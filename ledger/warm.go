package ledger

import (
	"context"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/internal/ahead"
	"github.com/govledger/govledger/internal/group"
)

// warmWindow is how many events Warm reads before it applies them.
const warmWindow = 1 << 14

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
	var byConsortium group.ByConsortium
	// The log is read a window ahead of the states, which take each window consortium
	// by consortium (package group), under the consortium's lock once.
	err := ahead.Run(ctx, warmWindow, func(ctx context.Context, emit func(events.Envelope) error) error {
		// Each event's payload is decoded strictly as it is applied (Event).
		return l.log.Replay(ctx, 1, emit, events.WithoutPayloadCheck())
	}, func(window []events.Envelope) error {
		for i, e := range window {
			if !broken[e.Consortium] {
				byConsortium.Add(e.Consortium, i)
			}
		}
		byConsortium.Each(func(places []int) {
			consortium := window[places[0]].Consortium
			lv := l.live(consortium)
			lv.mu.Lock()
			defer lv.mu.Unlock()
			for _, i := range places {
				e := window[i]
				switch {
				case e.Seq <= lv.last.Seq:
				case e.Prev != lv.last.Hash || lv.apply(e) != nil:
					broken[consortium] = true
					delete(warmed, consortium)
					return
				default:
					warmed[consortium] = lv
				}
			}
		})
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
