package ledger_test

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/internal/simulate"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
)

// TestIncrementalEqualsRebuild: after every command of a random but valid history of
// two partnerships, the read models that followed the log event by event give the same
// answers as read models rebuilt from scratch; so do models restored from the
// checkpoint, and models rebuilt after the checkpoint bucket is deleted.
func TestIncrementalEqualsRebuild(t *testing.T) {
	log, _ := open(t, "")
	ctx := context.Background()
	l := ledger.New(log)
	live := projections.NewRunner(log)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- live.Run(runCtx) }()

	lives, rng, commands := everyEventType()
	seen := map[string]bool{}
	var last uint64
	for i := 0; i < commands; i++ {
		p := lives[rng.IntN(len(lives))]
		c, _ := p.Next(false)
		if c == nil {
			continue // dissolved
		}
		res, err := l.Handle(ctx, ledger.Command{Consortium: p.ID, Actor: g.Actor{Person: "secretary"}, Do: c})
		if err != nil {
			t.Fatalf("command %d (%s on %s), accepted by the rules, refused by the ledger: %v", i, c.CommandName(), p.ID, err)
		}
		for _, e := range res.Events {
			seen[e.Type] = true
		}
		last = res.Seq
		waitFor(t, live, last)
		scratch := projections.NewRunner(log)
		if err := scratch.Rebuild(ctx); err != nil {
			t.Fatal(err)
		}
		live.View(func(m *projections.Models, _ uint64) { agreesWithRules(t, m, p) })
		times := asOf(lives)
		if a, b := answers(t, live, times...), answers(t, scratch, times...); a != b {
			t.Fatalf("after command %d (%s on %s), incremental and rebuilt read models differ:\n%s", i, c.CommandName(), p.ID, diff(a, b))
		}
	}
	if !testing.Short() {
		for _, typ := range g.EventTypes() {
			if !seen[typ] {
				t.Errorf("the history never recorded %s: the property was not tried on it", typ)
			}
		}
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	want := answers(t, live, asOf(lives)...)

	restored := projections.NewRunner(log)
	runAndCompare(t, restored, last, want, asOf(lives))
	if st := restored.Status(); st.RestoredFrom != last {
		t.Errorf("restored from %d, not from the checkpoint at %d", st.RestoredFrom, last)
	}

	if err := log.JetStream().DeleteObjectStore(ctx, projections.CheckpointBucket); err != nil {
		t.Fatal(err)
	}
	rebuilt := projections.NewRunner(log)
	runAndCompare(t, rebuilt, last, want, asOf(lives))
	if st := rebuilt.Status(); st.RestoredFrom != 0 {
		t.Errorf("without a checkpoint bucket, the models were restored from %d", st.RestoredFrom)
	}
}

// runAndCompare runs r until it reflects seq, stops it, and compares its answers.
func runAndCompare(t *testing.T, r *projections.Runner, seq uint64, want string, times []time.Time) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	waitFor(t, r, seq)
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := answers(t, r, times...); got != want {
		t.Fatalf("the answers differ:\n%s", diff(got, want))
	}
}

// asOf are the times to read the partnerships at: before they began, every three weeks
// of their lives, and long after.
func asOf(lives []*simulate.Partnership) []time.Time {
	end := day0
	for _, p := range lives {
		if p.Now.After(end) {
			end = p.Now
		}
	}
	times := []time.Time{day0.Add(-time.Hour)}
	for t := day0; t.Before(end); t = t.AddDate(0, 0, 21) {
		times = append(times, t)
	}
	return append(times, end, end.AddDate(1, 0, 0))
}

// agreesWithRules checks the read models of p's consortium against the rules' own state
// of it, now: members, partners' statuses, the terms, every decision and dispute.
func agreesWithRules(t *testing.T, m *projections.Models, p *simulate.Partnership) {
	t.Helper()
	s, now := p.State, p.Now
	var want []string
	if !s.Dissolved { // membership ends with the consortium
		for _, pt := range s.Members(now) {
			want = append(want, pt.ID)
		}
	}
	members, err := m.Membership(p.ID, now)
	check(t, err)
	var got []string
	for _, mb := range members {
		got = append(got, mb.ID)
		if pt := s.Partners[mb.ID]; mb.Status != pt.StatusAt(now) || mb.Tier != pt.Tier {
			t.Fatalf("%s: member %s is %s %s; the rules say %s %s", p.ID, mb.ID, mb.Status, mb.Tier, pt.StatusAt(now), pt.Tier)
		}
	}
	equal(t, p.ID+": members now", got, want)
	partners, err := m.Partners(p.ID, now)
	check(t, err)
	if len(partners) != len(s.Partners) {
		t.Fatalf("%s: %d partners; the rules know %d", p.ID, len(partners), len(s.Partners))
	}
	for _, pt := range partners {
		r := s.Partners[pt.ID]
		if pt.Status != r.StatusAt(now) || !pt.AdmittedAt.Equal(r.AdmittedAt) || !pt.AppliedAt.Equal(r.AppliedAt) || pt.Sponsor != r.Sponsor {
			t.Fatalf("%s: partner %+v; the rules say %+v", p.ID, pt, *r)
		}
	}
	terms, err := m.Terms(p.ID)
	check(t, err)
	equal(t, p.ID+": terms", terms, s.Terms)
	decisions, err := m.Decisions(p.ID)
	check(t, err)
	if len(decisions) != len(s.Proposals) {
		t.Fatalf("%s: %d decisions; the rules know %d", p.ID, len(decisions), len(s.Proposals))
	}
	for _, d := range decisions {
		r := s.Proposals[d.ID]
		current := map[string]string{}
		for id, v := range r.Votes {
			current[id] = v.Choice
		}
		outcome := r.Outcome
		if outcome == g.OutcomeOpen {
			outcome = "open"
		}
		equal(t, p.ID+": decision "+d.ID, []any{d.Outcome, d.Electorate, d.CurrentVotes, d.Rule, d.Chair, d.ClosesAt, d.ReviewDate},
			[]any{outcome, r.Electorate, current, r.Rule, r.Chair, r.ClosesAt, r.ReviewDate})
	}
	disputes, err := m.Disputes(p.ID, now)
	check(t, err)
	for _, d := range disputes {
		r := s.Disputes[d.ID]
		if d.Status != r.Status || d.Stage != r.Stage || d.Overdue != r.Overdue(now, s) || !d.StageStartedAt.Equal(r.StageStartedAt) {
			t.Fatalf("%s: dispute %+v; the rules say %+v", p.ID, d, *r)
		}
	}
}

// everyEventType is two simulated partnerships, the random choice between them, and how
// many commands to send: a fixed seed, chosen so that 200 commands record every type of
// event (TestIncrementalEqualsRebuild checks it), the same way every run. A change to
// the simulation may need another seed; that test says so.
func everyEventType() ([]*simulate.Partnership, *rand.Rand, int) {
	const seed = 263
	lives := []*simulate.Partnership{
		simulate.New("lambeth-living-well", seed, day0, simulate.Options{DissolveAfter: 60, Eventful: true}),
		simulate.New("sheffield-carers", seed, day0, simulate.Options{DissolveAfter: 200, Eventful: true}),
	}
	commands := 200
	if testing.Short() {
		commands = 40
	}
	return lives, rand.New(rand.NewPCG(seed, seed)), commands
}
