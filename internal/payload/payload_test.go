package payload

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/govledger/govledger/governance"
)

// FuzzPayload: whatever the fast reading of a payload accepts, governance.DecodePayload
// accepts too, with the same result; and it accepts what encoding/json writes of every
// payload it reads.
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
		governance.Outcome{Proposal: "venue", Result: "carried", Tally: governance.Tally{For: 2, Against: 2, Electorate: 4}, CastingVote: "for", ReviewDate: "2026-09-30"},
		governance.Outcome{Proposal: "budget", Result: "lapsed", Tally: governance.Tally{Abstain: 1, Electorate: 12}},
		governance.InterestDeclared{Proposal: "budget", Partner: "essex-mind", Interest: "Its chief officer chairs the bidder"},
		governance.DecisionWithdrawn{Proposal: "venue", Reason: "Booked elsewhere"},
		governance.DecisionWithdrawn{Proposal: "venue"},
		governance.DisputeRaised{Dispute: "late-invoices", RaisedBy: "age-uk", Parties: []string{"essex-mind", "brightside-cvs"}, Matter: "Invoices paid late"},
		governance.DisputeRaised{Dispute: "none", RaisedBy: "age-uk", Parties: []string{}, Matter: "m"},
		governance.DisputeEscalated{Dispute: "late-invoices", Stage: 2},
		governance.DisputeEscalated{Dispute: "late-invoices"},
		governance.DisputeResolved{Dispute: "late-invoices", Outcome: "Paid with interest"},
		governance.DisputeWithdrawn{Dispute: "late-invoices", Reason: "Settled"},
		governance.DisputeWithdrawn{Dispute: "late-invoices"},
		governance.PartnerAdmitted{Partner: "age-uk", Proposal: "admit-age-uk"},
		governance.PartnerDeclined{Partner: "age-uk", Proposal: "admit-age-uk"},
		governance.PartnerExpelled{Partner: "age-uk", Proposal: "expel-age-uk"},
		governance.ConsortiumDissolved{Proposal: "wind-up"},
		governance.RoleAssigned{Partner: "age-uk", Role: "chair", Proposal: "new-chair"},
		governance.RoleAssigned{Partner: "age-uk", Role: "point-of-contact", Person: "Amina Okafor"},
		governance.NoticeServed{Partner: "age-uk", EffectiveAt: at.AddDate(0, 3, 0), Reason: "Funding ended"},
		governance.NoticeServed{Partner: "age-uk", EffectiveAt: at.Add(123 * time.Millisecond)},
	}
	for _, p := range seeds {
		data, err := json.Marshal(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(p.EventType(), data)
		got, ok := read(p.EventType(), data, nil)
		if !ok || !reflect.DeepEqual(got, p) {
			f.Errorf("%s: read %#v (%v), want %#v", data, got, ok, p)
		}
	}
	amend, _ := json.Marshal(governance.DecisionProposed{Proposal: "amend", Matter: "amend-terms", Title: "Amend", ClosesAt: at, NewTerms: &governance.Terms{Version: 2}})
	f.Add(governance.TypeDecisionProposed, amend)
	f.Add(governance.TypeVoteCast, []byte(`{"proposal":"p","partner":"x","vote":"for","reason":"caf\u00e9"}`))
	f.Add(governance.TypeDecisionProposed, []byte(`{"proposal":"p","matter":"m","title":"t","closes_at":"2026-03-09T09:30:00+01:00","electorate":null,"rule":{"method":"majority","threshold":"","quorum":"3/2"}}`))
	f.Add(governance.TypeDecisionRejected, []byte(`{"proposal":"p","result":"carried","tally":{"for":1,"against":0,"abstain":0,"block":0,"electorate":1},"review_date":"2026-02-30"}`))
	f.Add(governance.TypeDisputeEscalated, []byte(`{"dispute":"d","stage":-1}`))
	f.Add(governance.TypeNoticeServed, []byte(`{"partner":"p","effective_at":"2026-03-09T09:30:00.000Z"}`))
	f.Add(governance.TypeDisputeRaised, []byte(`{"dispute":"d","raised_by":"a","parties":null,"matter":"m"} `))
	f.Fuzz(func(t *testing.T, eventType string, data []byte) {
		fast, ok := read(eventType, data, func(b []byte) string { return string(b) })
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

// FuzzEncode: Encode writes what json.Marshal writes.
func FuzzEncode(f *testing.F) {
	f.Add("admit-council", "essex-mind", "against", "Wait for the safeguarding checks")
	f.Add("venue", "brightside-cvs", "for", "")
	f.Add("venue", "brightside-cvs", "for", "a < b & \"c\" \u2028 caf\xe9 \x7f")
	f.Fuzz(func(t *testing.T, proposal, partner, vote, reason string) {
		p := governance.VoteCast{Proposal: proposal, Partner: partner, Vote: vote, Reason: reason}
		got, err := Encode(p)
		want, werr := json.Marshal(p)
		if err != nil || werr != nil || string(got) != string(want) {
			t.Fatalf("Encode wrote %s (%v), json.Marshal %s (%v)", got, err, want, werr)
		}
	})
}
