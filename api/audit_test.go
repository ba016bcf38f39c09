package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/govledger/govledger/api"
	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
	"golang.org/x/mod/sumdb/tlog"
)

func getText(t *testing.T, l *ledgerAPI, path string, q url.Values) []byte {
	t.Helper()
	var b []byte
	if err := l.client.Get(context.Background(), path, q, &b); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return b
}

// A partner keeps the checkpoints it is given and checks that each new one extends
// the last, with the key alone.
func TestCheckpointsGrowConsistently(t *testing.T) {
	l := story(t)
	key := strings.TrimSpace(string(getText(t, l, "/v1/audit/key", nil)))
	if key != l.key.VerifierKey {
		t.Fatalf("served key %q, want %q", key, l.key.VerifierKey)
	}
	older, err := audit.OpenCheckpoint(getText(t, l, "/v1/audit/checkpoint", nil), key)
	if err != nil || older.Size != 12 {
		t.Fatalf("checkpoint of %d events, %v; want 12", older.Size, err)
	}
	l.do(t, synergy+"/disputes/late-invoices/escalate", map[string]any{"at": on(90)})
	newer, err := audit.OpenCheckpoint(getText(t, l, "/v1/audit/checkpoint", nil), key)
	if err != nil || newer.Size != 13 {
		t.Fatalf("checkpoint of %d events, %v; want 13", newer.Size, err)
	}
	c := get[api.Consistency](t, l, "/v1/audit/consistency", url.Values{"old": {"12"}, "size": {"13"}})
	if err := tlog.CheckTree(c.Proof, newer.Size, newer.Root, older.Size, older.Root); err != nil {
		t.Fatalf("the consistency proof does not hold: %v", err)
	}
	if err := tlog.CheckTree(c.Proof, newer.Size, newer.Root, older.Size, newer.Root); err == nil {
		t.Fatal("the consistency proof holds for a root it was not made for")
	}
	for _, q := range []url.Values{{"old": {"0"}}, {"old": {"13"}, "size": {"12"}}, {"old": {"2"}, "size": {"99"}}, {"old": {"x"}}} {
		var b []byte
		err := l.client.Get(context.Background(), "/v1/audit/consistency", q, &b)
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Code != api.CodeInvalid {
			t.Errorf("consistency %s = %v, want invalid", q.Encode(), err)
		}
	}
}

// A decision's proof bundle checks offline with the key alone, and proves exactly the
// events behind the decision.
func TestDecisionProof(t *testing.T) {
	l := story(t)
	bundle := getText(t, l, synergy+"/decisions/admit-council/proof", nil)
	r, err := audit.VerifyProof(bundle, l.key.VerifierKey)
	if err != nil {
		t.Fatal(err)
	}
	c, evs := r.Checkpoint, r.Events
	if r.Decision != (audit.Decision{Consortium: "synergy", Proposal: "admit-council"}) {
		t.Errorf("a proof of %+v", r.Decision)
	}
	d := get[projections.Decision](t, l, synergy+"/decisions/admit-council", nil)
	if c.Size != 12 || len(evs) != len(d.Events) {
		t.Fatalf("proof under a checkpoint of %d of %d events, want 12 and %d", c.Size, len(evs), len(d.Events))
	}
	for i, e := range evs {
		if e.Seq != d.Events[i].Seq || e.ID != d.Events[i].ID || e.Type != d.Events[i].Type {
			t.Errorf("proven event %d is %d %s, want %+v", i, e.Seq, e.Type, d.Events[i])
		}
	}
	altered := bytes.Replace(bundle, []byte(`\"vote\":\"for\"`), []byte(`\"vote\":\"against\"`), 1)
	if bytes.Equal(altered, bundle) {
		altered = bytes.Replace(bundle, []byte(`"vote":"for"`), []byte(`"vote":"against"`), 1)
	}
	if _, err := audit.VerifyProof(altered, l.key.VerifierKey); !errors.Is(err, audit.ErrBadProof) {
		t.Fatalf("a proof with a vote changed: %v", err)
	}
	var b []byte
	err = l.client.Get(context.Background(), synergy+"/decisions/budget/proof", nil, &b)
	var ae *api.Error
	if !errors.As(err, &ae) || ae.Code != api.CodeNotFound {
		t.Fatalf("proof of an unknown decision: %v", err)
	}
}

// An export verifies offline and, read back into read models, gives the same answers as
// the live ones.
func TestExportRoundTrip(t *testing.T) {
	l := story(t)
	export := getText(t, l, synergy+"/export", nil)
	r, err := audit.VerifyExport(bytes.NewReader(export), l.key.VerifierKey, ledger.Recheck())
	if err != nil || r.Consortium != "synergy" || r.Events != 12 {
		t.Fatalf("export verifies as %+v, %v", r, err)
	}
	m := projections.NewModels()
	sc := bufio.NewScanner(bytes.NewReader(export))
	sc.Scan() // the header
	for sc.Scan() {
		var line struct {
			Seq   uint64          `json:"seq"`
			Event json.RawMessage `json:"event"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		e, err := events.Decode(line.Event, line.Seq)
		if err != nil {
			t.Fatal(err)
		}
		m.Apply(e)
	}
	fromExport, err := m.Decisions("synergy")
	if err != nil {
		t.Fatal(err)
	}
	if live := get[[]projections.Decision](t, l, synergy+"/decisions", nil); !reflect.DeepEqual(jsonOf(t, fromExport), jsonOf(t, live)) {
		t.Fatalf("decisions from the export differ from the live ones")
	}
	members, err := m.Membership("synergy", today)
	if err != nil {
		t.Fatal(err)
	}
	if live := get[[]projections.Member](t, l, synergy+"/members", nil); !reflect.DeepEqual(jsonOf(t, members), jsonOf(t, live)) {
		t.Fatalf("members from the export differ from the live ones")
	}
}

func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
