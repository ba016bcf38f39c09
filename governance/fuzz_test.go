package governance_test

import (
	"errors"
	"os"
	"testing"

	g "github.com/govledger/govledger/governance"
)

func FuzzParseTerms(f *testing.F) {
	if data, err := os.ReadFile("testdata/synergy-terms.yaml"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"decision_rules":{"ordinary":{"method":"majority","quorum":"1/2"}}}`))
	f.Add([]byte("risk_shares: {a: 33.33, b: 66.67}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		terms, err := g.ParseTerms(data)
		if err != nil {
			var ge *g.Error
			if !errors.As(err, &ge) || ge.Code != g.CodeInvalid {
				t.Fatalf("refusal without code invalid: %v", err)
			}
			return
		}
		_ = terms.Validate([]string{"a", "b"}) // must not panic
	})
}

func FuzzDecodeCommand(f *testing.F) {
	f.Add("cast-vote", []byte(`{"at":"2026-03-02T09:30:00Z","proposal":"p1","partner":"essex-mind","vote":"for"}`))
	f.Add("record-meeting-decision", []byte(`{"proposal":"m","matter":"ordinary","title":"t","attendance":["a"],"votes":{"a":"for"}}`))
	f.Add("form-consortium", []byte(`{"consortium":"a.b"}`))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		c, err := g.DecodeCommand(name, data)
		if err != nil {
			return
		}
		if c.CommandName() != name {
			t.Fatalf("decoded %s as %s", name, c.CommandName())
		}
		// Deciding any decoded command on any state must refuse cleanly or produce events.
		_, _ = g.Decide(nil, c)
	})
}

func FuzzDecodePayload(f *testing.F) {
	f.Add("decision.carried", []byte(`{"proposal":"p","result":"carried","tally":{"for":3,"against":0,"abstain":0,"block":0,"electorate":3}}`))
	f.Add("decision.carried", []byte(`{"proposal":"p","result":"rejected"}`))
	f.Add("partner.applied", []byte(`{"partner":{"id":"x"}}`))
	f.Fuzz(func(t *testing.T, typ string, data []byte) {
		p, err := g.DecodePayload(typ, data)
		if err == nil && p.EventType() != typ {
			t.Fatalf("a %s event decoded as %s", typ, p.EventType())
		}
	})
}

func FuzzValidSlug(f *testing.F) {
	for _, s := range []string{"synergy", "a.b", "*", ">", "a b", "-x", "Synergy"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if g.ValidSlug("id", s) != nil {
			return
		}
		for i, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' && i > 0) || len(s) > 63 {
				t.Fatalf("accepted %q", s)
			}
		}
	})
}
