package projections

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/govledger/govledger/governance"
)

// FuzzPayload: whatever the fast reading of a payload accepts, governance.DecodePayload
// accepts too, with the same result; and it accepts what encoding/json writes.
func FuzzPayload(f *testing.F) {
	at := time.Date(2026, 3, 9, 9, 30, 0, 0, time.UTC)
	seeds := []governance.Payload{
		governance.VoteCast{Proposal: "admit-council", Partner: "essex-mind", Vote: "against", Reason: "Wait for the safeguarding checks"},
		governance.VoteCast{Proposal: "venue", Partner: "brightside-cvs", Vote: "for"},
		governance.DecisionProposed{Proposal: "venue", Matter: "ordinary", Title: "Meet at the Mercury Theatre", ClosesAt: at,
			Electorate: []string{"brightside-cvs", "essex-mind"}, Rule: governance.Rule{Method: "majority", Quorum: governance.Fraction{Num: 1, Den: 2}, CastingVote: true, VotingDays: 10},
			Chair: "brightside-cvs"},
		governance.DecisionProposed{Proposal: "expel", Matter: "expulsion", Title: "Expel Essex Mind", About: "essex-mind", ClosesAt: at.Add(time.Nanosecond),
			Electorate: []string{}, Rule: governance.Rule{Method: "supermajority", Threshold: governance.Fraction{Num: 2, Den: 3}, Quorum: governance.Fraction{Num: 2, Den: 3}},
			Meeting: &governance.Meeting{HeldAt: at, Attendance: []string{"age-uk"}}, Role: &governance.RoleAssignment{Partner: "age-uk", Role: "chair"}},
		governance.DecisionProposed{Proposal: "amend", Matter: "amend-terms", Title: "Amend", ClosesAt: at, NewTerms: &governance.Terms{Version: 2}},
		governance.Outcome{Proposal: "venue", Result: "carried", Tally: governance.Tally{For: 2, Against: 2, Electorate: 4}, CastingVote: "for", ReviewDate: "2026-09-30"},
		governance.Outcome{Proposal: "budget", Result: "lapsed", Tally: governance.Tally{Abstain: 1, Electorate: 12}},
	}
	for _, p := range seeds {
		data, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p.EventType(), data)
		if _, ok := p.(governance.DecisionProposed); ok && p.(governance.DecisionProposed).NewTerms != nil {
			continue
		}
		got, err := decodePayload(p.EventType(), data, nil)
		if err != nil || !reflect.DeepEqual(got, p) {
			f.Errorf("%s: read %#v (%v), want %#v", data, got, err, p)
		}
	}
	f.Add(governance.TypeVoteCast, []byte(`{"proposal":"p","partner":"x","vote":"for","reason":"caf\u00e9"}`))
	f.Add(governance.TypeDecisionProposed, []byte(`{"proposal":"p","matter":"m","title":"t","closes_at":"2026-03-09T09:30:00+01:00","electorate":null,"rule":{"method":"majority","threshold":"","quorum":"3/2"}}`))
	f.Add(governance.TypeDecisionRejected, []byte(`{"proposal":"p","result":"carried","tally":{"for":1,"against":0,"abstain":0,"block":0,"electorate":1},"review_date":"2026-02-30"}`))
	f.Fuzz(func(t *testing.T, eventType string, data []byte) {
		var fast governance.Payload
		var ok bool
		switch eventType {
		case governance.TypeVoteCast:
			fast, ok = readVoteCast(data, NewModels().name)
		case governance.TypeDecisionProposed:
			fast, ok = readDecisionProposed(data)
		case governance.TypeDecisionCarried, governance.TypeDecisionRejected, governance.TypeDecisionLapsed:
			var o governance.Outcome
			o, ok = readOutcome(data)
			ok = ok && o.EventType() == eventType
			fast = o
		default:
			return
		}
		if !ok {
			return
		}
		slow, err := governance.DecodePayload(eventType, data)
		if err != nil {
			t.Fatalf("read %s quickly, but DecodePayload refuses it: %v", data, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s: read quickly as %#v, DecodePayload says %#v", data, fast, slow)
		}
	})
}
