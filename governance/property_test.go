package governance_test

import (
	"testing"

	g "github.com/govledger/govledger/governance"
)

// TestApplyIndependentOfSplit: applying a history in one go, or up to any point, then
// cloning and applying the rest, gives the same state; and every carried decision met
// its frozen rule.
func TestApplyIndependentOfSplit(t *testing.T) {
	s := formSynergy(t)
	s.do(g.ApplyToJoin{At: at(1), Partner: partner("essex-council", "Essex County Council", "local-authority"), Sponsor: "essex-mind"})
	s.do(g.TableProposal{At: at(2), Proposal: "admit", Matter: g.MatterAdmission, Title: "Admit the council", About: "essex-council"})
	for _, id := range []string{"brightside-cvs", "essex-mind", "colchester-nhs"} {
		s.do(g.CastVote{At: at(3), Proposal: "admit", Partner: id, Vote: "for"})
	}
	s.do(g.CloseProposal{At: at(3), Proposal: "admit"})
	s.do(g.ServeNotice{At: at(4), Partner: "colchester-nhs"})
	s.do(g.RaiseDispute{At: at(5), Dispute: "d1", RaisedBy: "essex-council", Parties: []string{"essex-mind"}, Matter: "Data sharing"})
	s.do(g.EscalateDispute{At: at(30), Dispute: "d1"})

	whole := replay(nil, s.log)
	for k := range s.log {
		part := replay(nil, s.log[:k]).Clone()
		if got := replay(part, s.log[k:]); !equalJSON(got, whole) {
			t.Fatalf("splitting the history at %d changes the state", k)
		}
	}
	for _, p := range whole.Proposals {
		if p.Outcome == g.OutcomeCarried && p.Rule.Method == g.MethodUnanimity {
			for _, id := range p.Electorate {
				if p.Votes[id].Choice != g.VoteFor {
					t.Errorf("proposal %s carried by unanimity without %s", p.ID, id)
				}
			}
		}
	}
	for _, p := range whole.Partners {
		if p.Status == g.StatusActive && !p.LeftAt.IsZero() {
			t.Errorf("%s is both active and gone", p.ID)
		}
	}
}
