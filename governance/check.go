package governance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"time"
)

// Check is the audit's re-decision of one recorded event. Given the consortium's state
// just before e (which includes the earlier events of the same command, so a decision's
// outcome comes before its effect), it says whether e obeys the rules as Decide would
// have applied them. An event appended past govledger, for example straight to NATS,
// that breaks them is refused with an *Error in the partnership's words. Check accepts
// every event Decide produces, and never changes s.
//
// Most events are re-decided from the command they record. An outcome is recounted from
// the votes in the state; an effect (partner.admitted, partner.expelled,
// consortium.terms-amended, ...) must carry out the carried decision it names, once, with
// its outcome.
func Check(s *State, e Event) error {
	if e.Payload == nil {
		return invalidf("an event without a payload")
	}
	at := e.OccurredAt
	if f, ok := e.Payload.(ConsortiumFormed); ok {
		if s != nil {
			return conflictf("consortium %s was already formed at %s: it cannot be formed again", s.ID, stamp(s.FormedAt))
		}
		if f.Terms.Version != 1 {
			return invalidf("a consortium's first terms are version 1, not %d", f.Terms.Version)
		}
		return redecide(nil, e, commandOf(f, at))
	}
	if s == nil {
		return notFoundf("the consortium does not exist: %s before it was formed", e.Type())
	}
	if s.Dissolved {
		return forbiddenf("consortium %s is dissolved: its record is sealed, yet it records %s", s.ID, e.Type())
	}
	if p := s.Proposals[s.EffectDue]; p != nil {
		if want := effectOf(p, p.Outcome); e.Type() != want || effectProposal(e.Payload) != p.ID {
			return forbiddenf("proposal %s was %s at %s, so %s of it must come next, in the same command; %s came instead",
				p.ID, p.Outcome, stamp(p.ClosedAt), want, e.Type())
		}
	}
	switch p := e.Payload.(type) {
	case NoticeServed:
		if want := s.Terms.noticeEffective(at); !p.EffectiveAt.Equal(want) {
			return invalidf("the notice of %s takes effect at %s, but the notice period of %d days ends at %s",
				p.Partner, stamp(p.EffectiveAt), s.Terms.Termination.NoticeDays, stamp(want))
		}
	case DecisionProposed:
		return s.checkProposed(p, at)
	case VoteCast:
		return s.checkVote(e, p)
	case Outcome:
		return s.checkOutcome(p, at)
	case PartnerAdmitted:
		return s.checkEffect(at, p.Proposal, MatterAdmission, OutcomeCarried, p.Partner, s.partnerName(p.Partner)+" was admitted")
	case PartnerDeclined:
		return s.checkEffect(at, p.Proposal, MatterAdmission, OutcomeRejected, p.Partner, s.partnerName(p.Partner)+" was declined")
	case PartnerExpelled:
		return s.checkEffect(at, p.Proposal, MatterExpulsion, OutcomeCarried, p.Partner, s.partnerName(p.Partner)+" was expelled")
	case ConsortiumDissolved:
		return s.checkEffect(at, p.Proposal, MatterDissolution, OutcomeCarried, "", "the consortium was dissolved")
	case TermsAmended:
		return s.checkTermsAmended(p, at)
	case RoleAssigned:
		if p.Proposal != "" {
			return s.checkRoleAssigned(p, at)
		}
	case DisputeEscalated:
		if d, ok := s.Disputes[p.Dispute]; ok && p.Stage != d.Stage+1 {
			return invalidf("dispute %s is recorded as escalated to stage %d, but the next stage after %d is %d",
				p.Dispute, p.Stage+1, d.Stage+1, d.Stage+2)
		}
	}
	if c := commandOf(e.Payload, at); c != nil {
		return redecide(s, e, c)
	}
	return invalidf("%s is not an event of the governance rules", e.Type())
}

// commandOf is the command, made at at, that an event records when it is that
// command's only event (a vote, a declaration, a notice, a dispute's step, ...), or nil:
// Check re-decides it, and Recorded compares a command with it.
func commandOf(p Payload, at time.Time) Command {
	switch p := p.(type) {
	case ConsortiumFormed:
		return FormConsortium{At: at, Consortium: p.Consortium, Name: p.Name, Purpose: p.Purpose,
			Structure: p.Structure, Start: p.Start, End: p.End, Partners: p.Partners, Terms: p.Terms}
	case PartnerApplied:
		return ApplyToJoin{At: at, Partner: p.Partner, Sponsor: p.Sponsor}
	case NoticeServed:
		return ServeNotice{At: at, Partner: p.Partner, Reason: p.Reason}
	case InterestDeclared:
		return DeclareInterest{At: at, Proposal: p.Proposal, Partner: p.Partner, Interest: p.Interest}
	case VoteCast:
		return CastVote{At: at, Proposal: p.Proposal, Partner: p.Partner, Vote: p.Vote, Reason: p.Reason}
	case DecisionWithdrawn:
		return WithdrawProposal{At: at, Proposal: p.Proposal, Reason: p.Reason}
	case RoleAssigned:
		if p.Proposal == "" {
			return AssignRole{At: at, Partner: p.Partner, Role: p.Role, Person: p.Person}
		}
	case DisputeRaised:
		return RaiseDispute{At: at, Dispute: p.Dispute, RaisedBy: p.RaisedBy, Parties: p.Parties, Matter: p.Matter}
	case DisputeEscalated:
		return EscalateDispute{At: at, Dispute: p.Dispute}
	case DisputeResolved:
		return ResolveDispute{At: at, Dispute: p.Dispute, Outcome: p.Outcome}
	case DisputeWithdrawn:
		return WithdrawDispute{At: at, Dispute: p.Dispute, Reason: p.Reason}
	}
	return nil
}

// Unfinished says what the consortium's last command left undone, for an auditor at the
// end of the log: an outcome recorded without the event that carries it out. It is nil
// for every state that Decide's events lead to.
func Unfinished(s *State) error {
	if s == nil {
		return nil
	}
	if p := s.Proposals[s.EffectDue]; p != nil {
		return forbiddenf("proposal %s was %s at %s, but the record ends without %s of it",
			p.ID, p.Outcome, stamp(p.ClosedAt), effectOf(p, p.Outcome))
	}
	return nil
}

// effectProposal is the proposal an effect names, "" for any other payload.
func effectProposal(p Payload) string {
	switch e := p.(type) {
	case PartnerAdmitted:
		return e.Proposal
	case PartnerDeclined:
		return e.Proposal
	case PartnerExpelled:
		return e.Proposal
	case TermsAmended:
		return e.Proposal
	case ConsortiumDissolved:
		return e.Proposal
	case RoleAssigned:
		return e.Proposal
	}
	return ""
}

// redecide decides the command an event records and expects that very event.
func redecide(s *State, e Event, c Command) error {
	evs, err := decide(s, c, nil)
	if err != nil {
		return err
	}
	if len(evs) != 1 || !sameJSON(evs[0].Payload, e.Payload) {
		return invalidf("the recorded %s is not what the rules give for %s", e.Type(), c.CommandName())
	}
	return nil
}

// sameJSON reports whether two payloads encode alike. Payload types hold no floats (0
// and -0 are equal but encode apart) and no interfaces (which may hold what == cannot
// compare), so equal comparable payloads encode alike and most (a vote) are compared
// without encoding.
func sameJSON(a, b any) bool {
	if t := reflect.TypeOf(a); t == reflect.TypeOf(b) && t.Comparable() && a == b {
		return true
	}
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func (s *State) partnerName(id string) string { return name(s.Partners[id], id) }

// checkProposed re-freezes the electorate and the rule of a proposal as it opened.
func (s *State) checkProposed(p DecisionProposed, at time.Time) error {
	inMeeting := p.Meeting != nil
	want, err := s.proposal(TableProposal{At: at, Proposal: p.Proposal, Matter: p.Matter, Title: p.Title, About: p.About,
		ClosesAt: p.ClosesAt, NewTerms: p.NewTerms, Role: p.Role}, inMeeting)
	if err != nil {
		return err
	}
	if inMeeting {
		if !p.Meeting.HeldAt.Equal(at) || !p.ClosesAt.Equal(at) {
			return invalidf("proposal %s was decided in a meeting, so it opens and closes when the meeting is held (%s)", p.Proposal, stamp(at))
		}
		attendance, err := s.attendance(p.Meeting.Attendance)
		if err != nil {
			return err
		}
		if !slices.Equal(attendance, p.Meeting.Attendance) {
			return invalidf("the attendance of the meeting on proposal %s is not in order", p.Proposal)
		}
	}
	if !slices.Equal(want.Electorate, p.Electorate) {
		return invalidf("proposal %s froze the electorate %v, but the full members who could vote when it opened were %v",
			p.Proposal, p.Electorate, want.Electorate)
	}
	if want.Rule != p.Rule {
		return invalidf("proposal %s froze a rule (%s) that is not the terms' rule for %s matters (%s)",
			p.Proposal, p.Rule, p.Matter, want.Rule)
	}
	if want.Chair != p.Chair {
		return invalidf("proposal %s names %q as its chair, but the chair when it opened was %q", p.Proposal, p.Chair, want.Chair)
	}
	return nil
}

// checkVote re-decides a vote: a ballot's as cast, a meeting's as minuted (at the
// meeting, by a partner present, a block without its reason).
func (s *State) checkVote(e Event, v VoteCast) error {
	p, err := s.openProposal(v.Proposal, e.OccurredAt)
	if err != nil {
		return err
	}
	if p.Meeting == nil {
		// What decideVote checks, on the proposal just found: a vote is most of a log,
		// and re-deciding it whole would look the proposal up twice and build an event
		// equal to e by construction.
		return s.ballot(p, v.Partner, v.Vote, v.Reason, e.OccurredAt)
	}
	if !e.OccurredAt.Equal(p.Meeting.HeldAt) {
		return invalidf("the vote of %s on proposal %s is dated %s, not at the meeting that decided it (%s)",
			v.Partner, p.ID, stamp(e.OccurredAt), stamp(p.Meeting.HeldAt))
	}
	if !slices.Contains(p.Meeting.Attendance, v.Partner) {
		return invalidf("the minutes record a vote by %s, which is not in the attendance", v.Partner)
	}
	if err := s.mayVote(p, v.Partner, e.OccurredAt); err != nil {
		return err
	}
	return validVote(p.Rule, v.Vote, v.Reason, true)
}

// checkOutcome recounts a proposal's votes by its frozen rule and quorum.
func (s *State) checkOutcome(o Outcome, at time.Time) error {
	p, err := s.openProposal(o.Proposal, at)
	if err != nil {
		return err
	}
	want, err := s.outcome(p, at, o.CastingVote)
	if err != nil {
		return err
	}
	if want.Result != o.Result || want.Tally != o.Tally {
		return invalidf("proposal %s is recorded as %s (%s), but its votes give %s (%s)",
			p.ID, o.Result, tallyWords(o.Tally), want.Result, tallyWords(want.Tally))
	}
	return nil
}

func tallyWords(t Tally) string {
	return fmt.Sprintf("%d for, %d against, %d abstaining, %d blocking, of %d", t.For, t.Against, t.Abstain, t.Block, t.Electorate)
}

// checkEffect makes sure an effect carries out the decision it names: a proposal on the
// matter, with the result, about the partner, not yet carried out, and closed at the
// same moment, which is how the events of one command are dated.
func (s *State) checkEffect(at time.Time, proposal, matter, result, about, what string) error {
	_, err := s.decisionTakingEffect(at, proposal, matter, result, what)
	if err != nil {
		return err
	}
	if p := s.Proposals[proposal]; p.About != about {
		return forbiddenf("%s, but proposal %s is about %s", what, proposal, s.partnerName(p.About))
	}
	return nil
}

func (s *State) decisionTakingEffect(at time.Time, proposal, matter, result, what string) (*Proposal, error) {
	p, ok := s.Proposals[proposal]
	if !ok {
		return nil, notFoundf("%s by proposal %s, which does not exist", what, proposal)
	}
	if p.Matter != matter || p.Outcome != result {
		outcome := p.Outcome
		if outcome == OutcomeOpen {
			outcome = "open"
		}
		return nil, forbiddenf("%s without a %s %s decision: proposal %s is %s, on %s", what, result, matter, p.ID, outcome, p.Matter)
	}
	if p.Effect != "" {
		return nil, conflictf("%s, but proposal %s has already taken effect (%s)", what, p.ID, p.Effect)
	}
	if !at.Equal(p.ClosedAt) {
		return nil, invalidf("%s at %s, but proposal %s closed at %s: a decision takes effect with its outcome",
			what, stamp(at), p.ID, stamp(p.ClosedAt))
	}
	return p, s.canTakeEffect(p, at)
}

// checkTermsAmended expects the terms the proposal carried, valid, as the next version.
func (s *State) checkTermsAmended(t TermsAmended, at time.Time) error {
	p, err := s.decisionTakingEffect(at, t.Proposal, MatterAmendTerms, OutcomeCarried, "the terms were amended")
	if err != nil {
		return err
	}
	// The partners may have changed since the proposal opened, when its terms were
	// checked against the members: every partner the consortium has known may be named.
	if err := t.Terms.Validate(slices.Sorted(maps.Keys(s.Partners))); err != nil {
		return err
	}
	want := *p.NewTerms
	want.Version = s.Terms.Version + 1
	if t.Terms.Version != want.Version {
		return invalidf("the terms were amended to version %d, but the next version after %d is %d", t.Terms.Version, s.Terms.Version, want.Version)
	}
	if !sameJSON(want, t.Terms) {
		return invalidf("the terms recorded as version %d are not the terms proposal %s carried", t.Terms.Version, p.ID)
	}
	return nil
}

func (s *State) checkRoleAssigned(r RoleAssigned, at time.Time) error {
	what := fmt.Sprintf("%s was given the role of %s", s.partnerName(r.Partner), roleWords(r.Role))
	p, err := s.decisionTakingEffect(at, r.Proposal, MatterOrdinary, OutcomeCarried, what)
	if err != nil {
		return err
	}
	if p.Role == nil || *p.Role != (RoleAssignment{Partner: r.Partner, Role: r.Role, Person: r.Person}) {
		return forbiddenf("%s, but proposal %s carried no such role", what, p.ID)
	}
	return nil
}
