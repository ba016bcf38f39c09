package projections_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/projections"
)

var day0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func at(days int) time.Time { return day0.AddDate(0, 0, days) }

// story decides commands by the rules and feeds the events, as the log would hand them
// over, to read models: the read models' side of the ledger, without a server.
type story struct {
	t      *testing.T
	id     string
	state  *g.State
	models *projections.Models
	log    []events.Envelope
}

func newStory(t *testing.T, id string) *story {
	return &story{t: t, id: id, models: projections.NewModels()}
}

func (s *story) do(c g.Command) {
	s.t.Helper()
	evs, err := g.Decide(s.state, c)
	if err != nil {
		s.t.Fatalf("%s refused: %v", c.CommandName(), err)
	}
	for _, e := range evs {
		s.state = g.Apply(s.state, e)
		payload, err := json.Marshal(e.Payload)
		if err != nil {
			s.t.Fatal(err)
		}
		env := events.Envelope{ID: fmt.Sprintf("01JQ%022d", len(s.log)+1), Type: e.Type(), Consortium: s.id, Seq: uint64(len(s.log) + 1),
			OccurredAt: e.OccurredAt, Actor: events.Actor{Person: "secretary"}, Payload: payload}
		s.models.Apply(env)
		s.log = append(s.log, env)
	}
}

func partner(id, tier string) g.PartnerSpec {
	return g.PartnerSpec{ID: id, Name: "Partner " + id, Sector: "vcse", Tier: tier, PointOfContact: "contact-" + id}
}

// terms are a collaborative's terms: decisions by majority, 30 days' notice.
func terms(partners ...string) g.Terms {
	half := g.Fraction{Num: 1, Den: 2}
	t := g.Terms{
		Roles: g.Roles{LeadPartner: partners[0], Chair: partners[0], Secretary: partners[1]},
		DecisionRules: map[string]g.Rule{
			"ordinary": {Method: "majority", Quorum: half}, "admission": {Method: "majority", Quorum: half},
			"expulsion": {Method: "majority", Quorum: half}, "amend-terms": {Method: "majority", Quorum: half},
			"dissolution": {Method: "majority", Quorum: half},
		},
		RiskShares: map[string]g.Share{}, SurplusShares: map[string]g.Share{},
		Termination:   g.Termination{NoticeDays: 30},
		DisputeLadder: []g.Stage{{Name: "negotiation", Days: 10}},
	}
	for i, p := range partners {
		share := g.Share(10000 / len(partners))
		if i == 0 {
			share += g.Share(10000 % len(partners))
		}
		t.RiskShares[p], t.SurplusShares[p] = share, share
	}
	return t
}

// ids are the ids of members.
func ids(ms []projections.Member) []string {
	out := []string{}
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

// equal compares as JSON, the form the answers are given in.
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}

// answers is everything the models say about every consortium as of each time, as
// JSON: models that give the same answers give the same string.
func answers(t *testing.T, m *projections.Models, times ...time.Time) string {
	t.Helper()
	var out []any
	add := func(v any, err error) {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	out = append(out, m.Faults())
	for _, s := range m.Consortia(day0) {
		add(m.Terms(s.ID))
		add(m.Decisions(s.ID))
		add(m.Admissions(s.ID))
		for _, tm := range times {
			add(m.Consortium(s.ID, tm))
			add(m.Membership(s.ID, tm))
			add(m.Partners(s.ID, tm))
			add(m.Disputes(s.ID, tm))
			add(m.Terminations(s.ID, tm))
		}
	}
	data, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
