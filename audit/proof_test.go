package audit_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	"golang.org/x/mod/sumdb/tlog"
)

// rfc6962Root is the Merkle tree hash of RFC 6962 section 2.1 over events' stored
// bytes, whose leaf input is each event's SHA-256 (see the package doc), written out
// plainly, to check the Tree against the definition rather than against tlog itself.
func rfc6962Root(leaves [][]byte) tlog.Hash {
	if len(leaves) == 1 {
		event := sha256.Sum256(leaves[0])
		return sha256.Sum256(append([]byte{0}, event[:]...))
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	l, r := rfc6962Root(leaves[:k]), rfc6962Root(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

func TestTreeProofsForRandomSizes(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	var tree audit.Tree
	var leaves [][]byte
	for range 300 {
		leaf := fmt.Appendf(nil, `{"n":%d}`, rng.Int())
		if got := tree.Add(sha256.Sum256(leaf)); got != int64(len(leaves)) {
			t.Fatalf("leaf %d added at %d", len(leaves), got)
		}
		leaves = append(leaves, leaf)
	}
	for range 200 {
		size := 1 + rng.Int64N(int64(len(leaves)))
		root, err := tree.RootAt(size)
		if err != nil {
			t.Fatal(err)
		}
		if root != rfc6962Root(leaves[:size]) {
			t.Fatalf("root of %d leaves is not RFC 6962's", size)
		}

		leaf := rng.Int64N(size)
		p, err := tree.ProveInclusion(leaf, size)
		if err != nil {
			t.Fatal(err)
		}
		event := sha256.Sum256(leaves[leaf])
		h := tlog.RecordHash(event[:])
		if err := tlog.CheckRecord(p, size, root, leaf, h); err != nil {
			t.Fatalf("leaf %d of %d: %v", leaf, size, err)
		}
		wrongLeaf := tlog.RecordHash(append(bytes.Clone(event[:]), ' '))
		// A proof alone does not bind the size when the leaf's path has the same shape in
		// a bigger tree; the signed checkpoint does. So the wrong size here is one the
		// leaf is not in, and TestInclusionProofBundle changes the size it signs.
		if tlog.CheckRecord(p, size, root, leaf, wrongLeaf) == nil ||
			tlog.CheckRecord(p, leaf, root, leaf, h) == nil ||
			tlog.CheckRecord(p, size, tlog.RecordHash(nil), leaf, h) == nil {
			t.Fatalf("inclusion of leaf %d of %d verifies with a wrong leaf, size or root", leaf, size)
		}

		old := 1 + rng.Int64N(size)
		oldRoot, _ := tree.RootAt(old)
		cp, err := tree.ProveConsistency(old, size)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(cp, size, root, old, oldRoot); err != nil {
			t.Fatalf("%d extends %d: %v", size, old, err)
		}
		if tlog.CheckTree(cp, size, root, old, tlog.RecordHash(nil)) == nil ||
			tlog.CheckTree(cp, size, tlog.RecordHash(nil), old, oldRoot) == nil ||
			(old > 1 && tlog.CheckTree(cp, size, root, old-1, oldRoot) == nil) {
			t.Fatalf("consistency of %d with %d verifies with a wrong root or size", size, old)
		}
	}
}

func TestCheckpointAndKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "checkpoint.key")
	k, err := audit.LoadOrCreateKey(path, "govledger.example/synergy")
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(path); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v", fi.Mode(), err)
	}
	again, err := audit.LoadOrCreateKey(path, "govledger.example/synergy")
	if err != nil || again.VerifierKey != k.VerifierKey {
		t.Fatalf("reloaded key %q, %v; want %q", again.VerifierKey, err, k.VerifierKey)
	}
	if _, err := audit.LoadOrCreateKey(path, "govledger.example/other"); err == nil {
		t.Error("a key of another origin was accepted")
	}
	// No origin given: the existing key's, or the default for a new key.
	if got, err := audit.LoadOrCreateKey(path, ""); err != nil || got.VerifierKey != k.VerifierKey {
		t.Errorf("reloaded key without an origin: %q, %v; want %q", got.VerifierKey, err, k.VerifierKey)
	}
	fresh, err := audit.LoadOrCreateKey(filepath.Join(t.TempDir(), audit.KeyFile), "")
	if err != nil || fresh.Signer.Name() != audit.DefaultOrigin() || !strings.HasPrefix(fresh.Signer.Name(), "govledger") {
		t.Errorf("new key without an origin is named %q (%v), want %q", fresh.Signer.Name(), err, audit.DefaultOrigin())
	}

	var tree audit.Tree
	tree.Add(sha256.Sum256([]byte("{}")))
	c, text, err := tree.Checkpoint(k.Signer)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := audit.OpenCheckpoint(text, k.VerifierKey); err != nil || got != c {
		t.Fatalf("checkpoint reads back as %+v, %v; want %+v", got, err, c)
	}
	other := key(t, "govledger.example/synergy")
	if _, err := audit.OpenCheckpoint(text, other.VerifierKey); !errors.Is(err, audit.ErrBadCheckpoint) {
		t.Errorf("checkpoint opened with another key: %v", err)
	}
	forged := bytes.Replace(text, []byte("\n1\n"), []byte("\n2\n"), 1)
	if _, err := audit.OpenCheckpoint(forged, k.VerifierKey); !errors.Is(err, audit.ErrBadCheckpoint) {
		t.Errorf("checkpoint with a changed size opened: %v", err)
	}
}

func TestInclusionProofBundle(t *testing.T) {
	l := openLedger(t, "")
	all := history(t, l.log, 4)
	k := key(t, "govledger.example/test")
	r, err := audit.Verify(ctx(t), l.log, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	decision := []events.Envelope{all[0], all[3], all[6], all[9]} // synergy's
	d := audit.Decision{Consortium: "synergy", Proposal: "a-decision"}
	bundle, err := audit.Prove(r.Tree, k.Signer, d, decision)
	if err != nil {
		t.Fatal(err)
	}
	got, err := audit.VerifyProof(bundle, k.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	if got.Checkpoint.Size != 12 || got.Decision != d || len(got.Events) != len(decision) || got.Events[2].Hash != decision[2].Hash {
		t.Fatalf("proof of %d events of %+v under a checkpoint of %d", len(got.Events), got.Decision, got.Checkpoint.Size)
	}

	var p audit.Proof
	if err := json.Unmarshal(bundle, &p); err != nil {
		t.Fatal(err)
	}
	tamper := map[string]func(p *audit.Proof){
		"wrong event": func(p *audit.Proof) { p.Events[1].Event = all[0].Raw },
		"altered event": func(p *audit.Proof) {
			p.Events[1].Event = bytes.Replace(p.Events[1].Event, []byte("-1"), []byte("-2"), 1)
		},
		"wrong leaf":    func(p *audit.Proof) { p.Events[1].Leaf++; p.Events[1].Seq++ },
		"beyond size":   func(p *audit.Proof) { p.Events[1].Leaf, p.Events[1].Seq = 12, 13 },
		"wrong proof":   func(p *audit.Proof) { p.Events[1].Proof[0][0] ^= 1 },
		"bad signature": func(p *audit.Proof) { p.Checkpoint = p.Checkpoint[:len(p.Checkpoint)-5] + "AAAA\n" },
		"other checkpoint": func(p *audit.Proof) {
			_, text, _ := (&audit.Tree{}).Checkpoint(k.Signer)
			p.Checkpoint = string(text)
		},
		"no events": func(p *audit.Proof) { p.Events = nil },
		// What the ledger signed holds the bundle to the decision's events, all of them.
		"an event left out": func(p *audit.Proof) { p.Events = append(p.Events[:2:2], p.Events[3:]...) },
		"an event added":    func(p *audit.Proof) { p.Events = append(p.Events, p.Events[0]) },
		"events reordered":  func(p *audit.Proof) { p.Events[0], p.Events[1] = p.Events[1], p.Events[0] },
		"no statement":      func(p *audit.Proof) { p.Statement = "" },
		"another statement": func(p *audit.Proof) {
			other, _ := audit.Prove(r.Tree, k.Signer, audit.Decision{Consortium: d.Consortium, Proposal: "another"}, all[3:4])
			var q audit.Proof
			json.Unmarshal(other, &q)
			p.Statement = q.Statement
		},
		"a statement for another checkpoint": func(p *audit.Proof) {
			var grown audit.Tree
			for _, e := range all {
				h, _ := hex.DecodeString(e.Hash)
				grown.Add(tlog.Hash(h))
			}
			grown.Add(tlog.Hash{})
			other, _ := audit.Prove(&grown, k.Signer, d, decision)
			var q audit.Proof
			json.Unmarshal(other, &q)
			p.Statement = q.Statement
		},
		"bigger size signed by another key": func(p *audit.Proof) {
			c, _ := audit.OpenCheckpoint([]byte(p.Checkpoint), k.VerifierKey)
			c.Size++
			text, _ := audit.SignCheckpoint(c, key(t, c.Origin).Signer)
			p.Checkpoint = string(text)
		},
	}
	for name, change := range tamper {
		var q audit.Proof
		json.Unmarshal(bundle, &q)
		change(&q)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(q)
		if _, err := audit.VerifyProof(b.Bytes(), k.VerifierKey); !errors.Is(err, audit.ErrBadProof) {
			t.Errorf("%s: the proof verifies (%v)", name, err)
		}
	}
	if _, err := audit.VerifyProof(bundle, key(t, "govledger.example/test").VerifierKey); !errors.Is(err, audit.ErrBadProof) {
		t.Errorf("the proof verifies with another ledger's key: %v", err)
	}
	if _, err := audit.VerifyProof(bytes.TrimSuffix(bundle, []byte("\n")), k.VerifierKey); err != nil {
		t.Errorf("the proof without its last newline: %v", err)
	}
	// encoding/json would read the last of two keys alike, in any case, where other tools
	// read the first: a forged event shows there, the real one to VerifyProof.
	forgedEvent := bytes.Replace(all[3].Raw, []byte("-1"), []byte("-2"), 1)
	for name, b := range map[string][]byte{
		"an event under a key twice": bytes.Replace(bundle, []byte(`"event":`), []byte(`"event":`+string(forgedEvent)+`,"Event":`), 1),
		"a field it does not know":   bytes.Replace(bundle, []byte(`{"checkpoint":`), []byte(`{"decision":"forged","checkpoint":`), 1),
		"indented":                   bytes.Replace(bundle, []byte(`,"statement":`), []byte(",\n  \"statement\":"), 1),
	} {
		if _, err := audit.VerifyProof(b, k.VerifierKey); !errors.Is(err, audit.ErrBadProof) || !strings.Contains(err.Error(), "not written as govledger writes it") {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := audit.Prove(r.Tree, k.Signer, d, append(decision, all[1])); err == nil {
		t.Error("proved an event of another consortium as one of the decision's")
	}
	forged := all[6]
	forged.Raw = bytes.Replace(forged.Raw, []byte("-1"), []byte("-2"), 1)
	if _, err := audit.Prove(r.Tree, k.Signer, d, append(decision, forged)); err == nil {
		t.Error("proved an event that is not the tree's leaf")
	}
}
