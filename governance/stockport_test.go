package governance_test

import (
	"testing"

	g "github.com/govledger/govledger/governance"
)

// The Stockport Mental Health Alliance: one alliance contract, five signatories. An
// ordinary matter needs two thirds; admission, expulsion, amending the terms and
// dissolution need every signatory, present and in favour. A partner with an interest
// stands aside.

var flag = partner("flag", "For Local Advice and Guidance (FLAG)", "vcse")

func TestStockportReservedMattersNeedEverySignatory(t *testing.T) {
	all := func(except string, vote string) map[string]string {
		votes := map[string]string{}
		for _, p := range stockport.partners {
			votes[p.ID] = "for"
		}
		if except != "" {
			if vote == "" {
				delete(votes, except)
			} else {
				votes[except] = vote
			}
		}
		return votes
	}
	for _, tc := range []struct {
		name  string
		votes map[string]string
		want  string
	}{
		{"every signatory for", all("", ""), "decision.carried partner.admitted"},
		{"one signatory away", all("anchorpoint", ""), "decision.lapsed"},
		{"one signatory abstains", all("anchorpoint", "abstain"), "decision.rejected partner.declined"},
		{"one signatory against", all("pennine-care", "against"), "decision.rejected partner.declined"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formed(t, stockport)
			s.do(g.ApplyToJoin{At: at(1), Partner: flag})
			s.ballot(g.TableProposal{At: at(2), Proposal: "admit-flag", Matter: g.MatterAdmission, Title: "FLAG signs the alliance agreement", About: "flag"}, tc.votes)
			if got := types(s.do(g.CloseProposal{At: at(9), Proposal: "admit-flag"})); got != tc.want {
				t.Fatalf("close = %s, want %s", got, tc.want)
			}
		})
	}
}

// Expelling a signatory needs all the others; the expelled partner has no say in it,
// and none in what comes after.
func TestStockportExpulsion(t *testing.T) {
	s := formed(t, stockport)
	s.ballot(g.TableProposal{At: at(1), Proposal: "expel-atp", Matter: g.MatterExpulsion, Title: "Expel All Together Positive for material breach", About: "all-together-positive"},
		map[string]string{"pennine-care": "for", "stockport-council": "for", "stockport-mind": "for", "anchorpoint": "for"})
	if got := s.state.Proposals["expel-atp"].Electorate; len(got) != 4 {
		t.Fatalf("electorate = %v", got)
	}
	if got := types(s.do(g.CloseProposal{At: at(2), Proposal: "expel-atp"})); got != "decision.carried partner.expelled" {
		t.Fatalf("close = %s", got)
	}
	s.do(g.TableProposal{At: at(3), Proposal: "wind-up", Matter: g.MatterDissolution, Title: "End the alliance early"})
	if s.state.Proposals["wind-up"].InElectorate("all-together-positive") {
		t.Fatal("the expelled partner is in a later electorate")
	}
	s.refuse(g.CastVote{At: at(4), Proposal: "wind-up", Partner: "all-together-positive", Vote: "against"}, g.CodeForbidden,
		"All Together Positive is not in the electorate of proposal wind-up: it was not a full member when the proposal opened")
	s.refuse(g.TableProposal{At: at(4), Proposal: "expel-again", Matter: g.MatterExpulsion, Title: "x", About: "all-together-positive"}, g.CodeConflict,
		"All Together Positive is not a member of consortium stockport-alliance (it is expelled)")
}

// A partner with an interest stands aside, and unanimity is of those left: Anchorpoint
// would manage the new contract, so it declares that, and the others carry the terms.
func TestStockportInterestStandsAside(t *testing.T) {
	s := formed(t, stockport)
	terms := loadTerms(t, stockport.terms)
	terms.Roles.LeadPartner = "anchorpoint"
	s.do(g.TableProposal{At: at(1), Proposal: "anchorpoint-leads", Matter: g.MatterAmendTerms, Title: "Anchorpoint becomes lead partner", NewTerms: &terms})
	s.do(g.DeclareInterest{At: at(1), Proposal: "anchorpoint-leads", Partner: "anchorpoint", Interest: "would become lead partner"})
	for _, id := range []string{"pennine-care", "stockport-council", "stockport-mind", "all-together-positive"} {
		s.do(g.CastVote{At: at(2), Proposal: "anchorpoint-leads", Partner: id, Vote: "for"})
	}
	o := outcomeOf(t, s.do(g.CloseProposal{At: at(2), Proposal: "anchorpoint-leads"}))
	if o.Result != g.OutcomeCarried || o.Tally != (g.Tally{For: 4, Electorate: 4}) {
		t.Fatalf("outcome = %s %+v", o.Result, o.Tally)
	}
	if s.state.Terms.Version != 2 || !equalJSON(s.state.Partners["anchorpoint"].Roles, []string{g.RoleLeadPartner, g.RoleSecretary}) ||
		len(s.state.Partners["pennine-care"].Roles) != 0 {
		t.Fatalf("after the amendment: version %d, Anchorpoint %v, Pennine Care %v",
			s.state.Terms.Version, s.state.Partners["anchorpoint"].Roles, s.state.Partners["pennine-care"].Roles)
	}
}

// Every signatory declares an interest in an admission: with nobody left to vote, it
// lapses (at once: no vote can come), rather than carrying unanimously by nobody.
func TestStockportEveryoneConflicted(t *testing.T) {
	s := formed(t, stockport)
	s.do(g.ApplyToJoin{At: at(1), Partner: partner("stockport-homes", "Stockport Homes", "social-enterprise")})
	s.do(g.TableProposal{At: at(2), Proposal: "admit-homes", Matter: g.MatterAdmission, Title: "Admit Stockport Homes", About: "stockport-homes"})
	for _, id := range []string{"pennine-care", "stockport-council", "stockport-mind", "all-together-positive", "anchorpoint"} {
		s.do(g.DeclareInterest{At: at(3), Proposal: "admit-homes", Partner: id, Interest: "subcontracts to Stockport Homes"})
	}
	evs := s.do(g.CloseProposal{At: at(4), Proposal: "admit-homes"})
	if o := outcomeOf(t, evs); o.Result != g.OutcomeLapsed || len(evs) != 1 {
		t.Fatalf("with nobody to vote: %s (%s)", o.Result, types(evs))
	}
}

// Ordinary matters need two thirds of those for or against, with two thirds of the
// signatories (four of five) taking part.
func TestStockportOrdinary(t *testing.T) {
	for _, tc := range []struct {
		name  string
		votes map[string]string
		want  string
	}{
		{"two for, one against, one abstains: exactly two thirds", map[string]string{"pennine-care": "for", "stockport-mind": "for", "anchorpoint": "against",
			"stockport-council": "abstain"}, g.OutcomeCarried},
		{"three for, two against", map[string]string{"pennine-care": "for", "stockport-mind": "for", "anchorpoint": "for", "stockport-council": "against", "all-together-positive": "against"}, g.OutcomeRejected},
		{"three of five take part", map[string]string{"pennine-care": "for", "stockport-mind": "for", "anchorpoint": "for"}, g.OutcomeLapsed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formed(t, stockport)
			s.ballot(g.TableProposal{At: at(1), Proposal: "timebank", Matter: g.MatterOrdinary, Title: "Fund a timebank coordinator"}, tc.votes)
			if o := outcomeOf(t, s.do(g.CloseProposal{At: at(11), Proposal: "timebank"})); o.Result != tc.want {
				t.Fatalf("outcome = %s %+v, want %s", o.Result, o.Tally, tc.want)
			}
		})
	}
}

// Dissolution at a meeting of every signatory, then the record is sealed.
func TestStockportDissolvedAtMeeting(t *testing.T) {
	s := formed(t, stockport)
	s.do(g.ServeNotice{At: at(1), Partner: "stockport-mind"})
	every := map[string]string{"pennine-care": "for", "stockport-council": "for", "stockport-mind": "for", "all-together-positive": "for", "anchorpoint": "for"}
	var attendance []string
	for id := range every {
		attendance = append(attendance, id)
	}
	evs := s.do(g.RecordMeetingDecision{
		TableProposal: g.TableProposal{At: at(60), Proposal: "contract-end", Matter: g.MatterDissolution, Title: "Dissolve at the end of the alliance contract"},
		Attendance:    attendance, Votes: every, ReviewDate: "2027-03-31",
	})
	if o := outcomeOf(t, evs); o.Result != g.OutcomeCarried || o.Tally.For != 5 || o.ReviewDate != "2027-03-31" {
		t.Fatalf("outcome = %s %+v", o.Result, o.Tally)
	}
	if !s.state.Dissolved {
		t.Fatal("not dissolved")
	}
	s.refuse(g.ServeNotice{At: at(61), Partner: "anchorpoint"}, g.CodeForbidden, "consortium stockport-alliance is dissolved: its record is sealed")
}

// A signatory names its own point of contact without a decision; anything else needs one.
func TestStockportPointOfContact(t *testing.T) {
	s := formed(t, stockport)
	evs := s.do(g.AssignRole{At: at(1), Partner: "stockport-mind", Role: g.RolePointOfContact, Person: "priya-natarajan"})
	if got, ok := evs[0].Payload.(g.RoleAssigned); !ok || got != (g.RoleAssigned{Partner: "stockport-mind", Role: g.RolePointOfContact, Person: "priya-natarajan"}) {
		t.Fatalf("event = %#v", evs[0].Payload)
	}
	if p := s.state.Partners["stockport-mind"]; p.PointOfContact != "priya-natarajan" || len(p.Roles) != 0 {
		t.Fatalf("Stockport Mind: contact %s, roles %v", p.PointOfContact, p.Roles)
	}
	if got := s.state.Terms.Roles.PointsOfContact["stockport-mind"]; got != "priya-natarajan" {
		t.Fatalf("the terms name %s", got)
	}
	s.refuse(g.AssignRole{At: at(2), Partner: "stockport-mind", Role: g.RoleSecretary}, g.CodeForbidden,
		"the terms of consortium stockport-alliance give the role of secretary only by a decision: table an ordinary decision with role secretary for stockport-mind")
}
