package governance

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// defaultVotingDays is a ballot's voting window when neither the proposal nor the
// rule of its matter gives one.
const defaultVotingDays = 7

// Decide says whether the terms allow cmd on the consortium in state s, and returns the
// events it produces, all of which must be recorded together. It never changes s.
func Decide(s *State, cmd Command) ([]Event, error) {
	return decide(s, cmd, admissible)
}

// decide is Decide by the rules events have always been recorded by, which is what
// Check re-decides a recorded event with (input nil), and, once the command has a time
// and the record is not sealed, by what input asks of a new command (admissible).
func decide(s *State, cmd Command, input func(*State, Command) error) ([]Event, error) {
	at, ok := when(cmd)
	if !ok {
		return nil, invalidf("%T is not a command", cmd)
	}
	// The rules are applied as of the command's time: without one they would be applied
	// as of the year 1, and the log would record the time of appending instead.
	if at.IsZero() {
		return nil, invalidf("%s needs the time it happens (at)", cmd.CommandName())
	}
	if s != nil && s.Dissolved {
		return nil, forbiddenf("consortium %s is dissolved: its record is sealed", s.ID)
	}
	if input != nil {
		if err := input(s, cmd); err != nil {
			return nil, err
		}
	}
	if f, ok := cmd.(FormConsortium); ok {
		return decideForm(s, f)
	}
	if s == nil {
		return nil, notFoundf("the consortium does not exist: form it first")
	}
	if at.Before(s.FormedAt) {
		return nil, invalidf("consortium %s was formed at %s: nothing can be dated before that", s.ID, stamp(s.FormedAt))
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
		p, err := s.openProposal(c.Proposal, c.At)
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
		d, err := s.openDispute(c.Dispute, c.At)
		if err != nil {
			return nil, err
		}
		ladder := s.Terms.DisputeLadder
		// The terms may have been amended to a shorter ladder since the dispute climbed it.
		if d.Stage+1 >= len(ladder) {
			return nil, conflictf("dispute %s is at the last stage of the ladder%s: it cannot be escalated further",
				d.ID, s.Terms.lastStageName())
		}
		return one(c.At, DisputeEscalated{Dispute: d.ID, Stage: d.Stage + 1}), nil
	case ResolveDispute:
		d, err := s.openDispute(c.Dispute, c.At)
		if err != nil {
			return nil, err
		}
		if c.Outcome == "" {
			return nil, invalidf("resolving dispute %s needs the outcome agreed", d.ID)
		}
		return one(c.At, DisputeResolved{Dispute: d.ID, Outcome: c.Outcome}), nil
	case WithdrawDispute:
		d, err := s.openDispute(c.Dispute, c.At)
		if err != nil {
			return nil, err
		}
		return one(c.At, DisputeWithdrawn{Dispute: d.ID, Reason: c.Reason}), nil
	}
	return nil, invalidf("%T is not a command", cmd)
}

// when is the time a command happens; ok is false for what is not a command.
func when(cmd Command) (at time.Time, ok bool) {
	switch c := cmd.(type) {
	case FormConsortium:
		return c.At, true
	case ApplyToJoin:
		return c.At, true
	case TableProposal:
		return c.At, true
	case DeclareInterest:
		return c.At, true
	case CastVote:
		return c.At, true
	case CloseProposal:
		return c.At, true
	case WithdrawProposal:
		return c.At, true
	case RecordMeetingDecision:
		return c.At, true
	case AssignRole:
		return c.At, true
	case ServeNotice:
		return c.At, true
	case RaiseDispute:
		return c.At, true
	case EscalateDispute:
		return c.At, true
	case ResolveDispute:
		return c.At, true
	case WithdrawDispute:
		return c.At, true
	}
	return time.Time{}, false
}

func one(at time.Time, p Payload) []Event { return []Event{{OccurredAt: at, Payload: p}} }

// stamp writes a time in messages.
func stamp(t time.Time) string { return t.UTC().Format(time.DateTime) }

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
		return nil, invalidf("structure %q is not one of %s", c.Structure, strings.Join(Structures, ", "))
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
		return invalidf("partner %s has sector %q; use one of %s", p.ID, p.Sector, strings.Join(Sectors, ", "))
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
	proposed, err := s.proposal(c, false)
	if err != nil {
		return nil, err
	}
	return one(c.At, proposed), nil
}

// proposal checks a proposal and freezes its electorate and rule. A proposal decided
// in a meeting closes when it opens.
func (s *State) proposal(c TableProposal, inMeeting bool) (DecisionProposed, error) {
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
	if c.NewTerms != nil && c.Matter != MatterAmendTerms {
		return DecisionProposed{}, invalidf("new terms are agreed by an amend-terms decision, not %s", c.Matter)
	}
	if c.Role != nil && c.Matter != MatterOrdinary {
		return DecisionProposed{}, invalidf("a role is assigned by an ordinary decision, not %s", c.Matter)
	}
	if c.About == "" && (c.Matter == MatterAdmission || c.Matter == MatterExpulsion) {
		return DecisionProposed{}, invalidf("an %s proposal needs the partner it is about", c.Matter)
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
		p, err := s.member(c.About, c.At)
		if err != nil {
			return DecisionProposed{}, err
		}
		// Two carried expulsions would expel twice, the second moving the date it left.
		if open := s.openProposalAbout(MatterExpulsion, c.About); open != nil {
			return DecisionProposed{}, conflictf("an expulsion proposal for %s is already open (%s)", p.Name, open.ID)
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
	}
	if c.About != "" && c.Matter != MatterAdmission && c.Matter != MatterExpulsion {
		if _, err := s.partner(c.About); err != nil {
			return DecisionProposed{}, err
		}
	}
	if c.Role != nil {
		if err := s.validRole(*c.Role, c.At); err != nil {
			return DecisionProposed{}, err
		}
	}
	closes := c.At
	if !inMeeting {
		closes = c.ClosesAt
		if closes.IsZero() {
			days := rule.VotingDays
			if days == 0 {
				days = defaultVotingDays
			}
			closes = c.At.UTC().AddDate(0, 0, days)
		}
		if !closes.After(c.At) {
			return DecisionProposed{}, invalidf("proposal %s closes (%s) before it opens (%s)", c.Proposal, stamp(closes), stamp(c.At))
		}
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

// openProposal finds a proposal that is still open at at, and was opened by then.
func (s *State) openProposal(id string, at time.Time) (*Proposal, error) {
	p, ok := s.Proposals[id]
	if !ok {
		return nil, notFoundf("there is no proposal %s in consortium %s", id, s.ID)
	}
	if p.Outcome != OutcomeOpen {
		return nil, conflictf("proposal %s is closed (%s)", id, p.Outcome)
	}
	if at.Before(p.OpenedAt) {
		return nil, invalidf("proposal %s opened at %s: nothing can be done on it before then", id, stamp(p.OpenedAt))
	}
	return p, nil
}

func (s *State) decideInterest(c DeclareInterest) ([]Event, error) {
	p, err := s.openProposal(c.Proposal, c.At)
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
	p, err := s.openProposal(c.Proposal, c.At)
	if err != nil {
		return nil, err
	}
	if err := s.ballot(p, c.Partner, c.Vote, c.Reason, c.At); err != nil {
		return nil, err
	}
	return one(c.At, VoteCast{Proposal: p.ID, Partner: c.Partner, Vote: c.Vote, Reason: c.Reason}), nil
}

// ballot says whether partner may cast vote (with reason) on the open proposal p at at,
// by ballot rather than in a meeting: whether decideVote records it.
func (s *State) ballot(p *Proposal, partner, vote, reason string, at time.Time) error {
	if !at.Before(p.ClosesAt) {
		return conflictf("voting on proposal %s closed at %s", p.ID, stamp(p.ClosesAt))
	}
	if err := s.mayVote(p, partner, at); err != nil {
		return err
	}
	return validVote(p.Rule, vote, reason, false)
}

func (s *State) mayVote(p *Proposal, partner string, at time.Time) error {
	pt, err := s.partner(partner)
	if err != nil {
		return err
	}
	if !p.InElectorate(partner) {
		return forbiddenf("%s is not in the electorate of proposal %s: %s", pt.Name, p.ID, p.outOfElectorate(partner))
	}
	if !pt.Member(at) {
		return forbiddenf("%s can no longer vote on proposal %s: it is %s", pt.Name, p.ID, pt.StatusAt(at))
	}
	return nil
}

// outOfElectorate says why partner has no vote on p.
func (p *Proposal) outOfElectorate(partner string) string {
	if _, ok := p.Interests[partner]; ok {
		return "it declared an interest"
	}
	if p.About == partner {
		return "the proposal is about it"
	}
	return "it was not a full member when the proposal opened"
}

// validVote checks a vote against the rule. The minutes of a meeting record a block
// without its reason, so a minuted block needs none.
func validVote(r Rule, vote, reason string, minuted bool) error {
	switch vote {
	case VoteFor, VoteAgainst, VoteAbstain:
		return nil
	case VoteBlock:
		if r.Method != MethodConsensus {
			return invalidf("a block is only possible under consensus; this matter is decided by %s", r.Method)
		}
		if reason == "" && !minuted {
			return invalidf("a block needs a reason")
		}
		return nil
	}
	return invalidf("%q is not a vote; vote for, against, abstain or block", vote)
}

func (s *State) decideClose(c CloseProposal) ([]Event, error) {
	p, err := s.openProposal(c.Proposal, c.At)
	if err != nil {
		return nil, err
	}
	o, err := s.outcome(p, c.At, c.CastingVote)
	if err != nil {
		return nil, err
	}
	o.ReviewDate = c.ReviewDate
	return s.withEffect(c.At, p, o), nil
}

// outcome counts a proposal's votes by its frozen rule at its close, and makes sure
// the result can take effect.
func (s *State) outcome(p *Proposal, at time.Time, casting string) (Outcome, error) {
	if casting != "" && casting != VoteFor && casting != VoteAgainst {
		return Outcome{}, invalidf("a casting vote is for or against, not %q", casting)
	}
	o := count(p, p.Votes, casting)
	if casting != "" && o.CastingVote == "" {
		return Outcome{}, castingRefused(p, o)
	}
	if o.CastingVote != "" {
		// The chair voted when the proposal opened, but may have left since.
		if pt, ok := s.Partners[p.Chair]; !ok || !pt.Member(at) {
			return Outcome{}, forbiddenf("the chair, %s, has left consortium %s (it is %s): it has no casting vote on proposal %s",
				name(pt, p.Chair), s.ID, statusAt(pt, at), p.ID)
		}
	}
	if at.Before(p.ClosesAt) && !settled(p, casting) {
		return Outcome{}, conflictf("proposal %s is open until %s and the votes still to come could change its outcome",
			p.ID, stamp(p.ClosesAt))
	}
	if o.Result == OutcomeCarried || o.Result == OutcomeRejected && p.Matter == MatterAdmission {
		if err := s.canTakeEffect(p, at); err != nil {
			return Outcome{}, err
		}
	}
	return o, nil
}

// castingRefused says why the chair's casting vote cannot be used on p.
func castingRefused(p *Proposal, o Outcome) error {
	switch {
	case !p.Rule.CastingVote || p.Rule.Method != MethodMajority:
		return invalidf("the rule for %s matters gives the chair no casting vote", p.Matter)
	case p.Chair == "":
		return invalidf("proposal %s has no chair to give a casting vote: there was none when it opened", p.ID)
	case !p.InElectorate(p.Chair):
		return forbiddenf("the chair, %s, has no vote on proposal %s, so no casting vote: %s", p.Chair, p.ID, p.outOfElectorate(p.Chair))
	case o.Result == OutcomeLapsed:
		return invalidf("proposal %s lapses for want of quorum: there is no tie for a casting vote to break", p.ID)
	case o.Tally.For == 0 && o.Tally.Against == 0:
		return invalidf("nobody voted for or against proposal %s: there is no tie for a casting vote to break", p.ID)
	}
	return invalidf("proposal %s is not tied (%d for, %d against): the chair's casting vote only breaks a tie",
		p.ID, o.Tally.For, o.Tally.Against)
}

// canTakeEffect refuses an outcome whose effect could no longer happen: the partner an
// expulsion or a role is about has left since the proposal opened. The steering group
// withdraws such a proposal instead.
func (s *State) canTakeEffect(p *Proposal, at time.Time) error {
	switch p.Matter {
	case MatterAdmission:
		if pt, ok := s.Partners[p.About]; !ok || pt.Status != StatusApplicant {
			return conflictf("proposal %s cannot take effect: %s is not an applicant", p.ID, p.About)
		}
	case MatterExpulsion:
		if pt, ok := s.Partners[p.About]; !ok || !pt.Member(at) {
			return conflictf("the expulsion of %s cannot take effect: it has already left (it is %s); withdraw proposal %s",
				name(pt, p.About), statusAt(pt, at), p.ID)
		}
	case MatterAmendTerms:
		if p.NewTerms == nil {
			return invalidf("proposal %s has no new terms to amend the terms to", p.ID)
		}
	}
	if r := p.Role; r != nil {
		if pt, ok := s.Partners[r.Partner]; !ok || !pt.Member(at) {
			return conflictf("%s cannot be given the role of %s: it has left (it is %s); withdraw proposal %s",
				name(pt, r.Partner), roleWords(r.Role), statusAt(pt, at), p.ID)
		}
	}
	return nil
}

// name is a partner's name, or its id when it is unknown.
func name(p *Partner, id string) string {
	if p == nil {
		return id
	}
	return p.Name
}

func statusAt(p *Partner, at time.Time) string {
	if p == nil {
		return "unknown"
	}
	return p.StatusAt(at)
}

// withEffect puts the outcome and, when carried (or a rejected admission), its effect
// into one list of events.
func (s *State) withEffect(at time.Time, p *Proposal, o Outcome) []Event {
	evs := one(at, o)
	var effect Payload
	switch effectOf(p, o.Result) {
	case TypePartnerDeclined:
		effect = PartnerDeclined{Partner: p.About, Proposal: o.Proposal}
	case TypePartnerAdmitted:
		effect = PartnerAdmitted{Partner: p.About, Proposal: o.Proposal}
	case TypePartnerExpelled:
		effect = PartnerExpelled{Partner: p.About, Proposal: o.Proposal}
	case TypeTermsAmended:
		t := *p.NewTerms
		t.Version = s.Terms.Version + 1
		effect = TermsAmended{Proposal: o.Proposal, Terms: t}
	case TypeConsortiumDissolved:
		effect = ConsortiumDissolved{Proposal: o.Proposal}
	case TypeRoleAssigned:
		r := p.Role
		effect = RoleAssigned{Partner: r.Partner, Role: r.Role, Person: r.Person, Proposal: o.Proposal}
	default:
		return evs
	}
	return append(evs, Event{OccurredAt: at, Payload: effect})
}

// effectOf is the type of the event that carries out p's outcome result (withEffect
// records it with the outcome, and Check expects it next), or "" when there is none.
func effectOf(p *Proposal, result string) string {
	switch {
	case result == OutcomeRejected && p.Matter == MatterAdmission:
		return TypePartnerDeclined
	case result != OutcomeCarried:
		return ""
	}
	switch p.Matter {
	case MatterAdmission:
		return TypePartnerAdmitted
	case MatterExpulsion:
		return TypePartnerExpelled
	case MatterAmendTerms:
		return TypeTermsAmended
	case MatterDissolution:
		return TypeConsortiumDissolved
	}
	if p.Role != nil {
		return TypeRoleAssigned
	}
	return ""
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
	// An electorate emptied by declared interests has nobody to decide: no quorum.
	if t.Electorate == 0 || !p.Rule.Quorum.atLeast(t.Turnout(), t.Electorate) {
		o.Result = OutcomeLapsed
		return o
	}
	r := p.Rule
	carried := false
	switch r.Method {
	case MethodMajority:
		carried = t.For > t.Against
		// The chair's second vote, where it has a first.
		if t.For == t.Against && t.For > 0 && r.CastingVote && p.InElectorate(p.Chair) && casting != "" {
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
	proposed, err := s.proposal(c.TableProposal, true)
	if err != nil {
		return nil, err
	}
	attendance, err := s.attendance(c.Attendance)
	if err != nil {
		return nil, err
	}
	proposed.Meeting = &Meeting{HeldAt: c.At, Attendance: attendance}
	p := &Proposal{ID: proposed.Proposal, Matter: proposed.Matter, About: proposed.About, OpenedAt: c.At, ClosesAt: c.At,
		Electorate: proposed.Electorate, Rule: proposed.Rule, Chair: proposed.Chair, ExcludeConflicted: s.Terms.ExcludeConflicted,
		NewTerms: proposed.NewTerms, Role: proposed.Role, Interests: map[string]string{}, Votes: map[string]Vote{}}
	evs := []Event{{OccurredAt: c.At, Payload: proposed}}
	for _, id := range slices.Sorted(maps.Keys(c.Interests)) {
		if _, err := s.partner(id); err != nil {
			return nil, err
		}
		if c.Interests[id] == "" {
			return nil, invalidf("the minutes record an interest of %s without saying what it is", id)
		}
		evs = append(evs, Event{OccurredAt: c.At, Payload: InterestDeclared{Proposal: p.ID, Partner: id, Interest: c.Interests[id]}})
		p.Interests[id] = c.Interests[id]
		if p.ExcludeConflicted {
			p.Electorate = slices.DeleteFunc(slices.Clone(p.Electorate), func(e string) bool { return e == id })
		}
	}
	for _, id := range slices.Sorted(maps.Keys(c.Votes)) {
		if !slices.Contains(attendance, id) {
			return nil, invalidf("the minutes record a vote by %s, which is not in the attendance", id)
		}
		if err := s.mayVote(p, id, c.At); err != nil {
			return nil, err
		}
		if err := validVote(p.Rule, c.Votes[id], "", true); err != nil {
			return nil, err
		}
		p.Votes[id] = Vote{Choice: c.Votes[id]}
		evs = append(evs, Event{OccurredAt: c.At, Payload: VoteCast{Proposal: p.ID, Partner: id, Vote: c.Votes[id]}})
	}
	o, err := s.outcome(p, c.At, c.CastingVote)
	if err != nil {
		return nil, err
	}
	o.ReviewDate = c.ReviewDate
	return append(evs, s.withEffect(c.At, p, o)...), nil
}

// attendance checks a meeting's attendance, the partners present, and sorts it.
func (s *State) attendance(ids []string) ([]string, error) {
	sorted := slices.Sorted(slices.Values(ids))
	for i, id := range sorted {
		if _, err := s.partner(id); err != nil {
			return nil, err
		}
		if i > 0 && sorted[i-1] == id {
			return nil, invalidf("the attendance names %s twice", id)
		}
	}
	return sorted, nil
}

// validRole checks that a partner can be given a role: a member, and not holding it
// already. A point of contact is a person, named by the partner it speaks for.
func (s *State) validRole(a RoleAssignment, at time.Time) error {
	if !slices.Contains(RoleNames, a.Role) {
		return invalidf("%q is not a role; use one of %s", a.Role, strings.Join(RoleNames, ", "))
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
	st := p.StatusAt(c.At)
	if st == StatusActive && p.Status != StatusActive {
		// Dated before a notice it has served since: it would serve it again, earlier.
		st = p.Status
	}
	if st != StatusActive {
		return nil, conflictf("%s cannot serve notice: it is %s", p.Name, st)
	}
	return one(c.At, NoticeServed{Partner: p.ID, EffectiveAt: s.Terms.noticeEffective(c.At), Reason: c.Reason}), nil
}

// noticeEffective is when a notice served at at takes effect. Days are counted on the
// UTC calendar, as the log records times, so that an auditor gets the same date.
func (t Terms) noticeEffective(at time.Time) time.Time {
	return at.UTC().AddDate(0, 0, t.Termination.NoticeDays)
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
	for i, id := range c.Parties {
		if id == c.RaisedBy {
			return nil, invalidf("%s cannot raise a dispute against itself", id)
		}
		if slices.Contains(c.Parties[:i], id) {
			return nil, invalidf("dispute %s names %s twice", c.Dispute, id)
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

// openDispute finds a dispute that is still open, at a stage reached by at.
func (s *State) openDispute(id string, at time.Time) (*Dispute, error) {
	d, ok := s.Disputes[id]
	if !ok {
		return nil, notFoundf("there is no dispute %s in consortium %s", id, s.ID)
	}
	if d.Status != DisputeStatusOpen {
		return nil, conflictf("dispute %s is %s", id, d.Status)
	}
	if at.Before(d.StageStartedAt) {
		return nil, invalidf("dispute %s reached its current stage at %s: nothing can be done on it before then", id, stamp(d.StageStartedAt))
	}
	return d, nil
}

// lastStageName names the last stage of the dispute ladder, for messages.
func (t Terms) lastStageName() string {
	if len(t.DisputeLadder) == 0 {
		return ""
	}
	return " (" + t.DisputeLadder[len(t.DisputeLadder)-1].Name + ")"
}
