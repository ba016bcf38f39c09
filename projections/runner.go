package projections

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govledger/govledger/events"
)

// Runner follows the whole log, applies every event to the read models, and saves a
// checkpoint from time to time so that a restart catches up from there.
type Runner struct {
	log   *events.Log
	every time.Duration // the longest a busy log goes without a checkpoint
	idle  time.Duration // a log quiet for this long is checkpointed

	// busy is held by Run and Rebuild, which each replace or feed the models.
	busy atomic.Bool
	// saving serialises checkpoints and guards saved.
	saving sync.Mutex
	saved  map[string]uint64 // consortium → the Seq of its models in the checkpoint

	mu      sync.RWMutex
	changed *sync.Cond // broadcast whenever seq moves or following stops
	models  *Models
	seq     uint64 // the last sequence applied, or skipped as unreadable
	mark    mark   // the last event applied
	err     error  // why following stopped, if it did
	status  Status
}

// mark is an event the models reflect, by sequence and hash, so that a checkpoint can
// tell whether the log it is restored on is the log it was saved from.
type mark struct {
	Seq  uint64 `json:"seq"`
	Hash string `json:"hash"`
}

// Status is where a runner stands.
type Status struct {
	// Seq is the last stream sequence the read models reflect.
	Seq uint64 `json:"seq"`
	// Checkpoint is the sequence of the last checkpoint saved or restored (0: none).
	Checkpoint uint64 `json:"checkpoint"`
	// RestoredFrom is the checkpoint the last Run started from (0: the beginning).
	RestoredFrom uint64 `json:"restored_from"`
	// Discarded says why a checkpoint found at start was not used, if one was not.
	Discarded string `json:"discarded,omitempty"`
	// CheckpointError is why the last attempt to save a checkpoint failed, if it did;
	// following goes on regardless, since a checkpoint is only a shortcut.
	CheckpointError string `json:"checkpoint_error,omitempty"`
}

// ErrBusy means the runner is already running or rebuilding.
var ErrBusy = errors.New("the read models are already being fed by Run or Rebuild")

// errStopped is why WaitFor gives up once Run has returned.
var errStopped = errors.New("the runner has stopped")

// NewRunner returns a runner over log with empty read models.
func NewRunner(log *events.Log) *Runner {
	r := &Runner{log: log, every: time.Minute, idle: 2 * time.Second, models: NewModels()}
	r.changed = sync.NewCond(r.mu.RLocker())
	return r
}

// Run restores the last checkpoint if it is ahead of the models, catches up from it,
// and follows the log until ctx is done; then it saves a checkpoint and returns nil. An
// event the log cannot decode is noted as a fault and passed over.
func (r *Runner) Run(ctx context.Context) error {
	if !r.busy.CompareAndSwap(false, true) {
		return ErrBusy
	}
	defer r.busy.Store(false)
	r.mu.Lock()
	r.err = nil
	r.mu.Unlock()
	store, err := openCheckpoints(ctx, r.log)
	if err != nil {
		return r.stop(err)
	}
	if err := r.restore(ctx, store); err != nil {
		return r.stop(err)
	}
	followCtx, cancel := context.WithCancel(ctx)
	saverDone := make(chan struct{})
	go func() {
		defer close(saverDone)
		r.checkpointWhileRunning(followCtx, store)
	}()
	err = r.feed(followCtx, true, r.Seq()+1, r.apply, r.passOver)
	cancel()
	<-saverDone
	if ctx.Err() == nil {
		return r.stop(err)
	}
	// Stopping is not a failure; keep what has been caught up for the next start.
	saveCtx, done := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer done()
	if err := r.save(saveCtx, store); err != nil {
		r.stop(errStopped)
		return fmt.Errorf("read models stopped at sequence %d without a checkpoint: %w", r.Seq(), err)
	}
	r.stop(errStopped)
	return nil
}

// Rebuild replays the whole log into fresh read models and puts them in place of the
// current ones, which readers go on seeing until then: the same result as following
// the log from the start, with no checkpoint involved. It cannot run alongside Run
// (ErrBusy); a Run after it carries on from where it got to.
func (r *Runner) Rebuild(ctx context.Context) error {
	if !r.busy.CompareAndSwap(false, true) {
		return ErrBusy
	}
	defer r.busy.Store(false)
	m := NewModels()
	var last mark
	var seq uint64
	err := r.feed(ctx, false, 1, func(e events.Envelope) {
		m.Apply(e)
		last, seq = mark{Seq: e.Seq, Hash: e.Hash}, e.Seq
	}, func(unreadable uint64, why error) {
		m.fault(unreadable, "unreadable: %v", why)
		seq = unreadable
	})
	if err != nil {
		return err
	}
	r.saving.Lock()
	r.saved = nil // the checkpoint's consortia are not these models'
	r.saving.Unlock()
	r.mu.Lock()
	r.models, r.seq, r.mark, r.err = m, seq, last, nil
	r.status.RestoredFrom, r.status.Discarded = 0, ""
	r.mu.Unlock()
	r.changed.Broadcast()
	return nil
}

// feed hands apply every event from sequence from: up to the end of the log (follow
// false), or on as new ones are appended until ctx is done. A message that does not
// decode goes to passOver and is passed over, so that one malformed message published
// on gov.> cannot stop every read model.
func (r *Runner) feed(ctx context.Context, follow bool, from uint64, apply func(events.Envelope), passOver func(uint64, error)) error {
	next := from
	for {
		read := func(e events.Envelope) error {
			apply(e)
			next = e.Seq + 1
			return nil
		}
		var err error
		if follow {
			err = r.log.Follow(ctx, next, read)
		} else {
			err = r.log.Replay(ctx, next, read)
		}
		if !errors.Is(err, events.ErrInvalid) {
			return err
		}
		// Make sure it is the next message that is unreadable, not something else.
		if _, gerr := r.log.Get(ctx, next); !errors.Is(gerr, events.ErrInvalid) {
			return err
		}
		passOver(next, err)
		next++
	}
}

// passOver notes an unreadable message at seq as a fault and moves past it.
func (r *Runner) passOver(seq uint64, why error) {
	r.mu.Lock()
	r.models.fault(seq, "unreadable: %v", why)
	r.seq = seq
	r.mu.Unlock()
	r.changed.Broadcast()
}

func (r *Runner) apply(e events.Envelope) {
	r.mu.Lock()
	r.models.Apply(e)
	r.seq, r.mark = e.Seq, mark{Seq: e.Seq, Hash: e.Hash}
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

// Status is where the runner stands.
func (r *Runner) Status() Status {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := r.status
	s.Seq = r.seq
	return s
}

// WaitFor blocks until the read models reflect sequence seq, so that a caller reads
// its own writes: a command's result carries the sequence of its last event.
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

// View calls fn with the read models and the sequence they reflect. fn must not change
// the models or keep them after it returns; what their methods return may be kept.
func (r *Runner) View(fn func(m *Models, seq uint64)) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	fn(r.models, r.seq)
}
