package audit_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
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
	if _, err := audit.Verify(ctx(t), l.log, audit.Options{Against: &c}); err != nil {
		t.Errorf("verify against its own checkpoint: %v", err)
	}
	history(t, l.log, 1)
	if _, err := audit.Verify(ctx(t), l.log, audit.Options{Against: &c}); err != nil {
		t.Errorf("verify a grown log against an earlier checkpoint: %v", err)
	}
}

func TestVerifyOneConsortiumAndCheck(t *testing.T) {
	l := openLedger(t, "")
	all := history(t, l.log, 4)
	var seen []uint64
	r, err := audit.Verify(ctx(t), l.log, audit.Options{
		Consortium: "essex-alliance",
		Check:      func(e events.Envelope) error { seen = append(seen, e.Seq); return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.Events != 12 || r.Checked != 4 || r.Consortia != 1 || len(seen) != 4 || seen[0] != 2 {
		t.Errorf("report %+v, checked sequences %v", r, seen)
	}

	errBroken := errors.New("a carried decision that did not meet its rule")
	bad := all[7]
	_, err = audit.Verify(ctx(t), l.log, audit.Options{Check: func(e events.Envelope) error {
		if e.Seq == bad.Seq {
			return errBroken
		}
		return nil
	}})
	f := mustFault(t, err)
	if f.Seq != bad.Seq || f.Consortium != bad.Consortium || f.EventID != bad.ID || !errors.Is(err, errBroken) || !errors.Is(err, audit.ErrFault) {
		t.Errorf("fault %+v, want the rule broken at sequence %d", f, bad.Seq)
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
	for _, opts := range []audit.Options{{}, {Against: &c}} {
		_, err = audit.Verify(ctx(t), l.log, opts)
		f := mustFault(t, err)
		// nats-server checks each message's checksum when it recovers the block and
		// drops the altered message: the event is gone, and its absence is the fault.
		if f.Seq != target.Seq || f.What != "missing: the log goes from sequence 4 to 6" {
			t.Errorf("fault at sequence %d, want %d (the altered event): %v", f.Seq, target.Seq, f)
		}
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

func TestRecreatedWithOneEventChanged(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir)
	all := history(t, l.log, 4)
	k := key(t, "govledger.example/test")
	before, err := audit.Verify(ctx(t), l.log, audit.Options{Signer: k.Signer})
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := audit.OpenCheckpoint(before.Signed, k.VerifierKey)

	l = recreate(t, dir, l)
	republish(t, l.nc, forge(t, all, all[4].Seq, `"essex-alliance-1"`, `"essex-alliance-X"`))

	if r, err := audit.Verify(ctx(t), l.log, audit.Options{}); err != nil || r.Events != 12 {
		t.Fatalf("the forged log on its own: %d events, %v; want it to verify", r.Events, err)
	}
	_, err = audit.Verify(ctx(t), l.log, audit.Options{Against: &saved})
	f := mustFault(t, err)
	if f.Seq != 0 || !errors.Is(err, audit.ErrFault) {
		t.Errorf("fault %+v, want the log as a whole", f)
	}
	t.Logf("against the saved checkpoint: %v", f)
}

func TestRecreatedWithOneEventLeftOut(t *testing.T) {
	dir := t.TempDir()
	l := openLedger(t, dir)
	all := history(t, l.log, 4)
	k := key(t, "govledger.example/test")
	before, err := audit.Verify(ctx(t), l.log, audit.Options{Signer: k.Signer})
	if err != nil {
		t.Fatal(err)
	}
	saved, _ := audit.OpenCheckpoint(before.Signed, k.VerifierKey)

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
	_, err = audit.Verify(ctx(t), l.log, audit.Options{Against: &saved})
	f := mustFault(t, err)
	t.Logf("against the saved checkpoint: %v", f)

	if f.Seq != 0 {
		t.Errorf("fault %+v, want the log as a whole", f)
	}

	// Left out without a replacement, the log is shorter than the checkpoint.
	l = recreate(t, dir, l)
	republish(t, l.nc, all[:11])
	if _, err := audit.Verify(ctx(t), l.log, audit.Options{}); err != nil {
		t.Fatalf("the shorter log on its own: %v; want it to verify", err)
	}
	_, err = audit.Verify(ctx(t), l.log, audit.Options{Against: &saved})
	f = mustFault(t, err)
	if f.Seq != 0 || f.What != "checkpoint govledger.example/test covers 12 events, the log has 11: events were left out or the log was truncated" {
		t.Errorf("fault %+v, want the log as a whole, shorter than the checkpoint", f)
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
