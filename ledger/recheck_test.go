package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/ledger"
)

// An auditor re-decides every event: a whole history recorded through the ledger
// passes, and an event appended past the ledger that breaks the rules is named.
func TestRecheckFindsAnEventThatBreaksTheRules(t *testing.T) {
	log, _ := open(t, "")
	l := ledger.New(log)
	ctx := context.Background()
	for _, c := range history(t) {
		if _, err := l.Handle(ctx, c); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
	}
	if r, err := audit.Verify(ctx, log, audit.Options{Check: ledger.Recheck()}); err != nil || r.Checked == 0 {
		t.Fatalf("the ledger's own history: %d events checked, %v", r.Checked, err)
	}

	// The consortium is dissolved: a vote appended straight to the log, with a sound
	// hash chain, is a fact the rules forbid.
	head, err := log.Head(ctx, "synergy")
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(g.VoteCast{Proposal: "venue", Partner: "essex-council", Vote: "against"})
	forged, err := log.Append(ctx, "synergy", head.Seq, events.Draft{Type: g.TypeVoteCast, OccurredAt: at(301), Payload: payload,
		Actor: events.Actor{Person: "someone", Partner: "essex-council"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = audit.Verify(ctx, log, audit.Options{Check: ledger.Recheck()})
	var f *audit.Fault
	if !errors.As(err, &f) || f.Seq != forged[0].Seq || f.EventID != forged[0].ID || !strings.Contains(err.Error(), "consortium synergy is dissolved") {
		t.Fatalf("verify = %v, want the forged vote at sequence %d", err, forged[0].Seq)
	}
	// Without the rules, the chain alone does not see it.
	if _, err := audit.Verify(ctx, log, audit.Options{}); err != nil {
		t.Fatalf("the chain alone: %v", err)
	}
}
