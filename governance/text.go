package governance

import (
	"maps"
	"slices"
	"strings"
	"unicode"
)

// The record keeps a command's free text (a title, a name, a reason) as it was written,
// and must read the same to every partner and auditor who looks at it. So it holds no
// control characters but line breaks and tabs, and none of the characters that make
// text show in another order than it is stored (U+202E and its kin), with which a
// title could read one way on screen and another in the record.

// readable refuses text the record does not keep; what names it for the error.
func readable(what, s string) error {
	for _, r := range s {
		if r == '\n' || r == '\t' {
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

// checkText holds every piece of a command's free text to readable.
func checkText(cmd Command) error {
	var texts []struct{ what, s string }
	add := func(what, s string) { texts = append(texts, struct{ what, s string }{what, s}) }
	switch c := cmd.(type) {
	case FormConsortium:
		add("the consortium's name", c.Name)
		add("the consortium's purpose", c.Purpose)
		for _, p := range c.Partners {
			add("the name of partner "+p.ID, p.Name)
		}
	case ApplyToJoin:
		add("the name of partner "+c.Partner.ID, c.Partner.Name)
	case TableProposal:
		add("the title", c.Title)
	case RecordMeetingDecision:
		add("the title", c.Title)
		for _, id := range slices.Sorted(maps.Keys(c.Interests)) {
			add("the interest of "+id, c.Interests[id])
		}
	case DeclareInterest:
		add("the interest", c.Interest)
	case CastVote:
		add("the reason", c.Reason)
	case WithdrawProposal:
		add("the reason", c.Reason)
	case ServeNotice:
		add("the reason", c.Reason)
	case RaiseDispute:
		add("what the dispute is about", c.Matter)
	case ResolveDispute:
		add("the outcome", c.Outcome)
	case WithdrawDispute:
		add("the reason", c.Reason)
	}
	for _, t := range texts {
		if err := readable(t.what, t.s); err != nil {
			return err
		}
	}
	return nil
}
