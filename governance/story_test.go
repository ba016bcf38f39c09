package governance_test

import (
	"strings"
	"testing"
	"time"

	g "github.com/govledger/govledger/governance"
)

// A third-sector consortium run by a lead member: unanimity to admit, majority with
// the chair's casting vote for ordinary matters.
func TestLeadMemberConsortium(t *testing.T) {
	s := formSynergy(t)
	if s.state.Terms.Version != 1 || len(s.state.Members(at(0))) != 3 {
		t.Fatalf("formed: version %d, %d members", s.state.Terms.Version, len(s.state.Members(at(0))))
	}
	s.refuse(g.ApplyToJoin{At: at(1), Partner: partner("essex-council", "Essex County Council", "local-authority")},
		g.CodeInvalid, "require an applicant to have a sponsoring partner")
	s.do(g.ApplyToJoin{At: at(1), Partner: partner("essex-council", "Essex County Council", "local-authority"), Sponsor: "brightside-cvs"})
	s.do(g.TableProposal{At: at(2), Proposal: "admit-council", Matter: g.MatterAdmission, Title: "Admit Essex County Council", About: "essex-council"})
	s.refuse(g.CastVote{At: at(3), Proposal: "admit-council", Partner: "essex-council", Vote: "for"},
		g.CodeForbidden, "Essex County Council is not in the electorate of proposal admit-council: the proposal is about it")
	s.do(g.CastVote{At: at(3), Proposal: "admit-council", Partner: "brightside-cvs", Vote: "for"})
	s.do(g.CastVote{At: at(3), Proposal: "admit-council", Partner: "essex-mind", Vote: "against"})
	s.do(g.CastVote{At: at(4), Proposal: "admit-council", Partner: "essex-mind", Vote: "for"}) // changed their mind
	s.refuse(g.CloseProposal{At: at(4), Proposal: "admit-council"}, g.CodeConflict, "could change its outcome")
	s.do(g.CastVote{At: at(4), Proposal: "admit-council", Partner: "colchester-nhs", Vote: "for"})
	if got := types(s.do(g.CloseProposal{At: at(5), Proposal: "admit-council"})); got != "decision.carried partner.admitted" {
		t.Fatalf("close = %s", got)
	}
	if st := s.state.Partners["essex-council"].Status; st != g.StatusActive {
		t.Fatalf("council is %s after a carried admission", st)
	}
	s.refuse(g.CastVote{At: at(6), Proposal: "admit-council", Partner: "essex-mind", Vote: "for"}, g.CodeConflict, "proposal admit-council is closed (carried)")

	// A tie among four on an ordinary matter: the chair's casting vote decides.
	s.do(g.TableProposal{At: at(10), Proposal: "move-venue", Matter: g.MatterOrdinary, Title: "Move meetings to the Mercury Theatre"})
	for id, v := range map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "against", "essex-council": "against"} {
		s.do(g.CastVote{At: at(11), Proposal: "move-venue", Partner: id, Vote: v})
	}
	evs := s.do(g.CloseProposal{At: at(21), Proposal: "move-venue", CastingVote: "for", ReviewDate: "2026-09-01"})
	o := evs[0].Payload.(g.Outcome)
	if o.Result != g.OutcomeCarried || o.CastingVote != "for" || o.Tally.For != 2 || o.Tally.Against != 2 {
		t.Fatalf("casting vote outcome = %+v", o)
	}
	s.refuse(g.CastVote{At: at(12), Proposal: "no-such", Partner: "essex-mind", Vote: "for"}, g.CodeNotFound, "there is no proposal no-such")
	s.refuse(g.CastVote{At: at(12), Proposal: "move-venue", Partner: "age-uk", Vote: "for"}, g.CodeConflict, "closed")
}

// A commissioning collaborative deciding by consensus: one block with a reason stops it.
func TestConsensusWithBlock(t *testing.T) {
	s := formSynergy(t)
	terms := s.state.Terms
	terms.DecisionRules[g.MatterOrdinary] = g.Rule{Method: g.MethodConsensus, Quorum: g.Fraction{Num: 2, Den: 3}}
	s.state.Terms = terms
	s.do(g.TableProposal{At: at(1), Proposal: "breakfast-pathway", Matter: g.MatterOrdinary, Title: "Commission the social prescribing pathway", ClosesAt: at(3)})
	s.refuse(g.CastVote{At: at(2), Proposal: "breakfast-pathway", Partner: "essex-mind", Vote: "block"}, g.CodeInvalid, "a block needs a reason")
	s.do(g.CastVote{At: at(2), Proposal: "breakfast-pathway", Partner: "brightside-cvs", Vote: "for"})
	s.do(g.CastVote{At: at(2), Proposal: "breakfast-pathway", Partner: "essex-mind", Vote: "block", Reason: "no funding for volunteers' expenses"})
	if got := types(s.do(g.CloseProposal{At: at(2), Proposal: "breakfast-pathway"})); got != "decision.rejected" {
		t.Fatalf("a blocked consensus closed early as %s", got)
	}
}

func TestBlockOnlyUnderConsensus(t *testing.T) {
	s := formSynergy(t)
	s.do(g.TableProposal{At: at(1), Proposal: "p1", Matter: g.MatterOrdinary, Title: "Quarterly report format"})
	s.refuse(g.CastVote{At: at(2), Proposal: "p1", Partner: "essex-mind", Vote: "block", Reason: "x"}, g.CodeInvalid, "only possible under consensus")
	s.refuse(g.CastVote{At: at(2), Proposal: "p1", Partner: "essex-mind", Vote: "maybe"}, g.CodeInvalid, `"maybe" is not a vote`)
}

// Without quorum a decision lapses.
func TestLapsedForWantOfQuorum(t *testing.T) {
	s := formSynergy(t)
	s.do(g.TableProposal{At: at(1), Proposal: "budget", Matter: "financial", Title: "Reallocate the training budget", ClosesAt: at(8)})
	s.do(g.CastVote{At: at(2), Proposal: "budget", Partner: "essex-mind", Vote: "for"})
	if got := types(s.do(g.CloseProposal{At: at(8), Proposal: "budget"})); got != "decision.lapsed" {
		t.Fatalf("close = %s", got)
	}
}

// A declared interest takes a partner out of the vote where the terms say so.
func TestConflictOfInterest(t *testing.T) {
	s := formSynergy(t)
	s.do(g.TableProposal{At: at(1), Proposal: "grant", Matter: g.MatterOrdinary, Title: "Award the carers grant to Essex Mind"})
	s.do(g.DeclareInterest{At: at(1), Proposal: "grant", Partner: "essex-mind", Interest: "recipient of the grant"})
	s.refuse(g.CastVote{At: at(2), Proposal: "grant", Partner: "essex-mind", Vote: "for"}, g.CodeForbidden,
		"Essex Mind is not in the electorate of proposal grant: it declared an interest")
}

// Withdrawal: the partner keeps its vote until its notice takes effect.
func TestServeNotice(t *testing.T) {
	s := formSynergy(t)
	s.do(g.ServeNotice{At: at(1), Partner: "colchester-nhs", Reason: "service moving to the ICB"})
	p := s.state.Partners["colchester-nhs"]
	if p.StatusAt(at(90)) != g.StatusNoticeServed || p.StatusAt(at(91)) != g.StatusWithdrawn {
		t.Fatalf("status at 90 days %s, at 91 days %s", p.StatusAt(at(90)), p.StatusAt(at(91)))
	}
	s.do(g.TableProposal{At: at(10), Proposal: "p1", Matter: g.MatterOrdinary, Title: "Newsletter", ClosesAt: at(100)})
	s.do(g.CastVote{At: at(20), Proposal: "p1", Partner: "colchester-nhs", Vote: "for"})
	s.refuse(g.CastVote{At: at(95), Proposal: "p1", Partner: "colchester-nhs", Vote: "against"}, g.CodeForbidden, "it is withdrawn")
	s.refuse(g.ServeNotice{At: at(2), Partner: "colchester-nhs"}, g.CodeConflict, "cannot serve notice: it is notice-served")
	s.do(g.TableProposal{At: at(92), Proposal: "p2", Matter: g.MatterOrdinary, Title: "After withdrawal"})
	if s.state.Proposals["p2"].InElectorate("colchester-nhs") {
		t.Fatal("a withdrawn partner is in a new electorate")
	}
}

// Disputes climb the ladder and cannot go past its last stage.
func TestDisputeLadder(t *testing.T) {
	s := formSynergy(t)
	s.do(g.RaiseDispute{At: at(0), Dispute: "late-payments", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid 60 days late"})
	d := s.state.Disputes["late-payments"]
	// 15 working days from Monday 2 March 2026 is Monday 23 March.
	if d.Overdue(time.Date(2026, 3, 23, 9, 0, 0, 0, time.UTC), s.state.Terms) || !d.Overdue(time.Date(2026, 3, 23, 10, 0, 0, 0, time.UTC), s.state.Terms) {
		t.Fatal("negotiation stage limit is not 15 working days")
	}
	for range 3 {
		s.do(g.EscalateDispute{At: at(20), Dispute: "late-payments"})
	}
	s.refuse(g.EscalateDispute{At: at(30), Dispute: "late-payments"}, g.CodeConflict, "last stage of the ladder (expert determination)")
	s.do(g.ResolveDispute{At: at(40), Dispute: "late-payments", Outcome: "Payment within 30 days, backdated"})
	s.refuse(g.WithdrawDispute{At: at(41), Dispute: "late-payments"}, g.CodeConflict, "dispute late-payments is resolved")
	s.refuse(g.RaiseDispute{At: at(1), Dispute: "d2", RaisedBy: "essex-mind", Parties: []string{"essex-mind"}, Matter: "x"}, g.CodeInvalid, "against itself")
}

// An alliance: dissolution needs every signatory; after it, everything is refused.
func TestDissolutionSeals(t *testing.T) {
	s := formSynergy(t)
	evs := s.do(g.RecordMeetingDecision{
		TableProposal: g.TableProposal{At: at(30), Proposal: "wind-up", Matter: g.MatterDissolution, Title: "Dissolve at contract end"},
		Attendance:    []string{"brightside-cvs", "essex-mind", "colchester-nhs"},
		Votes:         map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"},
	})
	if got := types(evs); got != "decision.proposed decision.vote-cast decision.vote-cast decision.vote-cast decision.carried consortium.dissolved" {
		t.Fatalf("meeting decision = %s", got)
	}
	s.refuse(g.ApplyToJoin{At: at(31), Partner: partner("age-uk", "Age UK Essex", "vcse")}, g.CodeForbidden, "consortium synergy is dissolved")
}

func TestMeetingHeldToTheSameRule(t *testing.T) {
	s := formSynergy(t)
	evs := s.do(g.RecordMeetingDecision{
		TableProposal: g.TableProposal{At: at(30), Proposal: "wind-up", Matter: g.MatterDissolution, Title: "Dissolve"},
		Attendance:    []string{"brightside-cvs", "essex-mind"},
		Votes:         map[string]string{"brightside-cvs": "for", "essex-mind": "for"},
	})
	if o := evs[len(evs)-1].Payload.(g.Outcome); o.Result != g.OutcomeLapsed {
		t.Fatalf("dissolution without every signatory present = %s, want lapsed (quorum 1/1)", o.Result)
	}
	s.refuse(g.RecordMeetingDecision{
		TableProposal: g.TableProposal{At: at(31), Proposal: "m2", Matter: g.MatterOrdinary, Title: "x"},
		Attendance:    []string{"brightside-cvs"}, Votes: map[string]string{"essex-mind": "for"},
	}, g.CodeInvalid, "not in the attendance")
}

func TestAmendTerms(t *testing.T) {
	s := formSynergy(t)
	newTerms := s.state.Terms
	newTerms.RiskShares = map[string]g.Share{"brightside-cvs": 4000, "essex-mind": 3000, "colchester-nhs": 2000}
	s.refuse(g.TableProposal{At: at(1), Proposal: "rebalance", Matter: g.MatterAmendTerms, Title: "Rebalance risk", NewTerms: &newTerms},
		g.CodeInvalid, "risk-sharing shares add up to 90.00%, not 100%")
	newTerms.RiskShares["colchester-nhs"] = 3000
	s.do(g.TableProposal{At: at(1), Proposal: "rebalance", Matter: g.MatterAmendTerms, Title: "Rebalance risk", NewTerms: &newTerms})
	for _, id := range []string{"brightside-cvs", "essex-mind", "colchester-nhs"} {
		s.do(g.CastVote{At: at(2), Proposal: "rebalance", Partner: id, Vote: "for"})
	}
	if got := types(s.do(g.CloseProposal{At: at(2), Proposal: "rebalance"})); got != "decision.carried consortium.terms-amended" {
		t.Fatalf("close = %s", got)
	}
	if s.state.Terms.Version != 2 || s.state.Terms.RiskShares["brightside-cvs"] != 4000 {
		t.Fatalf("terms after amendment: version %d", s.state.Terms.Version)
	}
}

func TestTermsRefused(t *testing.T) {
	for name, mutate := range map[string]func(*g.Terms){
		"no admission rule": func(t *g.Terms) { delete(t.DecisionRules, g.MatterAdmission) },
		"weak supermajority": func(t *g.Terms) {
			t.DecisionRules["financial"] = g.Rule{Method: g.MethodSupermajority, Threshold: g.Fraction{Num: 1, Den: 2}, Quorum: g.Fraction{Num: 1, Den: 2}}
		},
		"no quorum": func(t *g.Terms) { t.DecisionRules["financial"] = g.Rule{Method: g.MethodMajority} },
		"unknown method": func(t *g.Terms) {
			t.DecisionRules["financial"] = g.Rule{Method: "show-of-hands", Quorum: g.Fraction{Num: 1, Den: 2}}
		},
		"empty ladder":             func(t *g.Terms) { t.DisputeLadder = nil },
		"no notice period":         func(t *g.Terms) { t.Termination.NoticeDays = 0 },
		"chair is not a partner":   func(t *g.Terms) { t.Roles.Chair = "age-uk" },
		"surplus shares over 100%": func(t *g.Terms) { t.SurplusShares = map[string]g.Share{"essex-mind": 10001} },
	} {
		terms := loadTerms(t, synergy.terms)
		mutate(&terms)
		if err := terms.Validate([]string{"brightside-cvs", "essex-mind", "colchester-nhs"}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if _, err := g.ParseTerms([]byte("decision_rule: {}\n")); err == nil || !strings.Contains(err.Error(), "unknown field") {
		t.Errorf("a misspelt field was accepted: %v", err)
	}
}
