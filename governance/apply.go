package governance

import (
	"slices"
	"time"
)

// Apply records one event in the state and returns it. It changes s in place (callers
// that need the state before an event keep a Clone) but never what the event holds,
// costs in proportion to the event (a change of roles or terms to the partners), never
// fails, and ignores what it cannot apply: events are facts that Decide already
// checked, and that Check re-decides for an auditor.
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
		s.rolesFromTerms()
		s.tookEffect(p.Proposal, e)
	case ConsortiumDissolved:
		s.Dissolved, s.DissolvedAt = true, at
		s.tookEffect(p.Proposal, e)
	case PartnerApplied:
		s.Partners[p.Partner.ID] = newPartner(p.Partner, StatusApplicant, at)
		s.Partners[p.Partner.ID].Sponsor = p.Sponsor
	case PartnerAdmitted:
		if pt, ok := s.Partners[p.Partner]; ok {
			pt.Status, pt.AdmittedAt = StatusActive, at
		}
		s.tookEffect(p.Proposal, e)
	case PartnerDeclined:
		if pt, ok := s.Partners[p.Partner]; ok {
			pt.Status, pt.LeftAt = StatusDeclined, at
		}
		s.tookEffect(p.Proposal, e)
	case PartnerExpelled:
		if pt, ok := s.Partners[p.Partner]; ok {
			pt.Status, pt.LeftAt = StatusExpelled, at
		}
		s.tookEffect(p.Proposal, e)
	case RoleAssigned:
		s.assignRole(p.Partner, p.Role, p.Person)
		s.tookEffect(p.Proposal, e)
	case NoticeServed:
		if pt, ok := s.Partners[p.Partner]; ok {
			pt.Status, pt.NoticeAt, pt.EffectiveAt = StatusNoticeServed, at, p.EffectiveAt
		}
	case DecisionProposed:
		s.Proposals[p.Proposal] = &Proposal{
			ID: p.Proposal, Matter: p.Matter, Title: p.Title, About: p.About, OpenedAt: at, ClosesAt: p.ClosesAt,
			Electorate: slices.Clone(p.Electorate), Rule: p.Rule, Chair: p.Chair, ExcludeConflicted: s.Terms.ExcludeConflicted,
			Votes: make(map[string]Vote, len(p.Electorate)), Meeting: p.Meeting, NewTerms: p.NewTerms, Role: p.Role,
		}
	case InterestDeclared:
		if pr, ok := s.Proposals[p.Proposal]; ok {
			if pr.Interests == nil { // made with the first declaration: most proposals have none
				pr.Interests = map[string]string{}
			}
			pr.Interests[p.Partner] = p.Interest
			if pr.ExcludeConflicted {
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
			pr.Outcome, pr.ClosedAt, pr.ReviewDate, pr.CastingVote = p.Result, at, p.ReviewDate, p.CastingVote
			if effectOf(pr, p.Result) != "" {
				s.EffectDue = pr.ID
			}
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
	s.rolesFromTerms()
	return s
}

// rolesFromTerms gives each partner the roles the terms name it for, and the point of
// contact the terms name for it, if any: the terms are what the partners agreed.
func (s *State) rolesFromTerms() {
	for _, pt := range s.Partners {
		pt.Roles = nil
	}
	// In alphabetical order, so that each partner's list is sorted.
	for _, role := range []string{RoleChair, RoleLeadPartner, RoleSecretary} {
		if pt, ok := s.Partners[*s.Terms.Roles.holder(role)]; ok {
			pt.Roles = append(pt.Roles, role)
		}
	}
	for id, person := range s.Terms.Roles.PointsOfContact {
		if pt, ok := s.Partners[id]; ok && person != "" {
			pt.PointOfContact = person
		}
	}
}

// assignRole moves a role that one partner holds at a time from its holder to partner,
// or names partner's point of contact.
func (s *State) assignRole(partner, role, person string) {
	pt, ok := s.Partners[partner]
	if !ok {
		return
	}
	if role == RolePointOfContact {
		if person == "" {
			return
		}
		pt.PointOfContact = person
		s.Terms.Roles.NamePointOfContact(partner, person)
		return
	}
	holder := s.Terms.Roles.holder(role)
	if holder == nil {
		return
	}
	if prev, ok := s.Partners[*holder]; ok {
		prev.Roles = slices.DeleteFunc(slices.Clone(prev.Roles), func(r string) bool { return r == role })
	}
	*holder = partner
	if !slices.Contains(pt.Roles, role) {
		pt.Roles = slices.Sorted(slices.Values(append(slices.Clone(pt.Roles), role)))
	}
}

// tookEffect notes the event that carried out a decision.
func (s *State) tookEffect(proposal string, e Event) {
	if pr, ok := s.Proposals[proposal]; ok {
		pr.Effect = e.Type()
	}
	if proposal != "" && proposal == s.EffectDue {
		s.EffectDue = ""
	}
}

func newPartner(p PartnerSpec, status string, at time.Time) *Partner {
	return &Partner{ID: p.ID, Name: p.Name, Sector: p.Sector, Tier: p.Tier, PointOfContact: p.PointOfContact,
		Representatives: p.Representatives, Status: status, AppliedAt: at}
}
