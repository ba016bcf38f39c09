// Package payload reads the payloads of governance's events quickly. Decoding payloads
// is most of the cost of applying an event, and rebuilding the read models, verifying
// the log by the rules, or loading a consortium's state decodes every one. So payloads
// are read here field by field when they are exactly as encoding/json writes
// governance's types: fields in order, no space, plain strings, times in UTC. Anything
// else (another form, an escape, an unknown field, a whole set of terms) goes through
// governance.DecodePayload, so what is accepted, and what it decodes to, is the same
// either way; FuzzPayload checks it.
//
// It imports governance only.
package payload

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/govledger/govledger/governance"
)

// Decode reads the payload of an event of the given type, as governance.DecodePayload
// does and to the same result.
//
// names, if given, returns one shared string for each partner id, vote, matter, role
// and other word that recurs, so that the millions of events a large ledger holds do
// not each keep copies of the same few words; free text and ids of proposals and
// disputes are copied.
func Decode(eventType string, data []byte, names func([]byte) string) (governance.Payload, error) {
	if p, ok := read(eventType, data, names); ok {
		return p, nil
	}
	return governance.DecodePayload(eventType, data)
}

// read is the fast reading; ok is false for a payload it leaves to DecodePayload.
func read(eventType string, data []byte, names func([]byte) string) (p governance.Payload, ok bool) {
	switch eventType {
	case governance.TypeVoteCast:
		return readVoteCast(data, names)
	case governance.TypeDecisionProposed:
		return readDecisionProposed(data, names)
	case governance.TypeDecisionCarried, governance.TypeDecisionRejected, governance.TypeDecisionLapsed:
		o, ok := readOutcome(data, names)
		return o, ok && o.EventType() == eventType
	}
	r := reader{b: data, names: names}
	switch eventType {
	case governance.TypeInterestDeclared:
		var v governance.InterestDeclared
		r.lit(`{"proposal":`)
		v.Proposal = r.str()
		r.lit(`,"partner":`)
		v.Partner = r.name()
		r.lit(`,"interest":`)
		v.Interest = r.str()
		p = v
	case governance.TypeDecisionWithdrawn:
		var v governance.DecisionWithdrawn
		r.lit(`{"proposal":`)
		v.Proposal = r.str()
		if r.opt(`,"reason":`) {
			v.Reason = r.str()
		}
		p = v
	case governance.TypeDisputeRaised:
		var v governance.DisputeRaised
		r.lit(`{"dispute":`)
		v.Dispute = r.str()
		r.lit(`,"raised_by":`)
		v.RaisedBy = r.name()
		r.lit(`,"parties":`)
		v.Parties = r.strs()
		r.lit(`,"matter":`)
		v.Matter = r.str()
		p = v
	case governance.TypeDisputeEscalated:
		var v governance.DisputeEscalated
		r.lit(`{"dispute":`)
		v.Dispute = r.str()
		r.lit(`,"stage":`)
		v.Stage = r.int()
		p = v
	case governance.TypeDisputeResolved:
		var v governance.DisputeResolved
		r.lit(`{"dispute":`)
		v.Dispute = r.str()
		r.lit(`,"outcome":`)
		v.Outcome = r.str()
		p = v
	case governance.TypeDisputeWithdrawn:
		var v governance.DisputeWithdrawn
		r.lit(`{"dispute":`)
		v.Dispute = r.str()
		if r.opt(`,"reason":`) {
			v.Reason = r.str()
		}
		p = v
	case governance.TypePartnerAdmitted:
		var v governance.PartnerAdmitted
		v.Partner, v.Proposal = r.partnerAndProposal()
		p = v
	case governance.TypePartnerDeclined:
		var v governance.PartnerDeclined
		v.Partner, v.Proposal = r.partnerAndProposal()
		p = v
	case governance.TypePartnerExpelled:
		var v governance.PartnerExpelled
		v.Partner, v.Proposal = r.partnerAndProposal()
		p = v
	case governance.TypeConsortiumDissolved:
		var v governance.ConsortiumDissolved
		r.lit(`{"proposal":`)
		v.Proposal = r.str()
		p = v
	case governance.TypeRoleAssigned:
		var v governance.RoleAssigned
		r.lit(`{"partner":`)
		v.Partner = r.name()
		r.lit(`,"role":`)
		v.Role = r.name()
		r.lit(`,"proposal":`)
		v.Proposal = r.str()
		if r.opt(`,"person":`) {
			v.Person = r.str()
		}
		p = v
	case governance.TypeNoticeServed:
		var v governance.NoticeServed
		r.lit(`{"partner":`)
		v.Partner = r.name()
		r.lit(`,"effective_at":`)
		v.EffectiveAt = r.time()
		if r.opt(`,"reason":`) {
			v.Reason = r.str()
		}
		p = v
	default:
		return nil, false // a consortium formed, terms amended, a partner applying: rare, and large
	}
	r.lit(`}`)
	return p, r.end()
}

// partnerAndProposal reads {"partner":…,"proposal":… of an admission, a refusal or
// an expulsion.
func (r *reader) partnerAndProposal() (partner, proposal string) {
	r.lit(`{"partner":`)
	partner = r.name()
	r.lit(`,"proposal":`)
	proposal = r.str()
	return partner, proposal
}

func readVoteCast(data []byte, names func([]byte) string) (governance.VoteCast, bool) {
	r := reader{b: data, names: names}
	var v governance.VoteCast
	r.lit(`{"proposal":`)
	v.Proposal = r.str()
	r.lit(`,"partner":`)
	v.Partner = r.name()
	r.lit(`,"vote":`)
	v.Vote = r.name()
	if r.opt(`,"reason":`) {
		v.Reason = r.str()
	}
	r.lit(`}`)
	return v, r.end()
}

func readDecisionProposed(data []byte, names func([]byte) string) (governance.DecisionProposed, bool) {
	r := reader{b: data, names: names}
	var p governance.DecisionProposed
	r.lit(`{"proposal":`)
	p.Proposal = r.str()
	r.lit(`,"matter":`)
	p.Matter = r.name()
	r.lit(`,"title":`)
	p.Title = r.str()
	if r.opt(`,"about":`) {
		p.About = r.name()
	}
	r.lit(`,"closes_at":`)
	p.ClosesAt = r.time()
	r.lit(`,"electorate":`)
	p.Electorate = r.strs()
	r.lit(`,"rule":{"method":`)
	p.Rule.Method = r.name()
	r.lit(`,"threshold":`)
	p.Rule.Threshold = r.fraction()
	r.lit(`,"quorum":`)
	p.Rule.Quorum = r.fraction()
	if r.opt(`,"casting_vote":true`) {
		p.Rule.CastingVote = true
	}
	if r.opt(`,"voting_days":`) {
		p.Rule.VotingDays = r.int()
	}
	r.lit(`}`)
	if r.opt(`,"chair":`) {
		p.Chair = r.name()
	}
	if r.opt(`,"meeting":{"held_at":`) {
		p.Meeting = &governance.Meeting{HeldAt: r.time()}
		r.lit(`,"attendance":`)
		p.Meeting.Attendance = r.strs()
		r.lit(`}`)
	}
	if r.opt(`,"new_terms":`) {
		return p, false // a whole set of terms: rare, and left to DecodePayload
	}
	if r.opt(`,"role":{"partner":`) {
		p.Role = &governance.RoleAssignment{Partner: r.name()}
		r.lit(`,"role":`)
		p.Role.Role = r.name()
		r.lit(`}`)
	}
	r.lit(`}`)
	return p, r.end()
}

func readOutcome(data []byte, names func([]byte) string) (governance.Outcome, bool) {
	r := reader{b: data, names: names}
	var o governance.Outcome
	r.lit(`{"proposal":`)
	o.Proposal = r.str()
	r.lit(`,"result":`)
	o.Result = r.name()
	r.lit(`,"tally":{"for":`)
	o.Tally.For = r.int()
	r.lit(`,"against":`)
	o.Tally.Against = r.int()
	r.lit(`,"abstain":`)
	o.Tally.Abstain = r.int()
	r.lit(`,"block":`)
	o.Tally.Block = r.int()
	r.lit(`,"electorate":`)
	o.Tally.Electorate = r.int()
	r.lit(`}`)
	if r.opt(`,"casting_vote":`) {
		o.CastingVote = r.name()
	}
	if r.opt(`,"review_date":`) {
		d := r.str()
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			r.failed = true
		}
		o.ReviewDate = governance.Date(d)
	}
	r.lit(`}`)
	return o, r.end()
}

// reader reads JSON written by encoding/json, front to back, and gives up (ok false)
// at anything it was not written to expect.
type reader struct {
	b      []byte
	failed bool
	names  func([]byte) string // shares the strings name reads, if set
}

func (r *reader) lit(s string) {
	if !r.opt(s) {
		r.failed = true
	}
}

// opt consumes s if it comes next.
func (r *reader) opt(s string) bool {
	if r.failed || !bytes.HasPrefix(r.b, []byte(s)) {
		return false
	}
	r.b = r.b[len(s):]
	return true
}

func (r *reader) end() bool { return !r.failed && len(r.b) == 0 }

// str reads a string with nothing to unescape: printable ASCII, no quote or backslash.
func (r *reader) str() string {
	if b := r.plain(); b != nil {
		return string(b)
	}
	return ""
}

// name reads a string as str does, shared through r.names.
func (r *reader) name() string {
	b := r.plain()
	switch {
	case b == nil:
		return ""
	case r.names != nil:
		return r.names(b)
	}
	return string(b)
}

// plain reads a string with nothing to unescape and returns its bytes.
func (r *reader) plain() []byte {
	if r.failed || len(r.b) == 0 || r.b[0] != '"' {
		r.failed = true
		return nil
	}
	for i := 1; i < len(r.b); i++ {
		switch c := r.b[i]; {
		case c == '"':
			b := r.b[1:i]
			r.b = r.b[i+1:]
			return b
		case c < 0x20 || c >= 0x7f || c == '\\':
			r.failed = true
			return nil
		}
	}
	r.failed = true
	return nil
}

// strs reads an array of strings, or null: partner ids, shared through r.names.
func (r *reader) strs() []string {
	if r.opt(`null`) {
		return nil
	}
	r.lit(`[`)
	out := []string{}
	for !r.failed && !r.opt(`]`) {
		if len(out) > 0 {
			r.lit(`,`)
		}
		out = append(out, r.name())
	}
	return out
}

// time reads a time as encoding/json writes one in UTC.
func (r *reader) time() time.Time {
	s := r.str()
	if r.failed || len(s) == 0 || s[len(s)-1] != 'Z' {
		r.failed = true
		return time.Time{}
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || t.Format(time.RFC3339Nano) != s {
		r.failed = true
		return time.Time{}
	}
	return t
}

// int reads a non-negative integer written without leading zeros.
func (r *reader) int() int {
	n := 0
	for n < len(r.b) && n < 9 && r.b[n] >= '0' && r.b[n] <= '9' {
		n++
	}
	if r.failed || n == 0 || r.b[0] == '0' && n > 1 {
		r.failed = true
		return 0
	}
	v, _ := strconv.Atoi(string(r.b[:n]))
	r.b = r.b[n:]
	return v
}

// fraction reads a share as governance.Fraction writes it: "" or "n/d", 0 ≤ n ≤ d, d > 0.
func (r *reader) fraction() governance.Fraction {
	if r.opt(`""`) {
		return governance.Fraction{}
	}
	r.lit(`"`)
	n := r.int()
	r.lit(`/`)
	d := r.int()
	r.lit(`"`)
	if d == 0 || n > d {
		r.failed = true
	}
	return governance.Fraction{Num: n, Den: d}
}

// Encode writes a payload as json.Marshal does. A vote, the commonest command by far,
// is written by hand when its strings need no escaping; anything else goes through
// json.Marshal. FuzzEncode holds the two to the same bytes.
func Encode(p governance.Payload) ([]byte, error) {
	if v, ok := p.(governance.VoteCast); ok && plain(v.Proposal) && plain(v.Partner) && plain(v.Vote) && plain(v.Reason) {
		b := make([]byte, 0, 50+len(v.Proposal)+len(v.Partner)+len(v.Vote)+len(v.Reason))
		b = append(b, `{"proposal":"`...)
		b = append(b, v.Proposal...)
		b = append(b, `","partner":"`...)
		b = append(b, v.Partner...)
		b = append(b, `","vote":"`...)
		b = append(b, v.Vote...)
		if v.Reason != "" {
			b = append(b, `","reason":"`...)
			b = append(b, v.Reason...)
		}
		return append(b, `"}`...), nil
	}
	return json.Marshal(p)
}

// plain reports whether json.Marshal writes s as it is: printable ASCII but for the
// quote, the backslash and the characters it escapes for HTML.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}
