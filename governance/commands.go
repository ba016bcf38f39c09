package governance

import (
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"time"
)

// Command is something the steering group asks for. At is when it happens (a
// meeting's date, or now); the rules are applied as of that moment.
type Command interface{ CommandName() string }

// The commands. Their JSON field names are the API's: keep them stable.
type (
	FormConsortium struct {
		At         time.Time     `json:"at"`
		Consortium string        `json:"consortium"`
		Name       string        `json:"name"`
		Purpose    string        `json:"purpose"`
		Structure  string        `json:"structure"`
		Start      Date          `json:"start"`
		End        Date          `json:"end,omitempty"`
		Partners   []PartnerSpec `json:"partners"`
		Terms      Terms         `json:"terms"`
	}
	ApplyToJoin struct {
		At      time.Time   `json:"at"`
		Partner PartnerSpec `json:"partner"`
		Sponsor string      `json:"sponsor,omitempty"`
	}
	// TableProposal opens a ballot. NewTerms goes with amend-terms, Role with an
	// ordinary decision that assigns a role. About, the partner the proposal is about,
	// is needed for an admission or an expulsion and may be given for any matter: that
	// partner does not vote on it.
	TableProposal struct {
		At       time.Time       `json:"at"`
		Proposal string          `json:"proposal"`
		Matter   string          `json:"matter"`
		Title    string          `json:"title"`
		About    string          `json:"about,omitempty"`
		ClosesAt time.Time       `json:"closes_at,omitzero"`
		NewTerms *Terms          `json:"new_terms,omitempty"`
		Role     *RoleAssignment `json:"role,omitempty"`
	}
	DeclareInterest struct {
		At       time.Time `json:"at"`
		Proposal string    `json:"proposal"`
		Partner  string    `json:"partner"`
		Interest string    `json:"interest"`
	}
	CastVote struct {
		At       time.Time `json:"at"`
		Proposal string    `json:"proposal"`
		Partner  string    `json:"partner"`
		Vote     string    `json:"vote"`
		Reason   string    `json:"reason,omitempty"`
	}
	// CloseProposal counts the votes. CastingVote is the chair's, used only on a tie
	// where the rule grants one.
	CloseProposal struct {
		At          time.Time `json:"at"`
		Proposal    string    `json:"proposal"`
		CastingVote string    `json:"casting_vote,omitempty"`
		ReviewDate  Date      `json:"review_date,omitempty"`
	}
	WithdrawProposal struct {
		At       time.Time `json:"at"`
		Proposal string    `json:"proposal"`
		Reason   string    `json:"reason,omitempty"`
	}
	// RecordMeetingDecision records a decision taken in a meeting, with attendance and
	// the votes as minuted, in one step.
	RecordMeetingDecision struct {
		TableProposal
		Attendance  []string          `json:"attendance"`
		Interests   map[string]string `json:"interests,omitempty"`
		Votes       map[string]string `json:"votes"`
		CastingVote string            `json:"casting_vote,omitempty"`
		ReviewDate  Date              `json:"review_date,omitempty"`
	}
	// AssignRole gives a partner a role without a decision, which only the roles the
	// terms list as assigned_without_decision allow (typically a partner naming its own
	// point of contact). Every other role is given by a carried ordinary decision: a
	// TableProposal or RecordMeetingDecision with Role.
	AssignRole struct {
		At      time.Time `json:"at"`
		Partner string    `json:"partner"`
		Role    string    `json:"role"`
		Person  string    `json:"person,omitempty"`
	}
	ServeNotice struct {
		At      time.Time `json:"at"`
		Partner string    `json:"partner"`
		Reason  string    `json:"reason,omitempty"`
	}
	RaiseDispute struct {
		At       time.Time `json:"at"`
		Dispute  string    `json:"dispute"`
		RaisedBy string    `json:"raised_by"`
		Parties  []string  `json:"parties"`
		Matter   string    `json:"matter"`
	}
	EscalateDispute struct {
		At      time.Time `json:"at"`
		Dispute string    `json:"dispute"`
	}
	ResolveDispute struct {
		At      time.Time `json:"at"`
		Dispute string    `json:"dispute"`
		Outcome string    `json:"outcome"`
	}
	WithdrawDispute struct {
		At      time.Time `json:"at"`
		Dispute string    `json:"dispute"`
		Reason  string    `json:"reason,omitempty"`
	}
)

func (FormConsortium) CommandName() string        { return "form-consortium" }
func (ApplyToJoin) CommandName() string           { return "apply-to-join" }
func (TableProposal) CommandName() string         { return "table-proposal" }
func (DeclareInterest) CommandName() string       { return "declare-interest" }
func (CastVote) CommandName() string              { return "cast-vote" }
func (CloseProposal) CommandName() string         { return "close-proposal" }
func (WithdrawProposal) CommandName() string      { return "withdraw-proposal" }
func (RecordMeetingDecision) CommandName() string { return "record-meeting-decision" }
func (AssignRole) CommandName() string            { return "assign-role" }
func (ServeNotice) CommandName() string           { return "serve-notice" }
func (RaiseDispute) CommandName() string          { return "raise-dispute" }
func (EscalateDispute) CommandName() string       { return "escalate-dispute" }
func (ResolveDispute) CommandName() string        { return "resolve-dispute" }
func (WithdrawDispute) CommandName() string       { return "withdraw-dispute" }

var commandDecoders = map[string]func([]byte) (Command, error){
	"form-consortium":         decodeCommand[FormConsortium],
	"apply-to-join":           decodeCommand[ApplyToJoin],
	"table-proposal":          decodeCommand[TableProposal],
	"declare-interest":        decodeCommand[DeclareInterest],
	"cast-vote":               decodeCommand[CastVote],
	"close-proposal":          decodeCommand[CloseProposal],
	"withdraw-proposal":       decodeCommand[WithdrawProposal],
	"record-meeting-decision": decodeCommand[RecordMeetingDecision],
	"assign-role":             decodeCommand[AssignRole],
	"serve-notice":            decodeCommand[ServeNotice],
	"raise-dispute":           decodeCommand[RaiseDispute],
	"escalate-dispute":        decodeCommand[EscalateDispute],
	"resolve-dispute":         decodeCommand[ResolveDispute],
	"withdraw-dispute":        decodeCommand[WithdrawDispute],
}

// DecodeCommand reads a command from JSON by its name (cast-vote, table-proposal, ...).
func DecodeCommand(name string, data []byte) (Command, error) {
	decode, ok := commandDecoders[name]
	if !ok {
		return nil, invalidf("%q is not a command", name)
	}
	c, err := decode(data)
	if err != nil {
		return nil, invalidf("%s: %v", name, err)
	}
	return c, nil
}

// ValidSlug checks an id that becomes one NATS subject token: [a-z0-9][a-z0-9-]{0,62}.
func ValidSlug(what, s string) error {
	if s == "" || len(s) > 63 {
		return invalidf("%s %q must be 1 to 63 characters of a-z, 0-9 and hyphens", what, s)
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' && i > 0) {
			return invalidf("%s %q is not a slug: use lower-case letters, digits and hyphens, starting with a letter or digit", what, s)
		}
	}
	return nil
}

// Recorded reports whether recorded, the payloads of the events a command id recorded,
// are what c records: the same kind of command, on the same things, with the same
// choices. A command retried under its id (after a lost acknowledgement) is told what it
// recorded the first time; a different command sent under an id already used is told
// apart by this. The time is left out, since a retry may be sent with another (and so
// is whatever is derived from it, such as a notice's effective date).
func Recorded(c Command, recorded []Payload) bool {
	if len(recorded) == 0 {
		return false
	}
	c = asStored(c)
	first := recorded[0]
	switch c := c.(type) {
	case TableProposal:
		p, ok := first.(DecisionProposed)
		return ok && p.Meeting == nil && proposes(p, c)
	case RecordMeetingDecision:
		p, ok := first.(DecisionProposed)
		if !ok || p.Meeting == nil || !proposes(p, c.TableProposal) || !slices.Equal(p.Meeting.Attendance, slices.Sorted(slices.Values(c.Attendance))) {
			return false
		}
		interests, votes := map[string]string{}, map[string]string{}
		casting := ""
		for _, e := range recorded[1:] {
			switch e := e.(type) {
			case InterestDeclared:
				interests[e.Partner] = e.Interest
			case VoteCast:
				votes[e.Partner] = e.Vote
			case Outcome:
				casting = e.CastingVote
			}
		}
		return maps.Equal(interests, c.Interests) && maps.Equal(votes, c.Votes) && casting == c.CastingVote
	case CloseProposal:
		p, ok := first.(Outcome)
		return ok && p.Proposal == c.Proposal && p.CastingVote == c.CastingVote && p.ReviewDate == c.ReviewDate
	case FormConsortium:
		c.Terms.Version = 1 // as Decide sets it
		return sameJSON(commandOf(first, c.At), c)
	}
	// A command of one event: the command that event records, at c's time.
	at, _ := when(c)
	return sameJSON(commandOf(first, at), c)
}

// proposes reports whether p is the proposal c tables (its closing time when c gives
// one: the default is derived from the time).
func proposes(p DecisionProposed, c TableProposal) bool {
	return p.Proposal == c.Proposal && p.Matter == c.Matter && p.Title == c.Title && p.About == c.About &&
		(c.ClosesAt.IsZero() || p.Meeting != nil || p.ClosesAt.Equal(c.ClosesAt)) &&
		sameJSON(p.NewTerms, c.NewTerms) && sameJSON(p.Role, c.Role)
}

// asStored is c as its JSON reads back: what the log keeps of its text (a string that is
// not valid UTF-8 is stored with U+FFFD), so that c compares with what it recorded.
func asStored(c Command) Command {
	b, err := json.Marshal(c)
	if err != nil {
		return c
	}
	back := reflect.New(reflect.TypeOf(c))
	if json.Unmarshal(b, back.Interface()) != nil {
		return c
	}
	return back.Elem().Interface().(Command)
}
