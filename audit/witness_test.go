package audit_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	"github.com/nats-io/nats.go"
	"golang.org/x/mod/sumdb/tlog"
)

// runWitness starts a witness of l and stops it when the test ends; the returned
// channel gives what Run returned.
func runWitness(t *testing.T, l ledger, k audit.Key) (*audit.Witness, <-chan error) {
	t.Helper()
	w := audit.NewWitness(l.log, k)
	c, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- w.Run(c) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("witness ended with %v", err)
		}
	})
	return w, done
}

// decide records an admission decided by ballot on synergy: proposed, three votes, and
// the outcome with its effect in one atomic append.
func decide(t *testing.T, log *events.Log) []events.Envelope {
	t.Helper()
	var decision []events.Envelope
	record := func(drafts ...events.Draft) {
		head, err := log.Head(ctx(t), "synergy")
		if err != nil {
			t.Fatal(err)
		}
		got, err := log.Append(ctx(t), "synergy", head.Seq, drafts...)
		if err != nil {
			t.Fatal(err)
		}
		decision = append(decision, got...)
	}
	draft := func(typ, payload string) events.Draft {
		return events.Draft{Type: typ, Payload: []byte(payload), Actor: events.Actor{Person: "colin-mccabe", Partner: "anchorpoint"}}
	}
	record(draft("decision.proposed", `{"proposal":"admit-council","matter":"admission","about":"stockport-council"}`))
	for _, p := range []string{"anchorpoint", "stockport-mind", "pennine-care"} {
		record(draft("decision.vote-cast", fmt.Sprintf(`{"proposal":"admit-council","partner":%q,"vote":"for"}`, p)))
	}
	record(draft("decision.carried", `{"proposal":"admit-council","result":"carried"}`),
		draft("partner.admitted", `{"proposal":"admit-council","partner":"stockport-council"}`))
	return decision
}

func TestWitnessIssuesCheckpointsThatGrowConsistently(t *testing.T) {
	l := openLedger(t, "")
	history(t, l.log, 2) // recorded before the ledger's witness starts: it catches up
	k := key(t, "govledger.example/synergy")
	w, _ := runWitness(t, l, k)
	if w.VerifierKey() != k.VerifierKey {
		t.Fatalf("verifier key %q, want %q", w.VerifierKey(), k.VerifierKey)
	}

	first, c1, err := w.Checkpoint(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if c1.Size != 6 || c1.Origin != "govledger.example/synergy" {
		t.Fatalf("first checkpoint %+v, want 6 events of govledger.example/synergy", c1)
	}
	if opened, err := audit.OpenCheckpoint(first, w.VerifierKey()); err != nil || opened != c1 {
		t.Fatalf("first checkpoint opens as %+v, %v; want %+v", opened, err, c1)
	}

	// While the witness runs: a decision on one consortium, and other consortia's
	// business appended at the same time from other goroutines.
	var wg sync.WaitGroup
	for _, c := range []string{"essex-alliance", "north-collab"} {
		wg.Go(func() {
			for i := range 20 {
				head, err := l.log.Head(context.Background(), c)
				if err == nil {
					_, err = l.log.Append(context.Background(), c, head.Seq, events.Draft{Type: "decision.vote-cast", Payload: fmt.Appendf(nil, `{"n":%d}`, i)})
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	decision := decide(t, l.log)
	wg.Wait()

	second, c2, err := w.Checkpoint(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if c2.Size != 6+40+6 || w.Size() != c2.Size {
		t.Fatalf("second checkpoint of %d events, witness holds %d; want 52", c2.Size, w.Size())
	}
	if _, err := audit.OpenCheckpoint(second, w.VerifierKey()); err != nil {
		t.Fatal(err)
	}
	// A partner holding the first checkpoint trusts the second by a consistency proof
	// from the ledger, without the log.
	proof, err := w.ProveConsistency(ctx(t), c1.Size, c2.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := tlog.CheckTree(proof, c2.Size, c2.Root, c1.Size, c1.Root); err != nil {
		t.Fatalf("the second checkpoint does not extend the first: %v", err)
	}
	if tlog.CheckTree(proof, c2.Size, c2.Root, c1.Size, tlog.RecordHash(nil)) == nil {
		t.Fatal("the consistency proof holds for a first checkpoint that was never signed")
	}
	// And one who replays the log finds the same tree and the same history.
	r, err := audit.Verify(ctx(t), l.log, audit.Options{Against: []audit.Checkpoint{c1, c2}})
	if err != nil || r.Checkpoint.Root != c2.Root {
		t.Fatalf("verify against the witness's checkpoints: root %s, %v; want %s", r.Checkpoint.Root, err, c2.Root)
	}

	bundle, err := w.Prove(ctx(t), audit.Decision{Consortium: "synergy", Proposal: "admit-council"}, decision)
	if err != nil {
		t.Fatal(err)
	}
	r2, err := audit.VerifyProof(bundle, w.VerifierKey())
	if err != nil {
		t.Fatal(err)
	}
	under, proven := r2.Checkpoint, r2.Events
	if under.Size < c2.Size || len(proven) != len(decision) || proven[4].Type != "decision.carried" || proven[4].ID != decision[4].ID {
		t.Fatalf("proof of %d events under a checkpoint of %d", len(proven), under.Size)
	}

	var export bytes.Buffer
	if err := w.Export(ctx(t), &export, "synergy"); err != nil {
		t.Fatal(err)
	}
	if got, err := audit.VerifyExport(&export, w.VerifierKey(), nil); err != nil || got.Events != 2+len(decision) {
		t.Fatalf("export of synergy: %+v, %v", got, err)
	}
}

func TestWitnessWaits(t *testing.T) {
	l := openLedger(t, "")
	history(t, l.log, 1)
	w, _ := runWitness(t, l, key(t, "govledger.example/synergy"))
	if err := w.WaitFor(ctx(t), 3); err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := w.WaitFor(short, 4); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting for an event never appended: %v", err)
	}
	if _, err := w.ProveConsistency(ctx(t), 3, 2); !errors.Is(err, events.ErrInvalid) {
		t.Errorf("a proof that 2 events extend 3: %v", err)
	}
	// A proof asked for before its events reach the tree waits for them.
	got := make(chan error, 1)
	go func() { _, err := w.ProveConsistency(ctx(t), 3, 6); got <- err }()
	history(t, l.log, 1)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

// The witness will not vouch for a record it cannot account for.
func TestWitnessStopsAtAnEventThatDoesNotDecode(t *testing.T) {
	l := openLedger(t, "")
	history(t, l.log, 1)
	m := nats.NewMsg(events.Subject("synergy", "decision.carried"))
	m.Data = []byte(`{"proposal":"admit-council","result":"carried"}`)
	if _, err := l.nc.RequestMsg(m, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	w := audit.NewWitness(l.log, key(t, "govledger.example/synergy"))
	err := w.Run(ctx(t))
	if f := mustFault(t, err); f.Seq != 4 || f.What != "the stored bytes are not an event" {
		t.Errorf("witness stopped with %v, want sequence 4 named", f)
	}
	if w.Size() != 3 {
		t.Errorf("tree of %d events, want the 3 before the fault", w.Size())
	}
	if _, _, err := w.Checkpoint(ctx(t)); !errors.Is(err, audit.ErrFault) {
		t.Errorf("checkpoint after the fault: %v", err)
	}
}
