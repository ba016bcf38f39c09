package governance_test

import (
	"testing"
	"time"

	g "github.com/govledger/govledger/governance"
)

// The Lambeth Living Well Collaborative, a commissioning collaborative of five that
// decides by consensus at its fortnightly breakfast: carried when nobody blocks and
// at least one is for; a block needs its reason. Dissolution goes ahead unless someone
// objects. Partners with an interest declare it and still take part.

func TestLambethConsensus(t *testing.T) {
	for _, tc := range []struct {
		name  string
		votes map[string]string
		at    int // day of the close; the ballot opens on day 1 and closes on day 15
		want  string
		tally g.Tally
	}{
		{"three for, two abstain: carried", map[string]string{"sel-icb": "for", "lambeth-council": "for", "slam-nhs": "for",
			"lambeth-gp-federation": "abstain", "certitude": "abstain"}, 15, g.OutcomeCarried, g.Tally{For: 3, Abstain: 2, Electorate: 5}},
		{"one block stops it", map[string]string{"sel-icb": "for", "lambeth-council": "for", "slam-nhs": "for",
			"lambeth-gp-federation": "for", "certitude": "block"}, 15, g.OutcomeRejected, g.Tally{For: 4, Block: 1, Electorate: 5}},
		{"a block settles it before the breakfast", map[string]string{"sel-icb": "for", "lambeth-council": "abstain", "certitude": "block"}, 2,
			g.OutcomeRejected, g.Tally{For: 1, Abstain: 1, Block: 1, Electorate: 5}},
		{"against is no block", map[string]string{"sel-icb": "for", "lambeth-council": "against", "slam-nhs": "against"}, 15,
			g.OutcomeCarried, g.Tally{For: 1, Against: 2, Electorate: 5}},
		{"nobody for: rejected", map[string]string{"sel-icb": "abstain", "lambeth-council": "abstain", "slam-nhs": "abstain"}, 15,
			g.OutcomeRejected, g.Tally{Abstain: 3, Electorate: 5}},
		{"two of five: lapsed", map[string]string{"sel-icb": "for", "lambeth-council": "for"}, 15,
			g.OutcomeLapsed, g.Tally{For: 2, Electorate: 5}},
		{"an abstention makes the quorum", map[string]string{"sel-icb": "for", "lambeth-council": "for", "slam-nhs": "abstain"}, 15,
			g.OutcomeCarried, g.Tally{For: 2, Abstain: 1, Electorate: 5}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formed(t, lambeth)
			s.ballot(g.TableProposal{At: at(1), Proposal: "recovery-pathway", Matter: g.MatterOrdinary, Title: "Commission a peer-led recovery pathway"}, tc.votes)
			if got := s.state.Proposals["recovery-pathway"].ClosesAt; !got.Equal(at(15)) {
				t.Fatalf("the ballot closes at %s, want the rule's fourteen days", got)
			}
			o := outcomeOf(t, s.do(g.CloseProposal{At: at(tc.at), Proposal: "recovery-pathway"}))
			if o.Result != tc.want || o.Tally != tc.tally {
				t.Fatalf("outcome = %s %+v, want %s %+v", o.Result, o.Tally, tc.want, tc.tally)
			}
		})
	}
}

func TestLambethRefusals(t *testing.T) {
	table := func(s *story) {
		s.do(g.TableProposal{At: at(1), Proposal: "recovery-pathway", Matter: g.MatterOrdinary, Title: "Commission a peer-led recovery pathway"})
	}
	for _, tc := range []struct {
		name  string
		setup func(*story)
		cmd   g.Command
		code  g.Code
		want  string
	}{
		{"a block without a reason", table, g.CastVote{At: at(2), Proposal: "recovery-pathway", Partner: "certitude", Vote: "block"},
			g.CodeInvalid, "a block needs a reason"},
		{"closing early while a block could still come", func(s *story) {
			table(s)
			for _, id := range []string{"sel-icb", "lambeth-council", "slam-nhs", "lambeth-gp-federation"} {
				s.do(g.CastVote{At: at(2), Proposal: "recovery-pathway", Partner: id, Vote: "for"})
			}
		}, g.CloseProposal{At: at(3), Proposal: "recovery-pathway"}, g.CodeConflict, "the votes still to come could change its outcome"},
		{"a block on the expulsion rule, a supermajority", func(s *story) {
			s.do(g.TableProposal{At: at(1), Proposal: "expel", Matter: g.MatterExpulsion, Title: "Expel Certitude", About: "certitude"})
		}, g.CastVote{At: at(2), Proposal: "expel", Partner: "sel-icb", Vote: "block", Reason: "too soon"}, g.CodeInvalid,
			"a block is only possible under consensus; this matter is decided by supermajority"},
		{"a casting vote under consensus", func(s *story) {
			s.ballot(g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterOrdinary, Title: "x"},
				map[string]string{"sel-icb": "for", "lambeth-council": "against", "slam-nhs": "against", "certitude": "for"})
		}, g.CloseProposal{At: at(20), Proposal: "p", CastingVote: "for"}, g.CodeInvalid, "the rule for ordinary matters gives the chair no casting vote"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formed(t, lambeth)
			tc.setup(s)
			s.refuse(tc.cmd, tc.code, tc.want)
		})
	}
}

// Lambeth's terms do not exclude a partner with an interest: Certitude, which would
// deliver the pathway, declares it and still takes part, and its block counts.
func TestLambethInterestNotExcluded(t *testing.T) {
	s := formed(t, lambeth)
	s.do(g.TableProposal{At: at(1), Proposal: "recovery-pathway", Matter: "commissioning", Title: "Commission the recovery pathway from Certitude"})
	s.do(g.CastVote{At: at(1), Proposal: "recovery-pathway", Partner: "certitude", Vote: "for"})
	s.do(g.DeclareInterest{At: at(2), Proposal: "recovery-pathway", Partner: "certitude", Interest: "would deliver the pathway"})
	p := s.state.Proposals["recovery-pathway"]
	if !p.InElectorate("certitude") || p.Votes["certitude"].Choice != "for" || p.Interests["certitude"] != "would deliver the pathway" {
		t.Fatalf("after declaring: electorate %v, votes %v, interests %v", p.Electorate, p.Votes, p.Interests)
	}
	s.do(g.CastVote{At: at(3), Proposal: "recovery-pathway", Partner: "certitude", Vote: "block", Reason: "the price leaves no room for peer workers"})
	for _, id := range []string{"sel-icb", "lambeth-council", "slam-nhs"} {
		s.do(g.CastVote{At: at(3), Proposal: "recovery-pathway", Partner: id, Vote: "for"})
	}
	if o := outcomeOf(t, s.do(g.CloseProposal{At: at(4), Proposal: "recovery-pathway"})); o.Result != g.OutcomeRejected || o.Tally.Block != 1 {
		t.Fatalf("outcome = %s %+v", o.Result, o.Tally)
	}
	// In a meeting, too: the interest is minuted and the partner still votes.
	evs := s.do(g.RecordMeetingDecision{
		TableProposal: g.TableProposal{At: at(14), Proposal: "breakfast-venue", Matter: g.MatterOrdinary, Title: "Keep the breakfast at the Clapham cafe"},
		Attendance:    []string{"certitude", "lambeth-council", "sel-icb"},
		Interests:     map[string]string{"certitude": "runs the cafe's training scheme"},
		Votes:         map[string]string{"certitude": "for", "lambeth-council": "for", "sel-icb": "for"},
	})
	if o := outcomeOf(t, evs); o.Result != g.OutcomeCarried || o.Tally.For != 3 {
		t.Fatalf("meeting outcome = %s %+v", o.Result, o.Tally)
	}
}

// A block minuted at the breakfast carries no reason, and still counts.
func TestLambethMinutedBlock(t *testing.T) {
	s := formed(t, lambeth)
	evs := s.do(g.RecordMeetingDecision{
		TableProposal: g.TableProposal{At: at(14), Proposal: "data-hub", Matter: g.MatterOrdinary, Title: "Share records through the data hub"},
		Attendance:    []string{"certitude", "lambeth-council", "lambeth-gp-federation", "sel-icb"},
		Votes:         map[string]string{"certitude": "for", "lambeth-council": "for", "lambeth-gp-federation": "block", "sel-icb": "for"},
	})
	if o := outcomeOf(t, evs); o.Result != g.OutcomeRejected || o.Tally.Block != 1 {
		t.Fatalf("outcome = %s %+v", o.Result, o.Tally)
	}
}

// Dissolution by consent: it goes ahead unless someone objects, with three quarters
// taking part; then the collaborative is sealed.
func TestLambethConsent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		votes map[string]string
		want  string
	}{
		{"four take part, nobody objects", map[string]string{"sel-icb": "for", "lambeth-council": "abstain", "slam-nhs": "abstain", "certitude": "abstain"},
			"decision.carried consortium.dissolved"},
		{"one objection", map[string]string{"sel-icb": "for", "lambeth-council": "for", "slam-nhs": "for", "certitude": "against"},
			"decision.rejected"},
		{"three of five take part", map[string]string{"sel-icb": "for", "lambeth-council": "for", "slam-nhs": "for"},
			"decision.lapsed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formed(t, lambeth)
			s.ballot(g.TableProposal{At: at(1), Proposal: "wind-up", Matter: g.MatterDissolution, Title: "Fold the collaborative into the alliance", ClosesAt: at(15)}, tc.votes)
			if got := types(s.do(g.CloseProposal{At: at(15), Proposal: "wind-up"})); got != tc.want {
				t.Fatalf("close = %s, want %s", got, tc.want)
			}
			if s.state.Dissolved {
				s.refuse(g.TableProposal{At: at(16), Proposal: "restart", Matter: g.MatterOrdinary, Title: "Start again"},
					g.CodeForbidden, "consortium lambeth-living-well is dissolved: its record is sealed")
			}
		})
	}
}

// The breakfast conversation has ten working days; a facilitated session twenty; the
// last stage, mediation, cannot be escalated.
func TestLambethDisputeLadder(t *testing.T) {
	s := formed(t, lambeth)
	// Friday 6 March 2026, 17:00.
	friday := time.Date(2026, 3, 6, 17, 0, 0, 0, time.UTC)
	s.do(g.RaiseDispute{At: friday, Dispute: "referral-data", RaisedBy: "certitude", Parties: []string{"slam-nhs", "sel-icb"}, Matter: "Referral data not shared"})
	d := s.state.Disputes["referral-data"]
	// Ten working days from Friday 6 March is Friday 20 March.
	limit := time.Date(2026, 3, 20, 17, 0, 0, 0, time.UTC)
	if got := s.state.Terms.DisputeLadder[0].Limit(friday); !got.Equal(limit) {
		t.Fatalf("limit = %s, want %s", got, limit)
	}
	if d.Overdue(limit, s.state) || !d.Overdue(limit.Add(time.Second), s.state) {
		t.Fatal("overdue is not derived from ten working days")
	}
	s.do(g.EscalateDispute{At: limit.Add(time.Hour), Dispute: "referral-data"})
	s.do(g.EscalateDispute{At: limit.AddDate(0, 1, 0), Dispute: "referral-data"})
	s.refuse(g.EscalateDispute{At: limit.AddDate(0, 2, 0), Dispute: "referral-data"}, g.CodeConflict,
		"dispute referral-data is at the last stage of the ladder (independent mediation): it cannot be escalated further")
	s.do(g.ResolveDispute{At: limit.AddDate(0, 2, 0), Dispute: "referral-data", Outcome: "Monthly data extract agreed"})
}
