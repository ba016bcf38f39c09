package projections

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/internal/intern"
	"github.com/govledger/govledger/internal/payload"
	"github.com/oklog/ulid/v2"
)

// Models are every read model of every consortium. They are built from the event
// payloads alone, which are stored forever, and not from governance.State, which is
// the rules' working copy and free to change shape.
type Models struct {
	consortia map[string]*consortium
	faults    []Fault
	names     *intern.Table // one copy of each partner id, role, vote and other word the payloads name
}

// Fault is an event the read models could not use.
type Fault struct {
	// Seq is the event's stream sequence.
	Seq uint64 `json:"seq"`
	// Reason says what is wrong with it.
	Reason string `json:"reason"`
}

// maxFaults bounds the faults kept: one is enough to send an auditor to the log, and a
// flood of junk published on gov.> must not grow the models without limit.
const maxFaults = 100

// NewModels returns empty read models.
func NewModels() *Models {
	return &Models{consortia: map[string]*consortium{}, names: intern.New(0)}
}

// Faults are the first events the models could not use; package audit explains them.
func (m *Models) Faults() []Fault { return slices.Clone(m.faults) }

func (m *Models) fault(seq uint64, format string, args ...any) {
	// Events are applied in order within each consortium, not always between consortia
	// (Runner's batches go consortium by consortium), so faults are kept in order by
	// sequence. One already kept is being seen again (after a restart from a checkpoint
	// saved with that fault).
	i, seen := slices.BinarySearchFunc(m.faults, seq, func(f Fault, seq uint64) int { return cmp.Compare(f.Seq, seq) })
	if seen || i == maxFaults {
		return
	}
	m.faults = slices.Insert(m.faults, i, Fault{Seq: seq, Reason: fmt.Sprintf(format, args...)})
	if len(m.faults) > maxFaults {
		m.faults = m.faults[:maxFaults]
	}
}

// consortium is one consortium's read models: what its events have said, kept so that
// every read is answered without replaying them. Its fields are exported for the
// checkpoint's encoding only.
type consortium struct {
	ID          string           `json:"id"`
	Name        string           `json:"name"`
	Purpose     string           `json:"purpose"`
	Structure   string           `json:"structure"`
	Start       governance.Date  `json:"start"`
	End         governance.Date  `json:"end,omitempty"`
	FormedAt    time.Time        `json:"formed_at"`
	DissolvedAt time.Time        `json:"dissolved_at,omitzero"`
	Terms       governance.Terms `json:"terms"`
	// Seq is the sequence of its last event applied; an event at or below it is
	// already reflected (a checkpoint can hold a consortium ahead of the whole).
	Seq          uint64               `json:"seq"`
	Events       int                  `json:"events"`
	Partners     map[string]*partner  `json:"partners"`
	Decisions    map[string]*decision `json:"decisions"`
	Admissions   []*Admission         `json:"admissions"`
	Disputes     map[string]*dispute  `json:"disputes"`
	Terminations []Termination        `json:"terminations"`
	Holders      map[string]string    `json:"holders"` // role held by one partner at a time → its holder
	// Words are every partner, vote, person and reason its votes name, once each; a vote
	// names them by their place here, so that the votes, most of the models, hold no
	// pointers for the garbage collector to follow.
	Words []string          `json:"words"`
	word  map[string]uint32 // Words' places, made again when first needed after a restore
}

// wordOf is the place of s in Words, adding it if it is new.
func (c *consortium) wordOf(s string) uint32 {
	if c.word == nil {
		c.word = make(map[string]uint32, len(c.Words))
		for i, w := range c.Words {
			c.word[w] = uint32(i)
		}
	}
	i, ok := c.word[s]
	if !ok {
		i = uint32(len(c.Words))
		c.Words = append(c.Words, s)
		c.word[s] = i
	}
	return i
}

// vote is one vote as cast, as the models keep it: Vote with its partner, vote, person
// and reason as places in the consortium's Words, and without Replaces, which the votes
// before it say.
type vote struct {
	Partner uint32  `json:"partner"`
	Vote    uint32  `json:"vote"`
	Person  uint32  `json:"person"`
	Reason  uint32  `json:"reason"`
	At      instant `json:"at"`
	Seq     uint64  `json:"seq"`
}

// instant is a time of the log (UTC, as events are stored) without a time.Time's
// location, which is a pointer: a vote has none left for the collector to look at.
type instant struct {
	sec  int64
	nsec int32
}

func instantOf(t time.Time) instant { return instant{sec: t.Unix(), nsec: int32(t.Nanosecond())} }

func (i instant) time() time.Time { return time.Unix(i.sec, int64(i.nsec)).UTC() }

func (i instant) MarshalJSON() ([]byte, error) { return i.time().MarshalJSON() }

func (i *instant) UnmarshalJSON(b []byte) error {
	var t time.Time
	if err := t.UnmarshalJSON(b); err != nil {
		return err
	}
	*i = instantOf(t)
	return nil
}

// partner is everything known about one organisation in (or applying to) a consortium.
type partner struct {
	ID             string     `json:"id"`
	Name           string     `json:"name"`
	Sector         string     `json:"sector"`
	Tier           string     `json:"tier"`
	PointOfContact string     `json:"point_of_contact"`
	Sponsor        string     `json:"sponsor,omitempty"`
	Status         string     `json:"status"` // as the rules record it; a notice's effect is derived
	AppliedAt      time.Time  `json:"applied_at,omitzero"`
	AdmittedAt     time.Time  `json:"admitted_at,omitzero"`
	NoticeAt       time.Time  `json:"notice_at,omitzero"`
	LeavesAt       time.Time  `json:"leaves_at,omitzero"`
	LeftAt         time.Time  `json:"left_at,omitzero"`
	Spans          []span     `json:"spans,omitempty"`
	Roles          []roleSpan `json:"roles,omitempty"`
}

// span is one interval of membership: from admission (or formation) until withdrawal,
// expulsion or dissolution. To is zero while no end is known.
type span struct {
	From     time.Time `json:"from"`
	To       time.Time `json:"to,omitzero"`
	Tier     string    `json:"tier"`
	NoticeAt time.Time `json:"notice_at,omitzero"`
}

func (s span) covers(t time.Time) bool {
	return !t.Before(s.From) && (s.To.IsZero() || t.Before(s.To))
}

// roleSpan is one role held from From until To (zero: still held).
type roleSpan struct {
	Role string    `json:"role"`
	From time.Time `json:"from"`
	To   time.Time `json:"to,omitzero"`
}

// decision is one proposal, by ballot or in a meeting, with the trail behind it.
type decision struct {
	ID         string          `json:"id"`
	Matter     string          `json:"matter"`
	Title      string          `json:"title"`
	About      string          `json:"about,omitempty"`
	OpenedAt   time.Time       `json:"opened_at"`
	ClosesAt   time.Time       `json:"closes_at"`
	ClosedAt   time.Time       `json:"closed_at,omitzero"`
	Meeting    *Meeting        `json:"meeting,omitempty"`
	Electorate []string        `json:"electorate"`
	Rule       governance.Rule `json:"rule"`
	Chair      string          `json:"chair,omitempty"`
	// ExcludeConflicted is the terms' exclude_conflicted when it opened.
	ExcludeConflicted bool              `json:"exclude_conflicted,omitempty"`
	Interests         map[string]string `json:"interests,omitempty"`
	Votes             []vote            `json:"votes,omitempty"`
	Outcome           string            `json:"outcome,omitempty"`
	Tally             *governance.Tally `json:"tally,omitempty"`
	CastingVote       string            `json:"casting_vote,omitempty"`
	Effects           []string          `json:"effects,omitempty"`
	ReviewDate        governance.Date   `json:"review_date,omitempty"`
	Events            []eventRef        `json:"events"`
}

// eventRef is an EventRef as the read models hold it: the id as its sixteen bytes and
// the type as its place in events.Types, where strings would be pointers in every
// event's reference for the garbage collector to trace again and again. It is written to
// a checkpoint as an EventRef is.
type eventRef struct {
	ID   ulid.ULID `json:"id"`
	Seq  uint64    `json:"seq"`
	Type eventType `json:"type"`
}

func (r eventRef) view() EventRef {
	return EventRef{ID: r.ID.String(), Seq: r.Seq, Type: r.Type.String()}
}

// eventType is an event's type by its place in events.Types.
type eventType uint8

// eventTypes are the places of events.Types.
var eventTypes = func() map[string]eventType {
	places := make(map[string]eventType, len(events.Types))
	for i, t := range events.Types {
		places[t] = eventType(i)
	}
	return places
}()

func (t eventType) String() string { return events.Types[t] }

func (t eventType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

func (t *eventType) UnmarshalText(b []byte) error {
	place, ok := eventTypes[string(b)]
	if !ok {
		return fmt.Errorf("%q is not an event type", b)
	}
	*t = place
	return nil
}

// dispute is one dispute and the stages it has climbed.
type dispute struct {
	ID             string       `json:"id"`
	RaisedBy       string       `json:"raised_by"`
	Parties        []string     `json:"parties"`
	Matter         string       `json:"matter"`
	RaisedAt       time.Time    `json:"raised_at"`
	Status         string       `json:"status"`
	Stage          int          `json:"stage"`
	StageName      string       `json:"stage_name"`
	StageStartedAt time.Time    `json:"stage_started_at"`
	Escalations    []Escalation `json:"escalations,omitempty"`
	Outcome        string       `json:"outcome,omitempty"`
	ClosedAt       time.Time    `json:"closed_at,omitzero"`
}

// Apply feeds one event to every read model. It is deterministic and never fails: an
// event that cannot be used is noted as a fault and skipped, and an event a consortium
// already reflects is skipped.
func (m *Models) Apply(e events.Envelope) {
	c := m.consortia[e.Consortium]
	if c != nil && e.Seq <= c.Seq {
		return
	}
	id, err := ulid.Parse(e.ID) // the log's events all have one: events.Decode sees to it
	if err != nil {
		m.fault(e.Seq, "event %q of consortium %s: its id is not a ULID", e.ID, e.Consortium)
		return
	}
	typ, ok := eventTypes[e.Type]
	if !ok {
		m.fault(e.Seq, "event %s of consortium %s: %q is not an event type", e.ID, e.Consortium, e.Type)
		return
	}
	ref := eventRef{ID: id, Seq: e.Seq, Type: typ}
	if e.Type == governance.TypeVoteCast {
		// The commonest event by far, kept out of an interface (a copy on the heap).
		v, err := payload.DecodeVote(e.Payload, m.names.Of)
		if err != nil || c == nil {
			m.unusable(e, err)
			return
		}
		c.Seq = e.Seq
		c.Events++
		c.vote(e, ref, v)
		return
	}
	p, err := payload.Decode(e.Type, e.Payload, m.names.Of)
	if err != nil {
		m.unusable(e, err)
		return
	}
	if f, ok := p.(governance.ConsortiumFormed); ok {
		if c != nil {
			m.fault(e.Seq, "event %s forms consortium %s again", e.ID, e.Consortium)
			return
		}
		c = formed(e, f)
		m.consortia[e.Consortium] = c
		return
	}
	if c == nil {
		m.unusable(e, nil)
		return
	}
	c.Seq = e.Seq
	c.Events++
	c.apply(e, ref, p)
}

// unusable notes an event whose payload does not decode (err), or whose consortium has
// not been formed.
func (m *Models) unusable(e events.Envelope, err error) {
	if err != nil {
		m.fault(e.Seq, "event %s of consortium %s: %v", e.ID, e.Consortium, err)
		return
	}
	m.fault(e.Seq, "event %s (%s) is for consortium %s, which has not been formed", e.ID, e.Type, e.Consortium)
}

func formed(e events.Envelope, f governance.ConsortiumFormed) *consortium {
	at := e.OccurredAt
	c := &consortium{
		ID: e.Consortium, Name: f.Name, Purpose: f.Purpose, Structure: f.Structure, Start: f.Start, End: f.End,
		FormedAt: at, Terms: f.Terms, Seq: e.Seq, Events: 1,
		Partners: map[string]*partner{}, Decisions: map[string]*decision{}, Disputes: map[string]*dispute{},
		Holders: map[string]string{},
	}
	for _, s := range f.Partners {
		p := newPartner(s, governance.StatusActive, at)
		p.AdmittedAt = at
		p.Spans = []span{{From: at, Tier: s.Tier}}
		c.Partners[s.ID] = p
	}
	c.setRoles(f.Terms.Roles, at)
	return c
}

// namePointOfContact records the person a partner names as its point of contact.
func (c *consortium) namePointOfContact(partner, person string) {
	pt := c.Partners[partner]
	if pt == nil || person == "" {
		return
	}
	pt.PointOfContact = person
	c.Terms.Roles.NamePointOfContact(partner, person)
}

func newPartner(s governance.PartnerSpec, status string, at time.Time) *partner {
	return &partner{ID: s.ID, Name: s.Name, Sector: s.Sector, Tier: s.Tier, PointOfContact: s.PointOfContact,
		Status: status, AppliedAt: at}
}

// apply records one event of the consortium, already decoded; ref is its reference.
func (c *consortium) apply(e events.Envelope, ref eventRef, p governance.Payload) {
	at := e.OccurredAt
	// The decision the event belongs to, if any, looked up once: nearly every event is
	// one of a decision's.
	var d *decision
	if id, ok := proposalOf(p); ok {
		if d = c.Decisions[id]; d != nil && id != "" {
			d.Events = append(d.Events, ref)
		}
	}
	switch p := p.(type) {
	case governance.TermsAmended:
		c.Terms = p.Terms
		c.setRoles(p.Terms.Roles, at)
		d.effect(fmt.Sprintf("terms version %d", p.Terms.Version))
	case governance.ConsortiumDissolved:
		c.DissolvedAt = at
		// Membership, and every role, ends with the consortium.
		for _, pt := range c.Partners {
			pt.leave(at)
		}
		clear(c.Holders)
		c.Terminations = append(c.Terminations, Termination{Kind: KindDissolution, At: at, EffectiveAt: at,
			Reason: d.title(), Proposal: p.Proposal})
		d.effect("dissolved")
	case governance.PartnerApplied:
		pt := c.Partners[p.Partner.ID]
		if pt == nil {
			pt = newPartner(p.Partner, governance.StatusApplicant, at)
			c.Partners[pt.ID] = pt
		} else {
			// Applying again after being declined: the new application is what counts.
			spans, roles := pt.Spans, pt.Roles
			*pt = *newPartner(p.Partner, governance.StatusApplicant, at)
			pt.Spans, pt.Roles = spans, roles
		}
		pt.Sponsor = p.Sponsor
		c.Admissions = append(c.Admissions, &Admission{Partner: pt.ID, Name: pt.Name, Sector: pt.Sector,
			Sponsor: p.Sponsor, AppliedAt: at, Status: AdmissionPending})
	case governance.PartnerAdmitted:
		if pt := c.Partners[p.Partner]; pt != nil {
			pt.Status, pt.AdmittedAt = governance.StatusActive, at
			pt.Spans = append(pt.Spans, span{From: at, Tier: pt.Tier})
		}
		c.decideAdmission(p.Partner, p.Proposal, AdmissionAdmitted, at)
		d.effect("admitted " + p.Partner)
	case governance.PartnerDeclined:
		if pt := c.Partners[p.Partner]; pt != nil {
			pt.Status, pt.LeftAt = governance.StatusDeclined, at
		}
		c.decideAdmission(p.Partner, p.Proposal, AdmissionDeclined, at)
		d.effect("declined " + p.Partner)
	case governance.PartnerExpelled:
		if pt := c.Partners[p.Partner]; pt != nil {
			pt.Status, pt.LeftAt = governance.StatusExpelled, at
			pt.leave(at)
		}
		maps.DeleteFunc(c.Holders, func(_, holder string) bool { return holder == p.Partner })
		c.Terminations = append(c.Terminations, Termination{Kind: KindExpulsion, Partner: p.Partner, At: at, EffectiveAt: at,
			Reason: d.title(), Proposal: p.Proposal})
		d.effect("expelled " + p.Partner)
	case governance.RoleAssigned:
		// As the rules have it: a single role named by a decision is the terms' (the
		// chair's casting vote counts), and a point of contact is a person.
		switch p.Role {
		case governance.RoleChair:
			c.Terms.Roles.Chair = p.Partner
		case governance.RoleLeadPartner:
			c.Terms.Roles.LeadPartner = p.Partner
		case governance.RoleSecretary:
			c.Terms.Roles.Secretary = p.Partner
		}
		if p.Role == governance.RolePointOfContact {
			c.namePointOfContact(p.Partner, p.Person)
		} else {
			c.assignRole(p.Role, p.Partner, at)
		}
		d.effect(p.Role + ": " + p.Partner)
	case governance.NoticeServed:
		if pt := c.Partners[p.Partner]; pt != nil {
			pt.Status, pt.NoticeAt, pt.LeavesAt = governance.StatusNoticeServed, at, p.EffectiveAt
			if n := len(pt.Spans); n > 0 && pt.Spans[n-1].To.IsZero() {
				pt.Spans[n-1].NoticeAt = at
			}
			pt.leave(p.EffectiveAt)
		}
		c.Terminations = append(c.Terminations, Termination{Kind: KindNotice, Partner: p.Partner, At: at,
			EffectiveAt: p.EffectiveAt, Reason: p.Reason})
	case governance.DecisionProposed:
		// Room in its trail for the vote of each elector and the few events around them.
		n := len(p.Electorate)
		d := &decision{ID: p.Proposal, Matter: p.Matter, Title: p.Title, About: p.About, OpenedAt: at, ClosesAt: p.ClosesAt,
			Electorate: slices.Clone(p.Electorate), Rule: p.Rule, Chair: p.Chair, ExcludeConflicted: c.Terms.ExcludeConflicted,
			Votes: make([]vote, 0, n), Events: append(make([]eventRef, 0, n+2), ref)}
		if p.Meeting != nil {
			d.Meeting = &Meeting{HeldAt: p.Meeting.HeldAt, Attendance: slices.Clone(p.Meeting.Attendance)}
		}
		c.Decisions[d.ID] = d
		if p.Matter == governance.MatterAdmission {
			if a := c.pendingAdmission(p.About); a != nil {
				a.Proposal = p.Proposal
			}
		}
	case governance.InterestDeclared:
		if d != nil {
			if d.Interests == nil {
				d.Interests = map[string]string{}
			}
			d.Interests[p.Partner] = p.Interest
			if d.ExcludeConflicted {
				// Its vote, if it cast one, no longer counts: see current.
				d.Electorate = slices.DeleteFunc(d.Electorate, func(id string) bool { return id == p.Partner })
			}
		}
	case governance.Outcome:
		if d != nil {
			tally := p.Tally
			d.Outcome, d.ClosedAt, d.Tally, d.CastingVote, d.ReviewDate = p.Result, at, &tally, p.CastingVote, p.ReviewDate
		}
	case governance.DecisionWithdrawn:
		if d != nil {
			d.Outcome, d.ClosedAt = governance.OutcomeWithdrawn, at
		}
	case governance.DisputeRaised:
		c.Disputes[p.Dispute] = &dispute{ID: p.Dispute, RaisedBy: p.RaisedBy, Parties: slices.Clone(p.Parties), Matter: p.Matter,
			RaisedAt: at, Status: governance.DisputeStatusOpen, StageName: c.stageName(0), StageStartedAt: at}
	case governance.DisputeEscalated:
		if d := c.Disputes[p.Dispute]; d != nil {
			d.Stage, d.StageName, d.StageStartedAt = p.Stage, c.stageName(p.Stage), at
			d.Escalations = append(d.Escalations, Escalation{Stage: p.Stage, StageName: d.StageName, At: at})
		}
	case governance.DisputeResolved:
		if d := c.Disputes[p.Dispute]; d != nil {
			d.Status, d.Outcome, d.ClosedAt = governance.DisputeStatusResolved, p.Outcome, at
		}
	case governance.DisputeWithdrawn:
		if d := c.Disputes[p.Dispute]; d != nil {
			d.Status, d.Outcome, d.ClosedAt = governance.DisputeStatusWithdrawn, p.Reason, at
		}
	}
}

// vote records a vote cast by the envelope's person for its partner.
func (c *consortium) vote(e events.Envelope, ref eventRef, v governance.VoteCast) {
	d := c.Decisions[v.Proposal]
	if d == nil {
		return
	}
	if v.Proposal != "" {
		d.Events = append(d.Events, ref)
	}
	d.Votes = append(d.Votes, vote{Partner: c.wordOf(v.Partner), Vote: c.wordOf(v.Vote), Person: c.wordOf(e.Actor.Person),
		Reason: c.wordOf(v.Reason), At: instantOf(e.OccurredAt), Seq: e.Seq})
}

// votes are the decision's votes as cast, each with the vote it replaced.
func (d *decision) votes(words []string) []Vote {
	out := make([]Vote, len(d.Votes))
	last := map[uint32]string{}
	for i, v := range d.Votes {
		out[i] = Vote{Partner: words[v.Partner], Vote: words[v.Vote], Reason: words[v.Reason], Person: words[v.Person],
			At: v.At.time(), Seq: v.Seq, Replaces: last[v.Partner]}
		last[v.Partner] = words[v.Vote]
	}
	return out
}

// current are the votes that count: each elector's latest. Only electors can vote, and
// a partner that leaves the electorate (declaring an interest) takes its vote with it.
func current(votes []Vote, electorate []string) map[string]string {
	counted := map[string]string{}
	for _, v := range votes {
		if slices.Contains(electorate, v.Partner) {
			counted[v.Partner] = v.Vote
		}
	}
	return counted
}

// proposalOf is the proposal an event belongs to, if it names one.
func proposalOf(p governance.Payload) (string, bool) {
	switch v := p.(type) {
	case governance.InterestDeclared:
		return v.Proposal, true
	case governance.Outcome:
		return v.Proposal, true
	case governance.DecisionWithdrawn:
		return v.Proposal, true
	case governance.PartnerAdmitted:
		return v.Proposal, true
	case governance.PartnerDeclined:
		return v.Proposal, true
	case governance.PartnerExpelled:
		return v.Proposal, true
	case governance.TermsAmended:
		return v.Proposal, true
	case governance.ConsortiumDissolved:
		return v.Proposal, true
	case governance.RoleAssigned:
		return v.Proposal, true
	}
	return "", false // decision.proposed starts the trail itself
}

// effect notes what a carried (or, for an admission, rejected) decision did; d is nil
// for an event that names no decision the models know.
func (d *decision) effect(what string) {
	if d != nil {
		d.Effects = append(d.Effects, what)
	}
}

func (d *decision) title() string {
	if d != nil {
		return d.Title
	}
	return ""
}

func (c *consortium) stageName(stage int) string {
	if stage < len(c.Terms.DisputeLadder) {
		return c.Terms.DisputeLadder[stage].Name
	}
	return ""
}

// pendingAdmission is the partner's application still waiting for a decision.
func (c *consortium) pendingAdmission(partner string) *Admission {
	for i := len(c.Admissions) - 1; i >= 0; i-- {
		if a := c.Admissions[i]; a.Partner == partner {
			if a.Status == AdmissionPending {
				return a
			}
			return nil
		}
	}
	return nil
}

func (c *consortium) decideAdmission(partner, proposal, status string, at time.Time) {
	if a := c.pendingAdmission(partner); a != nil {
		a.Proposal, a.Status, a.DecidedAt = proposal, status, at
	}
}

// singleRoles are held by one partner at a time: giving one to a partner takes it from
// the partner that held it.
var singleRoles = []string{"lead-partner", "chair", "secretary"}

// setRoles makes the partners the terms name hold their roles from at.
func (c *consortium) setRoles(r governance.Roles, at time.Time) {
	for _, role := range singleRoles {
		holder := map[string]string{"lead-partner": r.LeadPartner, "chair": r.Chair, "secretary": r.Secretary}[role]
		c.assignRole(role, holder, at)
	}
	// The terms name each partner's point of contact, over what it gave when it joined.
	for id, person := range r.PointsOfContact {
		if pt := c.Partners[id]; pt != nil && person != "" {
			pt.PointOfContact = person
		}
	}
}

// assignRole gives role to partner from at ("" leaves a single role unheld).
func (c *consortium) assignRole(role, partnerID string, at time.Time) {
	if slices.Contains(singleRoles, role) {
		prev := c.Holders[role]
		if prev == partnerID {
			return
		}
		if pt := c.Partners[prev]; pt != nil {
			pt.endRole(role, at)
		}
		delete(c.Holders, role)
		if partnerID == "" {
			return
		}
		c.Holders[role] = partnerID
	}
	pt := c.Partners[partnerID]
	if pt == nil || len(pt.rolesAt(at, role)) > 0 {
		return
	}
	pt.Roles = append(pt.Roles, roleSpan{Role: role, From: at})
}

// endRole ends the partner's holding of role (every role, if "") at at, unless it
// ends earlier already.
func (p *partner) endRole(role string, at time.Time) {
	for i := range p.Roles {
		if r := &p.Roles[i]; (role == "" || r.Role == role) && (r.To.IsZero() || r.To.After(at)) {
			r.To = at
		}
	}
}

// leave ends the partner's membership, and the roles it holds, at at.
func (p *partner) leave(at time.Time) {
	if n := len(p.Spans); n > 0 && (p.Spans[n-1].To.IsZero() || p.Spans[n-1].To.After(at)) {
		p.Spans[n-1].To = at
	}
	p.endRole("", at)
}

// rolesAt are the roles the partner holds at t (only role, if given), sorted.
func (p *partner) rolesAt(t time.Time, only string) []string {
	roles := []string{}
	for _, r := range p.Roles {
		if (only == "" || r.Role == only) && !t.Before(r.From) && (r.To.IsZero() || t.Before(r.To)) && !slices.Contains(roles, r.Role) {
			roles = append(roles, r.Role)
		}
	}
	slices.Sort(roles)
	return roles
}
