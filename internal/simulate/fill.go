package simulate

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/governance"
)

// Ledger describes a ledger to fill.
type Ledger struct {
	// Consortia is how many partnerships, named <Prefix>-0 … <Prefix>-(n-1).
	Consortia int
	Prefix    string
	// Events is how many events each partnership records.
	Events int
	// Seed makes the histories repeatable.
	Seed uint64
	// Start is when the partnerships are formed.
	Start time.Time
	// Workers append in parallel, each for its own share of the partnerships (default 4).
	Workers int
	// Progress, if set, is called now and then with the number of events appended.
	Progress func(appended int64)
}

// Fill appends the histories of l.Consortia partnerships of l.Events events each to
// log, interleaved across partnerships as a real ledger's are, and returns the
// partnerships as their histories left them.
//
// Every event is one the rules decided, linked into its consortium's hash chain and
// appended with the consortium's sequence check, as the ledger appends (AppendNew: each
// command is new, and the messages carry no Nats-Msg-Id). Each is appended on its own, under a
// command id of its own: a command's outcome and its effect arrive one after the other
// rather than in one atomic batch, which fills a large ledger many times faster (an
// atomic batch is staged on disk by a single server) and changes nothing a reader of
// the log sees except how events are grouped into commands.
func Fill(ctx context.Context, log *events.Log, l Ledger) ([]*Partnership, error) {
	if l.Workers <= 0 {
		l.Workers = 4
	}
	ps := make([]*Partnership, l.Consortia)
	for i := range ps {
		ps[i] = New(fmt.Sprintf("%s-%d", l.Prefix, i), l.Seed, l.Start, Options{})
	}
	var appended atomic.Int64
	errs := make(chan error, l.Workers)
	var wg sync.WaitGroup
	for w := range l.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []*feed
			for i := w; i < len(ps); i += l.Workers {
				mine = append(mine, &feed{p: ps[i], left: l.Events})
			}
			for active := len(mine); active > 0; {
				active = 0
				for _, f := range mine {
					if f.left == 0 {
						continue
					}
					active++
					if err := f.appendOne(ctx, log); err != nil {
						errs <- err
						return
					}
					if n := appended.Add(1); l.Progress != nil && n%50_000 == 0 {
						l.Progress(n)
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return ps, <-errs
}

// feed appends one partnership's events one at a time.
type feed struct {
	p       *Partnership
	left    int
	pending []governance.Event
	head    uint64
}

func (f *feed) appendOne(ctx context.Context, log *events.Log) error {
	if len(f.pending) == 0 {
		// Near the end, only one-event commands, so that the count comes out exact.
		_, f.pending = f.p.Next(f.left < 50)
		if f.pending == nil {
			return fmt.Errorf("partnership %s has nothing more to record", f.p.ID)
		}
	}
	d, err := Draft(f.pending[0], governance.Actor{Person: "steering-group-secretary"})
	if err != nil {
		return err
	}
	got, _, err := log.AppendNew(ctx, f.p.ID, f.head, d)
	if err != nil {
		return fmt.Errorf("fill %s: %w", f.p.ID, err)
	}
	f.pending, f.head, f.left = f.pending[1:], got[0].Seq, f.left-1
	return nil
}

// Draft is the event as the log records it, acted by actor unless the event names
// its own.
func Draft(e governance.Event, actor governance.Actor) (events.Draft, error) {
	payload, err := json.Marshal(e.Payload)
	if err != nil {
		return events.Draft{}, fmt.Errorf("encode %s: %w", e.Type(), err)
	}
	if e.Actor != (governance.Actor{}) {
		actor = e.Actor
	}
	return events.Draft{Type: e.Type(), OccurredAt: e.OccurredAt, Payload: payload,
		Actor: events.Actor{Person: actor.Person, Partner: actor.Partner}}, nil
}
