package governance_test

import (
	"testing"

	g "github.com/govledger/govledger/governance"
)

// Events appended past govledger, straight to NATS, that break the rules: Check, the
// auditor's re-decision, catches each one and says what is wrong.
func TestCheckCatchesForgedEvents(t *testing.T) {
	ev := func(day int, p g.Payload) g.Event { return g.Event{OccurredAt: at(day), Payload: p} }
	// venueOpen: the ordinary proposal "venue" is open on day 2, closing on day 12, with
	// Brightside CVS and Essex Mind for.
	venueOpen := func(s *story) {
		s.ballot(g.TableProposal{At: at(2), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Meet at the Mercury Theatre"},
			map[string]string{"brightside-cvs": "for", "essex-mind": "for"})
	}
	// councilApplied: Essex County Council applies, and its admission is open on day 2.
	councilApplied := func(s *story) {
		s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"})
		s.do(g.TableProposal{At: at(2), Proposal: "admit-council", Matter: g.MatterAdmission, Title: "Admit Essex County Council", About: "essex-council"})
	}
	admittedByVote := func(s *story) {
		councilApplied(s)
		for _, id := range foundingThree {
			s.do(g.CastVote{At: at(3), Proposal: "admit-council", Partner: id, Vote: "for"})
		}
		s.do(g.CloseProposal{At: at(4), Proposal: "admit-council"})
	}
	newTerms := func(change func(*g.Terms)) g.Terms {
		terms := loadTerms(t, synergy.terms)
		change(&terms)
		return terms
	}
	for _, tc := range []struct {
		name  string
		setup func(*story)
		event g.Event
		code  g.Code
		want  string
	}{
		{"a second formation", nil, ev(1, func() g.Payload {
			f := synergy.form(t)
			f.Terms.Version = 1
			return g.ConsortiumFormed{Consortium: "synergy", Name: "Synergy", Purpose: "x", Structure: "network", Start: "2026-03-02", Partners: f.Partners, Terms: f.Terms}
		}()), g.CodeConflict, "consortium synergy was already formed at 2026-03-02 09:30:00: it cannot be formed again"},

		// Votes.
		{"a vote by a partner admitted after the proposal opened", func(s *story) {
			venueOpen(s)
			admittedByVote(s)
		}, ev(5, g.VoteCast{Proposal: "venue", Partner: "essex-council", Vote: "for"}), g.CodeForbidden,
			"Essex County Council is not in the electorate of proposal venue: it was not a full member when the proposal opened"},
		{"a vote by a partner with a declared interest", func(s *story) {
			venueOpen(s)
			s.do(g.DeclareInterest{At: at(3), Proposal: "venue", Partner: "colchester-nhs", Interest: "owns the theatre"})
		}, ev(4, g.VoteCast{Proposal: "venue", Partner: "colchester-nhs", Vote: "for"}), g.CodeForbidden,
			"Colchester Hospital NHS Trust is not in the electorate of proposal venue: it declared an interest"},
		{"a vote by a stranger", venueOpen, ev(3, g.VoteCast{Proposal: "venue", Partner: "age-uk", Vote: "for"}), g.CodeNotFound,
			"age-uk is not a partner of consortium synergy"},
		{"a vote after the closing time", venueOpen, ev(12, g.VoteCast{Proposal: "venue", Partner: "colchester-nhs", Vote: "for"}), g.CodeConflict,
			"voting on proposal venue closed at 2026-03-14 09:30:00"},
		{"a vote after the count", func(s *story) {
			venueOpen(s)
			s.do(g.CastVote{At: at(3), Proposal: "venue", Partner: "colchester-nhs", Vote: "for"})
			s.do(g.CloseProposal{At: at(3), Proposal: "venue"})
		}, ev(4, g.VoteCast{Proposal: "venue", Partner: "colchester-nhs", Vote: "against"}), g.CodeConflict, "proposal venue is closed (carried)"},
		{"a vote on no proposal", nil, ev(3, g.VoteCast{Proposal: "no-such", Partner: "essex-mind", Vote: "for"}), g.CodeNotFound,
			"there is no proposal no-such in consortium synergy"},
		{"a block under majority", venueOpen, ev(3, g.VoteCast{Proposal: "venue", Partner: "colchester-nhs", Vote: "block", Reason: "x"}), g.CodeInvalid,
			"a block is only possible under consensus"},
		{"a minuted vote dated after the meeting", func(s *story) {
			s.do(g.RecordMeetingDecision{TableProposal: g.TableProposal{At: at(2), Proposal: "m", Matter: "financial", Title: "x"},
				Attendance: foundingThree, Votes: map[string]string{"brightside-cvs": "for"}})
		}, ev(3, g.VoteCast{Proposal: "m", Partner: "essex-mind", Vote: "for"}), g.CodeConflict, "proposal m is closed (lapsed)"},

		// Outcomes.
		{"carried on a tally the votes do not give", venueOpen, ev(12, g.Outcome{Proposal: "venue", Result: g.OutcomeCarried,
			Tally: g.Tally{For: 3, Electorate: 3}}), g.CodeInvalid,
			"proposal venue is recorded as carried (3 for, 0 against, 0 abstaining, 0 blocking, of 3), but its votes give carried (2 for, 0 against, 0 abstaining, 0 blocking, of 3)"},
		{"carried without quorum", func(s *story) {
			s.ballot(g.TableProposal{At: at(2), Proposal: "budget", Matter: "financial", Title: "Training budget"}, map[string]string{"brightside-cvs": "for"})
		}, ev(12, g.Outcome{Proposal: "budget", Result: g.OutcomeCarried, Tally: g.Tally{For: 1, Electorate: 3}}), g.CodeInvalid,
			"proposal budget is recorded as carried (1 for, 0 against, 0 abstaining, 0 blocking, of 3), but its votes give lapsed"},
		{"carried by a casting vote without a tie", venueOpen, ev(12, g.Outcome{Proposal: "venue", Result: g.OutcomeCarried, CastingVote: "for",
			Tally: g.Tally{For: 2, Electorate: 3}}), g.CodeInvalid, "proposal venue is not tied (2 for, 0 against): the chair's casting vote only breaks a tie"},
		{"carried by a casting vote the rule does not grant", func(s *story) {
			councilApplied(s)
			s.do(g.CastVote{At: at(3), Proposal: "admit-council", Partner: "brightside-cvs", Vote: "for"})
			s.do(g.CastVote{At: at(3), Proposal: "admit-council", Partner: "essex-mind", Vote: "against"})
		}, ev(20, g.Outcome{Proposal: "admit-council", Result: g.OutcomeCarried, CastingVote: "for", Tally: g.Tally{For: 1, Against: 1, Electorate: 3}}),
			g.CodeInvalid, "the rule for admission matters gives the chair no casting vote"},
		{"closed early while the votes could change it", func(s *story) {
			s.ballot(g.TableProposal{At: at(2), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"}, map[string]string{"essex-mind": "for"})
		}, ev(3, g.Outcome{Proposal: "venue", Result: g.OutcomeLapsed, Tally: g.Tally{For: 1, Electorate: 3}}), g.CodeConflict,
			"proposal venue is open until 2026-03-14 09:30:00 and the votes still to come could change its outcome"},
		{"an outcome for a proposal already closed", func(s *story) {
			venueOpen(s)
			s.do(g.CloseProposal{At: at(12), Proposal: "venue"})
		}, ev(13, g.Outcome{Proposal: "venue", Result: g.OutcomeRejected, Tally: g.Tally{For: 2, Electorate: 3}}), g.CodeConflict,
			"proposal venue is closed (carried)"},

		// Effects.
		{"an admission without a decision", councilApplied, ev(3, g.PartnerAdmitted{Partner: "essex-council", Proposal: "admit-council"}), g.CodeForbidden,
			"Essex County Council was admitted without a carried admission decision: proposal admit-council is open, on admission"},
		{"an admission by a rejected decision", func(s *story) {
			councilApplied(s)
			for id, v := range map[string]string{"brightside-cvs": "for", "essex-mind": "against", "colchester-nhs": "for"} {
				s.do(g.CastVote{At: at(3), Proposal: "admit-council", Partner: id, Vote: v})
			}
			evs, err := g.Decide(s.state, g.CloseProposal{At: at(4), Proposal: "admit-council"})
			if err != nil {
				s.t.Fatal(err)
			}
			s.state = g.Apply(s.state, evs[0]) // the outcome, without the partner.declined after it
		}, ev(4, g.PartnerAdmitted{Partner: "essex-council", Proposal: "admit-council"}), g.CodeForbidden,
			"proposal admit-council was rejected at 2026-03-06 09:30:00, so partner.declined of it must come next, in the same command; partner.admitted came instead"},
		{"a carried expulsion without the expulsion", func(s *story) {
			s.ballot(g.TableProposal{At: at(1), Proposal: "expel-mind", Matter: g.MatterExpulsion, Title: "Expel Essex Mind", About: "essex-mind"},
				map[string]string{"brightside-cvs": "for", "colchester-nhs": "for"})
			evs, err := g.Decide(s.state, g.CloseProposal{At: at(11), Proposal: "expel-mind"})
			if err != nil {
				s.t.Fatal(err)
			}
			s.state = g.Apply(s.state, evs[0]) // carried, and Essex Mind stays
		}, ev(12, g.DisputeRaised{Dispute: "expulsion", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "The expulsion"}),
			g.CodeForbidden, "proposal expel-mind was carried at 2026-03-13 09:30:00, so partner.expelled of it must come next, in the same command; dispute.raised came instead"},
		{"an admission by no proposal", councilApplied, ev(3, g.PartnerAdmitted{Partner: "essex-council", Proposal: "no-such"}), g.CodeNotFound,
			"Essex County Council was admitted by proposal no-such, which does not exist"},
		{"an admission by a decision on another matter", func(s *story) {
			councilApplied(s)
			venueOpen(s)
			s.do(g.CastVote{At: at(3), Proposal: "venue", Partner: "colchester-nhs", Vote: "for"})
			s.do(g.CloseProposal{At: at(3), Proposal: "venue"})
		}, ev(3, g.PartnerAdmitted{Partner: "essex-council", Proposal: "venue"}), g.CodeForbidden,
			"Essex County Council was admitted without a carried admission decision: proposal venue is carried, on ordinary"},
		{"an admission recorded twice", admittedByVote, ev(4, g.PartnerAdmitted{Partner: "essex-council", Proposal: "admit-council"}), g.CodeConflict,
			"Essex County Council was admitted, but proposal admit-council has already taken effect (partner.admitted)"},
		{"an admission of someone else", func(s *story) {
			councilApplied(s)
			s.do(g.ApplyToJoin{At: at(2), Partner: partner("age-uk", "Age UK Essex", "vcse"), Sponsor: "essex-mind"})
			for _, id := range foundingThree {
				s.do(g.CastVote{At: at(3), Proposal: "admit-council", Partner: id, Vote: "for"})
			}
			evs, _ := g.Decide(s.state, g.CloseProposal{At: at(4), Proposal: "admit-council"})
			s.state = g.Apply(s.state, evs[0])
		}, ev(4, g.PartnerAdmitted{Partner: "age-uk", Proposal: "admit-council"}), g.CodeForbidden,
			"Age UK Essex was admitted, but proposal admit-council is about Essex County Council"},
		{"an effect recorded apart from its outcome", func(s *story) {
			councilApplied(s)
			for _, id := range foundingThree {
				s.do(g.CastVote{At: at(3), Proposal: "admit-council", Partner: id, Vote: "for"})
			}
			evs, _ := g.Decide(s.state, g.CloseProposal{At: at(4), Proposal: "admit-council"})
			s.state = g.Apply(s.state, evs[0])
		}, ev(9, g.PartnerAdmitted{Partner: "essex-council", Proposal: "admit-council"}), g.CodeInvalid,
			"Essex County Council was admitted at 2026-03-11 09:30:00, but proposal admit-council closed at 2026-03-06 09:30:00: a decision takes effect with its outcome"},
		{"an expulsion without a decision", nil, ev(3, g.PartnerExpelled{Partner: "essex-mind", Proposal: "venue"}), g.CodeNotFound,
			"Essex Mind was expelled by proposal venue, which does not exist"},
		{"a dissolution without a decision", venueOpen, ev(3, g.ConsortiumDissolved{Proposal: "venue"}), g.CodeForbidden,
			"the consortium was dissolved without a carried dissolution decision: proposal venue is open, on ordinary"},
		{"terms amended without a decision", venueOpen, ev(3, g.TermsAmended{Proposal: "venue", Terms: newTerms(func(t *g.Terms) { t.Version = 2 })}),
			g.CodeForbidden, "the terms were amended without a carried amend-terms decision"},
		{"terms amended to shares of 90%", carriedAmendment, ev(3, g.TermsAmended{Proposal: "rebalance", Terms: newTerms(func(t *g.Terms) {
			t.Version = 2
			t.RiskShares["essex-mind"] = 1500
		})}), g.CodeInvalid, "terms: risk-sharing shares add up to 90.00%, not 100%"},
		{"terms amended to terms nobody voted for", carriedAmendment, ev(3, g.TermsAmended{Proposal: "rebalance", Terms: newTerms(func(t *g.Terms) {
			t.Version = 2
			t.Termination.NoticeDays = 1
		})}), g.CodeInvalid, "the terms recorded as version 2 are not the terms proposal rebalance carried"},
		{"terms amended to a version out of turn", carriedAmendment, ev(3, g.TermsAmended{Proposal: "rebalance", Terms: newTerms(func(t *g.Terms) {
			t.Version = 7
			t.RiskShares = map[string]g.Share{"brightside-cvs": 4000, "essex-mind": 3000, "colchester-nhs": 3000}
		})}), g.CodeInvalid, "the terms were amended to version 7, but the next version after 1 is 2"},
		{"a role by a decision that gave none", func(s *story) {
			venueOpen(s)
			s.do(g.CastVote{At: at(3), Proposal: "venue", Partner: "colchester-nhs", Vote: "for"})
			s.do(g.CloseProposal{At: at(3), Proposal: "venue"})
		}, ev(3, g.RoleAssigned{Partner: "essex-mind", Role: g.RoleChair, Proposal: "venue"}), g.CodeForbidden,
			"Essex Mind was given the role of chair, but proposal venue carried no such role"},
		{"a chair taken without a decision", nil, ev(3, g.RoleAssigned{Partner: "essex-mind", Role: g.RoleChair}), g.CodeForbidden,
			"the terms of consortium synergy give the role of chair only by a decision"},

		// Membership, notice, disputes.
		{"an applicant without a sponsor", nil, ev(1, g.PartnerApplied{Partner: council}), g.CodeInvalid,
			"the terms of consortium synergy require an applicant to have a sponsoring partner"},
		{"a notice shorter than the terms", nil, ev(1, g.NoticeServed{Partner: "essex-mind", EffectiveAt: at(31)}), g.CodeInvalid,
			"the notice of essex-mind takes effect at 2026-04-02 09:30:00, but the notice period of 90 days ends at 2026-06-01 09:30:00"},
		{"a notice from a stranger", nil, ev(1, g.NoticeServed{Partner: "age-uk", EffectiveAt: at(91)}), g.CodeNotFound, "age-uk is not a partner"},
		{"escalation past the last stage", func(s *story) {
			s.do(g.RaiseDispute{At: at(1), Dispute: "invoices", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid late"})
			for d := 2; d <= 4; d++ {
				s.do(g.EscalateDispute{At: at(d), Dispute: "invoices"})
			}
		}, ev(5, g.DisputeEscalated{Dispute: "invoices", Stage: 4}), g.CodeConflict,
			"dispute invoices is at the last stage of the ladder (expert determination): it cannot be escalated further"},
		{"escalation skipping a stage", func(s *story) {
			s.do(g.RaiseDispute{At: at(1), Dispute: "invoices", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid late"})
		}, ev(2, g.DisputeEscalated{Dispute: "invoices", Stage: 2}), g.CodeInvalid,
			"dispute invoices is recorded as escalated to stage 3, but the next stage after 1 is 2"},
		{"escalating no dispute", nil, ev(2, g.DisputeEscalated{Dispute: "no-such", Stage: 1}), g.CodeNotFound, "there is no dispute no-such"},
		{"resolving a withdrawn dispute", func(s *story) {
			s.do(g.RaiseDispute{At: at(1), Dispute: "invoices", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid late"})
			s.do(g.WithdrawDispute{At: at(2), Dispute: "invoices"})
		}, ev(3, g.DisputeResolved{Dispute: "invoices", Outcome: "paid"}), g.CodeConflict, "dispute invoices is withdrawn"},

		// Proposals.
		{"an electorate with an applicant in it", func(s *story) { s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"}) },
			ev(2, g.DecisionProposed{Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue", ClosesAt: at(12),
				Electorate: []string{"brightside-cvs", "colchester-nhs", "essex-council", "essex-mind"},
				Rule:       loadTerms(t, synergy.terms).DecisionRules[g.MatterOrdinary], Chair: "brightside-cvs"}), g.CodeInvalid,
			"proposal venue froze the electorate [brightside-cvs colchester-nhs essex-council essex-mind], but the full members who could vote when it opened were [brightside-cvs colchester-nhs essex-mind]"},
		{"a rule that is not the terms'", nil, ev(2, g.DecisionProposed{Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue", ClosesAt: at(12),
			Electorate: foundingThree, Rule: g.Rule{Method: g.MethodMajority, Quorum: g.Fraction{Num: 1, Den: 3}}, Chair: "brightside-cvs"}), g.CodeInvalid,
			"proposal venue froze a rule (majority, quorum 1/3) that is not the terms' rule for ordinary matters (majority, quorum 1/2, casting vote to the chair, voting window 10 days)"},
		{"a chair who was not the chair", nil, ev(2, g.DecisionProposed{Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue", ClosesAt: at(12),
			Electorate: foundingThree, Rule: loadTerms(t, synergy.terms).DecisionRules[g.MatterOrdinary], Chair: "essex-mind"}), g.CodeInvalid,
			`proposal venue names "essex-mind" as its chair, but the chair when it opened was "brightside-cvs"`},
		{"a meeting that closes after it was held", nil, ev(2, g.DecisionProposed{Proposal: "m", Matter: g.MatterOrdinary, Title: "x", ClosesAt: at(12),
			Electorate: foundingThree, Rule: loadTerms(t, synergy.terms).DecisionRules[g.MatterOrdinary], Chair: "brightside-cvs",
			Meeting: &g.Meeting{HeldAt: at(2), Attendance: foundingThree}}), g.CodeInvalid,
			"proposal m was decided in a meeting, so it opens and closes when the meeting is held (2026-03-04 09:30:00)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formSynergy(t)
			if tc.setup != nil {
				tc.setup(s)
			}
			before := s.state.Clone()
			assertRefused(t, "Check", g.Check(s.state, tc.event), tc.code, tc.want)
			if !equalJSON(before, s.state) {
				t.Fatal("Check changed the state")
			}
		})
	}
}

// carriedAmendment: Synergy carries proposal "rebalance" on day 3, its terms-amended
// not yet recorded.
func carriedAmendment(s *story) {
	terms := loadTerms(s.t, synergy.terms)
	terms.RiskShares = map[string]g.Share{"brightside-cvs": 4000, "essex-mind": 3000, "colchester-nhs": 3000}
	s.do(g.TableProposal{At: at(2), Proposal: "rebalance", Matter: g.MatterAmendTerms, Title: "Rebalance risk", NewTerms: &terms})
	for _, id := range foundingThree {
		s.do(g.CastVote{At: at(3), Proposal: "rebalance", Partner: id, Vote: "for"})
	}
	evs, err := g.Decide(s.state, g.CloseProposal{At: at(3), Proposal: "rebalance"})
	if err != nil {
		s.t.Fatal(err)
	}
	s.state = g.Apply(s.state, evs[0])
}

// Nothing may be recorded after dissolution, nor before formation.
func TestCheckSealedAndUnformed(t *testing.T) {
	s := formSynergy(t)
	s.do(g.RecordMeetingDecision{TableProposal: g.TableProposal{At: at(5), Proposal: "wind-up", Matter: g.MatterDissolution, Title: "Dissolve"},
		Attendance: foundingThree, Votes: map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"}})
	for _, p := range []g.Payload{
		g.DisputeRaised{Dispute: "d", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "x"},
		g.VoteCast{Proposal: "wind-up", Partner: "essex-mind", Vote: "for"},
		g.ConsortiumDissolved{Proposal: "wind-up"},
		g.RoleAssigned{Partner: "essex-mind", Role: g.RolePointOfContact, Person: "sam-lee"},
	} {
		assertRefused(t, p.EventType(), g.Check(s.state, g.Event{OccurredAt: at(6), Payload: p}), g.CodeForbidden,
			"consortium synergy is dissolved: its record is sealed, yet it records "+p.EventType())
	}
	assertRefused(t, "before formation", g.Check(nil, g.Event{OccurredAt: at(0), Payload: g.PartnerApplied{Partner: council}}),
		g.CodeNotFound, "the consortium does not exist: partner.applied before it was formed")
	assertRefused(t, "no payload", g.Check(nil, g.Event{OccurredAt: at(0)}), g.CodeInvalid, "an event without a payload")
	f := synergy.form(t)
	f.Terms.Version = 3
	assertRefused(t, "formed at version 3", g.Check(nil, g.Event{OccurredAt: at(0), Payload: g.ConsortiumFormed{Consortium: "synergy", Name: f.Name,
		Purpose: f.Purpose, Structure: f.Structure, Start: f.Start, Partners: f.Partners, Terms: f.Terms}}), g.CodeInvalid, "a consortium's first terms are version 1, not 3")
	f.Terms.Version = 1
	assertRefused(t, "formed by a stranger's id", g.Check(nil, g.Event{OccurredAt: at(0), Payload: g.ConsortiumFormed{Consortium: "a.b", Name: f.Name,
		Purpose: f.Purpose, Structure: f.Structure, Start: f.Start, Partners: f.Partners, Terms: f.Terms}}), g.CodeInvalid, `consortium id "a.b" is not a slug`)
}

// A block minuted in a meeting carries no reason and passes; one cast in a ballot
// without a reason does not.
func TestCheckMinutedBlock(t *testing.T) {
	s := formed(t, lambeth)
	evs := s.do(g.RecordMeetingDecision{
		TableProposal: g.TableProposal{At: at(14), Proposal: "data-hub", Matter: g.MatterOrdinary, Title: "Share records through the data hub"},
		Attendance:    []string{"certitude", "lambeth-council", "sel-icb"},
		Votes:         map[string]string{"certitude": "block", "lambeth-council": "for", "sel-icb": "for"},
	})
	if v := evs[1].Payload.(g.VoteCast); v.Vote != g.VoteBlock || v.Reason != "" {
		t.Fatalf("minuted vote = %+v", v)
	}
	s.do(g.TableProposal{At: at(15), Proposal: "peer-workers", Matter: g.MatterOrdinary, Title: "Pay peer workers the London living wage"})
	assertRefused(t, "ballot block", g.Check(s.state, g.Event{OccurredAt: at(16), Payload: g.VoteCast{Proposal: "peer-workers", Partner: "certitude", Vote: g.VoteBlock}}),
		g.CodeInvalid, "a block needs a reason")
}

// TestUnfinished: an outcome recorded without its effect is what the end of a log can
// show, and nothing else.
func TestUnfinished(t *testing.T) {
	s := formSynergy(t)
	s.ballot(g.TableProposal{At: at(1), Proposal: "expel-mind", Matter: g.MatterExpulsion, Title: "Expel Essex Mind", About: "essex-mind"},
		map[string]string{"brightside-cvs": "for", "colchester-nhs": "for"})
	evs, err := g.Decide(s.state, g.CloseProposal{At: at(11), Proposal: "expel-mind"})
	if err != nil || len(evs) != 2 {
		t.Fatal(evs, err)
	}
	if err := g.Unfinished(s.state); err != nil {
		t.Fatalf("before the close: %v", err)
	}
	s.state = g.Apply(s.state, evs[0])
	assertRefused(t, "Unfinished after the outcome alone", g.Unfinished(s.state), g.CodeForbidden,
		"proposal expel-mind was carried at 2026-03-13 09:30:00, but the record ends without partner.expelled of it")
	s.state = g.Apply(s.state, evs[1])
	if err := g.Unfinished(s.state); err != nil {
		t.Fatalf("after the expulsion: %v", err)
	}
	if err := g.Unfinished(nil); err != nil {
		t.Fatalf("no consortium: %v", err)
	}
}

// Check re-decides a recorded event by the rules events have always been recorded by,
// not by what Decide now asks of a new command's input (admissible): an application
// recorded with a point of contact written as a name, an interest declared by an
// applicant, or a reason with a carriage return alone, still verifies, while the same
// commands sent now are refused.
func TestCheckKeepsEarlierRecords(t *testing.T) {
	s := formSynergy(t)
	spec := partner("essex-council", "Essex County Council", "local-authority")
	spec.PointOfContact = "Sam Whitfield"
	if err := g.Check(s.state, g.Event{OccurredAt: at(1), Payload: g.PartnerApplied{Partner: spec, Sponsor: "brightside-cvs"}}); err != nil {
		t.Errorf("an application recorded with its contact's name: %v", err)
	}
	s.refuse(g.ApplyToJoin{At: at(1), Partner: spec, Sponsor: "brightside-cvs"}, g.CodeInvalid, `point of contact "Sam Whitfield" is not a slug`)

	s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"})
	s.do(g.TableProposal{At: at(2), Proposal: "grant", Matter: g.MatterOrdinary, Title: "Carers grant"})
	if err := g.Check(s.state, g.Event{OccurredAt: at(3), Payload: g.InterestDeclared{Proposal: "grant", Partner: "essex-council", Interest: "recipient"}}); err != nil {
		t.Errorf("an interest recorded for an applicant: %v", err)
	}
	s.refuse(g.DeclareInterest{At: at(3), Proposal: "grant", Partner: "essex-council", Interest: "recipient"}, g.CodeForbidden, "only members declare interests")
	if err := g.Check(s.state, g.Event{OccurredAt: at(3), Payload: g.DecisionWithdrawn{Proposal: "grant", Reason: "moved\rto the spring"}}); err != nil {
		t.Errorf("a reason with a carriage return alone: %v", err)
	}
	s.refuse(g.WithdrawProposal{At: at(3), Proposal: "grant", Reason: "moved\rto the spring"}, g.CodeInvalid, "the reason holds the character U+000D")
	s.do(g.WithdrawProposal{At: at(3), Proposal: "grant", Reason: "moved\r\nto the spring"})
}
