package governance

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"sigs.k8s.io/yaml"
)

// The matters every set of terms must have a rule for.
const (
	MatterOrdinary    = "ordinary"
	MatterAdmission   = "admission"
	MatterExpulsion   = "expulsion"
	MatterAmendTerms  = "amend-terms"
	MatterDissolution = "dissolution"
)

// ReservedMatters need a rule in every set of terms.
var ReservedMatters = []string{MatterOrdinary, MatterAdmission, MatterExpulsion, MatterAmendTerms, MatterDissolution}

// Decision methods.
const (
	MethodMajority      = "majority"
	MethodSupermajority = "supermajority"
	MethodUnanimity     = "unanimity"
	MethodConsensus     = "consensus"
	MethodConsent       = "consent"
)

// Terms are what the partners agreed: the consortium checklist. They change only by a
// carried amend-terms decision, which gives them the next Version.
type Terms struct {
	Version       int              `json:"version"`
	Roles         Roles            `json:"roles"`
	Milestones    []Milestone      `json:"milestones,omitempty"`
	DecisionRules map[string]Rule  `json:"decision_rules"`
	SteeringGroup []string         `json:"steering_group,omitempty"`
	Financing     []Contribution   `json:"financing,omitempty"`
	RiskShares    map[string]Share `json:"risk_shares"`
	SurplusShares map[string]Share `json:"surplus_shares"`
	Monitoring    []Objective      `json:"monitoring,omitempty"`
	Admission     Admission        `json:"admission"`
	Termination   Termination      `json:"termination"`
	DisputeLadder []Stage          `json:"dispute_ladder"`
	// ExcludeConflicted takes a partner that declares an interest out of that vote.
	ExcludeConflicted bool `json:"exclude_conflicted"`
}

// Roles name who does what: the lead partner, chair and secretary are each one partner
// at a time; every partner has its own point of contact, a person.
type Roles struct {
	LeadPartner     string            `json:"lead_partner,omitempty"`
	Chair           string            `json:"chair,omitempty"`
	Secretary       string            `json:"secretary,omitempty"`
	PointsOfContact map[string]string `json:"points_of_contact,omitempty"` // partner id → person
	// AssignedWithoutDecision lists the roles the terms let be given without a carried
	// ordinary decision (AssignRole), such as point-of-contact: a partner names its own
	// person. Every other role is assigned by a decision.
	AssignedWithoutDecision []string `json:"assigned_without_decision,omitempty"`
}

// NamePointOfContact records person as partner's point of contact. The map is copied,
// never written into: it may be the one a recorded event holds.
func (r *Roles) NamePointOfContact(partner, person string) {
	contacts := maps.Clone(r.PointsOfContact)
	if contacts == nil {
		contacts = map[string]string{}
	}
	contacts[partner] = person
	r.PointsOfContact = contacts
}

// holder points at the partner holding a role that one partner holds at a time, or is
// nil for a role every partner holds for itself (point of contact).
func (r *Roles) holder(role string) *string {
	switch role {
	case RoleLeadPartner:
		return &r.LeadPartner
	case RoleChair:
		return &r.Chair
	case RoleSecretary:
		return &r.Secretary
	}
	return nil
}

// Milestone is a step of the action plan.
type Milestone struct {
	Name  string `json:"name"`
	Due   Date   `json:"due"`
	Owner string `json:"owner,omitempty"`
}

// Rule says how one matter is decided.
type Rule struct {
	Method string `json:"method"`
	// Threshold is the share of for-and-against votes a supermajority needs, like "2/3".
	Threshold Fraction `json:"threshold,omitempty"`
	// Quorum is the share of the electorate that must take part, like "1/2".
	Quorum Fraction `json:"quorum"`
	// CastingVote gives the chair the deciding vote on a tie.
	CastingVote bool `json:"casting_vote,omitempty"`
	// VotingDays is the default voting window of a ballot.
	VotingDays int `json:"voting_days,omitempty"`
}

// String is the rule in words: "supermajority of 2/3, quorum 1/2, casting vote to the
// chair, voting window 14 days".
func (r Rule) String() string {
	s := r.Method
	if r.Method == MethodSupermajority || r.Threshold != (Fraction{}) {
		s += " of " + r.Threshold.String()
	}
	s += ", quorum " + r.Quorum.String()
	if r.CastingVote {
		s += ", casting vote to the chair"
	}
	if r.VotingDays != 0 {
		s += fmt.Sprintf(", voting window %d days", r.VotingDays)
	}
	return s
}

// Contribution is one partner's financing.
type Contribution struct {
	Partner     string `json:"partner"`
	AmountPence int64  `json:"amount_pence"`
	Purpose     string `json:"purpose,omitempty"`
}

// Objective is monitored and reviewed.
type Objective struct {
	Name       string `json:"name"`
	ReviewDate Date   `json:"review_date"`
}

// Admission says how new partners join.
type Admission struct {
	Criteria string `json:"criteria,omitempty"`
	// SponsorRequired means an applicant needs an active partner to sponsor it.
	SponsorRequired bool `json:"sponsor_required,omitempty"`
}

// Termination says how partners leave and the consortium ends.
type Termination struct {
	NoticeDays       int      `json:"notice_days"`
	ExpulsionGrounds []string `json:"expulsion_grounds,omitempty"`
	Dissolution      string   `json:"dissolution,omitempty"`
}

// Stage is one step of the dispute ladder.
type Stage struct {
	Name        string `json:"name"`
	Days        int    `json:"days"`
	WorkingDays bool   `json:"working_days,omitempty"`
}

// Limit is when a stage that started at start runs out. Days are counted on the UTC
// calendar, as the log records times, so every reader of the log gets the same limit.
func (s Stage) Limit(start time.Time) time.Time {
	start = start.UTC()
	if !s.WorkingDays {
		return start.AddDate(0, 0, s.Days)
	}
	t := start
	for n := 0; n < s.Days; {
		t = t.AddDate(0, 0, 1)
		if wd := t.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n++
		}
	}
	return t
}

// Date is a calendar date, written 2026-04-01.
type Date string

func (d Date) Time() time.Time {
	t, _ := time.Parse(time.DateOnly, string(d))
	return t
}

func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a date is written like 2026-04-01")
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return fmt.Errorf("%q is not a date like 2026-04-01", s)
	}
	*d = Date(s)
	return nil
}

// Fraction is a share written "2/3" (or a whole number, "1").
type Fraction struct{ Num, Den int }

func (f Fraction) String() string {
	if f.Den == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%d", f.Num, f.Den)
}

func (f Fraction) MarshalJSON() ([]byte, error) { return json.Marshal(f.String()) }

func (f *Fraction) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("a share is written like \"2/3\"")
	}
	if s == "" {
		*f = Fraction{}
		return nil
	}
	num, den, found := strings.Cut(s, "/")
	if !found {
		den = "1"
	}
	n, err1 := strconv.Atoi(strings.TrimSpace(num))
	d, err2 := strconv.Atoi(strings.TrimSpace(den))
	if err1 != nil || err2 != nil || d <= 0 || n < 0 || n > d {
		return fmt.Errorf("%q is not a share between 0 and 1 like \"2/3\"", s)
	}
	*f = Fraction{n, d}
	return nil
}

// atLeast reports whether part/whole reaches the fraction.
func (f Fraction) atLeast(part, whole int) bool { return part*f.Den >= f.Num*whole }

// share reports whether the fraction is between 0 and 1, as quorums and thresholds
// must be; terms written in Go rather than read from a file may hold anything.
func (f Fraction) share() bool { return f.Den > 0 && f.Num >= 0 && f.Num <= f.Den }

// Share is a percentage with up to two decimals, kept exactly in basis points.
type Share int

func (s Share) MarshalJSON() ([]byte, error) { return []byte(s.String()), nil }

// String writes the share as a percentage with two decimals, like 33.34.
func (s Share) String() string {
	sign := ""
	if s < 0 {
		sign, s = "-", -s
	}
	return fmt.Sprintf("%s%d.%02d", sign, s/100, s%100)
}

func (s *Share) UnmarshalJSON(b []byte) error {
	str := strings.Trim(strings.TrimSpace(string(b)), `"`)
	str = strings.TrimSuffix(str, "%")
	whole, frac, dotted := strings.Cut(str, ".")
	if len(frac) > 2 {
		return fmt.Errorf("share %s has more than two decimals", str)
	}
	if !digits(whole) || len(whole) > 3 || dotted && !digits(frac) {
		return fmt.Errorf("share %s is not a percentage like 33.34", str)
	}
	frac += strings.Repeat("0", 2-len(frac))
	w, _ := strconv.Atoi(whole)
	f, _ := strconv.Atoi(frac)
	if v := w*100 + f; v <= 10000 {
		*s = Share(v)
		return nil
	}
	return fmt.Errorf("share %s is more than 100%%", str)
}

// digits reports whether s is one or more decimal digits, and nothing else: no sign,
// which strconv would accept.
func digits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ParseTerms reads terms written in YAML or JSON. Unknown fields are refused, so a
// misspelt rule is not silently ignored.
func ParseTerms(data []byte) (Terms, error) {
	var t Terms
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return Terms{}, invalidf("terms file: %v", err)
	}
	if t, err = decodeStrict[Terms](js); err != nil {
		return Terms{}, invalidf("terms file: %v", err)
	}
	return t, nil
}

// Validate checks the terms against the partners they govern. It reports the first
// thing wrong, always the same one for the same terms.
func (t Terms) Validate(partners []string) error {
	known := func(id string) bool { return slices.Contains(partners, id) }
	for _, m := range ReservedMatters {
		if _, ok := t.DecisionRules[m]; !ok {
			return invalidf("terms: there is no decision rule for the reserved matter %s", m)
		}
	}
	for _, matter := range slices.Sorted(maps.Keys(t.DecisionRules)) {
		if err := ValidSlug("terms: matter", matter); err != nil {
			return err
		}
		if err := t.DecisionRules[matter].validate(matter); err != nil {
			return err
		}
	}
	for _, shares := range []struct {
		name string
		m    map[string]Share
	}{{"risk-sharing", t.RiskShares}, {"surplus-sharing", t.SurplusShares}} {
		total := 0
		for _, p := range slices.Sorted(maps.Keys(shares.m)) {
			s := shares.m[p]
			if !known(p) {
				return invalidf("terms: %s names %s, which is not a partner", shares.name, p)
			}
			if s < 0 || s > 10000 {
				return invalidf("terms: %s gives %s a share of %s%%; a share is between 0 and 100%%", shares.name, p, s)
			}
			total += int(s)
		}
		if total != 10000 {
			return invalidf("terms: %s shares add up to %s%%, not 100%%", shares.name, Share(total))
		}
	}
	for _, role := range []struct{ name, partner string }{
		{"lead partner", t.Roles.LeadPartner}, {"chair", t.Roles.Chair}, {"secretary", t.Roles.Secretary},
	} {
		if role.partner != "" && !known(role.partner) {
			return invalidf("terms: the %s is %s, which is not a partner", role.name, role.partner)
		}
	}
	for _, p := range slices.Sorted(maps.Keys(t.Roles.PointsOfContact)) {
		if !known(p) {
			return invalidf("terms: a point of contact is named for %s, which is not a partner", p)
		}
		if t.Roles.PointsOfContact[p] == "" {
			return invalidf("terms: the point of contact for %s names nobody", p)
		}
	}
	for i, role := range t.Roles.AssignedWithoutDecision {
		if !slices.Contains(RoleNames, role) {
			return invalidf("terms: %q may be assigned without a decision, but it is not a role; use one of %s", role, strings.Join(RoleNames, ", "))
		}
		if slices.Contains(t.Roles.AssignedWithoutDecision[:i], role) {
			return invalidf("terms: %s is listed twice among the roles assigned without a decision", role)
		}
	}
	for _, p := range t.SteeringGroup {
		if !known(p) {
			return invalidf("terms: the steering group names %s, which is not a partner", p)
		}
	}
	for _, m := range t.Milestones {
		if m.Name == "" {
			return invalidf("terms: every milestone of the action plan needs a name")
		}
		if m.Owner != "" && !known(m.Owner) {
			return invalidf("terms: milestone %q is owned by %s, which is not a partner", m.Name, m.Owner)
		}
	}
	for _, c := range t.Financing {
		if !known(c.Partner) {
			return invalidf("terms: the financing names %s, which is not a partner", c.Partner)
		}
		if c.AmountPence < 0 {
			return invalidf("terms: %s's contribution is negative", c.Partner)
		}
	}
	for _, o := range t.Monitoring {
		if o.Name == "" {
			return invalidf("terms: every objective to monitor needs a name")
		}
	}
	if len(t.DisputeLadder) == 0 {
		return invalidf("terms: the dispute ladder needs at least one stage")
	}
	for i, s := range t.DisputeLadder {
		if s.Name == "" || s.Days <= 0 {
			return invalidf("terms: dispute stage %d needs a name and a time limit in days", i+1)
		}
		if s.Days > MaxDays {
			return invalidf("terms: dispute stage %d (%s) has a time limit of %d days; at most %d (ten years)", i+1, s.Name, s.Days, MaxDays)
		}
	}
	if t.Termination.NoticeDays <= 0 {
		return invalidf("terms: the withdrawal notice period must be at least one day")
	}
	if t.Termination.NoticeDays > MaxDays {
		return invalidf("terms: the withdrawal notice period is %d days; at most %d (ten years)", t.Termination.NoticeDays, MaxDays)
	}
	return nil
}

// MaxDays bounds every period the terms give in days (a voting window, a notice
// period, a dispute stage): ten years is beyond any partnership's agreement, and
// dates derived from a longer one could run past what the record can write.
const MaxDays = 3650

func (r Rule) validate(matter string) error {
	switch r.Method {
	case MethodMajority, MethodUnanimity, MethodConsensus, MethodConsent:
		if r.Threshold != (Fraction{}) {
			return invalidf("terms: the %s rule is by %s, which takes no threshold; a threshold goes with a supermajority", matter, r.Method)
		}
	case MethodSupermajority:
		if !r.Threshold.share() || !(r.Threshold.Num*2 > r.Threshold.Den) {
			return invalidf("terms: the %s rule is a supermajority, so its threshold must be more than half and at most all (like \"2/3\")", matter)
		}
	default:
		return invalidf("terms: the %s rule has method %q; use majority, supermajority, unanimity, consensus or consent", matter, r.Method)
	}
	if !r.Quorum.share() || r.Quorum.Num == 0 {
		return invalidf("terms: the %s rule needs a quorum greater than nothing and at most everyone (like \"1/2\")", matter)
	}
	if r.CastingVote && r.Method != MethodMajority {
		return invalidf("terms: a casting vote applies only to a majority rule, not to the %s rule (%s)", matter, r.Method)
	}
	if r.VotingDays < 0 || r.VotingDays > MaxDays {
		return invalidf("terms: the %s rule's voting window is %d days; give a number of days up to %d, or none for the default", matter, r.VotingDays, MaxDays)
	}
	return nil
}
