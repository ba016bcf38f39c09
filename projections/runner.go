package projections

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/internal/ahead"
	"github.com/govledger/govledger/internal/group"
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
	changed *sync.Cond // broadcast whenever the models move on or following stops
	models  *Models
	at      position // where the models are in the log
	err     error    // why following stopped, if it did
	status  Status
}

// position is how far into the log read models are.
type position struct {
	seq  uint64 // the last message taken, an event or an unreadable message passed over
	mark mark   // the last event applied; its Hash is set only once asked for (marked)
	raw  []byte // the stored bytes of that event, to hash when asked, if its Hash is not set
}

// marked is the last event applied, with its hash. The log is read without hashes (the
// models never look at them), so the hash is taken here, of the one event a
// checkpoint needs.
func (at position) marked() mark {
	m := at.mark
	if m.Hash == "" && at.raw != nil {
		m.Hash = events.Hash(at.raw)
	}
	return m
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
// and follows the log until ctx is done, when it saves a checkpoint and returns nil, or
// until reading the log fails, when it returns why (WaitFor then returns it too). A
// message on gov.> that is not an event is noted as a fault and passed over.
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
	// Catch up in batches, as Rebuild does, then follow event by event.
	var byConsortium group.ByConsortium
	err = r.replay(followCtx, r.Seq()+1, func(batch []message) {
		r.mu.Lock()
		r.at.take(r.models, batch, &byConsortium)
		r.mu.Unlock()
		r.changed.Broadcast()
	})
	if err == nil {
		err = r.feed(followCtx, true, r.Seq()+1, func(msg message) error {
			r.mu.Lock()
			r.at.take(r.models, []message{msg}, &byConsortium)
			r.mu.Unlock()
			r.changed.Broadcast()
			return nil
		})
	}
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
	var at position
	var byConsortium group.ByConsortium
	err := r.replay(ctx, 1, func(batch []message) {
		at.take(m, batch, &byConsortium)
	})
	if err != nil {
		return err
	}
	r.saving.Lock()
	r.saved = nil // the checkpoint's consortia are not these models'
	r.saving.Unlock()
	r.mu.Lock()
	r.models, r.at, r.err = m, at, nil
	r.status.RestoredFrom, r.status.Discarded = 0, ""
	r.mu.Unlock()
	r.changed.Broadcast()
	return nil
}

// message is one message of the log as the models take it: an event, or, where
// unreadable says why, a message that is not one.
type message struct {
	seq        uint64
	event      events.Envelope
	unreadable error
}

// take applies a batch of messages to m and moves past them. An unreadable message is
// noted as a fault and passed over, so that one malformed message published on gov.>
// cannot stop every read model. The events are applied consortium by consortium, each
// consortium's in order (package group): the models of one consortium depend on its
// events alone, and its state then stays in the processor's caches for all its events
// of the batch.
func (at *position) take(m *Models, batch []message, byConsortium *group.ByConsortium) {
	last := -1 // the last event of the batch
	for i, msg := range batch {
		if msg.unreadable != nil {
			m.fault(msg.seq, "unreadable: %v", msg.unreadable)
			continue
		}
		byConsortium.Add(msg.event.Consortium, i)
		last = i
	}
	byConsortium.Each(func(places []int) {
		for _, i := range places {
			m.Apply(batch[i].event)
		}
	})
	if last >= 0 {
		at.mark, at.raw = mark{Seq: batch[last].seq}, batch[last].event.Raw
	}
	if len(batch) > 0 {
		at.seq = batch[len(batch)-1].seq
	}
}

// replayBatch is how many messages replay hands over at a time: enough that each
// consortium of a large ledger has several events in a batch (position.take), few enough
// that readers see progress while catching up (a batch takes milliseconds).
const replayBatch = 1 << 13

// replay hands take, in order and in batches, every message from sequence from to the
// end of the log. The log is read a batch ahead of take (package ahead), so that
// decoding the payloads and applying them goes on alongside reading and decoding the
// log: on two cores this is most of the difference between rebuilding the models and
// merely reading the log.
func (r *Runner) replay(ctx context.Context, from uint64, take func([]message)) error {
	return ahead.Run(ctx, replayBatch, func(ctx context.Context, emit func(message) error) error {
		return r.feed(ctx, false, from, emit)
	}, func(batch []message) error {
		take(batch)
		return nil
	})
}

// feed hands take every message from sequence from, in order: up to the end of the log
// (follow false), or on as new events are appended until ctx is done.
func (r *Runner) feed(ctx context.Context, follow bool, from uint64, take func(message) error) error {
	next := from
	for {
		read := func(e events.Envelope) error {
			next = e.Seq + 1
			return take(message{seq: e.Seq, event: e})
		}
		var err error
		if follow {
			err = r.log.Follow(ctx, next, read, events.WithoutHash(), events.WithoutPayloadCheck())
		} else {
			err = r.log.Replay(ctx, next, read, events.WithoutHash(), events.WithoutPayloadCheck())
		}
		if !errors.Is(err, events.ErrInvalid) {
			return err
		}
		// Make sure it is the next message that is unreadable, not something else.
		if _, gerr := r.log.Get(ctx, next); !errors.Is(gerr, events.ErrInvalid) {
			return err
		}
		if err := take(message{seq: next, unreadable: err}); err != nil {
			return err
		}
		next++
	}
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
	return r.at.seq
}

// Status is where the runner stands.
func (r *Runner) Status() Status {
	r.mu.RLock()
	defer r.mu.RUnlock()
	s := r.status
	s.Seq = r.at.seq
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
	for r.at.seq < seq {
		if r.err != nil {
			return fmt.Errorf("read models stopped at sequence %d: %w", r.at.seq, r.err)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("read models are at sequence %d, not yet %d: %w", r.at.seq, seq, ctx.Err())
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
	fn(r.models, r.at.seq)
}
