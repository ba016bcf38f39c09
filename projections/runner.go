package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/govledger/govledger/events"
	"github.com/nats-io/nats.go/jetstream"
)

// CheckpointBucket is the JetStream object store that holds the read models' checkpoint.
// It is an object store rather than a key-value bucket because a large ledger's read
// models exceed the size of one message; the store chunks them.
const CheckpointBucket = "govledger-projections"

const checkpointName = "checkpoint"

// Runner follows the whole log, applies every event to the read models, and saves a
// checkpoint from time to time so that a restart catches up from there.
type Runner struct {
	log   *events.Log
	every int           // events between checkpoints
	idle  time.Duration // a quiet log is checkpointed after this long

	mu      sync.RWMutex
	changed *sync.Cond // broadcast whenever seq moves
	models  *Models
	seq     uint64 // the last sequence applied
	err     error  // why following stopped, if it did
	saved   uint64 // the sequence of the last checkpoint
}

// NewRunner returns a runner over log with empty read models.
func NewRunner(log *events.Log) *Runner {
	r := &Runner{log: log, every: 10_000, idle: 5 * time.Second, models: NewModels()}
	r.changed = sync.NewCond(r.mu.RLocker())
	return r
}

// checkpoint is what is saved: the read models and the sequence they reflect.
type checkpoint struct {
	Seq    uint64  `json:"seq"`
	Models *Models `json:"models"`
}

// Run restores the last checkpoint, if there is one, catches up from it, and follows
// the log until ctx is done.
func (r *Runner) Run(ctx context.Context) error {
	store, err := r.store(ctx)
	if err != nil {
		return r.stop(err)
	}
	if err := r.restore(ctx, store); err != nil {
		return r.stop(err)
	}
	followCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	go r.saveWhenIdle(followCtx, store)
	err = r.log.Follow(followCtx, r.Seq()+1, func(e events.Envelope) error {
		r.apply(e)
		if r.seq-r.savedSeq() >= uint64(r.every) {
			return r.save(ctx, store)
		}
		return nil
	})
	if ctx.Err() != nil {
		// Stopping is not a failure; keep what has been caught up for the next start.
		saveCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return r.save(saveCtx, store)
	}
	return r.stop(err)
}

// Rebuild replays the whole log into fresh read models: the same result as following
// it from the start, with no checkpoint involved.
func (r *Runner) Rebuild(ctx context.Context) error {
	r.mu.Lock()
	r.models, r.seq, r.err = NewModels(), 0, nil
	r.mu.Unlock()
	return r.log.Replay(ctx, 1, func(e events.Envelope) error {
		r.apply(e)
		return nil
	})
}

func (r *Runner) apply(e events.Envelope) {
	r.mu.Lock()
	r.models.Apply(e)
	r.seq = e.Seq
	r.mu.Unlock()
	r.changed.Broadcast()
}

func (r *Runner) stop(err error) error {
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
	r.changed.Broadcast()
	return err
}

// Seq is the sequence of the last event the read models reflect.
func (r *Runner) Seq() uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.seq
}

func (r *Runner) savedSeq() uint64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.saved
}

// WaitFor blocks until the read models reflect sequence seq, so that a caller reads
// its own writes.
func (r *Runner) WaitFor(ctx context.Context, seq uint64) error {
	stop := context.AfterFunc(ctx, func() {
		r.mu.RLock()
		r.changed.Broadcast()
		r.mu.RUnlock()
	})
	defer stop()
	r.mu.RLock()
	defer r.mu.RUnlock()
	for r.seq < seq {
		if r.err != nil {
			return fmt.Errorf("read models stopped at sequence %d: %w", r.seq, r.err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("read models are at sequence %d, not yet %d: %w", r.seq, seq, ctx.Err())
		}
		r.changed.Wait()
	}
	return nil
}

// View calls fn with the read models, which must not be changed or kept after fn returns.
func (r *Runner) View(fn func(m *Models, seq uint64)) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	fn(r.models, r.seq)
}

func (r *Runner) store(ctx context.Context) (jetstream.ObjectStore, error) {
	js := r.log.JetStream()
	store, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      CheckpointBucket,
		Description: "govledger read-model checkpoints; safe to delete, they are rebuilt from the log",
		Storage:     jetstream.FileStorage,
	})
	if err != nil {
		return nil, fmt.Errorf("checkpoint store %s: %w", CheckpointBucket, err)
	}
	return store, nil
}

func (r *Runner) restore(ctx context.Context, store jetstream.ObjectStore) error {
	data, err := store.GetBytes(ctx, checkpointName)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read checkpoint: %w", err)
	}
	cp := checkpoint{Models: NewModels()}
	if err := json.Unmarshal(data, &cp); err != nil {
		// A checkpoint is only a shortcut: if it cannot be read, start from the beginning.
		return nil
	}
	r.mu.Lock()
	r.models, r.seq, r.saved = cp.Models, cp.Seq, cp.Seq
	r.mu.Unlock()
	return nil
}

func (r *Runner) save(ctx context.Context, store jetstream.ObjectStore) error {
	r.mu.RLock()
	seq := r.seq
	data, err := json.Marshal(checkpoint{Seq: seq, Models: r.models})
	r.mu.RUnlock()
	if err != nil {
		return fmt.Errorf("encode checkpoint: %w", err)
	}
	if _, err := store.PutBytes(ctx, checkpointName, data); err != nil {
		return fmt.Errorf("save checkpoint at sequence %d: %w", seq, err)
	}
	r.mu.Lock()
	r.saved = seq
	r.mu.Unlock()
	return nil
}

// saveWhenIdle checkpoints a log that has gone quiet with events not yet saved.
func (r *Runner) saveWhenIdle(ctx context.Context, store jetstream.ObjectStore) {
	t := time.NewTicker(r.idle)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if r.Seq() > r.savedSeq() {
				_ = r.save(ctx, store)
			}
		}
	}
}
