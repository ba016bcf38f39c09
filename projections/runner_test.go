package projections_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/internal/simulate"
	"github.com/govledger/govledger/projections"
)

// ledgerOf fills a fresh log with two partnerships' histories of n events each.
func ledgerOf(t *testing.T, n int) (*events.Log, []*simulate.Partnership) {
	t.Helper()
	s := embedded.StartForTest(t, "")
	log, err := events.Open(context.Background(), embedded.ConnectForTest(t, s), events.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return log, fill(t, log, "partnership", n)
}

func fill(t *testing.T, log *events.Log, prefix string, n int) []*simulate.Partnership {
	t.Helper()
	ps, err := simulate.Fill(context.Background(), log, simulate.Ledger{Consortia: 2, Prefix: prefix, Events: n, Seed: 5, Start: day0})
	if err != nil {
		t.Fatal(err)
	}
	return ps
}

// run runs r until it reflects the whole log, then stops it.
func run(t *testing.T, r *projections.Runner, log *events.Log) {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	last, err := log.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wait, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.WaitFor(wait, last); err != nil {
		t.Fatal(err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func rebuilt(t *testing.T, log *events.Log) *projections.Runner {
	t.Helper()
	r := projections.NewRunner(log)
	if err := r.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	return r
}

func answersOf(t *testing.T, r *projections.Runner) string {
	var s string
	r.View(func(m *projections.Models, _ uint64) {
		s = answers(t, m, day0, day0.AddDate(0, 6, 0), day0.AddDate(3, 0, 0))
	})
	return s
}

// TestUnreadableMessagePassedOver: a message on gov.> that is not a govledger event (any
// NATS client allowed to publish there can send one), or an event whose payload is not
// JSON, is noted as a fault; the read models go on with the events after it, following
// and rebuilding alike.
func TestUnreadableMessagePassedOver(t *testing.T) {
	log, _ := ledgerOf(t, 20)
	ctx := context.Background()
	junk, err := log.JetStream().Publish(ctx, "gov.partnership-0.decision.vote-cast", []byte("not an event"))
	if err != nil {
		t.Fatal(err)
	}
	// An event as the ledger writes it, but for its payload, which the read models
	// alone check (the log reads it WithoutPayloadCheck).
	e, err := log.Get(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	malformed := bytes.Replace(e.Raw, e.Payload, []byte(`{"proposal":}`), 1)
	bad, err := log.JetStream().Publish(ctx, e.Subject(), malformed)
	if err != nil {
		t.Fatal(err)
	}
	fill(t, log, "after", 20)
	r := projections.NewRunner(log)
	run(t, r, log)
	var faults []projections.Fault
	r.View(func(m *projections.Models, _ uint64) { faults = m.Faults() })
	if len(faults) != 2 || faults[0].Seq != junk.Sequence || faults[1].Seq != bad.Sequence ||
		!strings.Contains(faults[1].Reason, e.Type+" payload") {
		t.Fatalf("faults = %+v, want the message at %d and the event at %d", faults, junk.Sequence, bad.Sequence)
	}
	if a, b := answersOf(t, r), answersOf(t, rebuilt(t, log)); a != b {
		t.Fatal("following and rebuilding disagree about a log with an unreadable message")
	}
}

// TestFaultsInLogOrder: a replay applies a batch of events consortium by consortium,
// yet the faults are kept in log order, as following the log event by event keeps them:
// here a consortium's bad vote comes after an event of a consortium never formed, but
// the consortium's events are applied first.
func TestFaultsInLogOrder(t *testing.T) {
	log, _ := ledgerOf(t, 20)
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	followed := projections.NewRunner(log) // caught up, then fed the bad events one by one
	done := make(chan error, 1)
	go func() { done <- followed.Run(ctx) }()
	last, err := log.LastSeq(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if err := followed.WaitFor(ctx, last); err != nil {
		t.Fatal(err)
	}
	var seqs []uint64
	for _, bad := range []struct{ consortium, extra string }{{"never-formed", ""}, {"partnership-0", `,"extra":1`}} {
		head, err := log.Head(ctx, bad.consortium)
		if err != nil {
			t.Fatal(err)
		}
		got, err := log.Append(ctx, bad.consortium, head.Seq, events.Draft{Type: "decision.vote-cast",
			Actor: events.Actor{Person: "amina-okafor"}, Payload: []byte(`{"proposal":"p-1","partner":"x","vote":"for"` + bad.extra + `}`)})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, got[0].Seq)
	}
	if err := followed.WaitFor(ctx, seqs[1]); err != nil {
		t.Fatal(err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]*projections.Runner{"rebuilt": rebuilt(t, log), "followed": followed} {
		var faults []projections.Fault
		r.View(func(m *projections.Models, _ uint64) { faults = m.Faults() })
		if len(faults) != 2 || faults[0].Seq != seqs[0] || faults[1].Seq != seqs[1] ||
			!strings.Contains(faults[0].Reason, "has not been formed") || !strings.Contains(faults[1].Reason, "unknown field") {
			t.Errorf("%s: faults %+v, want the events at %v in that order", name, faults, seqs)
		}
	}
}

// TestCheckpointOfAnotherLogIsNotUsed: a checkpoint whose last event is not this log's
// is set aside, and the models are built from the log.
func TestCheckpointOfAnotherLogIsNotUsed(t *testing.T) {
	log, _ := ledgerOf(t, 20)
	run(t, projections.NewRunner(log), log)
	ctx := context.Background()
	store, err := log.JetStream().ObjectStore(ctx, projections.CheckpointBucket)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := store.PutString(ctx, "manifest", fmt.Sprintf(`{"version":%d,"mark":{"seq":12,"hash":"0000"},"consortia":{}}`, projections.CheckpointVersion)); err != nil {
		t.Fatal(err)
	}
	r := projections.NewRunner(log)
	run(t, r, log)
	if st := r.Status(); st.RestoredFrom != 0 || !strings.Contains(st.Discarded, "another log") {
		t.Fatalf("status = %+v", st)
	}
	if a, b := answersOf(t, r), answersOf(t, rebuilt(t, log)); a != b {
		t.Fatal("the models differ from a rebuild")
	}
}

// TestCheckpointRewritesOnlyWhatChanged: a checkpoint saves the consortia that changed
// since the last one, and the manifest; the others' saved models stay as they were.
func TestCheckpointRewritesOnlyWhatChanged(t *testing.T) {
	log, lives := ledgerOf(t, 20)
	ctx := context.Background()
	run(t, projections.NewRunner(log), log)
	store, err := log.JetStream().ObjectStore(ctx, projections.CheckpointBucket)
	if err != nil {
		t.Fatal(err)
	}
	versions := func() map[string]string {
		v := map[string]string{}
		for _, name := range []string{"manifest", "consortia/partnership-0", "consortia/partnership-1"} {
			info, err := store.GetInfo(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			v[name] = info.NUID
		}
		return v
	}
	before := versions()
	// One more event, for partnership-1 only.
	last, _ := log.LastSeq(ctx)
	_, evs := lives[1].Next(true)
	d, err := simulate.Draft(evs[0], g.Actor{Person: "secretary"})
	if err != nil {
		t.Fatal(err)
	}
	head, err := log.Head(ctx, "partnership-1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := log.Append(ctx, "partnership-1", head.Seq, d); err != nil {
		t.Fatal(err)
	}
	r := projections.NewRunner(log)
	run(t, r, log)
	if st := r.Status(); st.RestoredFrom != last || st.Checkpoint != last+1 {
		t.Fatalf("status = %+v, want restored from %d and saved at %d", st, last, last+1)
	}
	after := versions()
	if after["consortia/partnership-0"] != before["consortia/partnership-0"] {
		t.Error("partnership-0 did not change but its checkpoint was rewritten")
	}
	if after["consortia/partnership-1"] == before["consortia/partnership-1"] || after["manifest"] == before["manifest"] {
		t.Error("partnership-1 changed but its checkpoint, or the manifest, was not rewritten")
	}
}

// TestOneFeederAtATime: Run and Rebuild each replace or feed the models; a second one
// while one is going is refused.
func TestOneFeederAtATime(t *testing.T) {
	log, _ := ledgerOf(t, 5)
	r := projections.NewRunner(log)
	ctx, stop := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	waitCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := r.WaitFor(waitCtx, 10); err != nil {
		t.Fatal(err)
	}
	if err := r.Rebuild(ctx); !errors.Is(err, projections.ErrBusy) {
		t.Errorf("Rebuild while running: %v", err)
	}
	if err := r.Run(ctx); !errors.Is(err, projections.ErrBusy) {
		t.Errorf("a second Run: %v", err)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := r.Rebuild(context.Background()); err != nil {
		t.Errorf("Rebuild after Run: %v", err)
	}
}
