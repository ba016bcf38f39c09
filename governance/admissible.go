package governance

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode"
)

// admissible holds a new command to what govledger asks of its input beyond the rules
// events have always been recorded by (decide): free text kept as written, and refusals
// added as the product grew. Decide applies it; Check, re-deciding an event already
// recorded, does not, so that a record an earlier version kept correctly still
// verifies.
func admissible(s *State, cmd Command) error {
	switch c := cmd.(type) {
	case FormConsortium:
		if err := cmp.Or(readable("the consortium's name", c.Name), readable("the consortium's purpose", c.Purpose)); err != nil {
			return err
		}
		if blank(c.Name) || blank(c.Purpose) {
			return invalidf("consortium %s needs a name and a common purpose", c.Consortium)
		}
		for _, p := range c.Partners {
			if err := partnerInput(p); err != nil {
				return err
			}
		}
	case ApplyToJoin:
		return partnerInput(c.Partner)
	case TableProposal:
		return proposalInput(c)
	case RecordMeetingDecision:
		if err := proposalInput(c.TableProposal); err != nil {
			return err
		}
		if !c.ClosesAt.IsZero() {
			return invalidf("a decision taken in a meeting closes when the meeting is held: it takes no closing time")
		}
		if len(c.Attendance) == 0 {
			return invalidf("the minutes of the meeting on proposal %s record nobody present: give the attendance", c.Proposal)
		}
		for _, id := range slices.Sorted(maps.Keys(c.Interests)) {
			if err := readable("the interest of "+id, c.Interests[id]); err != nil {
				return err
			}
			if blank(c.Interests[id]) {
				return invalidf("the minutes record an interest of %s without saying what it is", id)
			}
			if err := declares(s, id, c.At); err != nil {
				return err
			}
		}
		return reviewAfter(c.ReviewDate, c.At)
	case DeclareInterest:
		if err := readable("the interest", c.Interest); err != nil {
			return err
		}
		if blank(c.Interest) {
			return invalidf("a declaration of interest must say what the interest is")
		}
		return declares(s, c.Partner, c.At)
	case CastVote:
		return readable("the reason", c.Reason)
	case WithdrawProposal:
		return readable("the reason", c.Reason)
	case CloseProposal:
		return reviewAfter(c.ReviewDate, c.At)
	case AssignRole:
		return personInput(c.Role, c.Person)
	case ServeNotice:
		return readable("the reason", c.Reason)
	case RaiseDispute:
		if err := readable("what the dispute is about", c.Matter); err != nil {
			return err
		}
		if blank(c.Matter) {
			return invalidf("a dispute must say what it is about")
		}
	case ResolveDispute:
		if err := readable("the outcome", c.Outcome); err != nil {
			return err
		}
		if blank(c.Outcome) {
			return invalidf("resolving dispute %s needs the outcome agreed", c.Dispute)
		}
	case WithdrawDispute:
		return readable("the reason", c.Reason)
	}
	return nil
}

// proposalInput holds a proposal to a title that says something, readably, and the
// role it would assign to a person named by id.
func proposalInput(c TableProposal) error {
	if err := readable("the title", c.Title); err != nil {
		return err
	}
	if blank(c.Title) {
		return invalidf("proposal %s needs a title", c.Proposal)
	}
	if r := c.Role; r != nil {
		return personInput(r.Role, r.Person)
	}
	return nil
}

// personInput holds the person a point of contact's role names to a person's id.
func personInput(role, person string) error {
	if role == RolePointOfContact && person != "" {
		return ValidSlug("person", person)
	}
	return nil
}

// partnerInput holds a partner's details: names that are readable and say something, a
// point of contact that is a person's id, and each representative named once.
func partnerInput(p PartnerSpec) error {
	if err := readable("the name of partner "+p.ID, p.Name); err != nil {
		return err
	}
	for _, r := range p.Representatives {
		if err := readable("the name of representative "+r.ID, r.Name); err != nil {
			return err
		}
	}
	if p.Name != "" && blank(p.Name) {
		return invalidf("partner %s needs a name", p.ID)
	}
	if p.PointOfContact != "" {
		if err := ValidSlug("point of contact", p.PointOfContact); err != nil {
			return err
		}
	}
	for i, r := range p.Representatives {
		if slices.ContainsFunc(p.Representatives[:i], func(o Representative) bool { return o.ID == r.ID }) {
			return invalidf("partner %s names representative %s twice", p.ID, r.ID)
		}
	}
	return nil
}

// declares refuses an interest declared by a partner that is not a member at at; one
// the consortium does not know at all is left to decide to name.
func declares(s *State, partner string, at time.Time) error {
	if s == nil {
		return nil
	}
	if p, ok := s.Partners[partner]; ok && !p.Member(at) {
		return forbiddenf("%s is not a member of consortium %s (it is %s): only members declare interests", p.Name, s.ID, p.StatusAt(at))
	}
	return nil
}

// reviewAfter refuses a review date before the day a decision is taken on (dates in
// the form 2006-01-02 sort as they fall).
func reviewAfter(review Date, at time.Time) error {
	if day := at.UTC().Format(time.DateOnly); review != "" && string(review) < day {
		return invalidf("the review date %s is before the decision, taken on %s", review, day)
	}
	return nil
}

// The record keeps a command's free text (a title, a name, a reason) as it was written,
// and must read the same to every partner and auditor who looks at it. So it holds no
// control characters but line breaks (LF or CRLF) and tabs, and none of the characters
// that make text show in another order than it is stored (U+202E and its kin), with
// which a title could read one way on screen and another in the record. readable
// refuses text the record does not keep; what names it for the error.
func readable(what, s string) error {
	for i, r := range s {
		if r == '\n' || r == '\t' || r == '\r' && strings.HasPrefix(s[i+1:], "\n") {
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) {
			return invalidf("%s holds the character %U, which the record does not keep: write it without", what, r)
		}
	}
	return nil
}

// blank reports whether text says nothing: empty, or spaces only.
func blank(s string) bool { return strings.TrimSpace(s) == "" }
