package governance

import (
	"encoding/json"
	"slices"
	"time"
)

// Structures a consortium can take.
var Structures = []string{"network", "partnership", "contractual-consortium", "consortium-with-steering-group", "jointly-controlled-company", "alliance"}

// Sectors a partner can be in.
var Sectors = []string{"nhs-trust", "icb", "local-authority", "gp-practice", "vcse", "social-enterprise", "community-group", "people-and-communities", "private"}

// Tiers: full partners vote, associates do not.
const (
	TierFull      = "full"
	TierAssociate = "associate"
)

// Partner statuses.
const (
	StatusApplicant    = "applicant"
	StatusActive       = "active"
	StatusNoticeServed = "notice-served"
	StatusWithdrawn    = "withdrawn"
	StatusExpelled     = "expelled"
	StatusDeclined     = "declined"
)

// Votes.
const (
	VoteFor     = "for"
	VoteAgainst = "against"
	VoteAbstain = "abstain"
	VoteBlock   = "block"
)

// Outcomes of a proposal.
const (
	OutcomeOpen      = ""
	OutcomeCarried   = "carried"
	OutcomeRejected  = "rejected"
	OutcomeLapsed    = "lapsed"
	OutcomeWithdrawn = "withdrawn"
)

// State is one consortium as its events have made it. A nil *State is a consortium
// that has not been formed.
type State struct {
	ID          string               `json:"id"`
	Name        string               `json:"name"`
	Purpose     string               `json:"purpose"`
	Structure   string               `json:"structure"`
	Start       Date                 `json:"start"`
	End         Date                 `json:"end,omitempty"`
	FormedAt    time.Time            `json:"formed_at"`
	Dissolved   bool                 `json:"dissolved"`
	DissolvedAt time.Time            `json:"dissolved_at,omitzero"`
	Terms       Terms                `json:"terms"`
	Partners    map[string]*Partner  `json:"partners"`
	Proposals   map[string]*Proposal `json:"proposals"`
	Disputes    map[string]*Dispute  `json:"disputes"`
	// EffectDue is a proposal whose outcome is recorded but not yet the event that
	// carries it out (partner.admitted, consortium.terms-amended, ...), which the same
	// command records next. Empty between commands.
	EffectDue string `json:"effect_due,omitempty"`
}

// Status is active or dissolved.
func (s *State) Status() string {
	if s.Dissolved {
		return "dissolved"
	}
	return "active"
}

// Partner is an organisation in (or applying to) the consortium.
type Partner struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Sector          string           `json:"sector"`
	Tier            string           `json:"tier"`
	PointOfContact  string           `json:"point_of_contact"`
	Representatives []Representative `json:"representatives,omitempty"`
	Sponsor         string           `json:"sponsor,omitempty"`
	Roles           []string         `json:"roles,omitempty"`
	Status          string           `json:"status"`
	AppliedAt       time.Time        `json:"applied_at,omitzero"`
	AdmittedAt      time.Time        `json:"admitted_at,omitzero"`
	NoticeAt        time.Time        `json:"notice_at,omitzero"`
	EffectiveAt     time.Time        `json:"effective_at,omitzero"` // when a notice takes effect
	LeftAt          time.Time        `json:"left_at,omitzero"`      // expelled or declined
}

// Representative is a person who acts for a partner.
type Representative struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	PublicKey string `json:"public_key,omitempty"`
}

// StatusAt is the partner's status at t, which may be earlier than its last event (a
// meeting is recorded after it is held): before it was admitted, a member is still an
// applicant, and before it served notice, it is active; a served notice turns into
// withdrawn on its effective date without any further event. Leaving by expulsion, and
// a declined application, hold whatever t.
func (p *Partner) StatusAt(t time.Time) string {
	switch {
	case p.Status != StatusActive && p.Status != StatusNoticeServed:
		return p.Status
	case t.Before(p.AdmittedAt):
		return StatusApplicant
	case p.Status == StatusNoticeServed && t.Before(p.NoticeAt):
		return StatusActive
	case p.Status == StatusNoticeServed && !t.Before(p.EffectiveAt):
		return StatusWithdrawn
	}
	return p.Status
}

// Member reports whether the partner's membership is in force at t.
func (p *Partner) Member(t time.Time) bool {
	st := p.StatusAt(t)
	return st == StatusActive || st == StatusNoticeServed
}

// Proposal is a matter put to the electorate, by ballot or in a meeting.
type Proposal struct {
	ID         string    `json:"id"`
	Matter     string    `json:"matter"`
	Title      string    `json:"title"`
	About      string    `json:"about,omitempty"` // the partner it is about, who does not vote on it
	OpenedAt   time.Time `json:"opened_at"`
	ClosesAt   time.Time `json:"closes_at"`
	Electorate []string  `json:"electorate"`
	Rule       Rule      `json:"rule"`
	Chair      string    `json:"chair,omitempty"` // frozen with the rule, for the casting vote
	// ExcludeConflicted is the terms' exclude_conflicted when the proposal opened: whether
	// a partner that declares an interest leaves this electorate, whatever the terms say
	// by the time it declares.
	ExcludeConflicted bool              `json:"exclude_conflicted,omitempty"`
	Votes             map[string]Vote   `json:"votes"`
	Interests         map[string]string `json:"interests,omitempty"` // partner → interest declared
	Meeting           *Meeting          `json:"meeting,omitempty"`
	NewTerms          *Terms            `json:"new_terms,omitempty"`
	Role              *RoleAssignment   `json:"role,omitempty"`
	Outcome           string            `json:"outcome,omitempty"`
	ClosedAt          time.Time         `json:"closed_at,omitzero"`
	// CastingVote is the chair's, when it broke a tie.
	CastingVote string `json:"casting_vote,omitempty"`
	ReviewDate  Date   `json:"review_date,omitempty"`
	// Effect is the type of the event that carried the decision out (partner.admitted,
	// consortium.terms-amended, ...), recorded with its outcome; empty until then. It
	// lets an auditor see that a decision took effect once, and only once.
	Effect string `json:"effect,omitempty"`
}

// Vote is one partner's current vote on a proposal.
type Vote struct {
	Choice string    `json:"choice"`
	Reason string    `json:"reason,omitempty"`
	Person string    `json:"person,omitempty"`
	At     time.Time `json:"at"`
}

// Meeting is how a decision taken in a meeting was minuted.
type Meeting struct {
	HeldAt     time.Time `json:"held_at"`
	Attendance []string  `json:"attendance"`
}

// RoleAssignment gives a partner a role, as the effect of a carried ordinary decision
// or directly where the terms allow. Person is the person named as a partner's point
// of contact; the other roles are held by a partner, not a person.
type RoleAssignment struct {
	Partner string `json:"partner"`
	Role    string `json:"role"`
	Person  string `json:"person,omitempty"`
}

// Roles a partner can be given.
const (
	RoleLeadPartner    = "lead-partner"
	RoleChair          = "chair"
	RoleSecretary      = "secretary"
	RolePointOfContact = "point-of-contact"
)

// RoleNames are the roles, in the order the checklist names them.
var RoleNames = []string{RoleLeadPartner, RoleChair, RoleSecretary, RolePointOfContact}

// InElectorate reports whether a partner may vote on the proposal.
func (p *Proposal) InElectorate(partner string) bool { return slices.Contains(p.Electorate, partner) }

// Dispute is raised by a partner against others and climbs the ladder in the terms.
type Dispute struct {
	ID             string    `json:"id"`
	RaisedBy       string    `json:"raised_by"`
	Parties        []string  `json:"parties"`
	Matter         string    `json:"matter"`
	RaisedAt       time.Time `json:"raised_at"`
	Stage          int       `json:"stage"` // index into the terms' dispute ladder
	StageStartedAt time.Time `json:"stage_started_at"`
	Status         string    `json:"status"` // open, resolved, withdrawn
	Outcome        string    `json:"outcome,omitempty"`
	ClosedAt       time.Time `json:"closed_at,omitzero"`
}

// Dispute statuses.
const (
	DisputeStatusOpen      = "open"
	DisputeStatusResolved  = "resolved"
	DisputeStatusWithdrawn = "withdrawn"
)

// Overdue reports whether an open dispute of consortium s has outrun its current
// stage's time limit. Once s is dissolved none is: nobody can escalate, resolve or
// withdraw a dispute any more, so it stays open in the record but is nobody's to chase.
func (d *Dispute) Overdue(now time.Time, s *State) bool {
	t := s.Terms
	if d.Status != DisputeStatusOpen || d.Stage >= len(t.DisputeLadder) || s.Dissolved && !now.Before(s.DissolvedAt) {
		return false
	}
	return now.After(t.DisputeLadder[d.Stage].Limit(d.StageStartedAt))
}

// Clone returns a deep copy that shares nothing with s.
func (s *State) Clone() *State {
	if s == nil {
		return nil
	}
	b, err := json.Marshal(s)
	if err != nil {
		panic("governance: state does not encode: " + err.Error())
	}
	var c State
	if err := json.Unmarshal(b, &c); err != nil {
		panic("governance: state does not decode: " + err.Error())
	}
	return &c
}

// Electorate is who may vote on a proposal opened at t about partner about: the full
// partners whose membership is in force at t. A partner that has served notice is a
// member, bound by the terms and with its say, until the notice takes effect.
func (s *State) Electorate(t time.Time, about string) []string {
	var ids []string
	for id, p := range s.Partners {
		if p.Tier == TierFull && p.Member(t) && id != about {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Members are the partners whose membership is in force at t, sorted by id.
func (s *State) Members(t time.Time) []*Partner {
	var ps []*Partner
	for _, p := range s.Partners {
		if p.Member(t) {
			ps = append(ps, p)
		}
	}
	slices.SortFunc(ps, func(a, b *Partner) int { return cmpString(a.ID, b.ID) })
	return ps
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
