package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

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
	Checkpoint string `json:"checkpoint"`
	// Statement is the ledger's signed word on what the bundle proves (a signed note):
	// which decision of which consortium, by which events, all of them. Without it, a
	// partner could leave out the votes it would rather a funder did not see, or pass
	// off one decision's events as another's.
	Statement string        `json:"statement"`
	Events    []ProvenEvent `json:"events"`
}

// Decision names what a proof bundle proves: one decision of one consortium.
type Decision struct {
	Consortium string
	Proposal   string
}

// ProofReport is what a proof bundle proves, once VerifyProof has checked it.
type ProofReport struct {
	Checkpoint Checkpoint
	Decision   Decision
	Events     []events.Envelope // every event behind the decision, in the log's order
}

// proven is the body of a proof's statement.
type proven struct {
	Decision
	Seqs     []uint64
	TreeSize int64
}

func (p proven) body() string {
	seqs := make([]string, len(p.Seqs))
	for i, seq := range p.Seqs {
		seqs[i] = strconv.FormatUint(seq, 10)
	}
	return fmt.Sprintf("govledger proof\ndecision %s of consortium %s\nevents %s\ncheckpoint %d\n",
		p.Proposal, p.Consortium, strings.Join(seqs, " "), p.TreeSize)
}

// openProven checks a proof statement's signature and reads it.
func openProven(text, verifierKey string) (proven, error) {
	n, err := openNote(text, verifierKey)
	if err != nil {
		return proven{}, err
	}
	var p proven
	var seqs string
	lines := strings.Split(n.Text, "\n")
	if len(lines) == 5 && lines[0] == "govledger proof" {
		fmt.Sscanf(lines[1], "decision %s of consortium %s", &p.Proposal, &p.Consortium)
		seqs, _ = strings.CutPrefix(lines[2], "events ")
		fmt.Sscanf(lines[3], "checkpoint %d", &p.TreeSize)
	}
	for _, f := range strings.Fields(seqs) {
		seq, err := strconv.ParseUint(f, 10, 64)
		if err != nil {
			break
		}
		p.Seqs = append(p.Seqs, seq)
	}
	if p.body() != n.Text || len(p.Seqs) == 0 {
		return proven{}, fmt.Errorf("the statement does not read: %q", n.Text)
	}
	return p, nil
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

// Prove writes an inclusion proof bundle for evs, every event behind decision d as
// read from the log, under a checkpoint of the tree at its current size, with a
// statement of what it proves, both signed with signer. Every event must be the tree's
// leaf at sequence-1, byte for byte, and of d's consortium.
func Prove(t *Tree, signer note.Signer, d Decision, evs []events.Envelope) ([]byte, error) {
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
	what := proven{Decision: d, TreeSize: c.Size}
	for _, e := range evs {
		if e.Consortium != d.Consortium {
			return nil, fmt.Errorf("prove decision %s of consortium %s: the event at sequence %d is of consortium %s", d.Proposal, d.Consortium, e.Seq, e.Consortium)
		}
		pe, err := t.proveEvent(e, c.Size)
		if err != nil {
			return nil, fmt.Errorf("prove: %w", err)
		}
		p.Events = append(p.Events, pe)
		what.Seqs = append(what.Seqs, e.Seq)
	}
	statement, err := note.Sign(&note.Note{Text: what.body()}, signer)
	if err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	p.Statement = string(statement)
	bundle, err := p.encode()
	if err != nil {
		return nil, fmt.Errorf("prove: %w", err)
	}
	return bundle, nil
}

// encode writes the bundle as Prove does: one line of JSON.
func (p Proof) encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// Neither HTML escaping nor indenting: both would rewrite the stored bytes.
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
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

// VerifyProof checks an inclusion proof bundle offline, with verifierKey: that it is
// written exactly as Prove writes it; the signatures of the checkpoint and of the
// statement; that the bundle holds exactly the events the statement names, of its
// consortium; and that every event decodes and is the leaf it claims to be in the tree
// the checkpoint covers.
func VerifyProof(bundle []byte, verifierKey string) (ProofReport, error) {
	var p Proof
	if !bytes.HasSuffix(bundle, []byte("\n")) {
		bundle = append(bundle[:len(bundle):len(bundle)], '\n')
	}
	if err := readExact(bundle, &p, func() ([]byte, error) { return p.encode() }); err != nil {
		return ProofReport{}, fmt.Errorf("%w: not a proof bundle: %w", ErrBadProof, err)
	}
	c, err := OpenCheckpoint([]byte(p.Checkpoint), verifierKey)
	if err != nil {
		return ProofReport{}, fmt.Errorf("%w: %w", ErrBadProof, err)
	}
	what, err := openProven(p.Statement, verifierKey)
	if err != nil {
		return ProofReport{}, fmt.Errorf("%w: the ledger's signed statement of what it proves does not verify: %w", ErrBadProof, err)
	}
	if what.TreeSize != c.Size {
		return ProofReport{}, fmt.Errorf("%w: the statement is for a checkpoint of %d events, the bundle's is of %d", ErrBadProof, what.TreeSize, c.Size)
	}
	held := make([]uint64, len(p.Events))
	for i, pe := range p.Events {
		held[i] = pe.Seq
	}
	if !slices.Equal(held, what.Seqs) {
		return ProofReport{}, fmt.Errorf("%w: the bundle holds the events at sequences %v, but the ledger signed it for decision %s of consortium %s by those at %v",
			ErrBadProof, held, what.Proposal, what.Consortium, what.Seqs)
	}
	r := ProofReport{Checkpoint: c, Decision: what.Decision}
	for _, pe := range p.Events {
		e, err := checkInclusion(c, pe.Seq, pe.Leaf, pe.Event, pe.Proof)
		if err != nil {
			return ProofReport{}, fmt.Errorf("%w: %w", ErrBadProof, err)
		}
		if e.Consortium != what.Consortium {
			return ProofReport{}, fmt.Errorf("%w: the event at sequence %d is of consortium %s, not %s", ErrBadProof, e.Seq, e.Consortium, what.Consortium)
		}
		r.Events = append(r.Events, e)
	}
	return r, nil
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
