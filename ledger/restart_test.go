package ledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
)

// TestRestartFromCheckpoint: the server and the read models stop half-way through a
// history; after a restart the models resume from their checkpoint (not from the first
// event), catch up, and give the same answers as one uninterrupted run.
func TestRestartFromCheckpoint(t *testing.T) {
	dir := t.TempDir()
	log, s := open(t, dir)
	ctx := context.Background()
	h := history(t)
	half := record(t, ledger.New(log), h[:30])

	r := projections.NewRunner(log)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- r.Run(runCtx) }()
	waitFor(t, r, half)
	stop()
	if err := <-done; err != nil {
		t.Fatalf("runner stopped with %v", err)
	}
	if st := r.Status(); st.Checkpoint != half {
		t.Fatalf("stopped with a checkpoint at %d, not at %d: %+v", st.Checkpoint, half, st)
	}
	if err := r.WaitFor(ctx, half+1); err == nil {
		t.Fatal("a stopped runner promised a sequence it will never reach")
	}
	s.Shutdown()

	log, _ = open(t, dir)
	last := record(t, ledger.New(log), h[30:])
	resumed := follow(t, log)
	waitFor(t, resumed, last)
	if st := resumed.Status(); st.RestoredFrom != half || st.Discarded != "" {
		t.Fatalf("resumed from %d, not from the checkpoint at %d: %+v", st.RestoredFrom, half, st)
	}
	scratch := projections.NewRunner(log)
	if err := scratch.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	times := []time.Time{at(0), at(9), at(100), at(150), at(210), at(300)}
	if a, b := answers(t, resumed, times...), answers(t, scratch, times...); a != b {
		t.Fatalf("resumed read models differ from an uninterrupted run:\n%s", diff(a, b))
	}
}

// record runs commands through the ledger and returns the sequence of the last event.
func record(t *testing.T, l *ledger.Ledger, cmds []ledger.Command) uint64 {
	t.Helper()
	var last uint64
	for _, c := range cmds {
		res, err := l.Handle(context.Background(), c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		last = res.Seq
	}
	return last
}
