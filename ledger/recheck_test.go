package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
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
	if r, err := audit.Verify(ctx, log, withRules()); err != nil || r.Checked == 0 {
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
	_, err = audit.Verify(ctx, log, withRules())
	var f *audit.Fault
	if !errors.As(err, &f) || f.Seq != forged[0].Seq || f.EventID != forged[0].ID || !strings.Contains(err.Error(), "consortium synergy is dissolved") {
		t.Fatalf("verify = %v, want the forged vote at sequence %d", err, forged[0].Seq)
	}
	// Without the rules, the chain alone does not see it.
	if _, err := audit.Verify(ctx, log, audit.Options{}); err != nil {
		t.Fatalf("the chain alone: %v", err)
	}
}

// withRules are audit options that re-decide every event.
func withRules() audit.Options {
	return audit.Options{Rules: ledger.Recheck()}
}

// An outcome appended past the ledger without the event that carries it out is caught:
// at the end of the log, and when the log goes on without it.
func TestRecheckFindsAnOutcomeWithoutItsEffect(t *testing.T) {
	log, _ := open(t, "")
	l := ledger.New(log)
	ctx := context.Background()
	cmds := history(t)
	closing := slices.IndexFunc(cmds, func(c ledger.Command) bool { return c.ID == "close-admit-council" })
	for _, c := range cmds[:closing] {
		if _, err := l.Handle(ctx, c); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
	}
	s, seq, err := l.State(ctx, "synergy")
	if err != nil {
		t.Fatal(err)
	}
	evs, err := g.Decide(s, g.CloseProposal{At: at(9), Proposal: "admit-council"})
	if err != nil || len(evs) != 2 || evs[1].Type() != g.TypePartnerAdmitted {
		t.Fatalf("closing: %v %v", evs, err)
	}
	outcome, _ := json.Marshal(evs[0].Payload)
	forged, err := log.Append(ctx, "synergy", seq, events.Draft{Type: evs[0].Type(), OccurredAt: at(9), Payload: outcome,
		Actor: events.Actor{Person: "someone", Partner: "essex-mind"}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = audit.Verify(ctx, log, withRules())
	var f *audit.Fault
	if !errors.As(err, &f) || f.Seq != forged[0].Seq || f.EventID != forged[0].ID ||
		!strings.Contains(err.Error(), "the record ends without partner.admitted of it") {
		t.Fatalf("verify = %v, want the carried admission at sequence %d, without its effect", err, forged[0].Seq)
	}

	// The ledger takes the next command on what the log says, and the audit names it.
	next := cmds[closing+1]
	res, err := l.Handle(ctx, next)
	if err != nil {
		t.Fatalf("%s: %v", next.ID, err)
	}
	_, err = audit.Verify(ctx, log, withRules())
	if !errors.As(err, &f) || f.Seq != res.Seq || !strings.Contains(err.Error(), "partner.admitted of it must come next") {
		t.Fatalf("verify = %v, want %s at sequence %d", err, next.ID, res.Seq)
	}
}
