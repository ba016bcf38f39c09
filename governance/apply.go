package governance

import (
	"slices"
	"time"
)

// Apply records one event in the state and returns it. It changes s in place (callers
// that need the state before an event keep a Clone), costs in proportion to the event,
// not the state, never fails, and ignores what it cannot apply: events are facts that
// Decide already checked.
func Apply(s *State, e Event) *State {
	if f, ok := e.Payload.(ConsortiumFormed); ok {
		return formed(f, e.OccurredAt)
	}
	if s == nil {
		return nil
	}
	at := e.OccurredAt
	switch p := e.Payload.(type) {
	case TermsAmended:
		s.Terms = p.Terms
	case ConsortiumDissolved:
		s.Dissolved, s.DissolvedAt = true, at
	case PartnerApplied:
		s.Partners[p.Partner.ID] = newPartner(p.Partner, StatusApplicant, at)
		s.Partners[p.Partner.ID].Sponsor = p.Sponsor
	case PartnerAdmitted:
		if pt, ok := s.Partners[p.Partner]; ok {
			pt.Status, pt.AdmittedAt = StatusActive, at
		}
	case PartnerDeclined:
		if pt, ok := s.Partners[p.Partner]; ok {
			pt.Status, pt.LeftAt = StatusDeclined, at
		}
	case PartnerExpelled:
		if pt, ok := s.Partners[p.Partner]; ok {
			pt.Status, pt.LeftAt = StatusExpelled, at
		}
	case RoleAssigned:
		if pt, ok := s.Partners[p.Partner]; ok && !slices.Contains(pt.Roles, p.Role) {
			pt.Roles = append(pt.Roles, p.Role)
		}
		if p.Role == "chair" {
			s.Terms.Roles.Chair = p.Partner
		}
	case NoticeServed:
		if pt, ok := s.Partners[p.Partner]; ok {
			pt.Status, pt.NoticeAt, pt.EffectiveAt = StatusNoticeServed, at, p.EffectiveAt
		}
	case DecisionProposed:
		s.Proposals[p.Proposal] = &Proposal{
			ID: p.Proposal, Matter: p.Matter, Title: p.Title, About: p.About, OpenedAt: at, ClosesAt: p.ClosesAt,
			Electorate: slices.Clone(p.Electorate), Rule: p.Rule, Chair: p.Chair, Votes: map[string]Vote{},
			Interests: map[string]string{}, Meeting: p.Meeting, NewTerms: p.NewTerms, Role: p.Role,
		}
	case InterestDeclared:
		if pr, ok := s.Proposals[p.Proposal]; ok {
			pr.Interests[p.Partner] = p.Interest
			if s.Terms.ExcludeConflicted {
				pr.Electorate = slices.DeleteFunc(pr.Electorate, func(id string) bool { return id == p.Partner })
				delete(pr.Votes, p.Partner)
			}
		}
	case VoteCast:
		if pr, ok := s.Proposals[p.Proposal]; ok {
			pr.Votes[p.Partner] = Vote{Choice: p.Vote, Reason: p.Reason, Person: e.Actor.Person, At: at}
		}
	case Outcome:
		if pr, ok := s.Proposals[p.Proposal]; ok {
			pr.Outcome, pr.ClosedAt, pr.ReviewDate = p.Result, at, p.ReviewDate
		}
	case DecisionWithdrawn:
		if pr, ok := s.Proposals[p.Proposal]; ok {
			pr.Outcome, pr.ClosedAt = OutcomeWithdrawn, at
		}
	case DisputeRaised:
		s.Disputes[p.Dispute] = &Dispute{ID: p.Dispute, RaisedBy: p.RaisedBy, Parties: p.Parties, Matter: p.Matter,
			RaisedAt: at, StageStartedAt: at, Status: DisputeStatusOpen}
	case DisputeEscalated:
		if d, ok := s.Disputes[p.Dispute]; ok {
			d.Stage, d.StageStartedAt = p.Stage, at
		}
	case DisputeResolved:
		if d, ok := s.Disputes[p.Dispute]; ok {
			d.Status, d.Outcome, d.ClosedAt = DisputeStatusResolved, p.Outcome, at
		}
	case DisputeWithdrawn:
		if d, ok := s.Disputes[p.Dispute]; ok {
			d.Status, d.Outcome, d.ClosedAt = DisputeStatusWithdrawn, p.Reason, at
		}
	}
	return s
}

func formed(f ConsortiumFormed, at time.Time) *State {
	s := &State{
		ID: f.Consortium, Name: f.Name, Purpose: f.Purpose, Structure: f.Structure, Start: f.Start, End: f.End,
		FormedAt: at, Terms: f.Terms,
		Partners: map[string]*Partner{}, Proposals: map[string]*Proposal{}, Disputes: map[string]*Dispute{},
	}
	for _, p := range f.Partners {
		pt := newPartner(p, StatusActive, at)
		pt.AdmittedAt = at
		s.Partners[p.ID] = pt
	}
	for role, id := range map[string]string{"lead-partner": f.Terms.Roles.LeadPartner, "chair": f.Terms.Roles.Chair, "secretary": f.Terms.Roles.Secretary} {
		if pt, ok := s.Partners[id]; ok {
			pt.Roles = append(pt.Roles, role)
		}
	}
	for _, pt := range s.Partners {
		slices.Sort(pt.Roles)
	}
	return s
}

func newPartner(p PartnerSpec, status string, at time.Time) *Partner {
	return &Partner{ID: p.ID, Name: p.Name, Sector: p.Sector, Tier: p.Tier, PointOfContact: p.PointOfContact,
		Representatives: p.Representatives, Status: status, AppliedAt: at}
}
