package governance_test

import (
	"testing"

	g "github.com/govledger/govledger/governance"
)

// The Earl's Court Health and Wellbeing Centre, led by Turning Point as lead provider
// and chair of a joint steering group of four providers. Ordinary and financial
// matters go by majority with the chair's casting vote on a tie; admitting a provider
// needs two thirds; the community timebank is an associate and does not vote.

var steeringFour = []string{"clch-nhs", "earls-court-surgery", "rbkc", "turning-point"}

func TestEarlsCourtCastingVote(t *testing.T) {
	tie := map[string]string{"turning-point": "for", "clch-nhs": "for", "rbkc": "against", "earls-court-surgery": "against"}
	for _, tc := range []struct {
		name    string
		matter  string
		votes   map[string]string
		casting string
		want    string
	}{
		{"the chair breaks a tie for", g.MatterOrdinary, tie, "for", g.OutcomeCarried},
		{"the chair breaks a tie against", g.MatterOrdinary, tie, "against", g.OutcomeRejected},
		{"a tie the chair leaves alone is rejected", g.MatterOrdinary, tie, "", g.OutcomeRejected},
		{"a tie on money, broken for", "financial", tie, "for", g.OutcomeCarried},
		{"a plain majority needs no casting vote", g.MatterOrdinary,
			map[string]string{"turning-point": "for", "clch-nhs": "for", "rbkc": "against"}, "", g.OutcomeCarried},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formed(t, earlsCourt)
			s.ballot(g.TableProposal{At: at(1), Proposal: "yoga", Matter: tc.matter, Title: "Run yoga classes in the community room"}, tc.votes)
			o := outcomeOf(t, s.do(g.CloseProposal{At: at(6), Proposal: "yoga", CastingVote: tc.casting}))
			if o.Result != tc.want || o.CastingVote != tc.casting {
				t.Fatalf("outcome = %s, casting %q; want %s", o.Result, o.CastingVote, tc.want)
			}
		})
	}
}

// The casting vote is the chair's second vote: a chair with no first vote on the
// proposal (it declared an interest, or has left the centre since it opened) has none,
// and a tie of nobody for and nobody against is no tie to break.
func TestEarlsCourtCastingVoteNeedsAChairWithAVote(t *testing.T) {
	t.Run("the chair declared an interest", func(t *testing.T) {
		s := formed(t, earlsCourt)
		s.do(g.TableProposal{At: at(1), Proposal: "job-club", Matter: g.MatterOrdinary, Title: "Give the job club contract to Turning Point"})
		s.do(g.DeclareInterest{At: at(1), Proposal: "job-club", Partner: "turning-point", Interest: "it would hold the contract"})
		for id, v := range map[string]string{"clch-nhs": "for", "rbkc": "against", "earls-court-surgery": "abstain"} {
			s.do(g.CastVote{At: at(2), Proposal: "job-club", Partner: id, Vote: v})
		}
		s.refuse(g.CloseProposal{At: at(6), Proposal: "job-club", CastingVote: "for"}, g.CodeForbidden,
			"the chair, turning-point, has no vote on proposal job-club, so no casting vote: it declared an interest")
		if o := outcomeOf(t, s.do(g.CloseProposal{At: at(6), Proposal: "job-club"})); o.Result != g.OutcomeRejected {
			t.Fatalf("the tie without a casting vote: %s", o.Result)
		}
	})
	t.Run("the chair left during the ballot", func(t *testing.T) {
		s := formed(t, earlsCourt)
		s.do(g.ServeNotice{At: at(1), Partner: "turning-point"}) // 180 days' notice
		s.ballot(g.TableProposal{At: at(170), Proposal: "yoga", Matter: g.MatterOrdinary, Title: "Run yoga classes", ClosesAt: at(190)},
			map[string]string{"turning-point": "for", "clch-nhs": "for", "rbkc": "against", "earls-court-surgery": "against"})
		s.refuse(g.CloseProposal{At: at(190), Proposal: "yoga", CastingVote: "for"}, g.CodeForbidden,
			"the chair, Turning Point, has left consortium earls-court-centre (it is withdrawn): it has no casting vote on proposal yoga")
	})
	t.Run("the chair had left before it opened", func(t *testing.T) {
		s := formed(t, earlsCourt)
		s.do(g.ServeNotice{At: at(1), Partner: "turning-point"})
		s.ballot(g.TableProposal{At: at(200), Proposal: "yoga", Matter: g.MatterOrdinary, Title: "Run yoga classes"},
			map[string]string{"clch-nhs": "for", "rbkc": "against"})
		s.refuse(g.CloseProposal{At: at(206), Proposal: "yoga", CastingVote: "for"}, g.CodeForbidden,
			"the chair, turning-point, has no vote on proposal yoga, so no casting vote: it was not a full member when the proposal opened")
	})
	t.Run("everyone abstained", func(t *testing.T) {
		s := formed(t, earlsCourt)
		s.ballot(g.TableProposal{At: at(1), Proposal: "yoga", Matter: g.MatterOrdinary, Title: "Run yoga classes"},
			map[string]string{"turning-point": "abstain", "clch-nhs": "abstain", "rbkc": "abstain", "earls-court-surgery": "abstain"})
		s.refuse(g.CloseProposal{At: at(6), Proposal: "yoga", CastingVote: "for"}, g.CodeInvalid,
			"nobody voted for or against proposal yoga: there is no tie for a casting vote to break")
	})
}

// The timebank is an associate: it takes part in the centre, not in its votes.
func TestEarlsCourtAssociateDoesNotVote(t *testing.T) {
	s := formed(t, earlsCourt)
	s.do(g.TableProposal{At: at(1), Proposal: "yoga", Matter: g.MatterOrdinary, Title: "Run yoga classes"})
	p := s.state.Proposals["yoga"]
	if !equalJSON(p.Electorate, steeringFour) {
		t.Fatalf("electorate = %v", p.Electorate)
	}
	// The rule's own window: five days.
	if !p.ClosesAt.Equal(at(6)) {
		t.Fatalf("closes at %s, want five days on", p.ClosesAt)
	}
	s.refuse(g.CastVote{At: at(2), Proposal: "yoga", Partner: "earls-court-timebank", Vote: "for"}, g.CodeForbidden,
		"Earl's Court Community Timebank is not in the electorate of proposal yoga: it was not a full member when the proposal opened")
	// It may still raise a dispute and serve notice: it is a member.
	s.do(g.RaiseDispute{At: at(2), Dispute: "room-bookings", RaisedBy: "earls-court-timebank", Parties: []string{"turning-point"}, Matter: "Room bookings cancelled"})
	s.do(g.ServeNotice{At: at(3), Partner: "earls-court-timebank", Reason: "Moving to the library"})
	if got := s.state.Partners["earls-court-timebank"].EffectiveAt; !got.Equal(at(183)) {
		t.Fatalf("notice takes effect at %s, want 180 days on", got)
	}
}

// Admission by two thirds of those voting, with two thirds of the steering group taking part.
func TestEarlsCourtAdmission(t *testing.T) {
	dentist := partner("earls-court-dental", "Earls Court Dental Practice", "private")
	for _, tc := range []struct {
		name  string
		votes map[string]string
		want  string
	}{
		{"three for, one against", map[string]string{"turning-point": "for", "clch-nhs": "for", "rbkc": "for", "earls-court-surgery": "against"},
			"decision.carried partner.admitted"},
		{"two for, one against, one abstains: exactly two thirds", map[string]string{"turning-point": "for", "clch-nhs": "for", "rbkc": "against", "earls-court-surgery": "abstain"},
			"decision.carried partner.admitted"},
		{"two for, two against", map[string]string{"turning-point": "for", "clch-nhs": "for", "rbkc": "against", "earls-court-surgery": "against"},
			"decision.rejected partner.declined"},
		{"two of four take part", map[string]string{"turning-point": "for", "clch-nhs": "for"}, "decision.lapsed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formed(t, earlsCourt)
			s.do(g.ApplyToJoin{At: at(1), Partner: dentist, Sponsor: "earls-court-surgery"})
			s.ballot(g.TableProposal{At: at(2), Proposal: "admit-dental", Matter: g.MatterAdmission, Title: "Bring the dental practice into the centre",
				About: "earls-court-dental"}, tc.votes)
			if got := types(s.do(g.CloseProposal{At: at(9), Proposal: "admit-dental"})); got != tc.want {
				t.Fatalf("close = %s, want %s", got, tc.want)
			}
		})
	}
}

// Roles are given by a carried ordinary decision here: the chair moves from Turning
// Point to the council, and Turning Point stays lead partner.
func TestEarlsCourtChairByDecision(t *testing.T) {
	s := formed(t, earlsCourt)
	s.refuse(g.AssignRole{At: at(1), Partner: "rbkc", Role: g.RoleChair}, g.CodeForbidden,
		"the terms of consortium earls-court-centre give the role of chair only by a decision: table an ordinary decision with role chair for rbkc")
	s.refuse(g.AssignRole{At: at(1), Partner: "rbkc", Role: g.RolePointOfContact, Person: "sam-okoye"}, g.CodeForbidden,
		"give the role of point of contact only by a decision")
	s.ballot(g.TableProposal{At: at(1), Proposal: "council-chairs", Matter: g.MatterOrdinary, Title: "The council chairs the steering group from April",
		Role: &g.RoleAssignment{Partner: "rbkc", Role: g.RoleChair}},
		map[string]string{"turning-point": "for", "clch-nhs": "for", "rbkc": "for"})
	if got := types(s.do(g.CloseProposal{At: at(2), Proposal: "council-chairs"})); got != "decision.carried partner.role-assigned" {
		t.Fatalf("close = %s", got)
	}
	if got := s.state.Partners["turning-point"].Roles; !equalJSON(got, []string{g.RoleLeadPartner}) {
		t.Fatalf("Turning Point holds %v after handing over the chair", got)
	}
	if got := s.state.Partners["rbkc"].Roles; !equalJSON(got, []string{g.RoleChair}) {
		t.Fatalf("the council holds %v", got)
	}
	if s.state.Terms.Roles.Chair != "rbkc" || s.state.Terms.Version != 1 {
		t.Fatalf("chair %s, terms version %d", s.state.Terms.Roles.Chair, s.state.Terms.Version)
	}
	// The new chair's casting vote decides the next tie.
	s.ballot(g.TableProposal{At: at(3), Proposal: "job-club", Matter: g.MatterOrdinary, Title: "Host the job club on Tuesdays"},
		map[string]string{"turning-point": "for", "clch-nhs": "for", "rbkc": "against", "earls-court-surgery": "against"})
	if p := s.state.Proposals["job-club"]; p.Chair != "rbkc" {
		t.Fatalf("the proposal froze %q as chair", p.Chair)
	}
	s.do(g.CloseProposal{At: at(8), Proposal: "job-club", CastingVote: "against"})
	// A role decision whose partner has left cannot take effect.
	s.ballot(g.TableProposal{At: at(10), Proposal: "council-secretary", Matter: g.MatterOrdinary, Title: "The council takes the minutes", ClosesAt: at(300),
		Role: &g.RoleAssignment{Partner: "rbkc", Role: g.RoleSecretary}},
		map[string]string{"turning-point": "for", "clch-nhs": "for", "rbkc": "for", "earls-court-surgery": "for"})
	s.do(g.ServeNotice{At: at(11), Partner: "rbkc"})
	s.refuse(g.CloseProposal{At: at(300), Proposal: "council-secretary"}, g.CodeConflict,
		"Royal Borough of Kensington and Chelsea cannot be given the role of secretary: it has left (it is withdrawn); withdraw proposal council-secretary")
}

// A carried amend-terms replaces the terms with the next version, and the partners'
// roles follow the new terms.
func TestEarlsCourtAmendTerms(t *testing.T) {
	s := formed(t, earlsCourt)
	terms := loadTerms(t, earlsCourt.terms)
	terms.Roles.Chair = "clch-nhs"
	terms.Roles.Secretary = "turning-point"
	terms.RiskShares = map[string]g.Share{"turning-point": 5000, "clch-nhs": 2500, "rbkc": 1250, "earls-court-surgery": 1250}
	s.ballot(g.TableProposal{At: at(1), Proposal: "rebalance", Matter: g.MatterAmendTerms, Title: "Share more risk with the NHS trust", NewTerms: &terms},
		map[string]string{"turning-point": "for", "clch-nhs": "for", "rbkc": "for", "earls-court-surgery": "against"})
	if got := types(s.do(g.CloseProposal{At: at(8), Proposal: "rebalance"})); got != "decision.carried consortium.terms-amended" {
		t.Fatalf("close = %s", got)
	}
	if s.state.Terms.Version != 2 || s.state.Terms.RiskShares["clch-nhs"] != 2500 {
		t.Fatalf("terms after the amendment: version %d, shares %v", s.state.Terms.Version, s.state.Terms.RiskShares)
	}
	for id, want := range map[string][]string{"turning-point": {g.RoleLeadPartner, g.RoleSecretary}, "clch-nhs": {g.RoleChair}, "rbkc": nil} {
		if got := s.state.Partners[id].Roles; !equalJSON(got, want) {
			t.Errorf("%s holds %v, want %v", id, got, want)
		}
	}
	// Three of four for, the fourth against: three quarters, carried. Two of four is not.
	terms.Termination.NoticeDays = 90
	s.ballot(g.TableProposal{At: at(10), Proposal: "shorter-notice", Matter: g.MatterAmendTerms, Title: "Ninety days' notice", NewTerms: &terms},
		map[string]string{"turning-point": "for", "clch-nhs": "for", "rbkc": "against", "earls-court-surgery": "against"})
	if got := types(s.do(g.CloseProposal{At: at(17), Proposal: "shorter-notice"})); got != "decision.rejected" || s.state.Terms.Version != 2 {
		t.Fatalf("close = %s, version %d", got, s.state.Terms.Version)
	}
}
