package governance_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	g "github.com/govledger/govledger/governance"
)

// day0 is a Monday.
var day0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func at(days int) time.Time { return day0.AddDate(0, 0, days) }

// equalJSON compares two values as they encode: encoding/json writes map keys in
// order, so equal values give equal bytes.
func equalJSON(a, b any) bool {
	ja, errA := json.Marshal(a)
	jb, errB := json.Marshal(b)
	return errA == nil && errB == nil && bytes.Equal(ja, jb)
}

func loadTerms(t testing.TB, file string) g.Terms {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	terms, err := g.ParseTerms(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return terms
}

func partner(id, name, sector string) g.PartnerSpec {
	return g.PartnerSpec{ID: id, Name: name, Sector: sector, Tier: g.TierFull, PointOfContact: "contact-" + id}
}

func associate(id, name, sector string) g.PartnerSpec {
	p := partner(id, name, sector)
	p.Tier = g.TierAssociate
	return p
}

// shape is one of the partnership shapes the stories follow, with its terms file.
type shape struct {
	id, name, purpose, structure, terms string
	partners                            []g.PartnerSpec
}

var (
	// A third-sector consortium run by a lead member for a council contract: majority
	// with the chair's casting vote for ordinary matters, unanimity to admit.
	synergy = shape{"synergy", "Synergy Essex", "Community support for people with long-term conditions in north Essex",
		"contractual-consortium", "synergy-terms.yaml", []g.PartnerSpec{
			partner("brightside-cvs", "Brightside CVS", "vcse"),
			partner("essex-mind", "Essex Mind", "vcse"),
			partner("colchester-nhs", "Colchester Hospital NHS Trust", "nhs-trust"),
		}}
	// A commissioning collaborative that decides by consensus at a fortnightly breakfast.
	lambeth = shape{"lambeth-living-well", "Lambeth Living Well Collaborative",
		"Radically improve outcomes for people living with long-term mental illness in Lambeth",
		"partnership", "lambeth-terms.yaml", []g.PartnerSpec{
			partner("sel-icb", "NHS South East London ICB", "icb"),
			partner("lambeth-council", "Lambeth Council", "local-authority"),
			partner("slam-nhs", "South London and Maudsley NHS Foundation Trust", "nhs-trust"),
			partner("lambeth-gp-federation", "Lambeth GP Federation", "gp-practice"),
			partner("certitude", "Certitude", "vcse"),
		}}
	// A health and wellbeing centre led by a lead provider, with a joint steering group
	// and the chair's casting vote; the timebank is an associate and does not vote.
	earlsCourt = shape{"earls-court-centre", "Earl's Court Health and Wellbeing Centre",
		"A one-stop health and wellbeing centre that treats the wider determinants of health",
		"consortium-with-steering-group", "earls-court-terms.yaml", []g.PartnerSpec{
			partner("turning-point", "Turning Point", "social-enterprise"),
			partner("clch-nhs", "Central London Community Healthcare NHS Trust", "nhs-trust"),
			partner("rbkc", "Royal Borough of Kensington and Chelsea", "local-authority"),
			partner("earls-court-surgery", "Earls Court Surgery", "gp-practice"),
			associate("earls-court-timebank", "Earl's Court Community Timebank", "community-group"),
		}}
	// An alliance contract where each provider is a signatory and every reserved matter
	// needs all of them.
	stockport = shape{"stockport-alliance", "Stockport Mental Health Alliance",
		"Community mental health support that keeps people out of secondary services",
		"alliance", "stockport-terms.yaml", []g.PartnerSpec{
			partner("pennine-care", "Pennine Care NHS Foundation Trust", "nhs-trust"),
			partner("stockport-council", "Stockport Council", "local-authority"),
			partner("stockport-mind", "Stockport Mind", "vcse"),
			partner("all-together-positive", "All Together Positive", "vcse"),
			partner("anchorpoint", "Anchorpoint", "vcse"),
		}}
	shapes = []shape{synergy, lambeth, earlsCourt, stockport}
)

func (sh shape) form(t testing.TB) g.FormConsortium {
	return g.FormConsortium{At: day0, Consortium: sh.id, Name: sh.name, Purpose: sh.purpose, Structure: sh.structure,
		Start: "2026-03-02", Partners: sh.partners, Terms: loadTerms(t, sh.terms)}
}

// story runs commands in order, checks every event they produce with Check against the
// state before it, applies it, and fails on any refusal.
type story struct {
	t     testing.TB
	state *g.State
	log   []g.Event
}

func formed(t testing.TB, sh shape) *story {
	t.Helper()
	s := &story{t: t}
	s.do(sh.form(t))
	return s
}

func formSynergy(t testing.TB) *story { return formed(t, synergy) }

// council applies to join Synergy in many stories.
var council = partner("essex-council", "Essex County Council", "local-authority")

func (s *story) do(c g.Command) []g.Event {
	s.t.Helper()
	evs, err := g.Decide(s.state, c)
	if err != nil {
		s.t.Fatalf("%s refused: %v", c.CommandName(), err)
	}
	for _, e := range evs {
		if err := g.Check(s.state, e); err != nil {
			s.t.Fatalf("%s: Check refuses the %s that Decide produced: %v", c.CommandName(), e.Type(), err)
		}
		s.state = g.Apply(s.state, e)
	}
	s.log = append(s.log, evs...)
	return evs
}

// refuse expects c to be refused with code and a message containing want, and the state unchanged.
func (s *story) refuse(c g.Command, code g.Code, want string) {
	s.t.Helper()
	before := s.state.Clone()
	evs, err := g.Decide(s.state, c)
	assertRefused(s.t, c.CommandName(), err, code, want)
	if evs != nil {
		s.t.Errorf("%s: a refusal came with events %s", c.CommandName(), types(evs))
	}
	if !equalJSON(before, s.state) {
		s.t.Fatalf("%s: a refused command changed the state", c.CommandName())
	}
}

func assertRefused(t testing.TB, what string, err error, code g.Code, want string) {
	t.Helper()
	var ge *g.Error
	if !errors.As(err, &ge) || ge.Code != code || !strings.Contains(ge.Message, want) {
		t.Fatalf("%s: err = %v, want %s containing %q", what, err, code, want)
	}
}

// ballot tables an ordinary-style proposal, records votes a day later, and returns its id.
func (s *story) ballot(tp g.TableProposal, votes map[string]string) string {
	s.t.Helper()
	s.do(tp)
	for _, id := range sortedKeys(votes) {
		s.do(g.CastVote{At: tp.At.Add(time.Hour), Proposal: tp.Proposal, Partner: id, Vote: votes[id], Reason: reasonFor(votes[id])})
	}
	return tp.Proposal
}

func reasonFor(vote string) string {
	if vote == g.VoteBlock {
		return "it leaves the peer support workers unpaid"
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

// outcomeOf returns the outcome event among evs.
func outcomeOf(t testing.TB, evs []g.Event) g.Outcome {
	t.Helper()
	for _, e := range evs {
		if o, ok := e.Payload.(g.Outcome); ok {
			return o
		}
	}
	t.Fatalf("no outcome among %s", types(evs))
	return g.Outcome{}
}

func types(evs []g.Event) string {
	var ts []string
	for _, e := range evs {
		ts = append(ts, e.Type())
	}
	return strings.Join(ts, " ")
}

func replay(s *g.State, evs []g.Event) *g.State {
	for _, e := range evs {
		s = g.Apply(s, e)
	}
	return s
}
