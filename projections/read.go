package projections

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/governance"
)

// The reads. Their JSON field names are the public API (the CLI's --json output and
// the HTTP responses): snake_case and stable. Every result is a copy that shares nothing
// with the models, so it may be kept after Runner.View returns.

// ConsortiumSummary is one consortium as the list of consortia shows it.
type ConsortiumSummary struct {
	// ID is the consortium's slug, the <consortium> of its subjects gov.<consortium>.>.
	ID string `json:"id"`
	// Name is what the partners call it.
	Name string `json:"name"`
	// Purpose is the common purpose it was formed for.
	Purpose string `json:"purpose"`
	// Structure is its form: network, partnership, contractual-consortium, …
	Structure string `json:"structure"`
	// Start is the first day of its timeframe.
	Start governance.Date `json:"start"`
	// End is the last day of its timeframe, if one was agreed.
	End governance.Date `json:"end,omitempty"`
	// Status is active, or dissolved once its dissolution has been decided.
	Status string `json:"status"`
	// TermsVersion is the version of the terms in force: 1 when formed, one more for
	// each carried amend-terms decision.
	TermsVersion int `json:"terms_version"`
	// Members counts the partners whose membership is in force now.
	Members int `json:"members"`
	// FormedAt is when it was formed.
	FormedAt time.Time `json:"formed_at"`
	// DissolvedAt is when it was dissolved, if it was.
	DissolvedAt time.Time `json:"dissolved_at,omitzero"`
	// Seq is the stream sequence of its last event.
	Seq uint64 `json:"seq"`
	// Events counts its events.
	Events int `json:"events"`
}

// Member is one partner whose membership was in force at the time asked about.
type Member struct {
	// ID is the partner's slug.
	ID string `json:"id"`
	// Name is the organisation's name.
	Name string `json:"name"`
	// Sector is nhs-trust, icb, local-authority, gp-practice, vcse, …
	Sector string `json:"sector"`
	// Tier is full (votes) or associate (does not vote).
	Tier string `json:"tier"`
	// Roles are the roles it held at that time (lead-partner, chair, secretary,
	// point-of-contact), sorted.
	Roles []string `json:"roles"`
	// Status is active, or notice-served once it has given notice.
	Status string `json:"status"`
	// PointOfContact is the person the consortium deals with.
	PointOfContact string `json:"point_of_contact"`
	// Since is when the membership in force at that time began: formation or admission.
	Since time.Time `json:"since"`
	// Until is when that membership ends, where the record said so at that time: the
	// effective date of a notice served by then.
	Until time.Time `json:"until,omitzero"`
}

// Partner is an organisation ever known to a consortium: founders, applicants
// (declined ones too), members, and partners that have withdrawn or been expelled.
type Partner struct {
	// ID is the partner's slug.
	ID string `json:"id"`
	// Name is the organisation's name.
	Name string `json:"name"`
	// Sector is nhs-trust, icb, local-authority, gp-practice, vcse, …
	Sector string `json:"sector"`
	// Tier is full (votes) or associate (does not vote).
	Tier string `json:"tier"`
	// Roles are the roles it holds now, sorted.
	Roles []string `json:"roles"`
	// Status now: applicant, active, notice-served, withdrawn (once a notice has taken
	// effect), expelled or declined.
	Status string `json:"status"`
	// PointOfContact is the person the consortium deals with.
	PointOfContact string `json:"point_of_contact"`
	// Sponsor is the partner that sponsored its (latest) application.
	Sponsor string `json:"sponsor,omitempty"`
	// AppliedAt is when it (last) applied; for a founder, when the consortium was formed.
	AppliedAt time.Time `json:"applied_at,omitzero"`
	// AdmittedAt is when it became a member: formation or admission.
	AdmittedAt time.Time `json:"admitted_at,omitzero"`
	// NoticeAt is when it served notice of withdrawal.
	NoticeAt time.Time `json:"notice_at,omitzero"`
	// LeavesAt is when its notice takes (or took) effect.
	LeavesAt time.Time `json:"leaves_at,omitzero"`
	// LeftAt is when it stopped being a member or an applicant: declined, expelled, or
	// its notice in effect.
	LeftAt time.Time `json:"left_at,omitzero"`
	// Intervals are the periods its membership was in force, oldest first.
	Intervals []Interval `json:"intervals"`
}

// Interval is one period of membership.
type Interval struct {
	// From is when it began (formation or admission).
	From time.Time `json:"from"`
	// To is when it ended or will end, where known.
	To time.Time `json:"to,omitzero"`
	// Tier is full or associate for that period.
	Tier string `json:"tier"`
}

// Decision is one proposal, put to a ballot or decided in a meeting, with everything
// behind it.
type Decision struct {
	// ID is the proposal's slug.
	ID string `json:"id"`
	// Matter is what kind of decision: ordinary, admission, expulsion, amend-terms,
	// dissolution, or one the terms add.
	Matter string `json:"matter"`
	// Title says what is proposed.
	Title string `json:"title"`
	// About is the partner an admission or expulsion is about.
	About string `json:"about,omitempty"`
	// OpenedAt is when it was tabled (or the meeting's date).
	OpenedAt time.Time `json:"opened_at"`
	// ClosesAt is when its ballot closes.
	ClosesAt time.Time `json:"closes_at"`
	// ClosedAt is when it was closed or withdrawn.
	ClosedAt time.Time `json:"closed_at,omitzero"`
	// Meeting is the meeting that decided it, for a decision taken in a meeting.
	Meeting *Meeting `json:"meeting,omitempty"`
	// Electorate are the partners entitled to vote: frozen when it opened, less any that
	// then declared an interest where the terms exclude them. Sorted.
	Electorate []string `json:"electorate"`
	// Rule is the decision rule frozen when it opened.
	Rule governance.Rule `json:"rule"`
	// Chair is the chair when it opened, whose casting vote the rule may allow.
	Chair string `json:"chair,omitempty"`
	// Interests are the interests declared, partner → interest.
	Interests map[string]string `json:"interests"`
	// Votes are every vote as cast, in order; a later vote by the same partner replaces
	// the earlier one.
	Votes []Vote `json:"votes"`
	// CurrentVotes are the votes that count now, partner → vote.
	CurrentVotes map[string]string `json:"current_votes"`
	// Outcome is open, carried, rejected, lapsed (no quorum) or withdrawn.
	Outcome string `json:"outcome"`
	// SealedAt is when the consortium was dissolved, for a decision still open then:
	// dissolution seals the record, so it will never be counted. Absent otherwise.
	SealedAt time.Time `json:"sealed_at,omitzero"`
	// Tally is the count at close; absent while open and for a withdrawn proposal.
	Tally *governance.Tally `json:"tally,omitempty"`
	// CastingVote is the chair's casting vote, where it decided a tie.
	CastingVote string `json:"casting_vote,omitempty"`
	// Effect is what the decision did, in the partnership's words: "admitted
	// essex-council", "declined x", "expelled x", "terms version 2", "dissolved",
	// "chair: x"; several are joined by "; ".
	Effect string `json:"effect,omitempty"`
	// ReviewDate is when the decision is to be reviewed, if one was set.
	ReviewDate governance.Date `json:"review_date,omitempty"`
	// Events are every event behind it, in order.
	Events []EventRef `json:"events"`
}

// Meeting is how a meeting decision was minuted.
type Meeting struct {
	// HeldAt is the meeting's date and time.
	HeldAt time.Time `json:"held_at"`
	// Attendance are the partners present, sorted.
	Attendance []string `json:"attendance"`
}

// Vote is one vote as it was cast.
type Vote struct {
	// Partner is the partner that voted.
	Partner string `json:"partner"`
	// Vote is for, against, abstain or block.
	Vote string `json:"vote"`
	// Reason is the reason given (a block must give one).
	Reason string `json:"reason,omitempty"`
	// Person is who recorded it for the partner.
	Person string `json:"person,omitempty"`
	// At is when it was cast.
	At time.Time `json:"at"`
	// Seq is the stream sequence of its event.
	Seq uint64 `json:"seq"`
	// Replaces is the partner's earlier vote that this one replaced; absent for its first.
	Replaces string `json:"replaces,omitempty"`
}

// EventRef names one event in the log.
type EventRef struct {
	// ID is the event's ULID.
	ID string `json:"id"`
	// Seq is its stream sequence.
	Seq uint64 `json:"seq"`
	// Type is its type, such as decision.vote-cast.
	Type string `json:"type"`
}

// Admission statuses.
const (
	AdmissionPending  = "pending"
	AdmissionAdmitted = "admitted"
	AdmissionDeclined = "declined"
)

// Admission is one application to join and what became of it. A partner that applies
// again after being declined has a row for each application.
type Admission struct {
	// Partner is the applicant's slug.
	Partner string `json:"partner"`
	// Name is the applicant's name.
	Name string `json:"name"`
	// Sector is the applicant's sector.
	Sector string `json:"sector"`
	// Sponsor is the member that sponsored the application.
	Sponsor string `json:"sponsor,omitempty"`
	// AppliedAt is when it applied.
	AppliedAt time.Time `json:"applied_at"`
	// Proposal is the admission proposal that decides it, once one is tabled.
	Proposal string `json:"proposal,omitempty"`
	// Status is pending, admitted or declined.
	Status string `json:"status"`
	// DecidedAt is when it was admitted or declined.
	DecidedAt time.Time `json:"decided_at,omitzero"`
}

// DisputeView is one dispute, where it stands on the ladder, and whether it is overdue.
type DisputeView struct {
	// ID is the dispute's slug.
	ID string `json:"id"`
	// RaisedBy is the partner that raised it.
	RaisedBy string `json:"raised_by"`
	// Parties are the partners it was raised against.
	Parties []string `json:"parties"`
	// Matter is what it is about.
	Matter string `json:"matter"`
	// RaisedAt is when it was raised.
	RaisedAt time.Time `json:"raised_at"`
	// Status is open, resolved or withdrawn.
	Status string `json:"status"`
	// Stage is the index of its current stage on the terms' dispute ladder (0: the first).
	Stage int `json:"stage"`
	// StageName is that stage's name, such as negotiation or mediation.
	StageName string `json:"stage_name"`
	// StageStartedAt is when it reached that stage.
	StageStartedAt time.Time `json:"stage_started_at"`
	// Due is when the current stage's time limit passes; absent once it is closed.
	Due time.Time `json:"due,omitzero"`
	// Overdue says whether it is open past Due, at the time of reading; never once the
	// consortium is dissolved, when nothing more can be done about it.
	Overdue bool `json:"overdue"`
	// Escalations are each move up the ladder, oldest first.
	Escalations []Escalation `json:"escalations"`
	// Outcome is the outcome agreed, or the reason it was withdrawn.
	Outcome string `json:"outcome,omitempty"`
	// ClosedAt is when it was resolved or withdrawn.
	ClosedAt time.Time `json:"closed_at,omitzero"`
}

// Escalation is one move of a dispute up the ladder.
type Escalation struct {
	// Stage is the index of the stage it moved to.
	Stage int `json:"stage"`
	// StageName is that stage's name.
	StageName string `json:"stage_name"`
	// At is when it moved.
	At time.Time `json:"at"`
}

// Kinds of termination.
const (
	KindNotice      = "notice"
	KindExpulsion   = "expulsion"
	KindDissolution = "dissolution"
)

// Termination is a partner leaving, or the consortium ending.
type Termination struct {
	// Kind is notice (of withdrawal), expulsion or dissolution.
	Kind string `json:"kind"`
	// Partner is the partner leaving; absent for a dissolution.
	Partner string `json:"partner,omitempty"`
	// At is when notice was served or the decision taken.
	At time.Time `json:"at"`
	// EffectiveAt is when it takes effect: the end of the notice period, or At.
	EffectiveAt time.Time `json:"effective_at"`
	// Reason is the reason given with a notice, or the title of the decision.
	Reason string `json:"reason,omitempty"`
	// Proposal is the decision behind an expulsion or dissolution.
	Proposal string `json:"proposal,omitempty"`
	// InEffect says whether it has taken effect, at the time of reading.
	InEffect bool `json:"in_effect"`
}

// notFound is a read of something the ledger does not hold; it matches
// events.ErrNotFound and names what was missing.
type notFound string

func (e notFound) Error() string        { return string(e) }
func (e notFound) Is(target error) bool { return target == events.ErrNotFound }

func (m *Models) consortium(id string) (*consortium, error) {
	c, ok := m.consortia[id]
	if !ok {
		return nil, notFound("consortium " + id + " is not in the ledger")
	}
	return c, nil
}

// Consortia lists every consortium, sorted by id, with its membership as of now.
func (m *Models) Consortia(now time.Time) []ConsortiumSummary {
	rows := make([]ConsortiumSummary, 0, len(m.consortia))
	for _, id := range slices.Sorted(maps.Keys(m.consortia)) {
		rows = append(rows, m.consortia[id].summary(now))
	}
	return rows
}

// Consortium is one consortium's summary, with its membership as of now.
func (m *Models) Consortium(id string, now time.Time) (ConsortiumSummary, error) {
	c, err := m.consortium(id)
	if err != nil {
		return ConsortiumSummary{}, err
	}
	return c.summary(now), nil
}

// dissolvedBy reports whether the consortium had been dissolved by now.
func (c *consortium) dissolvedBy(now time.Time) bool {
	return !c.DissolvedAt.IsZero() && !now.Before(c.DissolvedAt)
}

func (c *consortium) summary(now time.Time) ConsortiumSummary {
	status := "active"
	if c.dissolvedBy(now) {
		status = "dissolved"
	}
	members := 0
	for _, p := range c.Partners {
		if _, ok := p.spanAt(now); ok {
			members++
		}
	}
	return ConsortiumSummary{ID: c.ID, Name: c.Name, Purpose: c.Purpose, Structure: c.Structure, Start: c.Start, End: c.End,
		Status: status, TermsVersion: c.Terms.Version, Members: members, FormedAt: c.FormedAt, DissolvedAt: c.DissolvedAt,
		Seq: c.Seq, Events: c.Events}
}

// Terms are the consortium's terms in force now.
func (m *Models) Terms(id string) (governance.Terms, error) {
	c, err := m.consortium(id)
	if err != nil {
		return governance.Terms{}, err
	}
	return cloneTerms(c.Terms), nil
}

// Membership lists the partners whose membership was in force at t, sorted by id. It
// is answered from the intervals of membership kept as events arrive, so any date is
// as cheap as today: a partner declined and later admitted is a member from its
// admission, and one that served notice stops being a member on the notice's
// effective date, with no event on that date.
func (m *Models) Membership(id string, t time.Time) ([]Member, error) {
	c, err := m.consortium(id)
	if err != nil {
		return nil, err
	}
	rows := []Member{}
	for _, p := range c.Partners {
		s, ok := p.spanAt(t)
		if !ok {
			continue
		}
		// The end of a membership in force at t was on the record at t only if notice
		// had been served by then; an expulsion or a dissolution was not yet decided.
		status, until := governance.StatusActive, time.Time{}
		if !s.NoticeAt.IsZero() && !t.Before(s.NoticeAt) {
			status, until = governance.StatusNoticeServed, s.To
		}
		rows = append(rows, Member{ID: p.ID, Name: p.Name, Sector: p.Sector, Tier: s.Tier, Roles: p.rolesAt(t, ""),
			Status: status, PointOfContact: p.PointOfContact, Since: s.From, Until: until})
	}
	slices.SortFunc(rows, func(a, b Member) int { return cmp.Compare(a.ID, b.ID) })
	return rows, nil
}

// spanAt is the membership interval in force at t, if any.
func (p *partner) spanAt(t time.Time) (span, bool) {
	for _, s := range p.Spans {
		if s.covers(t) {
			return s, true
		}
	}
	return span{}, false
}

// Partners lists every partner ever known to the consortium, sorted by id, with its
// status as of now.
func (m *Models) Partners(id string, now time.Time) ([]Partner, error) {
	c, err := m.consortium(id)
	if err != nil {
		return nil, err
	}
	rows := make([]Partner, 0, len(c.Partners))
	for _, p := range c.Partners {
		row := Partner{ID: p.ID, Name: p.Name, Sector: p.Sector, Tier: p.Tier, Roles: p.rolesAt(now, ""), Status: p.Status,
			PointOfContact: p.PointOfContact, Sponsor: p.Sponsor, AppliedAt: p.AppliedAt, AdmittedAt: p.AdmittedAt,
			NoticeAt: p.NoticeAt, LeavesAt: p.LeavesAt, LeftAt: p.LeftAt, Intervals: make([]Interval, len(p.Spans))}
		if p.Status == governance.StatusNoticeServed && !now.Before(p.LeavesAt) {
			row.Status, row.LeftAt = governance.StatusWithdrawn, p.LeavesAt
		}
		for i, s := range p.Spans {
			row.Intervals[i] = Interval{From: s.From, To: s.To, Tier: s.Tier}
		}
		rows = append(rows, row)
	}
	slices.SortFunc(rows, func(a, b Partner) int { return cmp.Compare(a.ID, b.ID) })
	return rows, nil
}

// Decisions lists every proposal and meeting decision, oldest first (by when it
// opened, then by id).
func (m *Models) Decisions(id string) ([]Decision, error) {
	c, err := m.consortium(id)
	if err != nil {
		return nil, err
	}
	rows := make([]Decision, 0, len(c.Decisions))
	for _, d := range c.Decisions {
		rows = append(rows, c.view(d))
	}
	slices.SortFunc(rows, func(a, b Decision) int {
		return cmp.Or(a.OpenedAt.Compare(b.OpenedAt), cmp.Compare(a.ID, b.ID))
	})
	return rows, nil
}

// Decision is one proposal or meeting decision.
func (m *Models) Decision(id, proposal string) (Decision, error) {
	c, err := m.consortium(id)
	if err != nil {
		return Decision{}, err
	}
	d, ok := c.Decisions[proposal]
	if !ok {
		return Decision{}, notFound("there is no decision " + proposal + " in consortium " + id)
	}
	return c.view(d), nil
}

// view is the decision as a read gives it.
func (c *consortium) view(d *decision) Decision {
	votes := d.votes(c.Words)
	v := Decision{ID: d.ID, Matter: d.Matter, Title: d.Title, About: d.About, OpenedAt: d.OpenedAt, ClosesAt: d.ClosesAt,
		ClosedAt: d.ClosedAt, Electorate: slices.Clone(d.Electorate), Rule: d.Rule, Chair: d.Chair,
		Interests: maps.Clone(d.Interests), Votes: votes, CurrentVotes: current(votes, d.Electorate),
		Outcome: cmp.Or(d.Outcome, "open"), CastingVote: d.CastingVote, ReviewDate: d.ReviewDate,
		Events: make([]EventRef, len(d.Events))}
	for i, r := range d.Events {
		v.Events[i] = r.view()
	}
	if d.Outcome == "" {
		v.SealedAt = c.DissolvedAt
	}
	if d.Meeting != nil {
		v.Meeting = &Meeting{HeldAt: d.Meeting.HeldAt, Attendance: slices.Clone(d.Meeting.Attendance)}
	}
	if d.Tally != nil {
		t := *d.Tally
		v.Tally = &t
	}
	for i, e := range d.Effects {
		if i > 0 {
			v.Effect += "; "
		}
		v.Effect += e
	}
	// Empty, not absent: a client can always range over them.
	if v.Electorate == nil {
		v.Electorate = []string{}
	}
	if v.Interests == nil {
		v.Interests = map[string]string{}
	}
	if v.Votes == nil {
		v.Votes = []Vote{}
	}
	return v
}

// Admissions lists every application to join, oldest first.
func (m *Models) Admissions(id string) ([]Admission, error) {
	c, err := m.consortium(id)
	if err != nil {
		return nil, err
	}
	rows := make([]Admission, len(c.Admissions))
	for i, a := range c.Admissions {
		rows[i] = *a
	}
	slices.SortStableFunc(rows, func(a, b Admission) int { return a.AppliedAt.Compare(b.AppliedAt) })
	return rows, nil
}

// Disputes lists every dispute, oldest first, each overdue or not as of now.
func (m *Models) Disputes(id string, now time.Time) ([]DisputeView, error) {
	c, err := m.consortium(id)
	if err != nil {
		return nil, err
	}
	rows := make([]DisputeView, 0, len(c.Disputes))
	for _, d := range c.Disputes {
		v := DisputeView{ID: d.ID, RaisedBy: d.RaisedBy, Parties: slices.Clone(d.Parties), Matter: d.Matter, RaisedAt: d.RaisedAt,
			Status: d.Status, Stage: d.Stage, StageName: d.StageName, StageStartedAt: d.StageStartedAt,
			Escalations: append([]Escalation{}, d.Escalations...), Outcome: d.Outcome, ClosedAt: d.ClosedAt}
		if d.Status == governance.DisputeStatusOpen && d.Stage < len(c.Terms.DisputeLadder) {
			v.Due = c.Terms.DisputeLadder[d.Stage].Limit(d.StageStartedAt)
			// As governance.Dispute.Overdue: never once the consortium is dissolved.
			v.Overdue = now.After(v.Due) && !c.dissolvedBy(now)
		}
		rows = append(rows, v)
	}
	slices.SortFunc(rows, func(a, b DisputeView) int {
		return cmp.Or(a.RaisedAt.Compare(b.RaisedAt), cmp.Compare(a.ID, b.ID))
	})
	return rows, nil
}

// Terminations lists notices served, expulsions and the dissolution, oldest first, each
// in effect or not as of now.
func (m *Models) Terminations(id string, now time.Time) ([]Termination, error) {
	c, err := m.consortium(id)
	if err != nil {
		return nil, err
	}
	rows := slices.Clone(c.Terminations)
	if rows == nil {
		rows = []Termination{}
	}
	for i := range rows {
		rows[i].InEffect = !now.Before(rows[i].EffectiveAt)
	}
	slices.SortStableFunc(rows, func(a, b Termination) int { return a.At.Compare(b.At) })
	return rows, nil
}

// cloneTerms is a copy of t that shares no map or slice with it.
func cloneTerms(t governance.Terms) governance.Terms {
	t.Roles.PointsOfContact = maps.Clone(t.Roles.PointsOfContact)
	t.Milestones = slices.Clone(t.Milestones)
	t.DecisionRules = maps.Clone(t.DecisionRules)
	t.SteeringGroup = slices.Clone(t.SteeringGroup)
	t.Financing = slices.Clone(t.Financing)
	t.RiskShares = maps.Clone(t.RiskShares)
	t.SurplusShares = maps.Clone(t.SurplusShares)
	t.Monitoring = slices.Clone(t.Monitoring)
	t.Termination.ExpulsionGrounds = slices.Clone(t.Termination.ExpulsionGrounds)
	t.DisputeLadder = slices.Clone(t.DisputeLadder)
	return t
}
