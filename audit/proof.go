package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/govledger/govledger/events"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ErrBadProof means an inclusion proof bundle does not prove what it claims.
var ErrBadProof = errors.New("bad proof")

// Proof is an inclusion proof bundle: a signed checkpoint and, for each event, its
// stored bytes and the proof that they are a leaf of the tree the checkpoint covers.
// A partner can hand it to a funder, who checks it with VerifyProof and the ledger's
// verifier key alone: no network, no log.
type Proof struct {
	// Checkpoint is the signed checkpoint text (C2SP tlog-checkpoint).
	Checkpoint string        `json:"checkpoint"`
	Events     []ProvenEvent `json:"events"`
}

// ProvenEvent is one event of a Proof.
type ProvenEvent struct {
	Seq  uint64 `json:"seq"`  // the event's stream sequence: Leaf+1 in a log that verifies
	Leaf int64  `json:"leaf"` // its leaf index
	// Event is the stored bytes, verbatim: a canonical event is a compact JSON object, so
	// it is embedded as it is and stays readable. Re-encoding a bundle with
	// encoding/json's HTML escaping may change them, and the proof then fails.
	Event json.RawMessage  `json:"event"`
	Proof tlog.RecordProof `json:"proof"` // base64 hashes, tlog.ProveRecord
}

// Prove writes an inclusion proof bundle for evs (such as a decision's events, as read
// from the log) under a checkpoint of the tree at its current size, signed with signer.
// Every event must be the tree's leaf at sequence-1, byte for byte.
func Prove(t *Tree, signer note.Signer, evs []events.Envelope) ([]byte, error) {
	if len(evs) == 0 {
		return nil, errors.New("prove: no events")
	}
	// The tree only grows, so proofs for the checkpoint's size hold however much it has
	// grown by the time they are made.
	c, text, err := t.Checkpoint(signer)
	if err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	p := Proof{Checkpoint: string(text)}
	for _, e := range evs {
		pe, err := t.proveEvent(e, c.Size)
		if err != nil {
			return nil, fmt.Errorf("prove: %w", err)
		}
		p.Events = append(p.Events, pe)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Neither HTML escaping nor indenting: both would rewrite the stored bytes.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	return buf.Bytes(), nil
}

// proveEvent proves e under the tree of size leaves.
func (t *Tree) proveEvent(e events.Envelope, size int64) (ProvenEvent, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	leaf := int64(e.Seq) - 1
	h, err := t.leafHash(leaf)
	if err != nil {
		return ProvenEvent{}, fmt.Errorf("event at sequence %d: %w", e.Seq, err)
	}
	if h != leafOf(e.Raw) {
		return ProvenEvent{}, fmt.Errorf("event at sequence %d is not leaf %d of the tree", e.Seq, leaf)
	}
	proof, err := t.proveInclusion(leaf, size)
	if err != nil {
		return ProvenEvent{}, err
	}
	return ProvenEvent{Seq: e.Seq, Leaf: leaf, Event: e.Raw, Proof: proof}, nil
}

// VerifyProof checks an inclusion proof bundle offline: the checkpoint's signature with
// verifierKey, and that every event decodes and is the leaf it claims to be in the tree
// the checkpoint covers. It returns the checkpoint and the proven events.
func VerifyProof(bundle []byte, verifierKey string) (Checkpoint, []events.Envelope, error) {
	var p Proof
	if err := json.Unmarshal(bundle, &p); err != nil {
		return Checkpoint{}, nil, fmt.Errorf("%w: not a proof bundle: %w", ErrBadProof, err)
	}
	c, err := OpenCheckpoint([]byte(p.Checkpoint), verifierKey)
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("%w: %w", ErrBadProof, err)
	}
	if len(p.Events) == 0 {
		return Checkpoint{}, nil, fmt.Errorf("%w: it proves no event", ErrBadProof)
	}
	evs := make([]events.Envelope, 0, len(p.Events))
	for _, pe := range p.Events {
		e, err := checkInclusion(c, pe.Seq, pe.Leaf, pe.Event, pe.Proof)
		if err != nil {
			return Checkpoint{}, nil, fmt.Errorf("%w: %w", ErrBadProof, err)
		}
		evs = append(evs, e)
	}
	return c, evs, nil
}

// checkInclusion checks that raw, the event at seq, is leaf seq-1 of the tree c covers.
func checkInclusion(c Checkpoint, seq uint64, leaf int64, raw []byte, proof tlog.RecordProof) (events.Envelope, error) {
	if leaf < 0 || seq != uint64(leaf)+1 {
		return events.Envelope{}, fmt.Errorf("sequence %d is not at leaf %d", seq, leaf)
	}
	if leaf >= c.Size {
		return events.Envelope{}, fmt.Errorf("sequence %d is beyond the checkpoint's %d events", seq, c.Size)
	}
	e, err := events.Decode(raw, seq)
	if err != nil {
		return events.Envelope{}, err
	}
	if err := tlog.CheckRecord(proof, c.Size, c.Root, leaf, leafOf(raw)); err != nil {
		return events.Envelope{}, fmt.Errorf("sequence %d is not in the log the checkpoint covers: %w", seq, err)
	}
	return e, nil
}
