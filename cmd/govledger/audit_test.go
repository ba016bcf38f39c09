package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// kept is a partnership's first weeks, recorded through the steering group's verbs on a
// ledger that is now stopped, with what a partner kept along the way: a checkpoint after
// sequences 3, 6, 10 and 12, the ledger's verifier key, and an export of the consortium.
type kept struct {
	dir         string   // the stopped ledger's data folder
	checkpoints []string // checkpoint files, oldest first
	verifierKey string
	export      string // an export of synergy, under the last checkpoint
	recorded    []events.Envelope
}

// keep records the history and stops the ledger.
func keep(t *testing.T) kept {
	t.Helper()
	k := kept{dir: t.TempDir()}
	p, err := startLedger(context.Background(), serveOptions{dataDir: filepath.Join(k.dir), httpAddr: "127.0.0.1:0", syncMode: "interval",
		origin: "govledger.example/synergy"})
	if err != nil {
		t.Fatal(err)
	}
	// The ledger's witness signs with the key serve made in the data folder.
	w := p.witness
	key, err := audit.LoadOrCreateKey(filepath.Join(k.dir, audit.KeyFile), "")
	if err != nil || key.VerifierKey != w.VerifierKey() {
		t.Fatalf("the data folder's key is not the one serve signs with: %v", err)
	}
	k.verifierKey = key.VerifierKey
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	partner := t.TempDir() // what the partner keeps, away from the ledger
	checkpoint := func() {
		text, c, err := w.Checkpoint(ctx)
		if err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(partner, fmt.Sprintf("synergy-%02d.checkpoint", c.Size))
		if err := os.WriteFile(file, text, 0o644); err != nil {
			t.Fatal(err)
		}
		k.checkpoints = append(k.checkpoints, file)
	}

	server := p.httpURL
	run(t, server, "form", "../../examples/synergy/consortium.yaml", "--terms", "../../examples/synergy/terms.yaml", "--occurred", "2026-04-01")
	run(t, server, "apply", "stockport-council", "--name", "Stockport Council", "--sector", "local-authority", "--contact", "sam-whitfield", "--sponsor", "anchorpoint", "--occurred", "2026-04-10")
	run(t, server, "propose", "admit-council", "--matter", "admission", "--about", "stockport-council", "--title", "Admit Stockport Council", "--occurred", "2026-04-11", "--closes", "2026-04-25")
	checkpoint() // 3
	run(t, server, "declare-interest", "admit-council", "pennine-care", "--interest", "commissioned jointly with the council", "--occurred", "2026-04-11")
	run(t, server, "vote", "admit-council", "anchorpoint", "for", "--occurred", "2026-04-12")
	run(t, server, "vote", "admit-council", "stockport-mind", "against", "--reason", "wait for the budget", "--occurred", "2026-04-12")
	checkpoint() // 6
	run(t, server, "vote", "admit-council", "stockport-mind", "for", "--occurred", "2026-04-13")
	run(t, server, "vote", "admit-council", "all-together-positive", "for", "--occurred", "2026-04-13")
	run(t, server, "close", "admit-council", "--occurred", "2026-04-14")
	checkpoint() // 10
	run(t, server, "propose", "venue", "--title", "Meet at the wellbeing centre", "--occurred", "2026-04-15")
	run(t, server, "serve-notice", "all-together-positive", "--reason", "merging with Stockport Mind", "--occurred", "2026-06-01")
	checkpoint() // 12

	k.export = filepath.Join(partner, "synergy.jsonl")
	var export bytes.Buffer
	if err := w.Export(ctx, &export, "synergy"); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k.export, export.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if k.recorded, err = p.log.Read(ctx, "synergy", 0); err != nil || len(k.recorded) != 12 {
		t.Fatalf("recorded %d events, %v; want 12", len(k.recorded), err)
	}
	p.stop()
	return k
}

// copyOf is a copy of the kept ledger's data folder, to tamper with.
func (k kept) copyOf(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "govledger-data")
	if err := os.CopyFS(dir, os.DirFS(k.dir)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// servedCopy runs a ledger, as serve does, on a copy of the kept data until the test
// ends.
func (k kept) servedCopy(t *testing.T) *ledgerProcess {
	t.Helper()
	p, err := startLedger(context.Background(), serveOptions{dataDir: k.copyOf(t), natsPort: -1, httpAddr: "127.0.0.1:0", syncMode: "interval"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	return p
}

// verify runs govledger audit verify in this process.
func verify(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = Main(context.Background(), append([]string{"audit", "verify"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustVerify runs audit verify and checks its exit status and that stderr matches.
func mustVerify(t *testing.T, wantCode int, wantErr string, args ...string) string {
	t.Helper()
	code, out, errOut := verify(args...)
	if code != wantCode || !regexp.MustCompile(wantErr).MatchString(errOut) {
		t.Fatalf("audit verify %s: exit %d, stderr %q; want exit %d and stderr matching %q",
			strings.Join(args, " "), code, errOut, wantCode, wantErr)
	}
	return out
}

// verifiedJSON reads what audit verify --json printed.
func verifiedJSON(t *testing.T, out string) verifyResult {
	t.Helper()
	var r verifyResult
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("audit verify --json printed %q: %v", out, err)
	}
	return r
}

// blocks are the stream's message block files in a data folder.
func blocks(t *testing.T, dir string) []string {
	t.Helper()
	bs, err := filepath.Glob(filepath.Join(dir, "jetstream", "$G", "streams", events.StreamName, "msgs", "*.blk"))
	if err != nil || len(bs) == 0 {
		t.Fatalf("no message blocks in %s: %v", dir, err)
	}
	return bs
}

// relink re-chains each consortium's events after some were changed or left out, as a
// host rewriting history would, so that the rewritten log is consistent in itself.
func relink(t *testing.T, raws [][]byte) [][]byte {
	t.Helper()
	heads := map[string]string{}
	var out [][]byte
	for i, raw := range raws {
		e, err := events.Decode(raw, uint64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		raw = bytes.Replace(raw, []byte(`"prev":"`+e.Prev+`"`), []byte(`"prev":"`+heads[e.Consortium]+`"`), 1)
		heads[e.Consortium] = events.Hash(raw)
		out = append(out, raw)
	}
	return out
}

// rewrite deletes the stream of the stopped ledger in dir and appends raws in its
// place, through NATS, as the host could.
func rewrite(t *testing.T, dir string, raws [][]byte) {
	t.Helper()
	s, err := embedded.Start(embedded.Config{DataDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Shutdown()
	nc, err := s.Connect()
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	js, _ := jetstream.New(nc)
	if err := js.DeleteStream(ctx, events.StreamName); err != nil {
		t.Fatal(err)
	}
	// The server may still be taking the deleted stream's files away: creating one of
	// the same name meanwhile fails to create its store, so it is tried again.
	for {
		_, err := events.EnsureStream(ctx, js, 1)
		if err == nil {
			break
		}
		if ctx.Err() != nil {
			t.Fatal(err)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for i, raw := range raws {
		e, err := events.Decode(raw, uint64(i+1))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := js.Publish(ctx, e.Subject(), raw); err != nil {
			t.Fatal(err)
		}
	}
}

func raws(evs []events.Envelope) [][]byte {
	var out [][]byte
	for _, e := range evs {
		out = append(out, bytes.Clone(e.Raw))
	}
	return out
}

func TestAuditVerify(t *testing.T) {
	k := keep(t)
	all := k.checkpoints
	against := func(files ...string) []string {
		var args []string
		for _, f := range files {
			args = append(args, "--against", f)
		}
		return args
	}
	vote := k.recorded[5] // sequence 6: stockport-mind votes against, "wait for the budget"
	if !bytes.Contains(vote.Raw, []byte(`"vote":"against"`)) {
		t.Fatalf("sequence 6 is not stockport-mind's vote against: %s", vote.Raw)
	}

	t.Run("a healthy ledger", func(t *testing.T) {
		out := mustVerify(t, 0, `^verified 5 of 12 events\nverified 10 of 12 events\n$`,
			append([]string{"--data", k.dir, "--progress", "5", "--key", k.verifierKey}, against(all...)...)...)
		if !regexp.MustCompile(`^verified 12 events of 1 consortium; checkpoint size 12, root [A-Za-z0-9+/]{43}=; it extends 4 checkpoints you kept\n$`).MatchString(out) {
			t.Errorf("stdout %q", out)
		}
		out = mustVerify(t, 0, `^$`, "--data", k.dir, "-c", "synergy")
		if !strings.HasPrefix(out, "verified 12 events of consortium synergy (12 in the log); checkpoint size 12, root ") {
			t.Errorf("stdout %q", out)
		}
		mustVerify(t, 4, `^govledger: consortium lambeth has no events in the log\n$`, "--data", k.dir, "-c", "lambeth")
		got := verifiedJSON(t, mustVerify(t, 0, `^$`, append([]string{"--data", k.dir, "--json", "--key", k.verifierKey}, against(all...)...)...))
		if !got.Verified || got.Events != 12 || got.Checked != 12 || got.Consortia != 1 || got.Checkpoint == nil ||
			got.Checkpoint.Size != 12 || len(got.Extends) != 4 || got.Fault != nil {
			t.Errorf("--json: %+v", got)
		}
		out = mustVerify(t, 0, `^$`, "--file", k.export, "--key", k.verifierKey)
		if !strings.HasPrefix(out, "verified 12 events of consortium synergy in "+k.export+"; checkpoint size 12, root ") {
			t.Errorf("stdout %q", out)
		}
	})

	t.Run("a byte flipped on disk", func(t *testing.T) {
		dir := k.copyOf(t)
		flipped := 0
		for _, b := range blocks(t, dir) {
			data, _ := os.ReadFile(b)
			if i := bytes.Index(data, []byte("wait for the budget")); i >= 0 {
				data[i+len("wait for the budge")] = 'T'
				os.WriteFile(b, data, 0o600)
				flipped++
			}
		}
		if flipped != 1 {
			t.Fatalf("found the vote's payload in %d blocks, want 1", flipped)
		}
		before := snapshot(t, dir)
		mustVerify(t, 8, `^govledger: the record does not verify: sequence 6: missing: the log goes from sequence 5 to 7\n$`, "--data", dir)
		if after := snapshot(t, dir); after != before {
			t.Error("verify changed the data folder it read")
		}

		// Without its index, nats-server rebuilds the block and cuts it short at the
		// altered event: the log then looks whole but shorter, and only the checkpoints
		// kept show what it lost.
		os.Remove(filepath.Join(filepath.Dir(blocks(t, dir)[0]), "index.db"))
		mustVerify(t, 0, `^$`, "--data", dir)
		mustVerify(t, 8, `^govledger: the record does not verify: sequences 4 to 6: checkpoint govledger.example/synergy covers 6 events, the log has 5: events were left out or the log was truncated: it extends .*synergy-03.checkpoint but not .*synergy-06.checkpoint\n$`,
			append([]string{"--data", dir}, against(all...)...)...)
	})

	t.Run("the stream re-created with one vote changed", func(t *testing.T) {
		dir := k.copyOf(t)
		forged := raws(k.recorded)
		forged[5] = bytes.Replace(forged[5], []byte(`"vote":"against"`), []byte(`"vote":"for"`), 1)
		rewrite(t, dir, relink(t, forged))
		mustVerify(t, 0, `^$`, "--data", dir) // consistent in itself
		mustVerify(t, 8, `^govledger: the record does not verify: sequences 4 to 6: the log does not extend checkpoint govledger.example/synergy of 6 events, though it extends the one of 3: some of these events were altered, left out or reordered since \(the log was rewritten or re-created\): it extends .*synergy-03.checkpoint but not .*synergy-06.checkpoint\n$`,
			append([]string{"--data", dir, "--key", k.verifierKey}, against(all...)...)...)
		got := verifiedJSON(t, mustVerify(t, 8, `does not extend checkpoint`,
			append([]string{"--data", dir, "--key", k.verifierKey, "--json"}, against(all...)...)...))
		if f := got.Fault; got.Verified || f == nil || f.Seq != 0 || f.From != 4 || f.To != 6 || !strings.HasSuffix(f.Extends, "synergy-03.checkpoint") ||
			!strings.HasSuffix(f.Breaks, "synergy-06.checkpoint") || !strings.Contains(f.What, "the log was rewritten or re-created") {
			t.Errorf("--json: %+v, fault %+v", got, got.Fault)
		}
		// The partner who kept only the last checkpoint knows less.
		mustVerify(t, 8, `^govledger: the record does not verify: sequences 1 to 12: the log does not extend checkpoint govledger.example/synergy of 12 events: .*: it does not extend .*synergy-12.checkpoint\n$`,
			append([]string{"--data", dir, "--key", k.verifierKey}, against(all[3])...)...)
	})

	// recreate re-creates the log of a copy of the ledger with only some of its events,
	// re-chained so that each consortium's chain holds.
	recreate := func(t *testing.T, keep [][]byte) string {
		dir := k.copyOf(t)
		if err := os.RemoveAll(filepath.Join(dir, "jetstream")); err != nil {
			t.Fatal(err)
		}
		s, err := embedded.Start(embedded.Config{DataDir: dir})
		if err != nil {
			t.Fatal(err)
		}
		nc, _ := s.Connect()
		js, _ := jetstream.New(nc)
		events.EnsureStream(context.Background(), js, 1)
		nc.Close()
		s.Shutdown()
		rewrite(t, dir, relink(t, keep))
		return dir
	}

	t.Run("the log re-created with an event left out", func(t *testing.T) {
		// The venue proposal, sequence 11: nothing after it depends on it, so the log
		// is consistent in itself and obeys the rules; only the checkpoints catch it.
		dir := recreate(t, append(raws(k.recorded[:10]), raws(k.recorded[11:])...))
		mustVerify(t, 0, `^$`, "--data", dir)
		mustVerify(t, 8, `^govledger: the record does not verify: sequences 11 to 12: checkpoint govledger.example/synergy covers 12 events, the log has 11: events were left out or the log was truncated: it extends .*synergy-10.checkpoint but not .*synergy-12.checkpoint\n$`,
			append([]string{"--data", dir, "--key", filepath.Join(k.dir, audit.KeyFile)}, against(all...)...)...)
	})

	t.Run("the log re-created with a vote left out", func(t *testing.T) {
		// Stockport Mind's change of vote, sequence 7: without it the admission was not
		// unanimous, so re-deciding the outcome, now at sequence 8, catches it with no
		// checkpoint at all.
		dir := recreate(t, append(raws(k.recorded[:6]), raws(k.recorded[7:])...))
		mustVerify(t, 8, `^govledger: the record does not verify: sequence 8 \(consortium synergy, event \w+\): it breaks the rules: decision.carried: proposal admit-council is recorded as carried \(3 for, 0 against, 0 abstaining, 0 blocking, of 3\), but its votes give rejected \(2 for, 1 against, 0 abstaining, 0 blocking, of 3\)\n$`,
			"--data", dir)
		got := verifiedJSON(t, mustVerify(t, 8, `it breaks the rules`, "--data", dir, "--json"))
		if f := got.Fault; got.Verified || f == nil || f.Seq != 8 || f.Consortium != "synergy" || f.EventID == "" ||
			!strings.HasPrefix(f.What, "it breaks the rules: decision.carried: proposal admit-council is recorded as carried") {
			t.Errorf("--json: %+v, fault %+v", got, got.Fault)
		}
	})

	t.Run("an event that does not decode, through raw NATS", func(t *testing.T) {
		url := k.servedCopy(t).server.ClientURL()
		mustVerify(t, 0, `^$`, append([]string{"--nats", url, "--key", k.verifierKey}, against(all...)...)...)

		nc, err := nats.Connect(url)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		m := nats.NewMsg(events.Subject("synergy", "decision.carried"))
		m.Data = []byte(`{"proposal":"venue","result":"carried"}`)
		if _, err := nc.RequestMsg(m, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, 8, `^govledger: the record does not verify: sequence 13: the stored bytes are not an event: invalid event: at sequence 13 the stored bytes are not a govledger event in canonical form\n$`,
			append([]string{"--nats", url, "--key", k.verifierKey}, against(all...)...)...)
	})

	t.Run("an event that breaks the rules, through raw NATS", func(t *testing.T) {
		p := k.servedCopy(t)
		url := p.server.ClientURL()
		// A vote on the admission closed at sequence 9, in canonical form and chained to
		// the consortium's last event: only re-deciding it by the rules tells.
		last := k.recorded[len(k.recorded)-1]
		vote := k.recorded[6] // stockport-mind votes for
		forged := bytes.Replace(vote.Raw, []byte(`"prev":"`+vote.Prev+`"`), []byte(`"prev":"`+last.Hash+`"`), 1)
		forged = bytes.Replace(forged, []byte(vote.ID), []byte("01ZZZZZZZZZZZZZZZZZZZZZZZZ"), 1)
		recorded := func(e events.Envelope) []byte {
			return []byte(`"recorded_at":"` + e.RecordedAt.Format(time.RFC3339Nano) + `"`)
		}
		forged = bytes.Replace(forged, recorded(vote), recorded(last), 1)
		nc, err := nats.Connect(url)
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		m := nats.NewMsg(vote.Subject())
		m.Data = forged
		if _, err := nc.RequestMsg(m, 5*time.Second); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, 8, `^govledger: the record does not verify: sequence 13 \(consortium synergy, event 01ZZZZZZZZZZZZZZZZZZZZZZZZ\): it breaks the rules: decision.vote-cast: proposal admit-council is closed \(carried\)\n$`,
			"--nats", url)

		// An export holds the consortium's whole history, so the rules are re-decided
		// offline too: the ledger's own export of it, signed and proven, is caught.
		if err := p.witness.WaitFor(context.Background(), 13); err != nil {
			t.Fatal(err)
		}
		var export bytes.Buffer
		if err := p.witness.Export(context.Background(), &export, "synergy"); err != nil {
			t.Fatal(err)
		}
		file := filepath.Join(t.TempDir(), "synergy.jsonl")
		if err := os.WriteFile(file, export.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, 8, `^govledger: .*synergy.jsonl: the record does not verify: sequence 13 \(consortium synergy, event 01ZZZZZZZZZZZZZZZZZZZZZZZZ\): line 14: it breaks the rules: decision.vote-cast: proposal admit-council is closed \(carried\)\n$`,
			"--file", file, "--key", k.verifierKey)
		var out, errOut bytes.Buffer
		dir := filepath.Join(t.TempDir(), "export")
		if code := Main(context.Background(), []string{"audit", "export", "--server", p.httpURL, "-c", "synergy", "--out", dir}, &out, &errOut); code != 8 ||
			!strings.Contains(errOut.String(), "line 14: it breaks the rules") {
			t.Errorf("audit export of a record that breaks the rules: exit %d, %q", code, errOut.String())
		}
		if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("audit export wrote %s for a record that does not verify: %v", dir, err)
		}
	})

	t.Run("an export altered", func(t *testing.T) {
		data, _ := os.ReadFile(k.export)
		altered := filepath.Join(t.TempDir(), "synergy.jsonl")
		os.WriteFile(altered, bytes.Replace(data, []byte(`"vote":"against"`), []byte(`"vote":"for"`), 1), 0o644)
		mustVerify(t, 8, `^govledger: .*synergy.jsonl: the record does not verify: sequence 6 \(consortium synergy, event [0-9A-Z]+\): line 7 is not proven: `, "--file", altered, "--key", k.verifierKey)
		mustVerify(t, 3, `^govledger: .*synergy.jsonl is an export of consortium synergy, not of lambeth\n$`, "--file", k.export, "--key", k.verifierKey, "-c", "lambeth")
	})

	t.Run("the key in the data folder replaced", func(t *testing.T) {
		// Whoever hosts the ledger can replace the key it keeps: without --key, a
		// checkpoint that does not open with the data folder's key is a fault.
		dir := k.copyOf(t)
		replaced := filepath.Join(t.TempDir(), audit.KeyFile)
		if _, err := audit.LoadOrCreateKey(replaced, "govledger.example/synergy"); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(replaced, filepath.Join(dir, audit.KeyFile)); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, 8, `^govledger: the record does not verify: checkpoint .*synergy-03.checkpoint does not open with the key in the data folder \(govledger.example/synergy\+`, "--data", dir, "--against", all[0])
	})

	t.Run("called wrongly", func(t *testing.T) {
		mustVerify(t, 2, `^govledger: give --nats or --data, not both\n$`, "--data", k.dir, "--nats", "nats://127.0.0.1:4222")
		mustVerify(t, 2, `^govledger: --against needs --key: `, "--against", all[0])
		mustVerify(t, 2, `^govledger: --file needs --key: `, "--file", k.export)
		mustVerify(t, 2, `^govledger: --against needs the log `, "--file", k.export, "--key", k.verifierKey, "--against", all[0])
		mustVerify(t, 2, `^govledger: govledger audit verify takes no arguments, got 1 \(see govledger audit verify --help\)\n$`, "somewhere")
		mustVerify(t, 3, `^govledger: checkpoint .*synergy-03.checkpoint does not open with key `, "--data", k.dir, "--key", otherKey(t), "--against", all[0])
		mustVerify(t, 3, `^govledger: --key "nonsense" is neither a verifier key`, "--data", k.dir, "--key", "nonsense", "--against", all[0])
		mustVerify(t, 4, `^govledger: no govledger record in data folder `, "--data", t.TempDir())
		mustVerify(t, 7, `^govledger: cannot reach NATS at nats://127.0.0.1:1 `, "--nats", "nats://127.0.0.1:1")
		var out, errOut bytes.Buffer
		if code := Main(context.Background(), []string{"audit"}, &out, &errOut); code != 2 || !strings.Contains(errOut.String(), "say what to audit") {
			t.Errorf("govledger audit: exit %d, %q", code, errOut.String())
		}
	})
}

// snapshot is the content of every file in dir, to tell whether anything changed.
func snapshot(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		fmt.Fprintf(&b, "%s %s\n", path, events.Hash(data))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// otherKey is the verifier key of another ledger of the same name.
func otherKey(t *testing.T) string {
	k, err := audit.LoadOrCreateKey(filepath.Join(t.TempDir(), audit.KeyFile), "govledger.example/synergy")
	if err != nil {
		t.Fatal(err)
	}
	return k.VerifierKey
}
