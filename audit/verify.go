package audit

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/internal/ahead"
	"github.com/govledger/govledger/internal/group"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Log is what Verify reads: the event log, oldest first, and one event by sequence.
type Log interface {
	LastSeq(ctx context.Context) (uint64, error)
	Replay(ctx context.Context, from uint64, fn func(events.Envelope) error, opts ...events.ReadOption) error
	Get(ctx context.Context, seq uint64) (events.Envelope, error)
}

var _ Log = (*events.Log)(nil)

// Options tune Verify.
type Options struct {
	// Consortium limits the chain checks and Check to one consortium. The tree is still
	// built over every event, because checkpoints cover the whole log.
	Consortium string
	// Against are checkpoints saved earlier (read with OpenCheckpoint): the log must
	// extend every one, so a log rewritten, truncated or re-created from scratch is
	// caught even when its own chains are consistent. The more a partner keeps, the
	// more precisely a fault names the events that changed (Fault.Within).
	Against []Checkpoint
	// Rules re-decide each checked event against its consortium's history before it,
	// and say at the end what the log left undone; an error becomes the Fault. This is
	// where the governance rules plug in: audit does not know them. Rules must refuse
	// an event whose payload does not decode: Verify of every consortium leaves that
	// check to them. Rules get each consortium's events in order, but the consortia not
	// interleaved as in the log: Verify checks a window of events consortium by
	// consortium. So, past a fault, the rules may have had events of other consortia
	// that come later in the log, though none of the faulty consortium.
	Rules Rules
	// Signer, when set, signs a checkpoint of the verified tree (Report.Signed).
	Signer note.Signer
	// Progress, when set, is called every ProgressEvery events (default 10,000) and once
	// at the end.
	Progress      func(Progress)
	ProgressEvery int64
	// Window is how many events are read ahead and checked together, consortium by
	// consortium (default DefaultWindow). Verify holds two windows at a time, about
	// 1.1 KB an event of a simulated partnership: a larger window checks more of each consortium's events while its
	// state is in the processor's caches, a smaller one holds less.
	Window int
}

// DefaultWindow is the Window Verify uses unless told otherwise: on a log of a
// thousand consortia, about 65 events of each at a time. Verifying a million events
// with the rules ran at 0.70 of a raw replay with windows of 16,384 events, 0.72 with
// 32,768 and 0.77 with 65,536, holding about 35, 70 and 140 MB (BenchmarkVerifyRules
// reports the last as MB-windows).
const DefaultWindow = 1 << 16

// Progress is how far a Verify has come.
type Progress struct {
	Events int64  // events replayed so far
	Seq    uint64 // the sequence of the last of them
	Last   uint64 // the log's last sequence when Verify began
}

// Report is what a Verify checked.
type Report struct {
	Events    int64 // events replayed: the whole log
	Checked   int64 // events whose chain was checked: Events, or one consortium's
	Consortia int   // consortia checked
	// Tree is the Merkle tree over the events replayed; callers keep it for proofs.
	Tree *Tree
	// Checkpoint is the verified tree's size and root (with an origin when Options.Signer
	// is set), and Signed its signed text.
	Checkpoint Checkpoint
	Signed     []byte
}

// Verify replays the whole log and checks that every event decodes; that sequences run
// from 1 without a gap; that every consortium's events form a hash chain (the first has
// an empty prev, each next one the hash of the one before), with ids strictly increasing
// and recording times never going back; Options.Rules; and, with Options.Against,
// that the log extends those checkpoints. It stops at the first fault and returns it as a
// *Fault (errors.Is ErrFault) with the report of what was checked until then; any other
// error means the log could not be read.
func Verify(ctx context.Context, log Log, opts Options) (Report, error) {
	if opts.ProgressEvery <= 0 {
		opts.ProgressEvery = 10_000
	}
	if opts.Window <= 0 {
		opts.Window = DefaultWindow
	}
	last, err := log.LastSeq(ctx)
	if err != nil {
		return Report{}, fmt.Errorf("verify: %w", err)
	}
	v := &verification{opts: opts, last: last, chains: chains{}, tree: newTree(last),
		leaves: make(chan []tlog.Hash, 16), batch: make([]tlog.Hash, 0, leafBatch), hashes: make([]tlog.Hash, 0, opts.Window)}
	// The tree is hashed beside the replay rather than in it: hashing every event twice
	// more is the audit's largest cost, and the replay waits on the network anyway. The
	// events go over in batches: handing them over one by one cost more than hashing.
	hashed := make(chan struct{})
	go func() { v.hash(); close(hashed) }()
	var reading []events.ReadOption
	if opts.Rules != nil && opts.Consortium == "" {
		// The rules decode every payload, and refuse one that is not what its type needs.
		reading = append(reading, events.WithoutPayloadCheck())
	}
	// The log is read and decoded a window ahead of the checks (verification.settle), on
	// a goroutine of its own (package ahead), so that the checks go on alongside it, as
	// the tree's hashing does.
	err = ahead.Run(ctx, opts.Window, func(ctx context.Context, emit func(events.Envelope) error) error {
		return log.Replay(ctx, 1, emit, reading...)
	}, v.take)
	if len(v.batch) > 0 {
		v.leaves <- v.batch
	}
	close(v.leaves)
	<-hashed
	var fault *Fault
	var gone *events.MissingError
	switch {
	case errors.As(err, &fault):
	case errors.As(err, &gone):
		fault = &Fault{Seq: gone.From, What: fmt.Sprintf("missing: the log counts events up to sequence %d, but holds none after %d", gone.To, gone.From-1)}
	case errors.Is(err, events.ErrInvalid):
		fault = undecodable(ctx, log, v.seq+1, err)
		if fault == nil {
			return v.report(), fmt.Errorf("verify: %w", err)
		}
	case err != nil:
		return v.report(), fmt.Errorf("verify: %w", err)
	default:
		if fault = v.end(); fault == nil {
			fault = v.against()
		}
	}
	if opts.Progress != nil {
		opts.Progress(Progress{Events: v.events, Seq: uint64(v.events), Last: last})
	}
	r := v.report()
	if fault != nil {
		return r, fault
	}
	if r.Checkpoint, err = v.checkpoint(); err != nil {
		return r, fmt.Errorf("verify: %w", err)
	}
	if opts.Signer != nil {
		if r.Signed, err = SignCheckpoint(r.Checkpoint, opts.Signer); err != nil {
			return r, fmt.Errorf("verify: %w", err)
		}
	}
	return r, nil
}

// verification is the state of one Verify.
type verification struct {
	opts         Options
	last         uint64
	chains       chains
	tree         *Tree
	leaves       chan []tlog.Hash // the hashes of the events settled, in batches, for hash
	batch        []tlog.Hash      // the batch being filled
	seq          uint64           // the last event's sequence read
	hashes       []tlog.Hash      // the leaf hashes of the window being settled
	byConsortium group.ByConsortium
	events       int64 // events settled: those at sequences 1 to events
	checked      int64
}

// take is handed each window of the replay, in log order. It checks that the
// sequences run on from the last window's and that the hashes are hashes, then settles
// the window up to the first event where either fails. A *Fault stops the replay.
func (v *verification) take(evs []events.Envelope) error {
	v.hashes = v.hashes[:0]
	for i, e := range evs {
		if e.Seq != v.seq+1 {
			return v.settleThen(evs[:i], missing(v.seq, e.Seq))
		}
		h, err := eventHash(e)
		if err != nil {
			return v.settleThen(evs[:i], faultAt(e, "%v", err))
		}
		v.seq = e.Seq
		v.hashes = append(v.hashes, h)
	}
	return v.settle(evs)
}

// settleThen settles evs before reporting f, found in the event after them: a fault
// among them comes first.
func (v *verification) settleThen(evs []events.Envelope, f *Fault) error {
	if err := v.settle(evs); err != nil {
		return err
	}
	return f
}

// settle checks a window of events, whose sequences run on without a gap, then counts
// them and adds them to the tree up to the first fault, which it returns as a *Fault.
//
// The checks go consortium by consortium (package group): each consortium's chain and
// rules depend on its own events alone. The first fault in log order is the earliest of
// the consortia's first faults: events after it are not checked once it is found.
func (v *verification) settle(evs []events.Envelope) error {
	if len(evs) == 0 {
		return nil
	}
	for i, e := range evs {
		if v.inScope(e) {
			v.byConsortium.Add(e.Consortium, i)
		}
	}
	var first *Fault
	v.byConsortium.Each(func(places []int) {
		for _, i := range places {
			e := evs[i]
			if first != nil && e.Seq > first.Seq {
				return
			}
			if f := v.check(e); f != nil {
				first = f
				return
			}
		}
	})
	if first != nil {
		evs = evs[:first.Seq-evs[0].Seq+1]
	}
	for i, e := range evs {
		v.events++
		if v.inScope(e) {
			v.checked++
		}
		v.batch = append(v.batch, v.hashes[i])
		if len(v.batch) == cap(v.batch) {
			v.leaves <- v.batch
			v.batch = make([]tlog.Hash, 0, leafBatch)
		}
		if v.opts.Progress != nil && v.events%v.opts.ProgressEvery == 0 {
			v.opts.Progress(Progress{Events: v.events, Seq: e.Seq, Last: v.last})
		}
	}
	if first != nil {
		return first
	}
	return nil
}

// inScope reports whether Verify checks e's chain and rules (Options.Consortium).
func (v *verification) inScope(e events.Envelope) bool {
	return v.opts.Consortium == "" || e.Consortium == v.opts.Consortium
}

// check holds one event to its consortium's chain and Options.Rules.
func (v *verification) check(e events.Envelope) *Fault {
	if f := v.chains.follow(e); f != nil {
		return f
	}
	if v.opts.Rules != nil {
		if err := v.opts.Rules.Check(e); err != nil {
			return breaks(e, err, "it breaks the rules")
		}
	}
	return nil
}

// leafBatch is how many events go to hash at a time.
const leafBatch = 512

// hash adds every settled event to the tree, in order.
func (v *verification) hash() {
	for batch := range v.leaves {
		for _, h := range batch {
			v.tree.Add(h)
		}
	}
}

// undecodable turns a replay's decode error into a fault. The event that did not
// decode is the first after the last one read, next; reading it once more tells whether
// it is there and broken, or missing (then the gap is the first fault). nil means the
// error was not about that event after all.
func undecodable(ctx context.Context, log Log, next uint64, replayErr error) *Fault {
	_, err := log.Get(ctx, next)
	switch {
	case errors.Is(err, events.ErrNotFound):
		return &Fault{Seq: next, What: "missing: the next event in the log does not decode", Err: replayErr}
	case errors.Is(err, events.ErrInvalid):
		if bad, ok := errors.AsType[*events.InvalidError](err); ok && bad.Field == "subject" {
			return &Fault{Seq: next, What: "the event is on another subject than its own: subscribers to either are misled", Err: err}
		}
		return &Fault{Seq: next, What: "the stored bytes are not an event", Err: err}
	}
	return nil
}

// missing is the fault of a log that goes from sequence last to got.
func missing(last, got uint64) *Fault {
	return &Fault{Seq: last + 1, What: fmt.Sprintf("missing: the log goes from sequence %d to %d", last, got)}
}

// end asks Options.Rules about the end of the log.
func (v *verification) end() *Fault {
	if v.opts.Rules == nil {
		return nil
	}
	if e, err := v.opts.Rules.End(); err != nil {
		return breaks(e, err, "it breaks the rules")
	}
	return nil
}

// against checks that the log extends every checkpoint in Options.Against: that its
// first Size events hash to the checkpoint's root, which is what a consistency proof
// proves to someone who does not hold the whole log. They are checked smallest first, so
// that a fault names the last checkpoint the log still extends and the first it does
// not: the events that changed are between the two.
func (v *verification) against() *Fault {
	saved := slices.SortedStableFunc(slices.Values(v.opts.Against), func(a, b Checkpoint) int { return cmp.Compare(a.Size, b.Size) })
	size := v.tree.Size()
	var extended *Checkpoint
	for _, c := range saved {
		f := &Fault{Extended: extended, Broken: &c}
		if c.Size > size {
			f.What = fmt.Sprintf("checkpoint %s covers %d events, the log has %d: events were left out or the log was truncated", c.Origin, c.Size, size)
			return f
		}
		root, err := v.tree.RootAt(c.Size)
		if err != nil {
			return &Fault{What: "no root", Err: err}
		}
		if root == c.Root {
			extended = &c
			continue
		}
		if i := slices.IndexFunc(saved, func(s Checkpoint) bool { return s.Size == c.Size && s.Root == root }); i >= 0 {
			f.Extended = &saved[i]
			f.What = fmt.Sprintf("two checkpoints of %d events signed by %s have different roots: the ledger showed different histories to different partners (the log extends the one with root %s)",
				c.Size, c.Origin, root)
			return f
		}
		f.What = fmt.Sprintf("the log does not extend checkpoint %s of %d events", c.Origin, c.Size)
		if extended != nil {
			f.What += fmt.Sprintf(", though it extends the one of %d", extended.Size)
		}
		f.What += ": some of these events were altered, left out or reordered since (the log was rewritten or re-created)"
		return f
	}
	return nil
}

func (v *verification) checkpoint() (Checkpoint, error) {
	root, err := v.tree.Root()
	c := Checkpoint{Size: v.tree.Size(), Root: root}
	if v.opts.Signer != nil {
		c.Origin = v.opts.Signer.Name()
	}
	return c, err
}

func (v *verification) report() Report {
	return Report{Events: v.events, Checked: v.checked, Consortia: len(v.chains), Tree: v.tree}
}
