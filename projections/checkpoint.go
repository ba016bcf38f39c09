package projections

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"
	"time"

	"github.com/govledger/govledger/events"
	"github.com/nats-io/nats.go/jetstream"
)

// CheckpointBucket is the JetStream object store that holds the read models'
// checkpoint: an object per consortium and a manifest. The package doc says why it is
// an object store rather than a key-value bucket.
const CheckpointBucket = "govledger-projections"

// checkpointVersion changes whenever what the models keep, or how, changes: a
// checkpoint of another version is not used, and the models are rebuilt from the log.
const checkpointVersion = 4

const manifestName = "manifest"

func objectName(consortium string) string { return "consortia/" + consortium }

// manifest says what a checkpoint holds. Each consortium's models are saved after the
// manifest's Seq was read and before the manifest is written, so each reflects at
// least all of its events up to Seq, perhaps more: catching up from Seq, a consortium
// skips the events it already reflects.
type manifest struct {
	Version int `json:"version"`
	// Mark is the last event the checkpoint reflects; its hash must match the log's.
	Mark mark `json:"mark"`
	// Consortia are the consortia saved, each with the Seq of its saved models.
	Consortia map[string]uint64 `json:"consortia"`
	Faults    []Fault           `json:"faults,omitempty"`
}

// openCheckpoints opens (creating if need be) the checkpoint store, replicated as the
// log's stream is, so that losing a node loses no checkpoint either.
func openCheckpoints(ctx context.Context, log *events.Log) (jetstream.ObjectStore, error) {
	js := log.JetStream()
	replicas := 1
	if s, err := js.Stream(ctx, events.StreamName); err == nil {
		replicas = s.CachedInfo().Config.Replicas
	}
	store, err := js.CreateOrUpdateObjectStore(ctx, jetstream.ObjectStoreConfig{
		Bucket:      CheckpointBucket,
		Description: "govledger read-model checkpoints; safe to delete: the read models are rebuilt from the log",
		Storage:     jetstream.FileStorage,
		Replicas:    replicas,
	})
	if err != nil {
		return nil, fmt.Errorf("checkpoint store %s: %w", CheckpointBucket, err)
	}
	return store, nil
}

// restore puts the checkpoint's models in place if it is ahead of the runner's. A
// checkpoint that cannot be used (another version, another log, a missing or
// unreadable part) is noted in the status and the models are built from the log.
func (r *Runner) restore(ctx context.Context, store jetstream.ObjectStore) error {
	data, err := store.GetBytes(ctx, manifestName)
	if errors.Is(err, jetstream.ErrObjectNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read checkpoint: %w", err)
	}
	m, mf, why, err := r.load(ctx, store, data)
	if err != nil {
		return err
	}
	if why != "" {
		r.mu.Lock()
		r.status.Discarded = why
		r.mu.Unlock()
		return nil
	}
	if mf.Mark.Seq <= r.Seq() {
		return nil // the runner has these events already (after Rebuild)
	}
	r.saving.Lock()
	r.saved = mf.Consortia
	r.saving.Unlock()
	r.mu.Lock()
	r.models, r.at = m, position{seq: mf.Mark.Seq, mark: mf.Mark}
	r.status.Checkpoint, r.status.RestoredFrom, r.status.Discarded = mf.Mark.Seq, mf.Mark.Seq, ""
	r.mu.Unlock()
	r.changed.Broadcast()
	return nil
}

// load reads a checkpoint's models; why says why they cannot be used, if they cannot.
func (r *Runner) load(ctx context.Context, store jetstream.ObjectStore, data []byte) (*Models, manifest, string, error) {
	var mf manifest
	if err := json.Unmarshal(data, &mf); err != nil {
		return nil, mf, "its manifest does not decode: " + err.Error(), nil
	}
	if mf.Version != checkpointVersion {
		return nil, mf, fmt.Sprintf("it is of version %d, not %d", mf.Version, checkpointVersion), nil
	}
	if mf.Mark.Seq > 0 {
		e, err := r.log.Get(ctx, mf.Mark.Seq)
		if errors.Is(err, events.ErrNotFound) || err == nil && e.Hash != mf.Mark.Hash {
			return nil, mf, fmt.Sprintf("it was saved from another log (its event at sequence %d is not this log's)", mf.Mark.Seq), nil
		}
		if err != nil {
			return nil, mf, "", err
		}
	}
	m := NewModels()
	m.faults = mf.Faults
	// A few at a time: each is a round trip or two.
	var (
		mu   sync.Mutex
		why  string
		fail error
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 8)
	)
	for id, seq := range mf.Consortia {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			data, err := store.GetBytes(ctx, objectName(id))
			var c *consortium
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.Is(err, jetstream.ErrObjectNotFound):
				why = "the models of consortium " + id + " are missing"
			case err != nil:
				fail = fmt.Errorf("read checkpoint of consortium %s: %w", id, err)
			case decodeConsortium(data, &c) != nil:
				why = "the models of consortium " + id + " do not decode"
			case c.Seq < seq:
				why = fmt.Sprintf("the models of consortium %s are older than its manifest says", id)
			default:
				m.consortia[id] = c
			}
		}()
	}
	wg.Wait()
	return m, mf, why, fail
}

// save writes a checkpoint: the models of every consortium changed since the last one,
// then the manifest. Only the changed consortia are encoded, so a checkpoint costs what
// changed, not the size of the ledger.
func (r *Runner) save(ctx context.Context, store jetstream.ObjectStore) error {
	r.saving.Lock()
	defer r.saving.Unlock()
	r.mu.RLock()
	mk := r.at.marked()
	changed := map[string]*consortium{}
	for id, c := range r.models.consortia {
		if c.Seq > r.saved[id] {
			changed[id] = c
		}
	}
	faults := r.models.Faults()
	already := r.status.Checkpoint == mk.Seq && len(changed) == 0
	r.mu.RUnlock()
	if already {
		return nil
	}
	saved := maps.Clone(r.saved)
	if saved == nil {
		saved = map[string]uint64{}
	}
	for id, c := range changed {
		// Read under the lock, one consortium at a time, so that following goes on.
		r.mu.RLock()
		data, err := encodeConsortium(c)
		seq := c.Seq
		r.mu.RUnlock()
		if err == nil {
			_, err = store.PutBytes(ctx, objectName(id), data)
		}
		if err != nil {
			return r.checkpointFailed(fmt.Errorf("save checkpoint of consortium %s: %w", id, err))
		}
		saved[id] = seq
	}
	data, err := json.Marshal(manifest{Version: checkpointVersion, Mark: mk, Consortia: saved, Faults: faults})
	if err == nil {
		_, err = store.PutBytes(ctx, manifestName, data)
	}
	if err != nil {
		return r.checkpointFailed(fmt.Errorf("save checkpoint at sequence %d: %w", mk.Seq, err))
	}
	r.saved = saved
	r.mu.Lock()
	r.status.Checkpoint, r.status.CheckpointError = mk.Seq, ""
	r.mu.Unlock()
	return nil
}

func (r *Runner) checkpointFailed(err error) error {
	r.mu.Lock()
	r.status.CheckpointError = err.Error()
	r.mu.Unlock()
	return err
}

// checkpointWhileRunning saves a checkpoint once the log has been quiet for r.idle,
// and at least every r.every while it is busy.
func (r *Runner) checkpointWhileRunning(ctx context.Context, store jetstream.ObjectStore) {
	t := time.NewTicker(r.idle)
	defer t.Stop()
	last, lastSave := r.Seq(), time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st := r.Status()
		quiet := st.Seq == last
		last = st.Seq
		if st.Seq > st.Checkpoint && (quiet || time.Since(lastSave) >= r.every) {
			// A failure is in the status; following goes on, and the next try may work.
			_ = r.save(ctx, store)
			lastSave = time.Now()
		}
	}
}

// encodeConsortium and decodeConsortium are how a consortium's models are kept in a
// checkpoint.
func encodeConsortium(c *consortium) ([]byte, error) { return json.Marshal(c) }

func decodeConsortium(data []byte, c **consortium) error {
	*c = &consortium{}
	return json.Unmarshal(data, *c)
}
