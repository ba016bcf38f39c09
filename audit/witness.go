package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/govledger/govledger/events"
	"golang.org/x/mod/sumdb/tlog"
)

// Witness keeps the Merkle tree of the live log and signs checkpoints with the ledger's
// key. It is how the ledger vouches for its own record: partners keep the checkpoints
// it signs, and later check with Verify (Options.Against) that the log still extends
// them, or ask it to prove that it does (ProveConsistency).
type Witness struct {
	log  *events.Log
	key  Key
	tree Tree

	mu      sync.Mutex
	grown   *sync.Cond // on mu: the tree grew, or Run stopped
	stopped error      // why Run stopped, once it has
}

// NewWitness returns a witness of log that signs with key; Run builds its tree.
func NewWitness(log *events.Log, key Key) *Witness {
	w := &Witness{log: log, key: key}
	w.grown = sync.NewCond(&w.mu)
	return w
}

// Run follows the whole log from sequence 1, adding each event to the tree, until ctx ends; then it returns nil. A gap in the sequences or an event that
// does not decode stops it with a *Fault: the ledger signs nothing over a record it
// cannot account for. Run once.
func (w *Witness) Run(ctx context.Context) error {
	err := w.log.Follow(ctx, 1, func(e events.Envelope) error {
		if size := uint64(w.tree.Size()); e.Seq != size+1 {
			return missing(size, e.Seq)
		}
		h, err := eventHash(e)
		if err != nil {
			return faultAt(e, "%v", err)
		}
		w.tree.Add(h)
		w.mu.Lock()
		w.grown.Broadcast()
		w.mu.Unlock()
		return nil
	})
	if errors.Is(err, events.ErrInvalid) {
		if f := undecodable(ctx, w.log, uint64(w.tree.Size())+1, err); f != nil {
			err = f
		}
	}
	stopped := err
	if ctx.Err() != nil && !errors.Is(err, ErrFault) {
		stopped, err = fmt.Errorf("the ledger's checkpoint tree is not running: %w", ctx.Err()), nil
	}
	w.mu.Lock()
	w.stopped = stopped
	w.grown.Broadcast()
	w.mu.Unlock()
	return err
}

// WaitFor blocks until the tree holds the event at sequence seq.
func (w *Witness) WaitFor(ctx context.Context, seq uint64) error {
	stop := context.AfterFunc(ctx, func() {
		w.mu.Lock()
		w.grown.Broadcast()
		w.mu.Unlock()
	})
	defer stop()
	w.mu.Lock()
	defer w.mu.Unlock()
	for {
		size := uint64(w.tree.Size())
		switch {
		case size >= seq:
			return nil
		case w.stopped != nil:
			return fmt.Errorf("the checkpoint tree stopped at sequence %d: %w", size, w.stopped)
		case ctx.Err() != nil:
			return fmt.Errorf("the checkpoint tree holds sequence %d, not yet %d: %w", size, seq, ctx.Err())
		}
		w.grown.Wait()
	}
}

// Size is the number of events in the tree.
func (w *Witness) Size() int64 { return w.tree.Size() }

// VerifierKey is the public note verifier key partners check checkpoints, proofs and
// exports with.
func (w *Witness) VerifierKey() string { return w.key.VerifierKey }

// Checkpoint signs a checkpoint of the tree once it holds every event the log had when
// Checkpoint was called, so that a partner who has just seen an event recorded gets a
// checkpoint that covers it.
func (w *Witness) Checkpoint(ctx context.Context) ([]byte, Checkpoint, error) {
	last, err := w.log.LastSeq(ctx)
	if err != nil {
		return nil, Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	if err := w.WaitFor(ctx, last); err != nil {
		return nil, Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	c, text, err := w.tree.Checkpoint(w.key.Signer)
	if err != nil {
		return nil, Checkpoint{}, fmt.Errorf("checkpoint: %w", err)
	}
	return text, c, nil
}

// Prove writes an inclusion proof bundle for evs, the events behind decision d as read
// from the log (Prove), under a fresh checkpoint, once the tree holds them all.
func (w *Witness) Prove(ctx context.Context, d Decision, evs []events.Envelope) ([]byte, error) {
	var last uint64
	for _, e := range evs {
		last = max(last, e.Seq)
	}
	if err := w.WaitFor(ctx, last); err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	return Prove(&w.tree, w.key.Signer, d, evs)
}

// ProveConsistency proves that the tree of size events extends the tree of old events
// (tlog.ProveTree), once it holds size events: what a partner holding a checkpoint of
// old events asks for to trust a newer one without replaying the log.
func (w *Witness) ProveConsistency(ctx context.Context, old, size int64) (tlog.TreeProof, error) {
	if old < 1 || old > size {
		return nil, fmt.Errorf("prove that %d events extend %d: %w", size, old, &events.InvalidError{Field: "size", Reason: "want 1 ≤ old ≤ size"})
	}
	if err := w.WaitFor(ctx, uint64(size)); err != nil {
		return nil, fmt.Errorf("prove that %d events extend %d: %w", size, old, err)
	}
	return w.tree.ProveConsistency(old, size)
}

// Export writes one consortium's whole history (Export) under a fresh checkpoint, once
// the tree holds all of it.
func (w *Witness) Export(ctx context.Context, out io.Writer, consortium string) error {
	evs, err := readHistory(ctx, w.log, consortium)
	if err != nil {
		return err
	}
	if err := w.WaitFor(ctx, evs[len(evs)-1].Seq); err != nil {
		return fmt.Errorf("export %s: %w", consortium, err)
	}
	return writeExport(out, &w.tree, w.key.Signer, consortium, evs)
}
