package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/projections"
)

var day0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC) // a Monday

func at(days int) time.Time { return day0.AddDate(0, 0, days) }

func open(t testing.TB, dir string) (*events.Log, *embedded.Server) {
	t.Helper()
	s := embedded.StartForTest(t, dir)
	log, err := events.Open(context.Background(), embedded.ConnectForTest(t, s), events.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return log, s
}

func terms(t testing.TB) g.Terms {
	data, err := os.ReadFile("../governance/testdata/synergy-terms.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tm, err := g.ParseTerms(data)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func partner(id, name, sector string) g.PartnerSpec {
	return g.PartnerSpec{ID: id, Name: name, Sector: sector, Tier: g.TierFull, PointOfContact: "contact-" + id}
}

// follow runs a runner on log until the test ends, and checks that it stopped cleanly.
func follow(t testing.TB, log *events.Log) *projections.Runner {
	t.Helper()
	r := projections.NewRunner(log)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("runner: %v", err)
		}
	})
	return r
}

// waitFor waits, a few seconds at most, until r reflects seq.
func waitFor(t testing.TB, r *projections.Runner, seq uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.WaitFor(ctx, seq); err != nil {
		t.Fatal(err)
	}
}

// answers is everything the read models say about every consortium, as of each of the
// times given, as JSON: two models that give the same answers give the same string.
func answers(t testing.TB, r *projections.Runner, times ...time.Time) string {
	t.Helper()
	type asOf struct {
		At           time.Time                     `json:"at"`
		Summary      projections.ConsortiumSummary `json:"summary"`
		Membership   []projections.Member          `json:"membership"`
		Partners     []projections.Partner         `json:"partners"`
		Disputes     []projections.DisputeView     `json:"disputes"`
		Terminations []projections.Termination     `json:"terminations"`
	}
	type consortium struct {
		Terms      g.Terms                 `json:"terms"`
		Decisions  []projections.Decision  `json:"decisions"`
		Admissions []projections.Admission `json:"admissions"`
		AsOf       []asOf                  `json:"as_of"`
	}
	all := map[string]consortium{}
	var faults []projections.Fault
	r.View(func(m *projections.Models, _ uint64) {
		faults = m.Faults()
		for _, s := range m.Consortia(day0) {
			var c consortium
			var errs [8]error
			c.Terms, errs[0] = m.Terms(s.ID)
			c.Decisions, errs[1] = m.Decisions(s.ID)
			c.Admissions, errs[2] = m.Admissions(s.ID)
			for _, tm := range times {
				a := asOf{At: tm}
				a.Summary, errs[3] = m.Consortium(s.ID, tm)
				a.Membership, errs[4] = m.Membership(s.ID, tm)
				a.Partners, errs[5] = m.Partners(s.ID, tm)
				a.Disputes, errs[6] = m.Disputes(s.ID, tm)
				a.Terminations, errs[7] = m.Terminations(s.ID, tm)
				c.AsOf = append(c.AsOf, a)
			}
			if err := errors.Join(errs[:]...); err != nil {
				t.Fatalf("read %s: %v", s.ID, err)
			}
			all[s.ID] = c
		}
	})
	data, err := json.MarshalIndent(struct {
		Consortia map[string]consortium `json:"consortia"`
		Faults    []projections.Fault   `json:"faults"`
	}{all, faults}, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}
