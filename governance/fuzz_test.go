package governance_test

import (
	"errors"
	"os"
	"testing"

	g "github.com/govledger/govledger/governance"
)

func FuzzParseTerms(f *testing.F) {
	for _, sh := range shapes {
		if data, err := os.ReadFile("testdata/" + sh.terms); err == nil {
			f.Add(data)
		}
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
	f.Add("cast-vote", []byte(`{"at":"2026-03-03T09:30:00Z","proposal":"venue","partner":"essex-mind","vote":"for"}`))
	f.Add("close-proposal", []byte(`{"at":"2026-03-20T09:30:00Z","proposal":"venue","casting_vote":"for"}`))
	f.Add("record-meeting-decision", []byte(`{"at":"2026-03-05T09:30:00Z","proposal":"m","matter":"ordinary","title":"t","attendance":["essex-mind"],"votes":{"essex-mind":"for"}}`))
	f.Add("assign-role", []byte(`{"at":"2026-03-03T09:30:00Z","partner":"essex-mind","role":"point-of-contact","person":"sam-lee"}`))
	f.Add("table-proposal", []byte(`{"at":"2026-03-03T09:30:00Z","proposal":"p","matter":"ordinary","title":"t","role":{"partner":"essex-mind","role":"chair"}}`))
	f.Add("escalate-dispute", []byte(`{"at":"2026-03-30T09:30:00Z","dispute":"invoices"}`))
	f.Add("form-consortium", []byte(`{"consortium":"a.b"}`))
	// A consortium with some history for the commands to act on.
	s := formSynergy(f)
	s.ballot(g.TableProposal{At: at(1), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Venue"}, map[string]string{"brightside-cvs": "for", "colchester-nhs": "against"})
	s.do(g.RaiseDispute{At: at(1), Dispute: "invoices", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid late"})
	history := s.state
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		c, err := g.DecodeCommand(name, data)
		if err != nil {
			return
		}
		if c.CommandName() != name {
			t.Fatalf("decoded %s as %s", name, c.CommandName())
		}
		// Deciding any decoded command must refuse with a code, or produce events that
		// Check accepts and Apply applies.
		for _, state := range []*g.State{nil, history.Clone()} {
			evs, err := g.Decide(state, c)
			if err != nil {
				var ge *g.Error
				if !errors.As(err, &ge) || ge.Code == "" {
					t.Fatalf("refusal without a code: %v", err)
				}
				continue
			}
			for _, e := range evs {
				if err := g.Check(state, e); err != nil {
					t.Fatalf("Check refuses the %s that Decide produced: %v", e.Type(), err)
				}
				state = g.Apply(state, e)
			}
		}
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
