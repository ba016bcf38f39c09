package governance

import (
	"bytes"
	"encoding/json"
	"slices"
	"time"
)

// Event types, <noun>.<verb>.
const (
	TypeConsortiumFormed    = "consortium.formed"
	TypeTermsAmended        = "consortium.terms-amended"
	TypeConsortiumDissolved = "consortium.dissolved"
	TypePartnerApplied      = "partner.applied"
	TypePartnerAdmitted     = "partner.admitted"
	TypePartnerDeclined     = "partner.declined"
	TypeRoleAssigned        = "partner.role-assigned"
	TypeNoticeServed        = "partner.notice-served"
	TypePartnerExpelled     = "partner.expelled"
	TypeDecisionProposed    = "decision.proposed"
	TypeInterestDeclared    = "decision.interest-declared"
	TypeVoteCast            = "decision.vote-cast"
	TypeDecisionCarried     = "decision.carried"
	TypeDecisionRejected    = "decision.rejected"
	TypeDecisionLapsed      = "decision.lapsed"
	TypeDecisionWithdrawn   = "decision.withdrawn"
	TypeDisputeRaised       = "dispute.raised"
	TypeDisputeEscalated    = "dispute.escalated"
	TypeDisputeResolved     = "dispute.resolved"
	TypeDisputeWithdrawn    = "dispute.withdrawn"
)

// Actor is who acts: a person and the partner they act for.
type Actor struct {
	Person  string `json:"person"`
	Partner string `json:"partner"`
}

// Payload is the body of one event; each event type has its own.
type Payload interface{ EventType() string }

// Event is one fact about a consortium.
type Event struct {
	OccurredAt time.Time
	Actor      Actor
	Payload    Payload
}

// Type is the event's type, such as partner.admitted.
func (e Event) Type() string { return e.Payload.EventType() }

// The payloads. Their JSON field names are stored forever: never rename one.
type (
	ConsortiumFormed struct {
		Consortium string        `json:"consortium"`
		Name       string        `json:"name"`
		Purpose    string        `json:"purpose"`
		Structure  string        `json:"structure"`
		Start      Date          `json:"start"`
		End        Date          `json:"end,omitempty"`
		Partners   []PartnerSpec `json:"partners"`
		Terms      Terms         `json:"terms"`
	}
	TermsAmended struct {
		Proposal string `json:"proposal"`
		Terms    Terms  `json:"terms"`
	}
	ConsortiumDissolved struct {
		Proposal string `json:"proposal"`
	}
	PartnerApplied struct {
		Partner PartnerSpec `json:"partner"`
		Sponsor string      `json:"sponsor,omitempty"`
	}
	PartnerAdmitted struct {
		Partner  string `json:"partner"`
		Proposal string `json:"proposal"`
	}
	PartnerDeclined struct {
		Partner  string `json:"partner"`
		Proposal string `json:"proposal"`
	}
	// RoleAssigned names the carried proposal it carries out, or no proposal where the
	// terms let the role be assigned without a decision.
	RoleAssigned struct {
		Partner  string `json:"partner"`
		Role     string `json:"role"`
		Proposal string `json:"proposal"`
		Person   string `json:"person,omitempty"`
	}
	NoticeServed struct {
		Partner     string    `json:"partner"`
		EffectiveAt time.Time `json:"effective_at"`
		Reason      string    `json:"reason,omitempty"`
	}
	PartnerExpelled struct {
		Partner  string `json:"partner"`
		Proposal string `json:"proposal"`
	}
	DecisionProposed struct {
		Proposal   string          `json:"proposal"`
		Matter     string          `json:"matter"`
		Title      string          `json:"title"`
		About      string          `json:"about,omitempty"`
		ClosesAt   time.Time       `json:"closes_at"`
		Electorate []string        `json:"electorate"`
		Rule       Rule            `json:"rule"`
		Chair      string          `json:"chair,omitempty"`
		Meeting    *Meeting        `json:"meeting,omitempty"`
		NewTerms   *Terms          `json:"new_terms,omitempty"`
		Role       *RoleAssignment `json:"role,omitempty"`
	}
	InterestDeclared struct {
		Proposal string `json:"proposal"`
		Partner  string `json:"partner"`
		Interest string `json:"interest"`
	}
	VoteCast struct {
		Proposal string `json:"proposal"`
		Partner  string `json:"partner"`
		Vote     string `json:"vote"`
		Reason   string `json:"reason,omitempty"`
	}
	// Outcome is the payload of decision.carried, decision.rejected and decision.lapsed.
	Outcome struct {
		Proposal    string `json:"proposal"`
		Result      string `json:"result"`
		Tally       Tally  `json:"tally"`
		CastingVote string `json:"casting_vote,omitempty"`
		ReviewDate  Date   `json:"review_date,omitempty"`
	}
	DecisionWithdrawn struct {
		Proposal string `json:"proposal"`
		Reason   string `json:"reason,omitempty"`
	}
	DisputeRaised struct {
		Dispute  string   `json:"dispute"`
		RaisedBy string   `json:"raised_by"`
		Parties  []string `json:"parties"`
		Matter   string   `json:"matter"`
	}
	DisputeEscalated struct {
		Dispute string `json:"dispute"`
		Stage   int    `json:"stage"`
	}
	DisputeResolved struct {
		Dispute string `json:"dispute"`
		Outcome string `json:"outcome"`
	}
	DisputeWithdrawn struct {
		Dispute string `json:"dispute"`
		Reason  string `json:"reason,omitempty"`
	}
)

// PartnerSpec describes a partner as it joins.
type PartnerSpec struct {
	ID              string           `json:"id"`
	Name            string           `json:"name"`
	Sector          string           `json:"sector"`
	Tier            string           `json:"tier"`
	PointOfContact  string           `json:"point_of_contact"`
	Representatives []Representative `json:"representatives,omitempty"`
}

// Tally counts the votes that counted at close.
type Tally struct {
	For        int `json:"for"`
	Against    int `json:"against"`
	Abstain    int `json:"abstain"`
	Block      int `json:"block"`
	Electorate int `json:"electorate"`
}

// Turnout is how many of the electorate took part.
func (t Tally) Turnout() int { return t.For + t.Against + t.Abstain + t.Block }

func (ConsortiumFormed) EventType() string    { return TypeConsortiumFormed }
func (TermsAmended) EventType() string        { return TypeTermsAmended }
func (ConsortiumDissolved) EventType() string { return TypeConsortiumDissolved }
func (PartnerApplied) EventType() string      { return TypePartnerApplied }
func (PartnerAdmitted) EventType() string     { return TypePartnerAdmitted }
func (PartnerDeclined) EventType() string     { return TypePartnerDeclined }
func (RoleAssigned) EventType() string        { return TypeRoleAssigned }
func (NoticeServed) EventType() string        { return TypeNoticeServed }
func (PartnerExpelled) EventType() string     { return TypePartnerExpelled }
func (DecisionProposed) EventType() string    { return TypeDecisionProposed }
func (InterestDeclared) EventType() string    { return TypeInterestDeclared }
func (VoteCast) EventType() string            { return TypeVoteCast }
func (o Outcome) EventType() string           { return "decision." + o.Result }
func (DecisionWithdrawn) EventType() string   { return TypeDecisionWithdrawn }
func (DisputeRaised) EventType() string       { return TypeDisputeRaised }
func (DisputeEscalated) EventType() string    { return TypeDisputeEscalated }
func (DisputeResolved) EventType() string     { return TypeDisputeResolved }
func (DisputeWithdrawn) EventType() string    { return TypeDisputeWithdrawn }

// decoders read the payload of each event type.
var decoders = map[string]func([]byte) (Payload, error){
	TypeConsortiumFormed:    decodeAs[ConsortiumFormed],
	TypeTermsAmended:        decodeAs[TermsAmended],
	TypeConsortiumDissolved: decodeAs[ConsortiumDissolved],
	TypePartnerApplied:      decodeAs[PartnerApplied],
	TypePartnerAdmitted:     decodeAs[PartnerAdmitted],
	TypePartnerDeclined:     decodeAs[PartnerDeclined],
	TypeRoleAssigned:        decodeAs[RoleAssigned],
	TypeNoticeServed:        decodeAs[NoticeServed],
	TypePartnerExpelled:     decodeAs[PartnerExpelled],
	TypeDecisionProposed:    decodeAs[DecisionProposed],
	TypeInterestDeclared:    decodeAs[InterestDeclared],
	TypeVoteCast:            decodeAs[VoteCast],
	TypeDecisionCarried:     decodeAs[Outcome],
	TypeDecisionRejected:    decodeAs[Outcome],
	TypeDecisionLapsed:      decodeAs[Outcome],
	TypeDecisionWithdrawn:   decodeAs[DecisionWithdrawn],
	TypeDisputeRaised:       decodeAs[DisputeRaised],
	TypeDisputeEscalated:    decodeAs[DisputeEscalated],
	TypeDisputeResolved:     decodeAs[DisputeResolved],
	TypeDisputeWithdrawn:    decodeAs[DisputeWithdrawn],
}

func decodeAs[P Payload](data []byte) (Payload, error) {
	var p P
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, err
	}
	return p, nil
}

// EventTypes lists every event type, sorted.
func EventTypes() []string {
	types := make([]string, 0, len(decoders))
	for t := range decoders {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}

// DecodePayload reads the payload of an event of the given type. Unknown types and
// fields are refused.
func DecodePayload(eventType string, data []byte) (Payload, error) {
	decode, ok := decoders[eventType]
	if !ok {
		return nil, invalidf("%q is not an event type", eventType)
	}
	p, err := decode(data)
	if err != nil {
		return nil, invalidf("%s payload: %v", eventType, err)
	}
	if p.EventType() != eventType {
		return nil, invalidf("a %s event carries a %s payload", eventType, p.EventType())
	}
	return p, nil
}
