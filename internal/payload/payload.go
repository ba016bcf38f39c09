// Package payload reads the payloads of governance's events quickly. Decoding payloads
// is most of the cost of applying an event, and rebuilding the read models, verifying
// the log by the rules, or loading a consortium's state decodes every one. So payloads
// are read here field by field when they are exactly as encoding/json writes
// governance's types: fields in order, no space, plain strings, times in UTC. Anything
// else (another form, an escape, an unknown field, a negative number) goes through
// governance.DecodePayload, so what is accepted, and what it decodes to, is the same
// either way; FuzzPayload checks it. Whole sets of terms (a consortium formed, terms
// amended, a proposal to amend them) are read here too: they are few, but the
// reflection encoding/json needs for them cost more than all the votes around them.
//
// It imports governance and internal/rfc3339 only.
package payload

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/internal/rfc3339"
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

// DecodeVote is Decode for a decision.vote-cast, the commonest event by far, with the
// payload as its own type rather than in an interface, which would be a copy on the heap
// for every vote.
func DecodeVote(data []byte, names func([]byte) string) (governance.VoteCast, error) {
	if v, ok := readVoteCast(data, names); ok {
		return v, nil
	}
	p, err := governance.DecodePayload(governance.TypeVoteCast, data)
	if err != nil {
		return governance.VoteCast{}, err
	}
	return p.(governance.VoteCast), nil
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
	case governance.TypePartnerApplied:
		var v governance.PartnerApplied
		r.lit(`{"partner":`)
		v.Partner = r.partnerSpec()
		if r.opt(`,"sponsor":`) {
			v.Sponsor = r.name()
		}
		p = v
	case governance.TypeTermsAmended:
		var v governance.TermsAmended
		r.lit(`{"proposal":`)
		v.Proposal = r.str()
		r.lit(`,"terms":`)
		v.Terms = r.terms()
		p = v
	case governance.TypeConsortiumFormed:
		var v governance.ConsortiumFormed
		r.lit(`{"consortium":`)
		v.Consortium = r.str()
		r.lit(`,"name":`)
		v.Name = r.str()
		r.lit(`,"purpose":`)
		v.Purpose = r.str()
		r.lit(`,"structure":`)
		v.Structure = r.name()
		r.lit(`,"start":`)
		v.Start = r.date()
		if r.opt(`,"end":`) {
			v.End = r.date()
		}
		r.lit(`,"partners":`)
		if !r.opt(`null`) {
			r.lit(`[`)
			v.Partners = []governance.PartnerSpec{}
			for !r.failed && !r.opt(`]`) {
				if len(v.Partners) > 0 {
					r.lit(`,`)
				}
				v.Partners = append(v.Partners, r.partnerSpec())
			}
		}
		r.lit(`,"terms":`)
		v.Terms = r.terms()
		p = v
	default:
		return nil, false
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
	r.lit(`,"rule":`)
	p.Rule = r.rule()
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
		t := r.terms()
		p.NewTerms = &t
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
		o.ReviewDate = r.date()
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

// time reads a time as encoding/json writes one in UTC: "2006-01-02T15:04:05Z", with
// as many digits of the fraction of the second as it needs and no trailing zero. It is
// read by hand, every field range-checked as time.Parse checks it; parsing and
// formatting each time again to check its form cost more than the rest of a proposal.
func (r *reader) time() time.Time {
	if r.failed {
		return time.Time{}
	}
	t, n, ok := rfc3339.ReadQuotedUTC(r.b)
	if !ok {
		r.failed = true
		return time.Time{}
	}
	r.b = r.b[n:]
	return t
}

// date reads a calendar date as governance.Date holds one.
func (r *reader) date() governance.Date {
	b := r.plain()
	if _, _, _, ok := rfc3339.ReadDate(b); !ok {
		r.failed = true
		return ""
	}
	return governance.Date(b)
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

// rule reads a decision rule.
func (r *reader) rule() governance.Rule {
	var v governance.Rule
	r.lit(`{"method":`)
	v.Method = r.name()
	r.lit(`,"threshold":`)
	v.Threshold = r.fraction()
	r.lit(`,"quorum":`)
	v.Quorum = r.fraction()
	if r.opt(`,"casting_vote":true`) {
		v.CastingVote = true
	}
	if r.opt(`,"voting_days":`) {
		v.VotingDays = r.int()
	}
	r.lit(`}`)
	return v
}

// partnerSpec reads a partner as it joins.
func (r *reader) partnerSpec() governance.PartnerSpec {
	var v governance.PartnerSpec
	r.lit(`{"id":`)
	v.ID = r.name()
	r.lit(`,"name":`)
	v.Name = r.str()
	r.lit(`,"sector":`)
	v.Sector = r.name()
	r.lit(`,"tier":`)
	v.Tier = r.name()
	r.lit(`,"point_of_contact":`)
	v.PointOfContact = r.name()
	if r.opt(`,"representatives":`) {
		r.array(func() {
			var rep governance.Representative
			r.lit(`{"id":`)
			rep.ID = r.name()
			r.lit(`,"name":`)
			rep.Name = r.str()
			if r.opt(`,"public_key":`) {
				rep.PublicKey = r.str()
			}
			r.lit(`}`)
			v.Representatives = append(v.Representatives, rep)
		}, func() { v.Representatives = []governance.Representative{} })
	}
	r.lit(`}`)
	return v
}

// terms reads a whole set of terms.
func (r *reader) terms() governance.Terms {
	var t governance.Terms
	r.lit(`{"version":`)
	t.Version = r.int()
	r.lit(`,"roles":{`)
	more := false // whether a field of the roles has been read, and a comma comes next
	field := func(name string) bool {
		if more {
			name = "," + name
		}
		if r.opt(name) {
			more = true
			return true
		}
		return false
	}
	if field(`"lead_partner":`) {
		t.Roles.LeadPartner = r.name()
	}
	if field(`"chair":`) {
		t.Roles.Chair = r.name()
	}
	if field(`"secretary":`) {
		t.Roles.Secretary = r.name()
	}
	if field(`"points_of_contact":`) {
		t.Roles.PointsOfContact = mapOf(r, r.name)
	}
	if field(`"assigned_without_decision":`) {
		t.Roles.AssignedWithoutDecision = r.strs()
	}
	r.lit(`}`)
	if r.opt(`,"milestones":`) {
		r.array(func() {
			var m governance.Milestone
			r.lit(`{"name":`)
			m.Name = r.str()
			r.lit(`,"due":`)
			m.Due = r.date()
			if r.opt(`,"owner":`) {
				m.Owner = r.name()
			}
			r.lit(`}`)
			t.Milestones = append(t.Milestones, m)
		}, func() { t.Milestones = []governance.Milestone{} })
	}
	r.lit(`,"decision_rules":`)
	t.DecisionRules = mapOf(r, r.rule)
	if r.opt(`,"steering_group":`) {
		t.SteeringGroup = r.strs()
	}
	if r.opt(`,"financing":`) {
		r.array(func() {
			var c governance.Contribution
			r.lit(`{"partner":`)
			c.Partner = r.name()
			r.lit(`,"amount_pence":`)
			c.AmountPence = int64(r.int())
			if r.opt(`,"purpose":`) {
				c.Purpose = r.str()
			}
			r.lit(`}`)
			t.Financing = append(t.Financing, c)
		}, func() { t.Financing = []governance.Contribution{} })
	}
	r.lit(`,"risk_shares":`)
	t.RiskShares = mapOf(r, r.share)
	r.lit(`,"surplus_shares":`)
	t.SurplusShares = mapOf(r, r.share)
	if r.opt(`,"monitoring":`) {
		r.array(func() {
			var o governance.Objective
			r.lit(`{"name":`)
			o.Name = r.str()
			r.lit(`,"review_date":`)
			o.ReviewDate = r.date()
			r.lit(`}`)
			t.Monitoring = append(t.Monitoring, o)
		}, func() { t.Monitoring = []governance.Objective{} })
	}
	r.lit(`,"admission":{`)
	more = false
	if field(`"criteria":`) {
		t.Admission.Criteria = r.str()
	}
	if field(`"sponsor_required":true`) {
		t.Admission.SponsorRequired = true
	}
	r.lit(`},"termination":{"notice_days":`)
	t.Termination.NoticeDays = r.int()
	if r.opt(`,"expulsion_grounds":`) {
		t.Termination.ExpulsionGrounds = r.strs()
	}
	if r.opt(`,"dissolution":`) {
		t.Termination.Dissolution = r.str()
	}
	r.lit(`},"dispute_ladder":`)
	r.array(func() {
		var s governance.Stage
		r.lit(`{"name":`)
		s.Name = r.name()
		r.lit(`,"days":`)
		s.Days = r.int()
		if r.opt(`,"working_days":true`) {
			s.WorkingDays = true
		}
		r.lit(`}`)
		t.DisputeLadder = append(t.DisputeLadder, s)
	}, func() { t.DisputeLadder = []governance.Stage{} })
	r.lit(`,"exclude_conflicted":`)
	if r.opt(`true`) {
		t.ExcludeConflicted = true
	} else {
		r.lit(`false`)
	}
	r.lit(`}`)
	return t
}

// array reads an array, or null, calling elem for each element; empty is called for
// [], which decodes to an empty slice rather than none.
func (r *reader) array(elem, empty func()) {
	if r.opt(`null`) {
		return
	}
	r.lit(`[`)
	if r.opt(`]`) {
		empty()
		return
	}
	for !r.failed {
		elem()
		if r.opt(`]`) {
			return
		}
		r.lit(`,`)
	}
}

// mapOf reads an object of plain keys, or null, with value reading each value.
func mapOf[V any](r *reader, value func() V) map[string]V {
	if r.opt(`null`) {
		return nil
	}
	r.lit(`{`)
	m := map[string]V{}
	for !r.failed && !r.opt(`}`) {
		if len(m) > 0 {
			r.lit(`,`)
		}
		k := r.name()
		r.lit(`:`)
		m[k] = value()
	}
	return m
}

// share reads a percentage as governance.Share writes one: 0.00 to 100.00.
func (r *reader) share() governance.Share {
	n := 0
	for n < len(r.b) && n < 4 && r.b[n] >= '0' && r.b[n] <= '9' {
		n++
	}
	if r.failed || n == 0 || n == 4 || r.b[0] == '0' && n > 1 || len(r.b) < n+3 || r.b[n] != '.' {
		r.failed = true
		return 0
	}
	whole, _ := rfc3339.Digits(r.b[:n])
	frac, ok := rfc3339.Digits(r.b[n+1 : n+3])
	if !ok || whole*100+frac > 10000 {
		r.failed = true
		return 0
	}
	r.b = r.b[n+3:]
	return governance.Share(whole*100 + frac)
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
