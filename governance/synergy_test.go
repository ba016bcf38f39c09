package governance_test

import (
	"slices"
	"testing"
	"time"

	g "github.com/govledger/govledger/governance"
)

// Synergy Essex, a third-sector consortium run by a lead member (Brightside CVS): a
// majority with the chair's casting vote for ordinary matters, two thirds for money
// and expulsions, every partner to admit a new one, and an applicant needs a sponsor.

// applied is Synergy with Essex County Council applying to join, sponsored by Brightside CVS.
func applied(t *testing.T) *story {
	s := formSynergy(t)
	s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"})
	return s
}

// admitted is Synergy after the council's unanimous admission, four full members.
func admitted(t *testing.T) *story {
	s := applied(t)
	s.ballot(g.TableProposal{At: at(2), Proposal: "admit-council", Matter: g.MatterAdmission, Title: "Admit Essex County Council", About: "essex-council"},
		map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"})
	s.do(g.CloseProposal{At: at(3), Proposal: "admit-council"})
	return s
}

var foundingThree = []string{"brightside-cvs", "colchester-nhs", "essex-mind"}

func TestSynergyAdmission(t *testing.T) {
	for _, tc := range []struct {
		name   string
		votes  map[string]string
		closes int // days after tabling on day 2
		want   string
		status string
	}{
		{"every partner for: admitted", map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"},
			1, "decision.carried partner.admitted", g.StatusActive},
		{"one against: declined", map[string]string{"brightside-cvs": "for", "essex-mind": "against", "colchester-nhs": "for"},
			1, "decision.rejected partner.declined", g.StatusDeclined},
		{"an abstention breaks unanimity", map[string]string{"brightside-cvs": "for", "essex-mind": "abstain", "colchester-nhs": "for"},
			1, "decision.rejected partner.declined", g.StatusDeclined},
		{"everyone has voted: closed early", map[string]string{"brightside-cvs": "for", "essex-mind": "against", "colchester-nhs": "for"},
			0, "decision.rejected partner.declined", g.StatusDeclined},
		{"nobody votes: lapsed, still an applicant", nil, 10, "decision.lapsed", g.StatusApplicant},
		{"two of three take part: lapsed under a quorum of all", map[string]string{"brightside-cvs": "for", "essex-mind": "for"},
			10, "decision.lapsed", g.StatusApplicant},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := applied(t)
			s.ballot(g.TableProposal{At: at(2), Proposal: "admit-council", Matter: g.MatterAdmission, Title: "Admit Essex County Council",
				About: "essex-council", ClosesAt: at(12)}, tc.votes)
			if got := types(s.do(g.CloseProposal{At: at(2 + tc.closes).Add(2 * time.Hour), Proposal: "admit-council"})); got != tc.want {
				t.Fatalf("close = %s, want %s", got, tc.want)
			}
			if st := s.state.Partners["essex-council"].Status; st != tc.status {
				t.Fatalf("the council is %s, want %s", st, tc.status)
			}
		})
	}
}

// A later vote replaces an earlier one while the ballot is open.
func TestSynergyLaterVoteReplacesEarlier(t *testing.T) {
	s := applied(t)
	s.do(g.TableProposal{At: at(2), Proposal: "admit-council", Matter: g.MatterAdmission, Title: "Admit Essex County Council", About: "essex-council"})
	s.do(g.CastVote{At: at(3), Proposal: "admit-council", Partner: "essex-mind", Vote: "against"})
	s.do(g.CastVote{At: at(4), Proposal: "admit-council", Partner: "essex-mind", Vote: "for"})
	s.refuse(g.CloseProposal{At: at(4), Proposal: "admit-council"}, g.CodeConflict, "the votes still to come could change its outcome")
	s.do(g.CastVote{At: at(4), Proposal: "admit-council", Partner: "brightside-cvs", Vote: "for"})
	s.do(g.CastVote{At: at(4), Proposal: "admit-council", Partner: "colchester-nhs", Vote: "for"})
	o := outcomeOf(t, s.do(g.CloseProposal{At: at(5), Proposal: "admit-council"}))
	if o.Result != g.OutcomeCarried || o.Tally != (g.Tally{For: 3, Electorate: 3}) {
		t.Fatalf("outcome = %+v", o)
	}
	if v := s.state.Proposals["admit-council"].Votes["essex-mind"]; v.Choice != "for" || !v.At.Equal(at(4)) {
		t.Fatalf("Essex Mind's vote = %+v", v)
	}
}

// The electorate is frozen when a proposal opens: the council, admitted after the
// newsletter vote opened, has no vote on it, but has one on the next proposal.
func TestSynergyElectorateFrozenAtOpening(t *testing.T) {
	s := applied(t)
	s.do(g.TableProposal{At: at(2), Proposal: "newsletter", Matter: g.MatterOrdinary, Title: "A quarterly newsletter", ClosesAt: at(20)})
	s.ballot(g.TableProposal{At: at(2), Proposal: "admit-council", Matter: g.MatterAdmission, Title: "Admit Essex County Council", About: "essex-council"},
		map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"})
	s.do(g.CloseProposal{At: at(3), Proposal: "admit-council"})
	s.refuse(g.CastVote{At: at(4), Proposal: "newsletter", Partner: "essex-council", Vote: "for"}, g.CodeForbidden,
		"Essex County Council is not in the electorate of proposal newsletter: it was not a full member when the proposal opened")
	s.do(g.TableProposal{At: at(4), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Meet at the Mercury Theatre"})
	s.do(g.CastVote{At: at(5), Proposal: "venue", Partner: "essex-council", Vote: "for"})
	if got := s.state.Proposals["newsletter"].Electorate; !equalJSON(got, foundingThree) {
		t.Fatalf("the newsletter's electorate changed to %v", got)
	}
}

func TestSynergyRefusals(t *testing.T) {
	newTerms := func(t *testing.T, change func(*g.Terms)) *g.Terms {
		terms := loadTerms(t, synergy.terms)
		change(&terms)
		return &terms
	}
	for _, tc := range []struct {
		name  string
		setup func(*story)
		cmd   g.Command
		code  g.Code
		want  string
	}{
		// Joining.
		{"an applicant without a sponsor", nil, g.ApplyToJoin{At: at(1), Partner: council},
			g.CodeInvalid, "the terms of consortium synergy require an applicant to have a sponsoring partner"},
		{"a sponsor who is not a partner", nil, g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "age-uk"},
			g.CodeNotFound, "age-uk is not a partner of consortium synergy"},
		{"an applicant who is already a member", nil, g.ApplyToJoin{At: at(1), Partner: partner("essex-mind", "Essex Mind", "vcse"), Sponsor: "brightside-cvs"},
			g.CodeConflict, "essex-mind is already known to consortium synergy (it is active)"},
		{"applying twice", func(s *story) { s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"}) },
			g.ApplyToJoin{At: at(2), Partner: council, Sponsor: "essex-mind"}, g.CodeConflict, "essex-council is already known to consortium synergy (it is applicant)"},
		{"a command dated before the consortium was formed", nil, g.ApplyToJoin{At: at(-1), Partner: council, Sponsor: "brightside-cvs"},
			g.CodeInvalid, "consortium synergy was formed at 2026-03-02 09:30:00: nothing can be dated before that"},
		{"a command without a time", nil, g.ApplyToJoin{Partner: council, Sponsor: "brightside-cvs"},
			g.CodeInvalid, "apply-to-join needs the time it happens (at)"},

		// Tabling.
		{"a matter the terms do not know", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: "budget", Title: "Budget"},
			g.CodeInvalid, `the terms of consortium synergy have no decision rule for the matter "budget"`},
		{"a proposal id that is not a slug", nil, g.TableProposal{At: at(1), Proposal: "a.b", Matter: g.MatterOrdinary, Title: "x"},
			g.CodeInvalid, `proposal id "a.b" is not a slug`},
		{"a proposal id used before", func(s *story) {
			s.do(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"})
		}, g.TableProposal{At: at(2), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue again"}, g.CodeConflict, "proposal venue already exists"},
		{"a proposal without a title", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterOrdinary},
			g.CodeInvalid, "proposal p needs a title"},
		{"a title of spaces", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterOrdinary, Title: "   "},
			g.CodeInvalid, "proposal p needs a title"},
		{"a title with a NUL", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterOrdinary, Title: "a\x00b"},
			g.CodeInvalid, "the title holds the character U+0000, which the record does not keep"},
		{"closing before it opens", nil, g.TableProposal{At: at(2), Proposal: "p", Matter: g.MatterOrdinary, Title: "x", ClosesAt: at(1)},
			g.CodeInvalid, "proposal p closes (2026-03-03 09:30:00) before it opens (2026-03-04 09:30:00)"},
		{"admitting a member", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterAdmission, Title: "x", About: "essex-mind"},
			g.CodeConflict, "Essex Mind has not applied to join (it is active)"},
		{"admitting a stranger", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterAdmission, Title: "x", About: "age-uk"},
			g.CodeNotFound, "age-uk is not a partner of consortium synergy"},
		{"a second admission proposal for one applicant", func(s *story) {
			s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"})
			s.do(g.TableProposal{At: at(2), Proposal: "admit", Matter: g.MatterAdmission, Title: "Admit", About: "essex-council"})
		}, g.TableProposal{At: at(3), Proposal: "admit-2", Matter: g.MatterAdmission, Title: "Admit", About: "essex-council"},
			g.CodeConflict, "an admission proposal for Essex County Council is already open"},
		{"expelling an applicant", func(s *story) { s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"}) },
			g.TableProposal{At: at(2), Proposal: "p", Matter: g.MatterExpulsion, Title: "x", About: "essex-council"},
			g.CodeConflict, "Essex County Council is not a member of consortium synergy (it is applicant)"},
		{"a second expulsion proposal for one partner", func(s *story) {
			s.do(g.TableProposal{At: at(1), Proposal: "expel", Matter: g.MatterExpulsion, Title: "Expel", About: "essex-mind"})
		}, g.TableProposal{At: at(2), Proposal: "expel-2", Matter: g.MatterExpulsion, Title: "Expel", About: "essex-mind"},
			g.CodeConflict, "an expulsion proposal for Essex Mind is already open (expel)"},
		{"amending the terms to shares of 90%", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterAmendTerms, Title: "x",
			NewTerms: newTerms(t, func(t *g.Terms) { t.RiskShares["colchester-nhs"] = 1500 })},
			g.CodeInvalid, "risk-sharing shares add up to 90.00%, not 100%"},
		{"amending the terms to give a share to an applicant", func(s *story) {
			s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"})
		}, g.TableProposal{At: at(2), Proposal: "p", Matter: g.MatterAmendTerms, Title: "x",
			NewTerms: newTerms(t, func(t *g.Terms) { t.RiskShares = map[string]g.Share{"brightside-cvs": 5000, "essex-council": 5000} })},
			g.CodeInvalid, "risk-sharing names essex-council, which is not a partner"},
		{"amending the terms without new terms", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterAmendTerms, Title: "x"},
			g.CodeInvalid, "an amend-terms proposal needs the new terms"},
		{"new terms on an ordinary matter", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterOrdinary, Title: "x",
			NewTerms: newTerms(t, func(*g.Terms) {})}, g.CodeInvalid, "new terms are agreed by an amend-terms decision, not ordinary"},
		{"a role on a reserved matter", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterDissolution, Title: "x",
			Role: &g.RoleAssignment{Partner: "essex-mind", Role: g.RoleChair}}, g.CodeInvalid, "a role is assigned by an ordinary decision, not dissolution"},
		{"an admission about nobody", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterAdmission, Title: "x"},
			g.CodeInvalid, "an admission proposal needs the partner it is about"},
		{"an expulsion about nobody", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterExpulsion, Title: "x"},
			g.CodeInvalid, "an expulsion proposal needs the partner it is about"},
		{"a proposal about a stranger", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterOrdinary, Title: "x", About: "age-uk"},
			g.CodeNotFound, "age-uk is not a partner of consortium synergy"},

		// Voting.
		{"a vote by a stranger", func(s *story) {
			s.do(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"})
		}, g.CastVote{At: at(2), Proposal: "venue", Partner: "age-uk", Vote: "for"}, g.CodeNotFound, "age-uk is not a partner of consortium synergy"},
		{"a vote by an applicant", func(s *story) {
			s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"})
			s.do(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"})
		}, g.CastVote{At: at(2), Proposal: "venue", Partner: "essex-council", Vote: "for"}, g.CodeForbidden,
			"Essex County Council is not in the electorate of proposal venue: it was not a full member when the proposal opened"},
		{"a vote on no proposal", nil, g.CastVote{At: at(2), Proposal: "no-such", Partner: "essex-mind", Vote: "for"},
			g.CodeNotFound, "there is no proposal no-such in consortium synergy"},
		{"a vote after the closing time", func(s *story) {
			s.do(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue", ClosesAt: at(5)})
		}, g.CastVote{At: at(5), Proposal: "venue", Partner: "essex-mind", Vote: "for"}, g.CodeConflict,
			"voting on proposal venue closed at 2026-03-07 09:30:00"},
		{"a vote after the count", func(s *story) {
			s.ballot(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"},
				map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"})
			s.do(g.CloseProposal{At: at(2), Proposal: "venue"})
		}, g.CastVote{At: at(3), Proposal: "venue", Partner: "essex-mind", Vote: "against"}, g.CodeConflict, "proposal venue is closed (carried)"},
		{"a vote dated before the proposal opened", func(s *story) {
			s.do(g.TableProposal{At: at(5), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"})
		}, g.CastVote{At: at(4), Proposal: "venue", Partner: "essex-mind", Vote: "for"}, g.CodeInvalid,
			"proposal venue opened at 2026-03-07 09:30:00: nothing can be done on it before then"},
		{"a block under majority", func(s *story) {
			s.do(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"})
		}, g.CastVote{At: at(2), Proposal: "venue", Partner: "essex-mind", Vote: "block", Reason: "too far"}, g.CodeInvalid,
			"a block is only possible under consensus; this matter is decided by majority"},
		{"a reason that reorders itself on screen", func(s *story) {
			s.do(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"})
		}, g.CastVote{At: at(2), Proposal: "venue", Partner: "essex-mind", Vote: "against", Reason: "too far \u2066away"}, g.CodeInvalid,
			"the reason holds the character U+2066, which the record does not keep"},
		{"a vote that is not a vote", func(s *story) {
			s.do(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"})
		}, g.CastVote{At: at(2), Proposal: "venue", Partner: "essex-mind", Vote: "maybe"}, g.CodeInvalid, `"maybe" is not a vote`},

		// Interests.
		{"an interest that says nothing", func(s *story) {
			s.do(g.TableProposal{At: at(1), Proposal: "grant", Matter: g.MatterOrdinary, Title: "Carers grant"})
		}, g.DeclareInterest{At: at(2), Proposal: "grant", Partner: "essex-mind"}, g.CodeInvalid, "a declaration of interest must say what the interest is"},
		{"an interest declared twice", func(s *story) {
			s.do(g.TableProposal{At: at(1), Proposal: "grant", Matter: g.MatterOrdinary, Title: "Carers grant"})
			s.do(g.DeclareInterest{At: at(2), Proposal: "grant", Partner: "essex-mind", Interest: "recipient"})
		}, g.DeclareInterest{At: at(3), Proposal: "grant", Partner: "essex-mind", Interest: "recipient"}, g.CodeConflict,
			"essex-mind has already declared an interest in proposal grant"},
		{"an interest declared by an applicant", func(s *story) {
			s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"})
			s.do(g.TableProposal{At: at(1), Proposal: "grant", Matter: g.MatterOrdinary, Title: "Carers grant"})
		}, g.DeclareInterest{At: at(2), Proposal: "grant", Partner: "essex-council", Interest: "recipient"}, g.CodeForbidden,
			"Essex County Council is not a member of consortium synergy (it is applicant): only members declare interests"},

		// Closing.
		{"a review date before the decision", func(s *story) {
			s.ballot(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"},
				map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"})
		}, g.CloseProposal{At: at(2), Proposal: "venue", ReviewDate: "2026-03-03"}, g.CodeInvalid,
			"the review date 2026-03-03 is before the decision, taken on 2026-03-04"},

		// Withdrawing a proposal.
		{"withdrawing a closed proposal", func(s *story) {
			s.ballot(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"},
				map[string]string{"brightside-cvs": "for", "essex-mind": "for"})
			s.do(g.CloseProposal{At: at(2), Proposal: "venue"})
		}, g.WithdrawProposal{At: at(3), Proposal: "venue"}, g.CodeConflict, "proposal venue is closed (carried)"},

		// Notice.
		{"notice from an applicant", func(s *story) { s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"}) },
			g.ServeNotice{At: at(2), Partner: "essex-council"}, g.CodeConflict, "Essex County Council cannot serve notice: it is applicant"},
		{"notice from a stranger", nil, g.ServeNotice{At: at(2), Partner: "age-uk"}, g.CodeNotFound, "age-uk is not a partner of consortium synergy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formSynergy(t)
			if tc.setup != nil {
				tc.setup(s)
			}
			s.refuse(tc.cmd, tc.code, tc.want)
		})
	}
}

// Closing: early only once the votes to come cannot change the outcome; the chair's
// casting vote only on a tie, where the rule grants one.
func TestSynergyClosing(t *testing.T) {
	four := map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "against", "essex-council": "against"}
	for _, tc := range []struct {
		name    string
		votes   map[string]string
		close   g.CloseProposal
		want    string
		casting string
	}{
		{"a tie broken for by the chair", four, g.CloseProposal{At: at(20), CastingVote: "for"}, g.OutcomeCarried, "for"},
		{"a tie broken against by the chair", four, g.CloseProposal{At: at(20), CastingVote: "against"}, g.OutcomeRejected, "against"},
		{"a tie the chair leaves alone", four, g.CloseProposal{At: at(20)}, g.OutcomeRejected, ""},
		{"a majority settled early", map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"},
			g.CloseProposal{At: at(5)}, g.OutcomeCarried, ""},
		{"two abstentions make the quorum", map[string]string{"brightside-cvs": "abstain", "essex-mind": "abstain"},
			g.CloseProposal{At: at(20)}, g.OutcomeRejected, ""},
		{"one voter short of quorum", map[string]string{"brightside-cvs": "for"}, g.CloseProposal{At: at(20)}, g.OutcomeLapsed, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := admitted(t)
			s.ballot(g.TableProposal{At: at(4), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Meet at the Mercury Theatre"}, tc.votes)
			c := tc.close
			c.Proposal, c.ReviewDate = "venue", "2026-09-01"
			o := outcomeOf(t, s.do(c))
			if o.Result != tc.want || o.CastingVote != tc.casting || o.ReviewDate != "2026-09-01" {
				t.Fatalf("outcome = %+v, want %s with casting vote %q", o, tc.want, tc.casting)
			}
			if p := s.state.Proposals["venue"]; p.Outcome != tc.want || p.CastingVote != tc.casting || !p.ClosedAt.Equal(c.At) {
				t.Fatalf("proposal = %s, casting %q, closed %s", p.Outcome, p.CastingVote, p.ClosedAt)
			}
		})
	}
	for _, tc := range []struct {
		name  string
		votes map[string]string
		close g.CloseProposal
		code  g.Code
		want  string
	}{
		{"early while the votes could change it", map[string]string{"brightside-cvs": "for", "essex-mind": "for"},
			g.CloseProposal{At: at(5)}, g.CodeConflict, "proposal venue is open until 2026-03-16 09:30:00 and the votes still to come could change its outcome"},
		{"a casting vote without a tie", map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "against"},
			g.CloseProposal{At: at(20), CastingVote: "for"}, g.CodeInvalid, "proposal venue is not tied (2 for, 1 against): the chair's casting vote only breaks a tie"},
		{"a casting vote when the ballot lapses", map[string]string{"brightside-cvs": "for"},
			g.CloseProposal{At: at(20), CastingVote: "for"}, g.CodeInvalid, "proposal venue lapses for want of quorum"},
		{"a casting vote that is not for or against", four, g.CloseProposal{At: at(20), CastingVote: "abstain"},
			g.CodeInvalid, `a casting vote is for or against, not "abstain"`},
		{"a close dated before it opened", four, g.CloseProposal{At: at(3)}, g.CodeInvalid, "proposal venue opened at"},
		{"closing what does not exist", nil, g.CloseProposal{At: at(20), Proposal: "no-such"}, g.CodeNotFound, "there is no proposal no-such"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := admitted(t)
			s.ballot(g.TableProposal{At: at(4), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Meet at the Mercury Theatre"}, tc.votes)
			c := tc.close
			if c.Proposal == "" {
				c.Proposal = "venue"
			}
			s.refuse(c, tc.code, tc.want)
		})
	}
	// Unanimity gives the chair no casting vote, even on a tie.
	s := applied(t)
	s.ballot(g.TableProposal{At: at(2), Proposal: "admit-council", Matter: g.MatterAdmission, Title: "Admit", About: "essex-council"},
		map[string]string{"brightside-cvs": "for", "essex-mind": "against"})
	s.refuse(g.CloseProposal{At: at(20), Proposal: "admit-council", CastingVote: "for"}, g.CodeInvalid,
		"the rule for admission matters gives the chair no casting vote")
}

// A ballot's default voting window is the rule's (ten days for Synergy's ordinary matters).
func TestSynergyVotingWindow(t *testing.T) {
	s := formSynergy(t)
	s.do(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"})
	s.do(g.TableProposal{At: at(1), Proposal: "wind-up", Matter: g.MatterDissolution, Title: "Wind up"})
	if got := s.state.Proposals["venue"].ClosesAt; !got.Equal(at(11)) {
		t.Errorf("an ordinary ballot closes at %s, want ten days on", got)
	}
	if got := s.state.Proposals["wind-up"].ClosesAt; !got.Equal(at(8)) {
		t.Errorf("a ballot whose rule has no window closes at %s, want seven days on", got)
	}
}

// Supermajority thresholds at their edges: two thirds of those for and against, with
// at least one for; abstentions count towards the quorum but not the threshold.
func TestSynergySupermajorityEdges(t *testing.T) {
	for _, tc := range []struct {
		name  string
		votes map[string]string
		want  string
	}{
		{"exactly two thirds", map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "against"}, g.OutcomeCarried},
		{"two thirds with an abstention", map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "against", "essex-council": "abstain"}, g.OutcomeCarried},
		{"half", map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "against", "essex-council": "against"}, g.OutcomeRejected},
		{"everyone abstains", map[string]string{"brightside-cvs": "abstain", "essex-mind": "abstain", "colchester-nhs": "abstain"}, g.OutcomeRejected},
		{"one for, the rest abstain", map[string]string{"brightside-cvs": "for", "essex-mind": "abstain", "colchester-nhs": "abstain"}, g.OutcomeCarried},
		{"two of four take part: under a two-thirds quorum", map[string]string{"brightside-cvs": "for", "essex-mind": "for"}, g.OutcomeLapsed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := admitted(t)
			s.ballot(g.TableProposal{At: at(4), Proposal: "budget", Matter: "financial", Title: "Move £8,000 to volunteer training", ClosesAt: at(10)}, tc.votes)
			if o := outcomeOf(t, s.do(g.CloseProposal{At: at(10), Proposal: "budget"})); o.Result != tc.want {
				t.Fatalf("outcome = %s (%+v), want %s", o.Result, o.Tally, tc.want)
			}
		})
	}
}

// A partner that declares an interest leaves the vote: Synergy's terms exclude it, and
// a vote it cast before declaring no longer counts.
func TestSynergyConflictOfInterest(t *testing.T) {
	s := formSynergy(t)
	s.do(g.TableProposal{At: at(1), Proposal: "grant", Matter: g.MatterOrdinary, Title: "Award the carers grant to Essex Mind"})
	s.do(g.CastVote{At: at(1), Proposal: "grant", Partner: "essex-mind", Vote: "for"})
	s.do(g.DeclareInterest{At: at(2), Proposal: "grant", Partner: "essex-mind", Interest: "recipient of the grant"})
	s.refuse(g.CastVote{At: at(2), Proposal: "grant", Partner: "essex-mind", Vote: "for"}, g.CodeForbidden,
		"Essex Mind is not in the electorate of proposal grant: it declared an interest")
	s.do(g.CastVote{At: at(2), Proposal: "grant", Partner: "brightside-cvs", Vote: "for"})
	s.do(g.CastVote{At: at(2), Proposal: "grant", Partner: "colchester-nhs", Vote: "for"})
	o := outcomeOf(t, s.do(g.CloseProposal{At: at(3), Proposal: "grant"}))
	if o.Tally != (g.Tally{For: 2, Electorate: 2}) {
		t.Fatalf("tally = %+v: Essex Mind's vote still counts", o.Tally)
	}
}

// Whether a declared interest takes a partner out of the vote is frozen with the rule
// when the proposal opens, like the electorate: the terms amended meanwhile do not move
// it.
func TestSynergyExclusionFrozenAtOpening(t *testing.T) {
	s := formSynergy(t) // exclude_conflicted: true
	s.do(g.TableProposal{At: at(1), Proposal: "grant", Matter: g.MatterOrdinary, Title: "Award the carers grant to Essex Mind", ClosesAt: at(30)})
	keep := s.state.Terms
	keep.ExcludeConflicted = false
	s.ballot(g.TableProposal{At: at(2), Proposal: "keep-votes", Matter: g.MatterAmendTerms, Title: "Conflicted partners keep their vote", NewTerms: &keep},
		map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"})
	s.do(g.CloseProposal{At: at(3), Proposal: "keep-votes"})
	s.do(g.DeclareInterest{At: at(4), Proposal: "grant", Partner: "essex-mind", Interest: "recipient of the grant"})
	if s.state.Proposals["grant"].InElectorate("essex-mind") {
		t.Fatalf("opened excluding the conflicted, the grant's electorate is %v", s.state.Proposals["grant"].Electorate)
	}
	s.do(g.TableProposal{At: at(5), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Meet at the library"})
	s.do(g.DeclareInterest{At: at(5), Proposal: "venue", Partner: "essex-mind", Interest: "runs the library cafe"})
	if !s.state.Proposals["venue"].InElectorate("essex-mind") {
		t.Fatalf("opened under the amended terms, the venue's electorate is %v", s.state.Proposals["venue"].Electorate)
	}
}

// A meeting is often minuted after it is held: it is judged by who was a member on the
// day, so a partner admitted later has no vote in it, nor can a notice predate its
// admission.
func TestSynergyBackdatedToBeforeAnAdmission(t *testing.T) {
	s := applied(t) // the council applies on day 1
	s.ballot(g.TableProposal{At: at(2), Proposal: "admit-council", Matter: g.MatterAdmission, Title: "Admit Essex County Council", About: "essex-council"},
		map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"})
	s.do(g.CloseProposal{At: at(3), Proposal: "admit-council"})
	held := at(2).Add(2 * time.Hour)
	s.refuse(g.RecordMeetingDecision{
		TableProposal: g.TableProposal{At: held, Proposal: "pathway", Matter: g.MatterOrdinary, Title: "Adopt the referral pathway"},
		Attendance:    []string{"brightside-cvs", "essex-council"},
		Votes:         map[string]string{"brightside-cvs": "for", "essex-council": "for"},
	}, g.CodeForbidden, "Essex County Council is not in the electorate of proposal pathway")
	s.refuse(g.ServeNotice{At: at(1), Partner: "essex-council"}, g.CodeConflict, "Essex County Council cannot serve notice: it is applicant")
	evs := s.do(g.RecordMeetingDecision{
		TableProposal: g.TableProposal{At: held, Proposal: "pathway", Matter: g.MatterOrdinary, Title: "Adopt the referral pathway"},
		Attendance:    []string{"brightside-cvs", "essex-mind"},
		Votes:         map[string]string{"brightside-cvs": "for", "essex-mind": "for"},
	})
	if p := evs[0].Payload.(g.DecisionProposed); slices.Contains(p.Electorate, "essex-council") {
		t.Fatalf("the electorate of a meeting before the admission: %v", p.Electorate)
	}
}

// Expulsion: two thirds of the others; the partner it is about has no vote on it, and
// none on anything opened after.
func TestSynergyExpulsion(t *testing.T) {
	s := admitted(t)
	s.do(g.TableProposal{At: at(4), Proposal: "expel-mind", Matter: g.MatterExpulsion, Title: "Expel Essex Mind for persistent breach", About: "essex-mind"})
	s.refuse(g.CastVote{At: at(5), Proposal: "expel-mind", Partner: "essex-mind", Vote: "against"}, g.CodeForbidden,
		"Essex Mind is not in the electorate of proposal expel-mind: the proposal is about it")
	if got := s.state.Proposals["expel-mind"].Electorate; !equalJSON(got, []string{"brightside-cvs", "colchester-nhs", "essex-council"}) {
		t.Fatalf("electorate = %v", got)
	}
	for _, id := range []string{"brightside-cvs", "colchester-nhs"} {
		s.do(g.CastVote{At: at(5), Proposal: "expel-mind", Partner: id, Vote: "for"})
	}
	s.do(g.CastVote{At: at(5), Proposal: "expel-mind", Partner: "essex-council", Vote: "against"})
	if got := types(s.do(g.CloseProposal{At: at(6), Proposal: "expel-mind"})); got != "decision.carried partner.expelled" {
		t.Fatalf("close = %s", got)
	}
	mind := s.state.Partners["essex-mind"]
	if mind.Status != g.StatusExpelled || !mind.LeftAt.Equal(at(6)) || mind.Member(at(6)) {
		t.Fatalf("Essex Mind is %s, left %s", mind.Status, mind.LeftAt)
	}
	s.do(g.TableProposal{At: at(7), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"})
	if s.state.Proposals["venue"].InElectorate("essex-mind") {
		t.Fatal("an expelled partner is in a later electorate")
	}
	s.refuse(g.CastVote{At: at(8), Proposal: "venue", Partner: "essex-mind", Vote: "for"}, g.CodeForbidden, "Essex Mind is not in the electorate")
	s.refuse(g.ApplyToJoin{At: at(9), Partner: mindSpec, Sponsor: "essex-council"}, g.CodeConflict, "essex-mind is already known to consortium synergy (it is expelled)")
	s.refuse(g.ServeNotice{At: at(9), Partner: "essex-mind"}, g.CodeConflict, "Essex Mind cannot serve notice: it is expelled")
}

var mindSpec = partner("essex-mind", "Essex Mind", "vcse")

// A declined applicant may apply again.
func TestSynergyDeclinedMayApplyAgain(t *testing.T) {
	s := applied(t)
	s.ballot(g.TableProposal{At: at(2), Proposal: "admit-council", Matter: g.MatterAdmission, Title: "Admit", About: "essex-council"},
		map[string]string{"brightside-cvs": "for", "essex-mind": "against", "colchester-nhs": "for"})
	s.do(g.CloseProposal{At: at(2).Add(2 * time.Hour), Proposal: "admit-council"})
	s.do(g.ApplyToJoin{At: at(30), Partner: council, Sponsor: "essex-mind"})
	if p := s.state.Partners["essex-council"]; p.Status != g.StatusApplicant || p.Sponsor != "essex-mind" || !p.LeftAt.IsZero() {
		t.Fatalf("the council applying again is %+v", p)
	}
}

// Withdrawal: the partner keeps its vote until its notice takes effect, then loses it,
// and is in no electorate opened after.
func TestSynergyServeNotice(t *testing.T) {
	s := formSynergy(t)
	s.do(g.ServeNotice{At: at(1), Partner: "colchester-nhs", Reason: "The service moves to the ICB"})
	p := s.state.Partners["colchester-nhs"]
	if !p.EffectiveAt.Equal(at(91)) || p.StatusAt(at(90)) != g.StatusNoticeServed || p.StatusAt(at(91)) != g.StatusWithdrawn {
		t.Fatalf("effective %s; status at 90 days %s, at 91 days %s", p.EffectiveAt, p.StatusAt(at(90)), p.StatusAt(at(91)))
	}
	s.refuse(g.ServeNotice{At: at(2), Partner: "colchester-nhs"}, g.CodeConflict, "Colchester Hospital NHS Trust cannot serve notice: it is notice-served")
	// Nor again, dated before the notice it served.
	s.refuse(g.ServeNotice{At: at(1).Add(-time.Hour), Partner: "colchester-nhs"}, g.CodeConflict, "Colchester Hospital NHS Trust cannot serve notice: it is notice-served")
	s.do(g.TableProposal{At: at(10), Proposal: "newsletter", Matter: g.MatterOrdinary, Title: "Newsletter", ClosesAt: at(100)})
	if !s.state.Proposals["newsletter"].InElectorate("colchester-nhs") {
		t.Fatal("a partner serving notice lost its vote before the notice took effect")
	}
	s.do(g.CastVote{At: at(20), Proposal: "newsletter", Partner: "colchester-nhs", Vote: "for"})
	s.do(g.CastVote{At: at(90), Proposal: "newsletter", Partner: "colchester-nhs", Vote: "against"})
	s.refuse(g.CastVote{At: at(91), Proposal: "newsletter", Partner: "colchester-nhs", Vote: "for"}, g.CodeForbidden,
		"Colchester Hospital NHS Trust can no longer vote on proposal newsletter: it is withdrawn")
	s.refuse(g.ServeNotice{At: at(92), Partner: "colchester-nhs"}, g.CodeConflict, "cannot serve notice: it is withdrawn")
	s.refuse(g.ApplyToJoin{At: at(92), Partner: partner("colchester-nhs", "Colchester Hospital NHS Trust", "nhs-trust"), Sponsor: "essex-mind"},
		g.CodeConflict, "colchester-nhs is already known to consortium synergy (it is withdrawn)")
	s.do(g.TableProposal{At: at(92), Proposal: "venue", Matter: g.MatterOrdinary, Title: "After withdrawal"})
	if s.state.Proposals["venue"].InElectorate("colchester-nhs") {
		t.Fatal("a withdrawn partner is in a new electorate")
	}
	// Its shares are re-agreed after it has gone.
	terms := loadTerms(t, synergy.terms)
	terms.RiskShares = map[string]g.Share{"brightside-cvs": 6000, "essex-mind": 4000}
	terms.SurplusShares = map[string]g.Share{"brightside-cvs": 5000, "essex-mind": 5000}
	terms.Roles.PointsOfContact = nil
	terms.SteeringGroup = []string{"brightside-cvs", "essex-mind"}
	s.ballot(g.TableProposal{At: at(93), Proposal: "reshare", Matter: g.MatterAmendTerms, Title: "Share risk and surplus between the two", NewTerms: &terms},
		map[string]string{"brightside-cvs": "for", "essex-mind": "for"})
	if got := types(s.do(g.CloseProposal{At: at(94), Proposal: "reshare"})); got != "decision.carried consortium.terms-amended" {
		t.Fatalf("close = %s", got)
	}
}

// A meeting decision is recorded in one step, held to the same rule and quorum.
func TestSynergyMeetingDecision(t *testing.T) {
	all := []string{"brightside-cvs", "essex-mind", "colchester-nhs"}
	for _, tc := range []struct {
		name    string
		meeting g.RecordMeetingDecision
		want    string
	}{
		{"dissolution with every partner present and for", g.RecordMeetingDecision{
			TableProposal: g.TableProposal{Matter: g.MatterDissolution, Title: "Dissolve at contract end"},
			Attendance:    all, Votes: map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"},
		}, "decision.proposed decision.vote-cast decision.vote-cast decision.vote-cast decision.carried consortium.dissolved"},
		{"dissolution with one partner away lapses", g.RecordMeetingDecision{
			TableProposal: g.TableProposal{Matter: g.MatterDissolution, Title: "Dissolve"},
			Attendance:    all[:2], Votes: map[string]string{"brightside-cvs": "for", "essex-mind": "for"},
		}, "decision.proposed decision.vote-cast decision.vote-cast decision.lapsed"},
		{"a tie broken by the chair's casting vote", g.RecordMeetingDecision{
			TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "Move the office to Colchester"},
			Attendance:    all, Votes: map[string]string{"brightside-cvs": "for", "essex-mind": "against"}, CastingVote: "for",
		}, "decision.proposed decision.vote-cast decision.vote-cast decision.carried"},
		{"an interest minuted takes the partner out of the vote", g.RecordMeetingDecision{
			TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "Award the carers grant to Essex Mind"},
			Attendance:    all, Interests: map[string]string{"essex-mind": "recipient of the grant"},
			Votes: map[string]string{"brightside-cvs": "for", "colchester-nhs": "for"},
		}, "decision.proposed decision.interest-declared decision.vote-cast decision.vote-cast decision.carried"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formSynergy(t)
			m := tc.meeting
			m.At, m.Proposal = at(30), "meeting"
			if got := types(s.do(m)); got != tc.want {
				t.Fatalf("meeting = %s", got)
			}
			p := s.state.Proposals["meeting"]
			if p.Meeting == nil || !p.Meeting.HeldAt.Equal(at(30)) || !p.ClosesAt.Equal(at(30)) || !p.ClosedAt.Equal(at(30)) {
				t.Fatalf("meeting proposal = %+v", p)
			}
		})
	}
	for _, tc := range []struct {
		name    string
		meeting g.RecordMeetingDecision
		code    g.Code
		want    string
	}{
		{"a vote by someone absent", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "x"},
			Attendance: []string{"brightside-cvs"}, Votes: map[string]string{"essex-mind": "for"}}, g.CodeInvalid, "the minutes record a vote by essex-mind, which is not in the attendance"},
		{"a stranger in the attendance", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "x"},
			Attendance: []string{"brightside-cvs", "age-uk"}}, g.CodeNotFound, "age-uk is not a partner of consortium synergy"},
		{"a partner present twice", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "x"},
			Attendance: []string{"essex-mind", "brightside-cvs", "essex-mind"}}, g.CodeInvalid, "the attendance names essex-mind twice"},
		{"a vote by a conflicted partner", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "x"},
			Attendance: []string{"brightside-cvs", "essex-mind"}, Interests: map[string]string{"essex-mind": "recipient"},
			Votes: map[string]string{"essex-mind": "for"}}, g.CodeForbidden, "Essex Mind is not in the electorate of proposal meeting: it declared an interest"},
		{"an interest that says nothing", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "x"},
			Attendance: []string{"brightside-cvs"}, Interests: map[string]string{"essex-mind": ""}}, g.CodeInvalid, "the minutes record an interest of essex-mind without saying what it is"},
		{"a block under majority", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "x"},
			Attendance: []string{"brightside-cvs", "essex-mind"}, Votes: map[string]string{"essex-mind": "block"}}, g.CodeInvalid, "a block is only possible under consensus"},
		{"a casting vote without a tie", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "x"},
			Attendance: []string{"brightside-cvs", "essex-mind"}, Votes: map[string]string{"brightside-cvs": "for", "essex-mind": "for"}, CastingVote: "for"},
			g.CodeInvalid, "proposal meeting is not tied (2 for, 0 against)"},
		{"an unknown matter", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: "budget", Title: "x"}, Attendance: all},
			g.CodeInvalid, `no decision rule for the matter "budget"`},
		{"nobody present", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "x"}},
			g.CodeInvalid, "the minutes of the meeting on proposal meeting record nobody present: give the attendance"},
		{"a closing time", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "x", ClosesAt: at(40)}, Attendance: all},
			g.CodeInvalid, "a decision taken in a meeting closes when the meeting is held: it takes no closing time"},
		{"a review before the meeting", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "x"}, Attendance: all,
			Votes: map[string]string{"essex-mind": "for"}, ReviewDate: "2026-01-01"},
			g.CodeInvalid, "the review date 2026-01-01 is before the decision, taken on 2026-04-01"},
		{"an interest of a stranger", g.RecordMeetingDecision{TableProposal: g.TableProposal{Matter: g.MatterOrdinary, Title: "x"}, Attendance: all,
			Interests: map[string]string{"age-uk": "recipient"}}, g.CodeNotFound, "age-uk is not a partner of consortium synergy"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formSynergy(t)
			m := tc.meeting
			m.At, m.Proposal = at(30), "meeting"
			s.refuse(m, tc.code, tc.want)
		})
	}
}

// A carried decision takes effect in the same step as its outcome, or not at all: an
// expulsion whose partner has left in the meantime cannot close as carried, and is
// withdrawn instead.
func TestSynergyEffectThatCanNoLongerHappen(t *testing.T) {
	s := formSynergy(t)
	s.do(g.ServeNotice{At: at(1), Partner: "essex-mind"})
	s.ballot(g.TableProposal{At: at(80), Proposal: "expel-mind", Matter: g.MatterExpulsion, Title: "Expel Essex Mind", About: "essex-mind", ClosesAt: at(100)},
		map[string]string{"brightside-cvs": "for", "colchester-nhs": "for"})
	s.refuse(g.CloseProposal{At: at(100), Proposal: "expel-mind"}, g.CodeConflict,
		"the expulsion of Essex Mind cannot take effect: it has already left (it is withdrawn); withdraw proposal expel-mind")
	s.do(g.WithdrawProposal{At: at(100), Proposal: "expel-mind", Reason: "Essex Mind has left"})
	if mind := s.state.Partners["essex-mind"]; mind.StatusAt(at(100)) != g.StatusWithdrawn || !mind.LeftAt.IsZero() {
		t.Fatalf("Essex Mind is %s, left %s", mind.StatusAt(at(100)), mind.LeftAt)
	}
	// Expelled while serving notice, before the notice takes effect, it is expelled.
	s2 := formSynergy(t)
	s2.do(g.ServeNotice{At: at(1), Partner: "essex-mind"})
	s2.ballot(g.TableProposal{At: at(10), Proposal: "expel-mind", Matter: g.MatterExpulsion, Title: "Expel Essex Mind", About: "essex-mind"},
		map[string]string{"brightside-cvs": "for", "colchester-nhs": "for"})
	if got := types(s2.do(g.CloseProposal{At: at(11), Proposal: "expel-mind"})); got != "decision.carried partner.expelled" {
		t.Fatalf("close = %s", got)
	}
}

// Once dissolved, a consortium is sealed: every command is refused.
func TestSynergyDissolutionSeals(t *testing.T) {
	s := admitted(t)
	s.do(g.TableProposal{At: at(4), Proposal: "open-question", Matter: g.MatterOrdinary, Title: "Still open"})
	s.do(g.RaiseDispute{At: at(4), Dispute: "invoices", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid late"})
	s.ballot(g.TableProposal{At: at(5), Proposal: "wind-up", Matter: g.MatterDissolution, Title: "Dissolve at contract end"},
		map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for", "essex-council": "for"})
	if got := types(s.do(g.CloseProposal{At: at(6), Proposal: "wind-up"})); got != "decision.carried consortium.dissolved" {
		t.Fatalf("close = %s", got)
	}
	if !s.state.Dissolved || s.state.Status() != "dissolved" || !s.state.DissolvedAt.Equal(at(6)) {
		t.Fatalf("state after dissolution: %s at %s", s.state.Status(), s.state.DissolvedAt)
	}
	for _, c := range []g.Command{
		synergy.form(t),
		g.ApplyToJoin{At: at(7), Partner: partner("age-uk", "Age UK Essex", "vcse"), Sponsor: "essex-mind"},
		g.TableProposal{At: at(7), Proposal: "restart", Matter: g.MatterOrdinary, Title: "Start again"},
		g.DeclareInterest{At: at(7), Proposal: "open-question", Partner: "essex-mind", Interest: "x"},
		g.CastVote{At: at(7), Proposal: "open-question", Partner: "essex-mind", Vote: "for"},
		g.CloseProposal{At: at(30), Proposal: "open-question"},
		g.WithdrawProposal{At: at(7), Proposal: "open-question"},
		g.RecordMeetingDecision{TableProposal: g.TableProposal{At: at(7), Proposal: "m", Matter: g.MatterOrdinary, Title: "x"}},
		g.AssignRole{At: at(7), Partner: "essex-mind", Role: g.RolePointOfContact, Person: "sam-lee"},
		g.ServeNotice{At: at(7), Partner: "essex-mind"},
		g.RaiseDispute{At: at(7), Dispute: "d2", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "x"},
		g.EscalateDispute{At: at(7), Dispute: "invoices"},
		g.ResolveDispute{At: at(7), Dispute: "invoices", Outcome: "x"},
		g.WithdrawDispute{At: at(7), Dispute: "invoices"},
	} {
		s.refuse(c, g.CodeForbidden, "consortium synergy is dissolved: its record is sealed")
	}
}

// Disputes climb the ladder in the terms and cannot go past its last stage; a stage is
// overdue once its time limit, in working days where the terms say so, has passed.
func TestSynergyDisputes(t *testing.T) {
	s := formSynergy(t)
	s.do(g.RaiseDispute{At: at(0), Dispute: "late-payments", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid 60 days late"})
	d := s.state.Disputes["late-payments"]
	// 15 working days from Monday 2 March 2026 is Monday 23 March.
	if d.Overdue(time.Date(2026, 3, 23, 9, 30, 0, 0, time.UTC), s.state) || !d.Overdue(time.Date(2026, 3, 23, 9, 31, 0, 0, time.UTC), s.state) {
		t.Fatal("the negotiation stage's limit is not 15 working days")
	}
	s.do(g.EscalateDispute{At: at(22), Dispute: "late-payments"})
	// Senior leaders have 28 calendar days from the escalation.
	if d := s.state.Disputes["late-payments"]; d.Stage != 1 || d.Overdue(at(50), s.state) || !d.Overdue(at(50).Add(time.Minute), s.state) {
		t.Fatalf("after escalation: stage %d, overdue at 50 days %v", d.Stage, d.Overdue(at(50), s.state))
	}
	s.refuse(g.EscalateDispute{At: at(21), Dispute: "late-payments"}, g.CodeInvalid,
		"dispute late-payments reached its current stage at 2026-03-24 09:30:00: nothing can be done on it before then")
	s.do(g.EscalateDispute{At: at(60), Dispute: "late-payments"})
	s.do(g.EscalateDispute{At: at(90), Dispute: "late-payments"})
	s.refuse(g.EscalateDispute{At: at(95), Dispute: "late-payments"}, g.CodeConflict,
		"dispute late-payments is at the last stage of the ladder (expert determination): it cannot be escalated further")
	s.refuse(g.ResolveDispute{At: at(100), Dispute: "late-payments"}, g.CodeInvalid, "resolving dispute late-payments needs the outcome agreed")
	s.do(g.ResolveDispute{At: at(100), Dispute: "late-payments", Outcome: "Payment within 30 days, backdated"})
	if d := s.state.Disputes["late-payments"]; d.Status != g.DisputeStatusResolved || d.Overdue(at(400), s.state) {
		t.Fatalf("resolved dispute: %s, overdue %v", d.Status, d.Overdue(at(400), s.state))
	}
	s.refuse(g.WithdrawDispute{At: at(101), Dispute: "late-payments"}, g.CodeConflict, "dispute late-payments is resolved")
	s.refuse(g.EscalateDispute{At: at(101), Dispute: "late-payments"}, g.CodeConflict, "dispute late-payments is resolved")

	s.do(g.RaiseDispute{At: at(102), Dispute: "data-sharing", RaisedBy: "colchester-nhs", Parties: []string{"essex-mind", "brightside-cvs"}, Matter: "Referral data"})
	s.do(g.WithdrawDispute{At: at(103), Dispute: "data-sharing", Reason: "Agreed a data sharing protocol"})
	if d := s.state.Disputes["data-sharing"]; d.Status != g.DisputeStatusWithdrawn || d.Outcome != "Agreed a data sharing protocol" {
		t.Fatalf("withdrawn dispute = %+v", d)
	}
	for _, tc := range []struct {
		name string
		cmd  g.Command
		code g.Code
		want string
	}{
		{"against itself", g.RaiseDispute{At: at(110), Dispute: "d", RaisedBy: "essex-mind", Parties: []string{"essex-mind"}, Matter: "x"}, g.CodeInvalid, "essex-mind cannot raise a dispute against itself"},
		{"against nobody", g.RaiseDispute{At: at(110), Dispute: "d", RaisedBy: "essex-mind", Matter: "x"}, g.CodeInvalid, "a dispute is raised against at least one partner"},
		{"against one partner twice", g.RaiseDispute{At: at(110), Dispute: "d", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs", "brightside-cvs"}, Matter: "x"}, g.CodeInvalid, "dispute d names brightside-cvs twice"},
		{"against a stranger", g.RaiseDispute{At: at(110), Dispute: "d", RaisedBy: "essex-mind", Parties: []string{"age-uk"}, Matter: "x"}, g.CodeNotFound, "age-uk is not a partner"},
		{"about nothing", g.RaiseDispute{At: at(110), Dispute: "d", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}}, g.CodeInvalid, "a dispute must say what it is about"},
		{"by a stranger", g.RaiseDispute{At: at(110), Dispute: "d", RaisedBy: "age-uk", Parties: []string{"brightside-cvs"}, Matter: "x"}, g.CodeNotFound, "age-uk is not a partner"},
		{"an id that is not a slug", g.RaiseDispute{At: at(110), Dispute: "late payments", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "x"}, g.CodeInvalid, `dispute id "late payments" is not a slug`},
		{"an id used before", g.RaiseDispute{At: at(110), Dispute: "data-sharing", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "x"}, g.CodeConflict, "dispute data-sharing already exists"},
		{"escalating no dispute", g.EscalateDispute{At: at(110), Dispute: "no-such"}, g.CodeNotFound, "there is no dispute no-such in consortium synergy"},
	} {
		t.Run(tc.name, func(t *testing.T) { s.refuse(tc.cmd, tc.code, tc.want) })
	}
}
