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
// payload it reads. DecodeVote accepts what DecodePayload accepts of a vote, and no
// more.
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
		governance.PartnerApplied{Partner: governance.PartnerSpec{ID: "age-uk", Name: "Age UK Essex", Sector: "vcse", Tier: "associate", PointOfContact: "Amina Okafor"}, Sponsor: "essex-mind"},
		governance.PartnerApplied{Partner: governance.PartnerSpec{ID: "age-uk", Name: "Age UK Essex", Sector: "vcse", Tier: "full",
			Representatives: []governance.Representative{{ID: "amina", Name: "Amina Okafor", PublicKey: "ed25519:AAAA"}, {ID: "joe", Name: "Joe Bloggs"}}}},
		governance.PartnerApplied{Partner: governance.PartnerSpec{ID: "age-uk"}},
		governance.TermsAmended{Proposal: "notice-90", Terms: fullTerms},
		governance.TermsAmended{Proposal: "bare", Terms: governance.Terms{Version: 3}},
		governance.ConsortiumFormed{Consortium: "synergy", Name: "Synergy Essex", Purpose: "Joined-up care", Structure: "alliance", Start: "2026-01-05", End: "2028-02-29",
			Partners: []governance.PartnerSpec{{ID: "age-uk", Name: "Age UK Essex", Sector: "vcse", Tier: "full", PointOfContact: "contact-age-uk"}, {ID: "essex-mind", Name: "Essex Mind"}},
			Terms:    fullTerms},
		governance.ConsortiumFormed{Consortium: "bare", Start: "2026-01-05", Partners: []governance.PartnerSpec{}, Terms: emptyTerms},
		governance.DecisionProposed{Proposal: "amend", Matter: "amend-terms", Title: "Give 90 days' notice", ClosesAt: at,
			Electorate: []string{"age-uk"}, Rule: governance.Rule{Method: "consensus", Quorum: governance.Fraction{Num: 1, Den: 2}, VotingDays: 14},
			Chair: "age-uk", NewTerms: &fullTerms},
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
	f.Add(governance.TypeConsortiumFormed, []byte(`{"consortium":"c","name":"n","purpose":"p","structure":"s","start":"2026-02-30","partners":null,"terms":{"version":1,"roles":{},"decision_rules":null,"risk_shares":null,"surplus_shares":null,"admission":{},"termination":{"notice_days":0},"dispute_ladder":null,"exclude_conflicted":false}}`))
	f.Add(governance.TypeTermsAmended, []byte(`{"proposal":"p","terms":{"version":1,"roles":{"chair":"a"},"decision_rules":{},"risk_shares":{"a":100.001},"surplus_shares":{"a":09.00},"admission":{"sponsor_required":true},"termination":{"notice_days":30},"dispute_ladder":[],"exclude_conflicted":true}}`))
	f.Add(governance.TypePartnerApplied, []byte(`{"partner":{"id":"a","name":"n","sector":"s","tier":"t","point_of_contact":"p","representatives":[]}}`))
	f.Add(governance.TypePartnerApplied, []byte(`{"partner":{"id":"a","name":"n","sector":"s","tier":"t","point_of_contact":"p","representatives":null}}`))
	f.Add(governance.TypeVoteCast, []byte(`{"proposal":"p","partner":"x","vote":"for","reason":"caf\u00e9"}`))
	f.Add(governance.TypeDecisionProposed, []byte(`{"proposal":"p","matter":"m","title":"t","closes_at":"2026-03-09T09:30:00+01:00","electorate":null,"rule":{"method":"majority","threshold":"","quorum":"3/2"}}`))
	f.Add(governance.TypeDecisionRejected, []byte(`{"proposal":"p","result":"carried","tally":{"for":1,"against":0,"abstain":0,"block":0,"electorate":1},"review_date":"2026-02-30"}`))
	f.Add(governance.TypeDisputeEscalated, []byte(`{"dispute":"d","stage":-1}`))
	f.Add(governance.TypeNoticeServed, []byte(`{"partner":"p","effective_at":"2026-03-09T09:30:00.000Z"}`))
	f.Add(governance.TypeDisputeRaised, []byte(`{"dispute":"d","raised_by":"a","parties":null,"matter":"m"} `))
	f.Fuzz(func(t *testing.T, eventType string, data []byte) {
		slow, err := governance.DecodePayload(eventType, data)
		if eventType == governance.TypeVoteCast {
			v, verr := DecodeVote(data, nil)
			if (verr == nil) != (err == nil) || err == nil && !reflect.DeepEqual(governance.Payload(v), slow) {
				t.Fatalf("%s: DecodeVote gives %#v (%v), DecodePayload %#v (%v)", data, v, verr, slow, err)
			}
		}
		fast, ok := read(eventType, data, func(b []byte) string { return string(b) })
		if !ok {
			return
		}
		if err != nil {
			t.Fatalf("read %s quickly, but DecodePayload refuses it: %v", data, err)
		}
		if !reflect.DeepEqual(fast, slow) {
			t.Fatalf("%s: read quickly as %#v, DecodePayload says %#v", data, fast, slow)
		}
	})
}

// fullTerms have every field of a set of terms set, and emptyTerms none, so that the
// seeds cover every field in both its forms.
var (
	fullTerms = governance.Terms{
		Version: 2,
		Roles: governance.Roles{LeadPartner: "age-uk", Chair: "age-uk", Secretary: "essex-mind",
			PointsOfContact: map[string]string{"age-uk": "Amina Okafor", "essex-mind": "Joe Bloggs"}, AssignedWithoutDecision: []string{"point-of-contact"}},
		Milestones: []governance.Milestone{{Name: "Launch", Due: "2026-06-01", Owner: "age-uk"}, {Name: "Review", Due: "2027-01-31"}},
		DecisionRules: map[string]governance.Rule{
			"ordinary":  {Method: "majority", Quorum: governance.Fraction{Num: 1, Den: 2}, CastingVote: true, VotingDays: 14},
			"expulsion": {Method: "supermajority", Threshold: governance.Fraction{Num: 2, Den: 3}, Quorum: governance.Fraction{Num: 2, Den: 3}},
		},
		SteeringGroup:     []string{"age-uk", "essex-mind"},
		Financing:         []governance.Contribution{{Partner: "age-uk", AmountPence: 1250000, Purpose: "Staff"}, {Partner: "essex-mind"}},
		RiskShares:        map[string]governance.Share{"age-uk": 6667, "essex-mind": 3333},
		SurplusShares:     map[string]governance.Share{"age-uk": 10000, "essex-mind": 0},
		Monitoring:        []governance.Objective{{Name: "Waiting times", ReviewDate: "2026-12-31"}},
		Admission:         governance.Admission{Criteria: "Serves the area", SponsorRequired: true},
		Termination:       governance.Termination{NoticeDays: 90, ExpulsionGrounds: []string{"breach", "insolvency"}, Dissolution: "Assets shared as risk"},
		DisputeLadder:     []governance.Stage{{Name: "negotiation", Days: 15, WorkingDays: true}, {Name: "mediation", Days: 30}},
		ExcludeConflicted: true,
	}
	emptyTerms = governance.Terms{DecisionRules: map[string]governance.Rule{}, RiskShares: map[string]governance.Share{},
		SurplusShares: map[string]governance.Share{}, DisputeLadder: []governance.Stage{}}
)

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
