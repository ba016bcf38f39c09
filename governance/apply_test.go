package governance_test

import (
	"encoding/json"
	"testing"
	"time"

	g "github.com/govledger/govledger/governance"
)

// A state read back from JSON, as the read models restore it from a checkpoint, keeps
// applying: a proposal with no interests yet takes its first declaration.
func TestApplyToStateReadBackFromJSON(t *testing.T) {
	s := formSynergy(t)
	s.do(g.TableProposal{At: at(1), Proposal: "grant", Matter: g.MatterOrdinary, Title: "Award the carers grant"})
	data, err := json.Marshal(s.state)
	if err != nil {
		t.Fatal(err)
	}
	var restored g.State
	if err := json.Unmarshal(data, &restored); err != nil {
		t.Fatal(err)
	}
	evs, err := g.Decide(&restored, g.DeclareInterest{At: at(2), Proposal: "grant", Partner: "essex-mind", Interest: "recipient of the grant"})
	if err != nil {
		t.Fatal(err)
	}
	got := g.Apply(&restored, evs[0])
	if got.Proposals["grant"].Interests["essex-mind"] != "recipient of the grant" || got.Proposals["grant"].InElectorate("essex-mind") {
		t.Fatalf("after the declaration: %+v", got.Proposals["grant"])
	}
}

// Apply never fails: an event about something the state does not know changes nothing.
func TestApplyIgnoresWhatItCannotApply(t *testing.T) {
	if got := g.Apply(nil, g.Event{OccurredAt: at(1), Payload: g.VoteCast{Proposal: "p", Partner: "x", Vote: "for"}}); got != nil {
		t.Fatalf("an event before formation made %+v", got)
	}
	s := formSynergy(t)
	before := s.state.Clone()
	for _, p := range []g.Payload{
		g.VoteCast{Proposal: "no-such", Partner: "essex-mind", Vote: "for"},
		g.InterestDeclared{Proposal: "no-such", Partner: "essex-mind", Interest: "x"},
		g.Outcome{Proposal: "no-such", Result: g.OutcomeCarried},
		g.PartnerAdmitted{Partner: "no-such", Proposal: "no-such"},
		g.PartnerExpelled{Partner: "no-such", Proposal: "no-such"},
		g.RoleAssigned{Partner: "no-such", Role: g.RoleChair},
		g.RoleAssigned{Partner: "essex-mind", Role: "treasurer"},
		g.RoleAssigned{Partner: "essex-mind", Role: g.RolePointOfContact},
		g.NoticeServed{Partner: "no-such", EffectiveAt: at(90)},
		g.DisputeEscalated{Dispute: "no-such", Stage: 1},
		g.DisputeResolved{Dispute: "no-such", Outcome: "x"},
	} {
		g.Apply(s.state, g.Event{OccurredAt: at(1), Payload: p})
	}
	if !equalJSON(before, s.state) {
		t.Fatal("events about unknown things changed the state")
	}
}

// The terms may be amended to a shorter dispute ladder while a dispute is high on the
// old one: escalating it is refused, not a crash.
func TestEscalationAfterTheLadderShrank(t *testing.T) {
	s := formSynergy(t)
	s.do(g.RaiseDispute{At: at(1), Dispute: "late-payments", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid late"})
	s.do(g.EscalateDispute{At: at(2), Dispute: "late-payments"})
	s.do(g.EscalateDispute{At: at(3), Dispute: "late-payments"})
	terms := loadTerms(t, synergy.terms)
	terms.DisputeLadder = terms.DisputeLadder[:1]
	s.do(g.RecordMeetingDecision{
		TableProposal: g.TableProposal{At: at(4), Proposal: "short-ladder", Matter: g.MatterAmendTerms, Title: "Negotiation only", NewTerms: &terms},
		Attendance:    foundingThree, Votes: map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"},
	})
	s.refuse(g.EscalateDispute{At: at(5), Dispute: "late-payments"}, g.CodeConflict,
		"dispute late-payments is at the last stage of the ladder (negotiation): it cannot be escalated further")
	if d := s.state.Disputes["late-payments"]; d.Overdue(at(400), s.state) {
		t.Fatal("a dispute beyond the ladder's end is overdue")
	}
	s.do(g.ResolveDispute{At: at(5), Dispute: "late-payments", Outcome: "Paid in full"})
}

// A dispute still open when the consortium is dissolved stays open, and is overdue
// only until the dissolution: nobody can act on it after.
func TestDisputeOpenAtDissolutionIsNotOverdue(t *testing.T) {
	s := formSynergy(t)
	s.do(g.RaiseDispute{At: at(1), Dispute: "late-payments", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid late"})
	due := s.state.Terms.DisputeLadder[0].Limit(at(1))
	wound := due.Add(24 * time.Hour)
	s.do(g.RecordMeetingDecision{TableProposal: g.TableProposal{At: wound, Proposal: "wind-up", Matter: g.MatterDissolution, Title: "Dissolve"},
		Attendance: foundingThree, Votes: map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"}})
	d := s.state.Disputes["late-payments"]
	for _, c := range []struct {
		when time.Time
		want bool
	}{{due, false}, {due.Add(time.Second), true}, {wound.Add(-time.Second), true}, {wound, false}, {at(400), false}} {
		if got := d.Overdue(c.when, s.state); got != c.want || d.Status != g.DisputeStatusOpen {
			t.Errorf("at %s: %s, overdue %v; want open, overdue %v", c.when, d.Status, got, c.want)
		}
	}
}

// Decide refuses a command that is not one of the rules', or has no time.
func TestDecideRefusesNonCommands(t *testing.T) {
	s := formSynergy(t)
	_, err := g.Decide(s.state, nil)
	assertRefused(t, "nil", err, g.CodeInvalid, "<nil> is not a command")
	s.refuse(g.CastVote{Proposal: "p", Partner: "essex-mind", Vote: "for"}, g.CodeInvalid, "cast-vote needs the time it happens (at)")
	_, err = g.Decide(nil, g.CastVote{At: at(1), Proposal: "p", Partner: "essex-mind", Vote: "for"})
	assertRefused(t, "unformed", err, g.CodeNotFound, "the consortium does not exist: form it first")
}
