package ledger_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/internal/simulate"
	"github.com/govledger/govledger/ledger"
)

// TestWarmLoadsEveryConsortium: one pass over the log gives every consortium the state
// a command would load, and leaves a consortium with an event it cannot apply to be
// loaded, and refused, when it is commanded.
func TestWarmLoadsEveryConsortium(t *testing.T) {
	log, _ := open(t, "")
	ctx := context.Background()
	lives, err := simulate.Fill(ctx, log, simulate.Ledger{Consortia: 3, Prefix: "partnership", Events: 150, Seed: 7, Start: day0})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := log.Append(ctx, "garbled", 0, events.Draft{Type: g.TypeVoteCast, CommandID: "raw-1", Payload: json.RawMessage(`{"ballot":"not a vote"}`)}); err != nil {
		t.Fatal(err)
	}
	l := ledger.New(log)
	n, err := l.Warm(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != len(lives) {
		t.Errorf("warmed %d consortia, want %d", n, len(lives))
	}
	for _, p := range lives {
		if !ledger.Loaded(l, p.ID) {
			t.Errorf("%s is not loaded", p.ID)
		}
		sameAsLoaded(t, log, l, p.ID, "warming")
	}
	if ledger.Loaded(l, "garbled") {
		t.Error("a consortium whose event cannot be applied is marked loaded")
	}
	_, err = l.Handle(ctx, ledger.Command{Consortium: "garbled", Do: g.ServeNotice{At: at(1), Partner: "anyone"}})
	if err == nil || !strings.Contains(err.Error(), "vote-cast") {
		t.Errorf("a command on the garbled consortium: %v, want the event it cannot read named", err)
	}
}

// TestWarmWhileCommanding: commands on the consortia being warmed go on meanwhile;
// every event is applied once, in order, whichever gets to it first.
func TestWarmWhileCommanding(t *testing.T) {
	log, _ := open(t, "")
	ctx := context.Background()
	lives, err := simulate.Fill(ctx, log, simulate.Ledger{Consortia: 4, Prefix: "partnership", Events: 200, Seed: 11, Start: day0})
	if err != nil {
		t.Fatal(err)
	}
	l := ledger.New(log)
	var wg sync.WaitGroup
	wg.Go(func() {
		if _, err := l.Warm(ctx); err != nil {
			t.Error(err)
		}
	})
	for _, p := range lives {
		wg.Go(func() {
			for range 15 {
				c, _ := p.Next(false)
				if c == nil {
					return
				}
				if _, err := l.Handle(ctx, ledger.Command{Consortium: p.ID, Actor: g.Actor{Person: "secretary"}, Do: c}); err != nil {
					t.Errorf("%s on %s: %v", c.CommandName(), p.ID, err)
					return
				}
			}
		})
	}
	wg.Wait()
	for _, p := range lives {
		sameAsLoaded(t, log, l, p.ID, "warming while commanding")
	}
}
