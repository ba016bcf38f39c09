package projections

import (
	"slices"
	"time"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/governance"
)

// Models are every read model, for every consortium.
type Models struct {
	Consortia map[string]*Consortium `json:"consortia"`
	// Faults are events the models could not read; audit explains them.
	Faults []string `json:"faults,omitempty"`
}

// Consortium is one consortium's read models.
type Consortium struct {
	// State is the consortium as its events have made it: partners with their dates,
	// proposals with their votes, disputes with their stage.
	State *governance.State `json:"state"`
	// Seq is the sequence of its last event.
	Seq uint64 `json:"seq"`
	// Decisions holds, per proposal, the events behind it and every vote in order
	// (so a changed vote shows).
	Decisions map[string]*DecisionTrail `json:"decisions"`
	// Events counts its events.
	Events int `json:"events"`
}

// DecisionTrail is the record behind one proposal.
type DecisionTrail struct {
	Events []EventRef   `json:"events"`
	Votes  []VoteRecord `json:"votes"`
}

// EventRef names one event in the log.
type EventRef struct {
	ID   string `json:"id"`
	Seq  uint64 `json:"seq"`
	Type string `json:"type"`
}

// VoteRecord is one vote as cast, in order; a later one by the same partner replaces it.
type VoteRecord struct {
	Partner string    `json:"partner"`
	Vote    string    `json:"vote"`
	Reason  string    `json:"reason,omitempty"`
	Person  string    `json:"person,omitempty"`
	At      time.Time `json:"at"`
	Seq     uint64    `json:"seq"`
}

// NewModels returns empty read models.
func NewModels() *Models { return &Models{Consortia: map[string]*Consortium{}} }

// Apply feeds one event to every read model. It is deterministic and never fails: an
// event that cannot be read is noted as a fault and skipped.
func (m *Models) Apply(e events.Envelope) {
	p, err := governance.DecodePayload(e.Type, e.Payload)
	if err != nil {
		m.Faults = append(m.Faults, err.Error())
		return
	}
	c := m.Consortia[e.Consortium]
	if c == nil {
		c = &Consortium{Decisions: map[string]*DecisionTrail{}}
		m.Consortia[e.Consortium] = c
	}
	c.State = governance.Apply(c.State, governance.Event{
		OccurredAt: e.OccurredAt, Actor: governance.Actor(e.Actor), Payload: p,
	})
	c.Seq = e.Seq
	c.Events++
	if id := proposalOf(p); id != "" {
		t := c.Decisions[id]
		if t == nil {
			t = &DecisionTrail{}
			c.Decisions[id] = t
		}
		t.Events = append(t.Events, EventRef{ID: e.ID, Seq: e.Seq, Type: e.Type})
		if v, ok := p.(governance.VoteCast); ok {
			t.Votes = append(t.Votes, VoteRecord{Partner: v.Partner, Vote: v.Vote, Reason: v.Reason, Person: e.Actor.Person, At: e.OccurredAt, Seq: e.Seq})
		}
	}
}

// proposalOf is the proposal an event belongs to, if any.
func proposalOf(p governance.Payload) string {
	switch v := p.(type) {
	case governance.DecisionProposed:
		return v.Proposal
	case governance.InterestDeclared:
		return v.Proposal
	case governance.VoteCast:
		return v.Proposal
	case governance.Outcome:
		return v.Proposal
	case governance.DecisionWithdrawn:
		return v.Proposal
	case governance.PartnerAdmitted:
		return v.Proposal
	case governance.PartnerDeclined:
		return v.Proposal
	case governance.PartnerExpelled:
		return v.Proposal
	case governance.TermsAmended:
		return v.Proposal
	case governance.ConsortiumDissolved:
		return v.Proposal
	case governance.RoleAssigned:
		return v.Proposal
	}
	return ""
}

// Member is one row of a membership list.
type Member struct {
	ID          string    `json:"id"`
	Name        string    `json:"name"`
	Sector      string    `json:"sector"`
	Tier        string    `json:"tier"`
	Roles       []string  `json:"roles,omitempty"`
	Status      string    `json:"status"`
	AdmittedAt  time.Time `json:"admitted_at"`
	EffectiveAt time.Time `json:"leaves_at,omitzero"`
}

// Membership lists the partners whose membership was in force at t (time.Now() for
// today), from each partner's admission and leaving dates, not by replaying events.
func (m *Models) Membership(consortium string, t time.Time) ([]Member, bool) {
	c, ok := m.Consortia[consortium]
	if !ok || c.State == nil {
		return nil, false
	}
	var rows []Member
	for _, p := range c.State.Partners {
		if !memberAt(p, t) {
			continue
		}
		rows = append(rows, Member{ID: p.ID, Name: p.Name, Sector: p.Sector, Tier: p.Tier, Roles: p.Roles,
			Status: p.StatusAt(t), AdmittedAt: p.AdmittedAt, EffectiveAt: p.EffectiveAt})
	}
	slices.SortFunc(rows, func(a, b Member) int {
		if a.ID < b.ID {
			return -1
		}
		return 1
	})
	return rows, true
}

// memberAt: admitted on or before t, and not yet gone at t.
func memberAt(p *governance.Partner, t time.Time) bool {
	if p.AdmittedAt.IsZero() || p.AdmittedAt.After(t) {
		return false
	}
	switch p.Status {
	case governance.StatusExpelled:
		return t.Before(p.LeftAt)
	case governance.StatusNoticeServed:
		return t.Before(p.EffectiveAt)
	}
	return p.Status == governance.StatusActive
}
