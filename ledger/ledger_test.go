package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
)

var day0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

func at(days int) time.Time { return day0.AddDate(0, 0, days) }

func open(t *testing.T, dir string) (*events.Log, *embedded.Server) {
	t.Helper()
	s := embedded.StartForTest(t, dir)
	log, err := events.Open(context.Background(), embedded.ConnectForTest(t, s), events.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return log, s
}

func terms(t *testing.T) g.Terms {
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

// history is the life of Synergy Essex, as the steering group recorded it.
func history(t *testing.T) []ledger.Command {
	cmd := func(id string, c g.Command) ledger.Command {
		return ledger.Command{ID: id, Consortium: "synergy", Actor: g.Actor{Person: "amina-okafor", Partner: "brightside-cvs"}, Do: c}
	}
	vote := func(p, partner, v string, d int) ledger.Command {
		return cmd(fmt.Sprintf("vote-%s-%s-%d", p, partner, d), g.CastVote{At: at(d), Proposal: p, Partner: partner, Vote: v})
	}
	return []ledger.Command{
		cmd("form", g.FormConsortium{At: at(0), Consortium: "synergy", Name: "Synergy Essex", Purpose: "Community support in north Essex",
			Structure: "contractual-consortium", Start: "2026-03-02", Partners: []g.PartnerSpec{
				partner("brightside-cvs", "Brightside CVS", "vcse"), partner("essex-mind", "Essex Mind", "vcse"),
				partner("colchester-nhs", "Colchester Hospital NHS Trust", "nhs-trust")}, Terms: terms(t)}),
		cmd("apply-council", g.ApplyToJoin{At: at(5), Partner: partner("essex-council", "Essex County Council", "local-authority"), Sponsor: "brightside-cvs"}),
		cmd("table-admit", g.TableProposal{At: at(6), Proposal: "admit-council", Matter: g.MatterAdmission, Title: "Admit Essex County Council", About: "essex-council"}),
		vote("admit-council", "brightside-cvs", "for", 7), vote("admit-council", "essex-mind", "against", 7),
		vote("admit-council", "essex-mind", "for", 8), vote("admit-council", "colchester-nhs", "for", 8),
		cmd("close-admit", g.CloseProposal{At: at(9), Proposal: "admit-council"}),
		cmd("table-venue", g.TableProposal{At: at(20), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Meet at the Mercury Theatre"}),
		vote("venue", "brightside-cvs", "for", 21), vote("venue", "essex-mind", "for", 21),
		vote("venue", "colchester-nhs", "against", 21), vote("venue", "essex-council", "against", 21),
		cmd("close-venue", g.CloseProposal{At: at(31), Proposal: "venue", CastingVote: "for"}),
		cmd("raise", g.RaiseDispute{At: at(40), Dispute: "late-invoices", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid late"}),
		cmd("escalate-1", g.EscalateDispute{At: at(60), Dispute: "late-invoices"}),
		cmd("escalate-2", g.EscalateDispute{At: at(90), Dispute: "late-invoices"}),
		cmd("resolve", g.ResolveDispute{At: at(100), Dispute: "late-invoices", Outcome: "Paid within 30 days"}),
		cmd("notice", g.ServeNotice{At: at(110), Partner: "colchester-nhs", Reason: "Service moves to the ICB"}),
		cmd("expel", g.RecordMeetingDecision{
			TableProposal: g.TableProposal{At: at(120), Proposal: "expel-mind", Matter: g.MatterExpulsion, Title: "Expel Essex Mind", About: "essex-mind"},
			Attendance:    []string{"brightside-cvs", "colchester-nhs", "essex-council"},
			Votes:         map[string]string{"brightside-cvs": "for", "colchester-nhs": "for", "essex-council": "for"}}),
		cmd("wind-up", g.RecordMeetingDecision{
			TableProposal: g.TableProposal{At: at(300), Proposal: "wind-up", Matter: g.MatterDissolution, Title: "Dissolve at contract end"},
			Attendance:    []string{"brightside-cvs", "essex-council"},
			Votes:         map[string]string{"brightside-cvs": "for", "essex-council": "for"}}),
	}
}

func memberIDs(ms []projections.Member) []string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.ID)
	}
	return ids
}

// TestScriptedHistory runs a partnership's life through the command path and checks
// every read model against what a person would write down.
func TestScriptedHistory(t *testing.T) {
	log, _ := open(t, "")
	l := ledger.New(log)
	ctx := context.Background()
	var last uint64
	for _, c := range history(t) {
		res, err := l.Handle(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		last = res.Seq
	}
	r := projections.NewRunner(log)
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	go r.Run(runCtx)
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.WaitFor(waitCtx, last); err != nil {
		t.Fatal(err)
	}
	r.View(func(m *projections.Models, _ uint64) {
		c := m.Consortia["synergy"]
		asOf := map[int][]string{
			1:   {"brightside-cvs", "colchester-nhs", "essex-mind"},
			9:   {"brightside-cvs", "colchester-nhs", "essex-council", "essex-mind"},
			150: {"brightside-cvs", "colchester-nhs", "essex-council"},
			201: {"brightside-cvs", "essex-council"},
		}
		for d, want := range asOf {
			got, _ := m.Membership("synergy", at(d))
			if !reflect.DeepEqual(memberIDs(got), want) {
				t.Errorf("members on day %d = %v, want %v", d, memberIDs(got), want)
			}
		}
		venue := c.State.Proposals["venue"]
		if venue.Outcome != g.OutcomeCarried {
			t.Errorf("venue = %s, want carried on the chair's casting vote", venue.Outcome)
		}
		admit := c.Decisions["admit-council"]
		if len(admit.Votes) != 4 || admit.Votes[1].Vote != "against" || admit.Votes[2].Vote != "for" {
			t.Errorf("the changed vote is not in the trail: %+v", admit.Votes)
		}
		if types := admit.Events[len(admit.Events)-1].Type; types != g.TypePartnerAdmitted {
			t.Errorf("admission trail ends with %s", types)
		}
		d := c.State.Disputes["late-invoices"]
		if d.Status != g.DisputeStatusResolved || d.Stage != 2 {
			t.Errorf("dispute = %s at stage %d", d.Status, d.Stage)
		}
		if mind := c.State.Partners["essex-mind"]; mind.Status != g.StatusExpelled {
			t.Errorf("essex mind is %s", mind.Status)
		}
		if !c.State.Dissolved {
			t.Error("not dissolved")
		}
	})
	// Every command after dissolution is refused, with the governance error.
	_, err := l.Handle(ctx, ledger.Command{Consortium: "synergy", Do: g.RaiseDispute{At: at(301), Dispute: "x", RaisedBy: "essex-council", Parties: []string{"brightside-cvs"}, Matter: "x"}})
	var ge *g.Error
	if !errors.As(err, &ge) || ge.Code != g.CodeForbidden {
		t.Fatalf("after dissolution: %v", err)
	}
	// Rebuilding from scratch gives exactly the same read models.
	rebuilt := projections.NewRunner(log)
	if err := rebuilt.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if !sameModels(t, r, rebuilt) {
		t.Fatal("rebuilt read models differ from the incremental ones")
	}
}

func sameModels(t *testing.T, a, b *projections.Runner) bool {
	var ja, jb []byte
	a.View(func(m *projections.Models, _ uint64) { ja, _ = json.Marshal(m) })
	b.View(func(m *projections.Models, _ uint64) { jb, _ = json.Marshal(m) })
	return string(ja) == string(jb)
}

// TestRetryReturnsFirstResult: the same command id twice appends once.
func TestRetryReturnsFirstResult(t *testing.T) {
	log, _ := open(t, "")
	l := ledger.New(log)
	ctx := context.Background()
	h := history(t)
	first, err := l.Handle(ctx, h[0])
	if err != nil {
		t.Fatal(err)
	}
	again, err := ledger.New(log).Handle(ctx, h[0]) // another process, same command id
	if err != nil {
		t.Fatal(err)
	}
	if !again.Repeated || again.Events[0].ID != first.Events[0].ID {
		t.Fatalf("retry = %+v, want the first result", again)
	}
	if seq, _ := log.LastSeq(ctx); seq != first.Seq {
		t.Fatalf("the stream moved to %d on a retry", seq)
	}
}

// TestRestartFromCheckpoint: stop half-way, restart from the checkpoint, finish: the same
// answers as one uninterrupted run.
func TestRestartFromCheckpoint(t *testing.T) {
	dir := t.TempDir()
	log, s := open(t, dir)
	ctx := context.Background()
	h := history(t)
	l := ledger.New(log)
	for _, c := range h[:10] {
		if _, err := l.Handle(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	r := projections.NewRunner(log)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error)
	go func() { done <- r.Run(runCtx) }()
	if err := r.WaitFor(ctx, 10); err != nil {
		t.Fatal(err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("runner stopped with %v", err)
	}
	s.Shutdown()

	log, _ = open(t, dir)
	l = ledger.New(log)
	for _, c := range h[10:] {
		if _, err := l.Handle(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	resumed := projections.NewRunner(log)
	runCtx, stop = context.WithCancel(ctx)
	defer stop()
	go resumed.Run(runCtx)
	last, _ := log.LastSeq(ctx)
	if err := resumed.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
	scratch := projections.NewRunner(log)
	if err := scratch.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if !sameModels(t, resumed, scratch) {
		t.Fatal("resumed read models differ from an uninterrupted run")
	}
}

// TestConcurrentCommands: 8 writers in two processes race on one consortium; every
// command is applied once or refused by the rules, never lost or doubled.
func TestConcurrentCommands(t *testing.T) {
	log, _ := open(t, "")
	ctx := context.Background()
	h := history(t)
	a, b := ledger.New(log), ledger.New(log)
	for _, c := range h[:3] { // formed, the council applied, its admission tabled
		if _, err := a.Handle(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	results := make([]error, 8)
	cmds := []ledger.Command{
		{ID: "v1", Consortium: "synergy", Do: g.CastVote{At: at(7), Proposal: "admit-council", Partner: "brightside-cvs", Vote: "for"}},
		{ID: "v2", Consortium: "synergy", Do: g.CastVote{At: at(7), Proposal: "admit-council", Partner: "essex-mind", Vote: "for"}},
		{ID: "v3", Consortium: "synergy", Do: g.CastVote{At: at(7), Proposal: "admit-council", Partner: "colchester-nhs", Vote: "for"}},
		{ID: "v4", Consortium: "synergy", Do: g.CastVote{At: at(7), Proposal: "admit-council", Partner: "essex-mind", Vote: "against"}},
		{ID: "apply-1", Consortium: "synergy", Do: g.ApplyToJoin{At: at(7), Partner: partner("age-uk", "Age UK Essex", "vcse"), Sponsor: "essex-mind"}},
		{ID: "apply-2", Consortium: "synergy", Do: g.ApplyToJoin{At: at(7), Partner: partner("age-uk", "Age UK Essex", "vcse"), Sponsor: "brightside-cvs"}},
		{ID: "close", Consortium: "synergy", Do: g.CloseProposal{At: at(7), Proposal: "admit-council"}},
		{ID: "v5", Consortium: "synergy", Do: g.CastVote{At: at(7), Proposal: "admit-council", Partner: "colchester-nhs", Vote: "abstain"}},
	}
	for i, c := range cmds {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, results[i] = []*ledger.Ledger{a, b}[i%2].Handle(ctx, c)
		}()
	}
	wg.Wait()
	for i, err := range results {
		var ge *g.Error
		if err != nil && !errors.As(err, &ge) {
			t.Errorf("%s failed without a governance reason: %v", cmds[i].ID, err)
		}
	}
	if (results[4] == nil) == (results[5] == nil) {
		t.Errorf("two applications by Age UK: %v / %v; exactly one must succeed", results[4], results[5])
	}
	evs, err := log.Read(ctx, "synergy", 0)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, e := range evs {
		seen[e.CommandID]++
	}
	for i, c := range cmds {
		if results[i] == nil && seen[c.ID] == 0 {
			t.Errorf("%s succeeded but is not in the log", c.ID)
		}
		if results[i] != nil && seen[c.ID] != 0 {
			t.Errorf("%s was refused but is in the log", c.ID)
		}
	}
	// The log, replayed, satisfies the rules: if the admission was closed it was carried
	// only with every vote for.
	var state *g.State
	for _, e := range evs {
		ev, err := ledger.Event(e)
		if err != nil {
			t.Fatal(err)
		}
		state = g.Apply(state, ev)
	}
	if p := state.Proposals["admit-council"]; p.Outcome == g.OutcomeCarried {
		for _, id := range p.Electorate {
			if p.Votes[id].Choice != g.VoteFor {
				t.Errorf("admission carried though %s voted %q", id, p.Votes[id].Choice)
			}
		}
	}
}

// The log's list of event types and the rules' must agree, or an event would be
// refused at the edge or unreadable by the rules.
func TestEventTypesAgree(t *testing.T) {
	want := g.EventTypes()
	got := append([]string(nil), events.Types...)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("events.Types = %v\ngovernance.EventTypes() = %v", got, want)
	}
}
