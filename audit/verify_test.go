package audit_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/internal/simulate"
	"github.com/nats-io/nats.go"
)

func TestVerifyHealthyLog(t *testing.T) {
	l := openLedger(t, "")
	history(t, l.log, 5)
	k := key(t, "govledger.example/test")
	var progress []audit.Progress
	r, err := audit.Verify(ctx(t), l.log, audit.Options{
		Signer: k.Signer, ProgressEvery: 4,
		Progress: func(p audit.Progress) { progress = append(progress, p) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Events != 15 || r.Checked != 15 || r.Consortia != 3 {
		t.Errorf("checked %d of %d events in %d consortia, want 15 of 15 in 3", r.Checked, r.Events, r.Consortia)
	}
	if r.Checkpoint.Size != 15 || r.Tree.Size() != 15 {
		t.Errorf("checkpoint of %d leaves, tree of %d, want 15", r.Checkpoint.Size, r.Tree.Size())
	}
	c, err := audit.OpenCheckpoint(r.Signed, k.VerifierKey)
	if err != nil || c != r.Checkpoint {
		t.Errorf("signed checkpoint reads back as %+v, %v; want %+v", c, err, r.Checkpoint)
	}
	// Every 4 events, and once at the end.
	if len(progress) != 4 || progress[3].Events != 15 || progress[3].Last != 15 {
		t.Errorf("progress reports %+v", progress)
	}

	// A checkpoint of the same log, and one of a shorter log, both verify against it.
	if _, err := audit.Verify(ctx(t), l.log, audit.Options{Against: []audit.Checkpoint{c}}); err != nil {
		t.Errorf("verify against its own checkpoint: %v", err)
	}
	history(t, l.log, 1)
	if _, err := audit.Verify(ctx(t), l.log, audit.Options{Against: []audit.Checkpoint{c}}); err != nil {
		t.Errorf("verify a grown log against an earlier checkpoint: %v", err)
	}
}

// checkOnly is rules that check each event with check and find nothing undone at the end.
type checkOnly func(events.Envelope) error

func (c checkOnly) Check(e events.Envelope) error { return c(e) }
func (checkOnly) End() (events.Envelope, error)   { return events.Envelope{}, nil }

func TestVerifyOneConsortiumAndCheck(t *testing.T) {
	l := openLedger(t, "")
	all := history(t, l.log, 4)
	var seen []uint64
	r, err := audit.Verify(ctx(t), l.log, audit.Options{
		Consortium: "essex-alliance",
		Rules:      checkOnly(func(e events.Envelope) error { seen = append(seen, e.Seq); return nil }),
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Events != 12 || r.Checked != 4 || r.Consortia != 1 || len(seen) != 4 || seen[0] != 2 {
		t.Errorf("report %+v, checked sequences %v", r, seen)
	}

	errBroken := errors.New("a carried decision that did not meet its rule")
	bad := all[7]
	_, err = audit.Verify(ctx(t), l.log, audit.Options{Rules: checkOnly(func(e events.Envelope) error {
		if e.Seq == bad.Seq {
			return errBroken
		}
		return nil
	})})
	f := mustFault(t, err)
	if f.Seq != bad.Seq || f.Consortium != bad.Consortium || f.EventID != bad.ID || !errors.Is(err, errBroken) || !errors.Is(err, audit.ErrFault) {
		t.Errorf("fault %+v, want the rule broken at sequence %d", f, bad.Seq)
	}
}

// TestVerifyStopsAtTheFault: the log is read ahead of the checks, and checked a window
// at a time, consortium by consortium; a fault deep into it still ends the verification
// there, with nothing after it counted or put in the tree, and nothing of the faulty
// consortium after it handed to the check.
func TestVerifyStopsAtTheFault(t *testing.T) {
	l := openLedger(t, "")
	all := history(t, l.log, 400)
	bad := all[len(all)/2+7]
	last := map[string]uint64{}
	r, err := audit.Verify(ctx(t), l.log, audit.Options{Rules: checkOnly(func(e events.Envelope) error {
		if e.Seq <= last[e.Consortium] {
			t.Errorf("the check had sequence %d of %s after %d", e.Seq, e.Consortium, last[e.Consortium])
		}
		last[e.Consortium] = e.Seq
		if e.Seq == bad.Seq {
			return errors.New("a vote by a partner that had left")
		}
		return nil
	})})
	if f := mustFault(t, err); f.Seq != bad.Seq {
		t.Fatalf("fault %+v, want it at sequence %d", f, bad.Seq)
	}
	if r.Events != int64(bad.Seq) || r.Checked != int64(bad.Seq) || r.Tree.Size() != int64(bad.Seq) || last[bad.Consortium] != bad.Seq {
		t.Errorf("stopped at %d: %d events, %d checked, a tree of %d, the check saw %s up to %d",
			bad.Seq, r.Events, r.Checked, r.Tree.Size(), bad.Consortium, last[bad.Consortium])
	}
}

// TestVerifyFindsTheFirstFault: with two consortia breaking the rules, the fault named
// is the one earlier in the log, though its consortium's events are checked after the
// other's (the consortium whose first event comes first is checked first).
func TestVerifyFindsTheFirstFault(t *testing.T) {
	l := openLedger(t, "")
	all := history(t, l.log, 20)
	early, late := all[len(all)/2+1], all[len(all)/2+3] // two consortia, the later first in the log
	if early.Consortium == late.Consortium || late.Consortium != all[0].Consortium {
		t.Fatalf("the history does not have the faults it needs: %s and %s", early.Consortium, late.Consortium)
	}
	_, err := audit.Verify(ctx(t), l.log, audit.Options{Rules: checkOnly(func(e events.Envelope) error {
		if e.Seq == early.Seq || e.Seq == late.Seq {
			return errors.New("a vote by a partner that had left")
		}
		return nil
	})})
	if f := mustFault(t, err); f.Seq != early.Seq || f.Consortium != early.Consortium {
		t.Errorf("fault %+v, want the one at sequence %d of %s", f, early.Seq, early.Consortium)
	}
}

// TestVerifyFaultInALaterWindow: past the first window of events checked together, the
// fault named is still the first in log order, with everything up to it, and nothing
// after it, counted, checked, put in the tree and reported as progress. Every event from
// sequence bad on breaks the rules, so the consortia checked before bad's in its window
// find faults of their own, later in the log.
func TestVerifyFaultInALaterWindow(t *testing.T) {
	l := openLedger(t, "")
	if _, err := simulate.Fill(ctx(t), l.log, simulate.Ledger{Consortia: 20, Prefix: "partnership", Events: 1000, Seed: 3,
		Start: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	const bad = 18_000 // in the second window of 16,384
	var progress []audit.Progress
	r, err := audit.Verify(ctx(t), l.log, audit.Options{
		Window: 1 << 14,
		Rules: checkOnly(func(e events.Envelope) error {
			if e.Seq >= bad {
				return errors.New("a vote by a partner that had left")
			}
			return nil
		}),
		ProgressEvery: 1000,
		Progress:      func(p audit.Progress) { progress = append(progress, p) },
	})
	if f := mustFault(t, err); f.Seq != bad {
		t.Fatalf("fault %+v, want it at sequence %d", f, bad)
	}
	if r.Events != bad || r.Checked != bad || r.Tree.Size() != bad {
		t.Errorf("stopped at %d: %d events, %d checked, a tree of %d", bad, r.Events, r.Checked, r.Tree.Size())
	}
	if n := len(progress); n != bad/1000+1 || progress[n-1].Events != bad || progress[n-1].Seq != bad || progress[n-2].Seq != bad {
		t.Errorf("progress %+v, want every 1,000 events up to %d, then the end at %d", progress, bad, bad)
	}
}

// TestTamperOnDisk flips a byte inside a stored event's payload in JetStream's message
// block while the server is stopped.
func TestTamperOnDisk(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir)
	all := history(t, l.log, 4)
	k := key(t, "govledger.example/test")
	before, err := audit.Verify(ctx(t), l.log, audit.Options{Signer: k.Signer})
	if err != nil {
		t.Fatal(err)
	}
	l.nc.Close()
	l.server.Shutdown()

	target := all[4] // essex-alliance-1, in the middle of its chain and of the stream
	mark := []byte(`"essex-alliance-1"`)
	blocks, _ := filepath.Glob(filepath.Join(dir, "jetstream", "$G", "streams", events.StreamName, "msgs", "*.blk"))
	flipped := 0
	for _, b := range blocks {
		data, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.Index(data, mark); i >= 0 {
			data[i+len(mark)-2] = '7' // essex-alliance-1 becomes essex-alliance-7: still valid JSON
			if err := os.WriteFile(b, data, 0o600); err != nil {
				t.Fatal(err)
			}
			flipped++
		}
	}
	if flipped != 1 {
		t.Fatalf("found the payload in %d message blocks of %v, want 1", flipped, blocks)
	}

	l = openLedger(t, dir)
	c, err := audit.OpenCheckpoint(before.Signed, k.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	for _, opts := range []audit.Options{{}, {Against: []audit.Checkpoint{c}}} {
		_, err = audit.Verify(ctx(t), l.log, opts)
		f := mustFault(t, err)
		// nats-server checks each message's checksum when it recovers the block and
		// drops the altered message: the event is gone, and its absence is the fault.
		if f.Seq != target.Seq || f.What != "missing: the log goes from sequence 4 to 6" {
			t.Errorf("fault at sequence %d, want %d (the altered event): %v", f.Seq, target.Seq, f)
		}
	}
	// The ledger's own witness stops there too, rather than sign over the gap.
	err = audit.NewWitness(l.log, k).Run(ctx(t))
	if f := mustFault(t, err); f.Seq != target.Seq {
		t.Errorf("the witness stopped with %v, want sequence %d named", f, target.Seq)
	}
}

// TestTamperOnDiskLastEvent: an altered last event is dropped the same way, and with
// nothing after it, the gap is found by asking the stream rather than waiting for an
// event that will never come.
func TestTamperOnDiskLastEvent(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir)
	all := history(t, l.log, 4)
	l.nc.Close()
	l.server.Shutdown()
	target := all[len(all)-1]
	var altered bool
	blocks, _ := filepath.Glob(filepath.Join(dir, "jetstream", "$G", "streams", events.StreamName, "msgs", "*.blk"))
	for _, b := range blocks {
		data, err := os.ReadFile(b)
		if err != nil {
			t.Fatal(err)
		}
		if i := bytes.Index(data, []byte(target.ID)); i >= 0 {
			data[i+len(target.ID)-1] ^= 1 // another id, of the same shape
			if err := os.WriteFile(b, data, 0o600); err != nil {
				t.Fatal(err)
			}
			altered = true
		}
	}
	if !altered {
		t.Fatalf("event %s is in none of %v", target.ID, blocks)
	}
	l = openLedger(t, dir)
	r, err := audit.Verify(ctx(t), l.log, audit.Options{})
	f := mustFault(t, err)
	if f.Seq != target.Seq || !strings.Contains(f.What, "missing") || r.Events != int64(target.Seq-1) {
		t.Errorf("after %d events: fault %v, want sequence %d missing", r.Events, f, target.Seq)
	}
}

// TestEventOnAnotherSubject: the log re-created with the same bytes, one event moved to
// another consortium's subject (its members would see it, its own would not). The
// hashes and the tree cover the bytes only, so the subject is checked as it is read.
func TestEventOnAnotherSubject(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir)
	all := history(t, l.log, 4)
	k := key(t, "govledger.example/test")
	saved := kept(t, l, k)
	l = recreate(t, dir, l)
	moved := all[6]
	republish(t, l.nc, all[:6])
	m := nats.NewMsg(events.Subject("essex-alliance", "decision.carried"))
	m.Data = moved.Raw
	if _, err := l.nc.RequestMsg(m, 5e9); err != nil {
		t.Fatal(err)
	}
	republish(t, l.nc, all[7:])
	_, err := audit.Verify(ctx(t), l.log, audit.Options{Against: saved})
	f := mustFault(t, err)
	if f.Seq != moved.Seq || !strings.Contains(err.Error(), "is stored on gov.essex-alliance.decision.carried, not "+moved.Subject()) {
		t.Errorf("fault %v, want sequence %d on the wrong subject", f, moved.Seq)
	}
	if _, err := l.log.Read(ctx(t), "essex-alliance", 0); !errors.Is(err, events.ErrInvalid) {
		t.Errorf("reading the consortium it was moved to: %v", err)
	}
}

// recreate stops the server, removes its JetStream folder, and starts on it afresh:
// what a host who wanted to rewrite history could do.
func recreate(t *testing.T, dir string, l ledger) ledger {
	l.nc.Close()
	l.server.Shutdown()
	if err := os.RemoveAll(filepath.Join(dir, "jetstream")); err != nil {
		t.Fatal(err)
	}
	return openLedger(t, dir)
}

// republish publishes stored bytes straight onto the stream, as a forger would.
func republish(t *testing.T, nc *nats.Conn, evs []events.Envelope) {
	t.Helper()
	for _, e := range evs {
		m := nats.NewMsg(e.Subject())
		m.Data = e.Raw
		if _, err := nc.RequestMsg(m, 5e9); err != nil {
			t.Fatal(err)
		}
	}
}

// forge changes one event's payload and re-links the rest of its consortium's chain, so
// the forged history is internally consistent.
func forge(t *testing.T, all []events.Envelope, seq uint64, from, to string) []events.Envelope {
	t.Helper()
	out := make([]events.Envelope, len(all))
	relink := map[string]string{} // old hash -> new hash
	for i, e := range all {
		raw := bytes.Clone(e.Raw)
		if e.Seq == seq {
			raw = bytes.Replace(raw, []byte(from), []byte(to), 1)
		}
		for old, new := range relink {
			raw = bytes.Replace(raw, []byte(`"prev":"`+old+`"`), []byte(`"prev":"`+new+`"`), 1)
		}
		d, err := events.Decode(raw, e.Seq)
		if err != nil {
			t.Fatal(err)
		}
		if d.Hash != e.Hash {
			relink[e.Hash] = d.Hash
		}
		out[i] = d
	}
	if len(relink) == 0 {
		t.Fatal("nothing forged")
	}
	return out
}

// kept is what a partner keeps: a checkpoint of the log after every three events, as
// the ledger signed them, read back with its verifier key.
func kept(t *testing.T, l ledger, k audit.Key) []audit.Checkpoint {
	t.Helper()
	r, err := audit.Verify(ctx(t), l.log, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var saved []audit.Checkpoint
	for size := int64(3); size <= r.Tree.Size(); size += 3 {
		root, err := r.Tree.RootAt(size)
		if err != nil {
			t.Fatal(err)
		}
		text, err := audit.SignCheckpoint(audit.Checkpoint{Origin: k.Signer.Name(), Size: size, Root: root}, k.Signer)
		if err != nil {
			t.Fatal(err)
		}
		c, err := audit.OpenCheckpoint(text, k.VerifierKey)
		if err != nil {
			t.Fatal(err)
		}
		saved = append(saved, c)
	}
	return saved
}

// mustWithin asserts that err is a fault in the log as a whole, between the
// checkpoints of sizes after and upto.
func mustWithin(t *testing.T, err error, after, upto int64) *audit.Fault {
	t.Helper()
	f := mustFault(t, err)
	first, last, ok := f.Within()
	if f.Seq != 0 || !ok || first != uint64(after+1) || last != uint64(upto) ||
		(after == 0) != (f.Extended == nil) || (f.Extended != nil && f.Extended.Size != after) || f.Broken.Size != upto {
		t.Errorf("fault %+v, want it within sequences %d to %d", f, after+1, upto)
	}
	return f
}

func TestRecreatedWithOneEventChanged(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir)
	all := history(t, l.log, 4)
	saved := kept(t, l, key(t, "govledger.example/test"))

	// essex-alliance's event at sequence 8 is changed, and its chain re-linked: sequences
	// 8 and 11 differ, everything before 8 is as it was.
	l = recreate(t, dir, l)
	republish(t, l.nc, forge(t, all, all[7].Seq, `"essex-alliance-2"`, `"essex-alliance-X"`))

	if r, err := audit.Verify(ctx(t), l.log, audit.Options{}); err != nil || r.Events != 12 {
		t.Fatalf("the forged log on its own: %d events, %v; want it to verify", r.Events, err)
	}
	_, err := audit.Verify(ctx(t), l.log, audit.Options{Against: saved})
	f := mustWithin(t, err, 6, 9)
	if !errors.Is(err, audit.ErrFault) || f.Error() != "the record does not verify: sequences 7 to 9: the log does not extend checkpoint govledger.example/test of 9 events, though it extends the one of 6: some of these events were altered, left out or reordered since (the log was rewritten or re-created)" {
		t.Errorf("fault %q", f)
	}
	// Only the last checkpoint kept: the whole of it is in question.
	_, err = audit.Verify(ctx(t), l.log, audit.Options{Against: saved[3:]})
	mustWithin(t, err, 0, 12)
	// Any order: they are checked smallest first.
	_, err = audit.Verify(ctx(t), l.log, audit.Options{Against: []audit.Checkpoint{saved[3], saved[0], saved[2], saved[1]}})
	mustWithin(t, err, 6, 9)
	if _, err := audit.Verify(ctx(t), l.log, audit.Options{Against: saved[:2]}); err != nil {
		t.Errorf("the forged log against the checkpoints before the change: %v", err)
	}
}

func TestRecreatedWithOneEventLeftOut(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir)
	all := history(t, l.log, 4)
	saved := kept(t, l, key(t, "govledger.example/test"))

	// north-collab's last event (sequence 12) is left out and the history carries on with
	// a new one, so that the log is as long as the checkpoint and every chain holds.
	l = recreate(t, dir, l)
	republish(t, l.nc, all[:11])
	if _, err := l.log.Append(ctx(t), "synergy", all[9].Seq, events.Draft{Type: "decision.vote-cast"}); err != nil {
		t.Fatal(err)
	}
	if r, err := audit.Verify(ctx(t), l.log, audit.Options{}); err != nil || r.Events != 12 {
		t.Fatalf("the log with an event left out, on its own: %d events, %v; want it to verify", r.Events, err)
	}
	_, err := audit.Verify(ctx(t), l.log, audit.Options{Against: saved})
	t.Logf("against the saved checkpoints: %v", mustWithin(t, err, 9, 12))

	// Left out without a replacement, the log is shorter than the checkpoint.
	l = recreate(t, dir, l)
	republish(t, l.nc, all[:11])
	if _, err := audit.Verify(ctx(t), l.log, audit.Options{}); err != nil {
		t.Fatalf("the shorter log on its own: %v; want it to verify", err)
	}
	_, err = audit.Verify(ctx(t), l.log, audit.Options{Against: saved[3:]})
	f := mustWithin(t, err, 0, 12)
	if f.What != "checkpoint govledger.example/test covers 12 events, the log has 11: events were left out or the log was truncated" {
		t.Errorf("fault %+v, want the log shorter than the checkpoint", f)
	}
	_, err = audit.Verify(ctx(t), l.log, audit.Options{Against: saved})
	mustWithin(t, err, 9, 12)
}

// Two checkpoints of one size with different roots, both signed by the ledger: it told
// two partners two different stories.
func TestTwoHistoriesSigned(t *testing.T) {
	l := openLedger(t, "")
	history(t, l.log, 2)
	saved := kept(t, l, key(t, "govledger.example/test"))
	other := saved[1]
	other.Root[0] ^= 1
	_, err := audit.Verify(ctx(t), l.log, audit.Options{Against: []audit.Checkpoint{saved[0], other, saved[1]}})
	f := mustFault(t, err)
	if f.Broken == nil || *f.Broken != other || f.Extended == nil || *f.Extended != saved[1] {
		t.Errorf("fault %+v, want the second checkpoint of 6 events named", f)
	}
	if _, _, ok := f.Within(); ok || !strings.Contains(f.What, "two checkpoints of 6 events") {
		t.Errorf("fault %q", f)
	}
}

// TestRawPublish appends through raw NATS, past govledger's checks.
func TestRawPublish(t *testing.T) {
	cases := []struct {
		name string
		data func(all []events.Envelope) []byte
		what string
	}{
		{"malformed", func([]events.Envelope) []byte { return []byte(`{"vote":"for"}`) }, "the stored bytes are not an event"},
		{"replayed copy of an earlier event", func(all []events.Envelope) []byte { return all[3].Raw }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			l := openLedger(t, "")
			all := history(t, l.log, 3)
			m := nats.NewMsg(events.Subject("synergy", "decision.carried"))
			m.Data = tc.data(all)
			if _, err := l.nc.RequestMsg(m, 5e9); err != nil {
				t.Fatal(err)
			}
			history(t, l.log, 1) // appends after it go on as usual
			_, err := audit.Verify(ctx(t), l.log, audit.Options{})
			f := mustFault(t, err)
			if f.Seq != 10 {
				t.Errorf("fault at sequence %d, want 10: %v", f.Seq, f)
			}
			if tc.what != "" && f.What != tc.what {
				t.Errorf("fault %q, want %q", f.What, tc.what)
			}
			t.Log(f)
		})
	}
}

// TestMalformedPayload: an event whose payload is not JSON is a fault at its sequence,
// whether Verify checks the payload itself or, with rules that decode every payload,
// leaves it to them; checking one consortium, Verify checks the other consortia's
// payloads itself, since the rules see none of them.
func TestMalformedPayload(t *testing.T) {
	l := openLedger(t, "")
	all := history(t, l.log, 3)
	// The first event of a consortium of its own, so that its chain holds and the
	// rules see it.
	e := all[3]
	raw := bytes.Replace(e.Raw, []byte(`"consortium":"`+e.Consortium+`"`), []byte(`"consortium":"newco"`), 1)
	raw = bytes.Replace(raw, []byte(`"prev":"`+e.Prev+`"`), []byte(`"prev":""`), 1)
	m := nats.NewMsg(events.Subject("newco", e.Type))
	m.Data = bytes.Replace(raw, e.Payload, []byte(`{"proposal":}`), 1)
	if _, err := l.nc.RequestMsg(m, 5e9); err != nil {
		t.Fatal(err)
	}
	decoding := checkOnly(func(e events.Envelope) error {
		if !json.Valid(e.Payload) {
			return errors.New("the payload is not JSON")
		}
		return nil
	})
	for name, opts := range map[string]audit.Options{
		"without rules":                     {},
		"with rules":                        {Rules: decoding},
		"with rules, of another consortium": {Rules: decoding, Consortium: e.Consortium},
	} {
		_, err := audit.Verify(ctx(t), l.log, opts)
		f := mustFault(t, err)
		if f.Seq != 10 || !strings.Contains(f.Error(), "not JSON") && !strings.Contains(f.Error(), "not a JSON object") {
			t.Errorf("%s: fault %v, want the payload at sequence 10", name, f)
		}
		t.Logf("%s: %v", name, f)
	}
}
