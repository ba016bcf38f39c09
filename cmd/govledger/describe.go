package main

import (
	"fmt"
	"strings"

	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
)

// describe says what an event records, in the partnership's words, on one line.
func describe(e events.Envelope) string {
	p, err := g.DecodePayload(e.Type, e.Payload)
	if err != nil {
		return e.Type + " (unreadable: " + err.Error() + ")"
	}
	switch v := p.(type) {
	case g.ConsortiumFormed:
		var ids []string
		for _, pt := range v.Partners {
			ids = append(ids, pt.ID)
		}
		return fmt.Sprintf("%s formed by %s", v.Name, strings.Join(ids, ", "))
	case g.TermsAmended:
		return fmt.Sprintf("terms amended to version %d by %s", v.Terms.Version, v.Proposal)
	case g.ConsortiumDissolved:
		return "dissolved by " + v.Proposal
	case g.PartnerApplied:
		s := fmt.Sprintf("%s (%s, %s) applied to join", v.Partner.ID, v.Partner.Name, v.Partner.Sector)
		if v.Sponsor != "" {
			s += ", sponsored by " + v.Sponsor
		}
		return s
	case g.PartnerAdmitted:
		return fmt.Sprintf("%s admitted by %s", v.Partner, v.Proposal)
	case g.PartnerDeclined:
		return fmt.Sprintf("%s declined by %s", v.Partner, v.Proposal)
	case g.RoleAssigned:
		s := fmt.Sprintf("%s is now %s", v.Partner, v.Role)
		if v.Person != "" {
			s += " (" + v.Person + ")"
		}
		if v.Proposal != "" {
			s += " by " + v.Proposal
		}
		return s
	case g.NoticeServed:
		return fmt.Sprintf("%s served notice of withdrawal, effective %s", v.Partner, day(v.EffectiveAt))
	case g.PartnerExpelled:
		return fmt.Sprintf("%s expelled by %s", v.Partner, v.Proposal)
	case g.DecisionProposed:
		s := fmt.Sprintf("%s tabled (%s): %q", v.Proposal, v.Matter, v.Title)
		if v.Meeting != nil {
			return s + " in a meeting"
		}
		return s + ", closes " + minute(v.ClosesAt)
	case g.InterestDeclared:
		return fmt.Sprintf("%s declared an interest in %s: %s", v.Partner, v.Proposal, v.Interest)
	case g.VoteCast:
		s := fmt.Sprintf("%s votes %s on %s", v.Partner, v.Vote, v.Proposal)
		if v.Reason != "" {
			s += ": " + v.Reason
		}
		return s
	case g.Outcome:
		t := v.Tally
		s := fmt.Sprintf("%s %s (%d for, %d against, %d abstain", v.Proposal, v.Result, t.For, t.Against, t.Abstain)
		if t.Block > 0 {
			s += fmt.Sprintf(", %d block", t.Block)
		}
		s += fmt.Sprintf(", of %d)", t.Electorate)
		if v.CastingVote != "" {
			s += ", chair's casting vote " + v.CastingVote
		}
		return s
	case g.DecisionWithdrawn:
		return v.Proposal + " withdrawn"
	case g.DisputeRaised:
		return fmt.Sprintf("dispute %s raised by %s against %s: %s", v.Dispute, v.RaisedBy, strings.Join(v.Parties, ", "), v.Matter)
	case g.DisputeEscalated:
		return fmt.Sprintf("dispute %s escalated to stage %d", v.Dispute, v.Stage+1)
	case g.DisputeResolved:
		return fmt.Sprintf("dispute %s resolved: %s", v.Dispute, v.Outcome)
	case g.DisputeWithdrawn:
		return fmt.Sprintf("dispute %s withdrawn", v.Dispute)
	}
	return e.Type
}

// eventLine is one event as a line of history or of a watch.
func eventLine(e events.Envelope) []string {
	return []string{fmt.Sprint(e.Seq), minute(e.OccurredAt), e.Consortium, e.Type, describe(e)}
}
