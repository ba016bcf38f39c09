package governance

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Decide says whether the terms allow cmd on the consortium in state s, and returns the
// events it produces, all of which must be recorded together. It never changes s.
func Decide(s *State, cmd Command) ([]Event, error) {
	if f, ok := cmd.(FormConsortium); ok {
		return decideForm(s, f)
	}
	if s == nil {
		return nil, notFoundf("the consortium does not exist: form it first")
	}
	if s.Dissolved {
		return nil, forbiddenf("consortium %s is dissolved: its record is sealed", s.ID)
	}
	switch c := cmd.(type) {
	case ApplyToJoin:
		return s.decideApply(c)
	case TableProposal:
		return s.decideTable(c)
	case DeclareInterest:
		return s.decideInterest(c)
	case CastVote:
		return s.decideVote(c)
	case CloseProposal:
		return s.decideClose(c)
	case WithdrawProposal:
		p, err := s.openProposal(c.Proposal)
		if err != nil {
			return nil, err
		}
		return one(c.At, DecisionWithdrawn{Proposal: p.ID, Reason: c.Reason}), nil
	case RecordMeetingDecision:
		return s.decideMeeting(c)
	case AssignRole:
		return s.decideAssignRole(c)
	case ServeNotice:
		return s.decideNotice(c)
	case RaiseDispute:
		return s.decideRaise(c)
	case EscalateDispute:
		d, err := s.openDispute(c.Dispute)
		if err != nil {
			return nil, err
		}
		if d.Stage+1 >= len(s.Terms.DisputeLadder) {
			return nil, conflictf("dispute %s is at the last stage of the ladder (%s): it cannot be escalated further",
				d.ID, s.Terms.DisputeLadder[d.Stage].Name)
		}
		return one(c.At, DisputeEscalated{Dispute: d.ID, Stage: d.Stage + 1}), nil
	case ResolveDispute:
		d, err := s.openDispute(c.Dispute)
		if err != nil {
			return nil, err
		}
		if c.Outcome == "" {
			return nil, invalidf("resolving dispute %s needs the outcome agreed", d.ID)
		}
		return one(c.At, DisputeResolved{Dispute: d.ID, Outcome: c.Outcome}), nil
	case WithdrawDispute:
		d, err := s.openDispute(c.Dispute)
		if err != nil {
			return nil, err
		}
		return one(c.At, DisputeWithdrawn{Dispute: d.ID, Reason: c.Reason}), nil
	}
	return nil, invalidf("%T is not a command", cmd)
}

func one(at time.Time, p Payload) []Event { return []Event{{OccurredAt: at, Payload: p}} }

// roleWords writes a role as the partnership says it: lead partner, point of contact.
func roleWords(role string) string { return strings.ReplaceAll(role, "-", " ") }

func decideForm(s *State, c FormConsortium) ([]Event, error) {
	if s != nil {
		return nil, conflictf("consortium %s already exists", s.ID)
	}
	if err := ValidSlug("consortium id", c.Consortium); err != nil {
		return nil, err
	}
	if c.Name == "" || c.Purpose == "" {
		return nil, invalidf("consortium %s needs a name and a common purpose", c.Consortium)
	}
	if !slices.Contains(Structures, c.Structure) {
		return nil, invalidf("structure %q is not one of %v", c.Structure, Structures)
	}
	if c.Start == "" {
		return nil, invalidf("consortium %s needs a start date", c.Consortium)
	}
	if c.End != "" && c.End.Time().Before(c.Start.Time()) {
		return nil, invalidf("consortium %s ends (%s) before it starts (%s)", c.Consortium, c.End, c.Start)
	}
	if len(c.Partners) < 2 {
		return nil, invalidf("a consortium needs at least two founding partners, not %d", len(c.Partners))
	}
	var ids []string
	for _, p := range c.Partners {
		if err := validPartner(p); err != nil {
			return nil, err
		}
		if slices.Contains(ids, p.ID) {
			return nil, invalidf("partner %s is named twice", p.ID)
		}
		ids = append(ids, p.ID)
	}
	if err := c.Terms.Validate(ids); err != nil {
		return nil, err
	}
	terms := c.Terms
	terms.Version = 1
	return one(c.At, ConsortiumFormed{
		Consortium: c.Consortium, Name: c.Name, Purpose: c.Purpose, Structure: c.Structure,
		Start: c.Start, End: c.End, Partners: c.Partners, Terms: terms,
	}), nil
}

func validPartner(p PartnerSpec) error {
	if err := ValidSlug("partner id", p.ID); err != nil {
		return err
	}
	if p.Name == "" {
		return invalidf("partner %s needs a name", p.ID)
	}
	if !slices.Contains(Sectors, p.Sector) {
		return invalidf("partner %s has sector %q; use one of %v", p.ID, p.Sector, Sectors)
	}
	if p.Tier != TierFull && p.Tier != TierAssociate {
		return invalidf("partner %s has tier %q; use full or associate", p.ID, p.Tier)
	}
	if p.PointOfContact == "" {
		return invalidf("partner %s needs a point of contact", p.ID)
	}
	for _, r := range p.Representatives {
		if err := ValidSlug("representative id", r.ID); err != nil {
			return err
		}
	}
	return nil
}

func (s *State) partner(id string) (*Partner, error) {
	p, ok := s.Partners[id]
	if !ok {
		return nil, notFoundf("%s is not a partner of consortium %s", id, s.ID)
	}
	return p, nil
}

func (s *State) member(id string, at time.Time) (*Partner, error) {
	p, err := s.partner(id)
	if err != nil {
		return nil, err
	}
	if !p.Member(at) {
		return nil, conflictf("%s is not a member of consortium %s (it is %s)", p.Name, s.ID, p.StatusAt(at))
	}
	return p, nil
}

func (s *State) decideApply(c ApplyToJoin) ([]Event, error) {
	if err := validPartner(c.Partner); err != nil {
		return nil, err
	}
	if p, ok := s.Partners[c.Partner.ID]; ok && p.Status != StatusDeclined {
		return nil, conflictf("%s is already known to consortium %s (it is %s)", c.Partner.ID, s.ID, p.StatusAt(c.At))
	}
	if c.Sponsor != "" {
		if _, err := s.member(c.Sponsor, c.At); err != nil {
			return nil, err
		}
	} else if s.Terms.Admission.SponsorRequired {
		return nil, invalidf("the terms of consortium %s require an applicant to have a sponsoring partner", s.ID)
	}
	return one(c.At, PartnerApplied{Partner: c.Partner, Sponsor: c.Sponsor}), nil
}

func (s *State) decideTable(c TableProposal) ([]Event, error) {
	proposed, err := s.proposal(c)
	if err != nil {
		return nil, err
	}
	return one(c.At, proposed), nil
}

// proposal checks a proposal and freezes its electorate and rule.
func (s *State) proposal(c TableProposal) (DecisionProposed, error) {
	if err := ValidSlug("proposal id", c.Proposal); err != nil {
		return DecisionProposed{}, err
	}
	if _, ok := s.Proposals[c.Proposal]; ok {
		return DecisionProposed{}, conflictf("proposal %s already exists", c.Proposal)
	}
	rule, ok := s.Terms.DecisionRules[c.Matter]
	if !ok {
		return DecisionProposed{}, invalidf("the terms of consortium %s have no decision rule for the matter %q", s.ID, c.Matter)
	}
	if c.Title == "" {
		return DecisionProposed{}, invalidf("proposal %s needs a title", c.Proposal)
	}
	switch c.Matter {
	case MatterAdmission:
		p, err := s.partner(c.About)
		if err != nil {
			return DecisionProposed{}, err
		}
		if p.Status != StatusApplicant {
			return DecisionProposed{}, conflictf("%s has not applied to join (it is %s)", p.Name, p.Status)
		}
		if s.openProposalAbout(MatterAdmission, c.About) != nil {
			return DecisionProposed{}, conflictf("an admission proposal for %s is already open", p.Name)
		}
	case MatterExpulsion:
		if _, err := s.member(c.About, c.At); err != nil {
			return DecisionProposed{}, err
		}
	case MatterAmendTerms:
		if c.NewTerms == nil {
			return DecisionProposed{}, invalidf("an amend-terms proposal needs the new terms")
		}
		var ids []string
		for _, p := range s.Members(c.At) {
			ids = append(ids, p.ID)
		}
		if err := c.NewTerms.Validate(ids); err != nil {
			return DecisionProposed{}, err
		}
	default:
		if c.About != "" {
			if _, err := s.partner(c.About); err != nil {
				return DecisionProposed{}, err
			}
		}
	}
	if c.Role != nil {
		if c.Matter != MatterOrdinary {
			return DecisionProposed{}, invalidf("a role is assigned by an ordinary decision, not %s", c.Matter)
		}
		if err := s.validRole(*c.Role, c.At); err != nil {
			return DecisionProposed{}, err
		}
	}
	closes := c.ClosesAt
	if closes.IsZero() {
		days := max(rule.VotingDays, 7)
		closes = c.At.AddDate(0, 0, days)
	}
	if !closes.After(c.At) {
		return DecisionProposed{}, invalidf("proposal %s closes (%s) before it opens (%s)", c.Proposal, closes.Format(time.DateTime), c.At.Format(time.DateTime))
	}
	electorate := s.Electorate(c.At, c.About)
	if len(electorate) == 0 {
		return DecisionProposed{}, conflictf("nobody could vote on proposal %s: there are no full members", c.Proposal)
	}
	return DecisionProposed{
		Proposal: c.Proposal, Matter: c.Matter, Title: c.Title, About: c.About, ClosesAt: closes,
		Electorate: electorate, Rule: rule, Chair: s.Terms.Roles.Chair, NewTerms: c.NewTerms, Role: c.Role,
	}, nil
}

func (s *State) openProposalAbout(matter, about string) *Proposal {
	for _, p := range s.Proposals {
		if p.Matter == matter && p.About == about && p.Outcome == OutcomeOpen {
			return p
		}
	}
	return nil
}

func (s *State) openProposal(id string) (*Proposal, error) {
	p, ok := s.Proposals[id]
	if !ok {
		return nil, notFoundf("there is no proposal %s in consortium %s", id, s.ID)
	}
	if p.Outcome != OutcomeOpen {
		return nil, conflictf("proposal %s is closed (%s)", id, p.Outcome)
	}
	return p, nil
}

func (s *State) decideInterest(c DeclareInterest) ([]Event, error) {
	p, err := s.openProposal(c.Proposal)
	if err != nil {
		return nil, err
	}
	if _, err := s.partner(c.Partner); err != nil {
		return nil, err
	}
	if c.Interest == "" {
		return nil, invalidf("a declaration of interest must say what the interest is")
	}
	if _, ok := p.Interests[c.Partner]; ok {
		return nil, conflictf("%s has already declared an interest in proposal %s", c.Partner, p.ID)
	}
	return one(c.At, InterestDeclared{Proposal: p.ID, Partner: c.Partner, Interest: c.Interest}), nil
}

func (s *State) decideVote(c CastVote) ([]Event, error) {
	p, err := s.openProposal(c.Proposal)
	if err != nil {
		return nil, err
	}
	if !c.At.Before(p.ClosesAt) {
		return nil, conflictf("voting on proposal %s closed at %s", p.ID, p.ClosesAt.Format(time.DateTime))
	}
	if err := s.mayVote(p, c.Partner, c.At); err != nil {
		return nil, err
	}
	if err := validVote(p.Rule, c.Vote, c.Reason); err != nil {
		return nil, err
	}
	return one(c.At, VoteCast{Proposal: p.ID, Partner: c.Partner, Vote: c.Vote, Reason: c.Reason}), nil
}

func (s *State) mayVote(p *Proposal, partner string, at time.Time) error {
	pt, err := s.partner(partner)
	if err != nil {
		return err
	}
	if !p.InElectorate(partner) {
		why := "it was not a full member when the proposal opened"
		if _, ok := p.Interests[partner]; ok {
			why = "it declared an interest"
		} else if p.About == partner {
			why = "the proposal is about it"
		}
		return forbiddenf("%s is not in the electorate of proposal %s: %s", pt.Name, p.ID, why)
	}
	if !pt.Member(at) {
		return forbiddenf("%s can no longer vote on proposal %s: it is %s", pt.Name, p.ID, pt.StatusAt(at))
	}
	return nil
}

func validVote(r Rule, vote, reason string) error {
	switch vote {
	case VoteFor, VoteAgainst, VoteAbstain:
		return nil
	case VoteBlock:
		if r.Method != MethodConsensus {
			return invalidf("a block is only possible under consensus; this matter is decided by %s", r.Method)
		}
		if reason == "" {
			return invalidf("a block needs a reason")
		}
		return nil
	}
	return invalidf("%q is not a vote; vote for, against, abstain or block", vote)
}

func (s *State) decideClose(c CloseProposal) ([]Event, error) {
	p, err := s.openProposal(c.Proposal)
	if err != nil {
		return nil, err
	}
	if err := validCasting(c.CastingVote); err != nil {
		return nil, err
	}
	outcome := count(p, p.Votes, c.CastingVote)
	if c.At.Before(p.ClosesAt) && !settled(p, c.CastingVote) {
		return nil, conflictf("proposal %s is open until %s and the votes still to come could change its outcome",
			p.ID, p.ClosesAt.Format(time.DateTime))
	}
	outcome.ReviewDate = c.ReviewDate
	return s.withEffect(c.At, p.Matter, p.About, p.NewTerms, p.Role, outcome), nil
}

func validCasting(v string) error {
	if v != "" && v != VoteFor && v != VoteAgainst {
		return invalidf("a casting vote is for or against, not %q", v)
	}
	return nil
}

// withEffect puts the outcome and, when carried (or a rejected admission), its effect
// into one list of events.
func (s *State) withEffect(at time.Time, matter, about string, terms *Terms, role *RoleAssignment, o Outcome) []Event {
	evs := one(at, o)
	add := func(p Payload) { evs = append(evs, Event{OccurredAt: at, Payload: p}) }
	if o.Result == OutcomeRejected && matter == MatterAdmission {
		add(PartnerDeclined{Partner: about, Proposal: o.Proposal})
	}
	if o.Result != OutcomeCarried {
		return evs
	}
	switch matter {
	case MatterAdmission:
		add(PartnerAdmitted{Partner: about, Proposal: o.Proposal})
	case MatterExpulsion:
		add(PartnerExpelled{Partner: about, Proposal: o.Proposal})
	case MatterAmendTerms:
		t := *terms
		t.Version = s.Terms.Version + 1
		add(TermsAmended{Proposal: o.Proposal, Terms: t})
	case MatterDissolution:
		add(ConsortiumDissolved{Proposal: o.Proposal})
	}
	if role != nil {
		add(RoleAssigned{Partner: role.Partner, Role: role.Role, Person: role.Person, Proposal: o.Proposal})
	}
	return evs
}

// count applies the proposal's frozen rule to votes.
func count(p *Proposal, votes map[string]Vote, casting string) Outcome {
	t := Tally{Electorate: len(p.Electorate)}
	for _, id := range p.Electorate {
		switch votes[id].Choice {
		case VoteFor:
			t.For++
		case VoteAgainst:
			t.Against++
		case VoteAbstain:
			t.Abstain++
		case VoteBlock:
			t.Block++
		}
	}
	o := Outcome{Proposal: p.ID, Tally: t, Result: OutcomeRejected}
	if !p.Rule.Quorum.atLeast(t.Turnout(), t.Electorate) {
		o.Result = OutcomeLapsed
		return o
	}
	r := p.Rule
	carried := false
	switch r.Method {
	case MethodMajority:
		carried = t.For > t.Against
		if t.For == t.Against && r.CastingVote && casting != "" {
			carried, o.CastingVote = casting == VoteFor, casting
		}
	case MethodSupermajority:
		carried = t.For > 0 && r.Threshold.atLeast(t.For, t.For+t.Against)
	case MethodUnanimity:
		carried = t.For == t.Electorate
	case MethodConsensus:
		carried = t.Block == 0 && t.For > 0
	case MethodConsent:
		carried = t.Against == 0 && t.Block == 0
	}
	if carried {
		o.Result = OutcomeCarried
	}
	return o
}

// settled reports whether the votes still to come could no longer change the outcome,
// taking the votes cast as they stand: only then may a ballot close early. Each rule is
// monotone in each kind of vote, so it is enough to try every undecided elector voting
// alike, or not at all.
func settled(p *Proposal, casting string) bool {
	choices := []string{VoteFor, VoteAgainst, VoteAbstain}
	if p.Rule.Method == MethodConsensus {
		choices = append(choices, VoteBlock)
	}
	now := count(p, p.Votes, casting).Result
	for _, ch := range choices {
		votes := maps.Clone(p.Votes)
		for _, id := range p.Electorate {
			if _, voted := votes[id]; !voted {
				votes[id] = Vote{Choice: ch}
			}
		}
		if count(p, votes, casting).Result != now {
			return false
		}
	}
	return true
}

func (s *State) decideMeeting(c RecordMeetingDecision) ([]Event, error) {
	proposed, err := s.proposal(c.TableProposal)
	if err != nil {
		return nil, err
	}
	if err := validCasting(c.CastingVote); err != nil {
		return nil, err
	}
	proposed.ClosesAt = c.At
	proposed.Meeting = &Meeting{HeldAt: c.At, Attendance: slices.Sorted(slices.Values(c.Attendance))}
	p := &Proposal{ID: proposed.Proposal, Matter: proposed.Matter, About: proposed.About,
		Electorate: proposed.Electorate, Rule: proposed.Rule, Interests: map[string]string{}, Votes: map[string]Vote{}}
	evs := []Event{{OccurredAt: c.At, Payload: proposed}}
	for _, id := range slices.Sorted(maps.Keys(c.Interests)) {
		if _, err := s.partner(id); err != nil {
			return nil, err
		}
		evs = append(evs, Event{OccurredAt: c.At, Payload: InterestDeclared{Proposal: p.ID, Partner: id, Interest: c.Interests[id]}})
		p.Interests[id] = c.Interests[id]
		if s.Terms.ExcludeConflicted {
			p.Electorate = slices.DeleteFunc(slices.Clone(p.Electorate), func(e string) bool { return e == id })
		}
	}
	for _, id := range slices.Sorted(maps.Keys(c.Votes)) {
		if !slices.Contains(c.Attendance, id) {
			return nil, invalidf("the minutes record a vote by %s, which is not in the attendance", id)
		}
		if err := s.mayVote(p, id, c.At); err != nil {
			return nil, err
		}
		if err := validVote(p.Rule, c.Votes[id], "as minuted"); err != nil {
			return nil, err
		}
		p.Votes[id] = Vote{Choice: c.Votes[id]}
		evs = append(evs, Event{OccurredAt: c.At, Payload: VoteCast{Proposal: p.ID, Partner: id, Vote: c.Votes[id]}})
	}
	outcome := count(p, p.Votes, c.CastingVote)
	outcome.ReviewDate = c.ReviewDate
	return append(evs, s.withEffect(c.At, p.Matter, p.About, c.NewTerms, c.Role, outcome)...), nil
}

// validRole checks that a partner can be given a role: a member, and not holding it
// already. A point of contact is a person, named by the partner it speaks for.
func (s *State) validRole(a RoleAssignment, at time.Time) error {
	if !slices.Contains(RoleNames, a.Role) {
		return invalidf("%q is not a role; use one of %v", a.Role, RoleNames)
	}
	pt, err := s.member(a.Partner, at)
	if err != nil {
		return err
	}
	if a.Role == RolePointOfContact {
		if a.Person == "" {
			return invalidf("naming the point of contact of %s needs the person", pt.Name)
		}
		if pt.PointOfContact == a.Person {
			return conflictf("%s is already the point of contact of %s", a.Person, pt.Name)
		}
		return nil
	}
	if a.Person != "" {
		return invalidf("the %s is a partner, not a person: name no person", roleWords(a.Role))
	}
	if *s.Terms.Roles.holder(a.Role) == a.Partner {
		return conflictf("%s is already the %s", pt.Name, roleWords(a.Role))
	}
	return nil
}

func (s *State) decideAssignRole(c AssignRole) ([]Event, error) {
	a := RoleAssignment{Partner: c.Partner, Role: c.Role, Person: c.Person}
	if slices.Contains(RoleNames, c.Role) && !slices.Contains(s.Terms.Roles.AssignedWithoutDecision, c.Role) {
		return nil, forbiddenf("the terms of consortium %s give the role of %s only by a decision: table an ordinary decision with role %s for %s",
			s.ID, roleWords(c.Role), c.Role, c.Partner)
	}
	if err := s.validRole(a, c.At); err != nil {
		return nil, err
	}
	return one(c.At, RoleAssigned{Partner: c.Partner, Role: c.Role, Person: c.Person}), nil
}

func (s *State) decideNotice(c ServeNotice) ([]Event, error) {
	p, err := s.partner(c.Partner)
	if err != nil {
		return nil, err
	}
	if p.StatusAt(c.At) != StatusActive {
		return nil, conflictf("%s cannot serve notice: it is %s", p.Name, p.StatusAt(c.At))
	}
	effective := c.At.AddDate(0, 0, s.Terms.Termination.NoticeDays)
	return one(c.At, NoticeServed{Partner: p.ID, EffectiveAt: effective, Reason: c.Reason}), nil
}

func (s *State) decideRaise(c RaiseDispute) ([]Event, error) {
	if err := ValidSlug("dispute id", c.Dispute); err != nil {
		return nil, err
	}
	if _, ok := s.Disputes[c.Dispute]; ok {
		return nil, conflictf("dispute %s already exists", c.Dispute)
	}
	if _, err := s.member(c.RaisedBy, c.At); err != nil {
		return nil, err
	}
	if len(c.Parties) == 0 {
		return nil, invalidf("a dispute is raised against at least one partner")
	}
	for _, id := range c.Parties {
		if id == c.RaisedBy {
			return nil, invalidf("%s cannot raise a dispute against itself", id)
		}
		if _, err := s.partner(id); err != nil {
			return nil, err
		}
	}
	if c.Matter == "" {
		return nil, invalidf("a dispute must say what it is about")
	}
	return one(c.At, DisputeRaised{Dispute: c.Dispute, RaisedBy: c.RaisedBy, Parties: c.Parties, Matter: c.Matter}), nil
}

func (s *State) openDispute(id string) (*Dispute, error) {
	d, ok := s.Disputes[id]
	if !ok {
		return nil, notFoundf("there is no dispute %s in consortium %s", id, s.ID)
	}
	if d.Status != DisputeStatusOpen {
		return nil, conflictf("dispute %s is %s", id, d.Status)
	}
	return d, nil
}
