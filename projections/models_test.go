package projections_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/projections"
)

// collaborative is a mental health collaborative: the council, a mental health trust,
// a provider and an associate, later joined by a peer-support group that was first
// declined. The trust gives notice and is expelled before it takes effect; the terms
// are amended to move the chair; the collaborative is wound up.
func collaborative(t *testing.T) *story {
	s := newStory(t, "living-well")
	full := func(id string) g.PartnerSpec { return partner(id, g.TierFull) }
	s.do(g.FormConsortium{At: at(0), Consortium: "living-well", Name: "Living Well Collaborative", Purpose: "Better mental health support",
		Structure: "network", Start: "2026-03-02", Partners: []g.PartnerSpec{full("council"), full("trust"), full("certitude"), partner("thamesreach", g.TierAssociate)},
		Terms: terms("council", "trust", "certitude", "thamesreach")})
	meeting := func(d int, id, matter, about string, votes map[string]string, newTerms *g.Terms) {
		var attendance []string
		for p := range votes {
			attendance = append(attendance, p)
		}
		s.do(g.RecordMeetingDecision{TableProposal: g.TableProposal{At: at(d), Proposal: id, Matter: matter, Title: id, About: about, NewTerms: newTerms},
			Attendance: attendance, Votes: votes})
	}
	s.do(g.ApplyToJoin{At: at(2), Partner: full("hearing-voices"), Sponsor: "certitude"})
	meeting(3, "admit-hv", "admission", "hearing-voices", map[string]string{"council": "against", "trust": "against", "certitude": "for"}, nil)
	s.do(g.ApplyToJoin{At: at(10), Partner: full("hearing-voices"), Sponsor: "certitude"})
	meeting(11, "admit-hv-again", "admission", "hearing-voices", map[string]string{"council": "for", "trust": "for", "certitude": "for"}, nil)
	s.do(g.ServeNotice{At: at(20), Partner: "trust", Reason: "Merging with a neighbouring trust"})
	meeting(30, "expel-trust", "expulsion", "trust", map[string]string{"council": "for", "certitude": "for", "hearing-voices": "for"}, nil)
	v2 := terms("certitude", "hearing-voices", "council", "thamesreach")
	meeting(40, "amend", "amend-terms", "", map[string]string{"council": "for", "certitude": "for", "hearing-voices": "for"}, &v2)
	meeting(60, "wind-up", "dissolution", "", map[string]string{"council": "for", "certitude": "for", "hearing-voices": "for"}, nil)
	return s
}

func TestMembershipFromIntervals(t *testing.T) {
	m := collaborative(t).models
	founders := []string{"certitude", "council", "thamesreach", "trust"}
	withHV := []string{"certitude", "council", "hearing-voices", "thamesreach", "trust"}
	afterExpulsion := []string{"certitude", "council", "hearing-voices", "thamesreach"}
	for _, c := range []struct {
		day  int
		want []string
	}{
		{-1, []string{}}, {0, founders}, {2, founders}, {3, founders}, {10, founders}, {11, withHV},
		{19, withHV}, {20, withHV}, {29, withHV}, {30, afterExpulsion}, {50, afterExpulsion}, {59, afterExpulsion}, {60, []string{}},
	} {
		got, err := m.Membership("living-well", at(c.day))
		if err != nil {
			t.Fatal(err)
		}
		equal(t, "members on day "+time.Duration(c.day).String(), ids(got), c.want)
	}
	got, _ := m.Membership("living-well", at(25))
	equal(t, "the trust on day 25, under notice and about to be expelled", got[4],
		projections.Member{ID: "trust", Name: "Partner trust", Sector: "vcse", Tier: "full", Roles: []string{"secretary"}, Status: "notice-served",
			PointOfContact: "contact-trust", Since: at(0), Until: at(30)})
	equal(t, "the associate on day 25", []string{got[3].ID, got[3].Tier}, []string{"thamesreach", "associate"})
	equal(t, "roles on day 25", [][]string{got[0].Roles, got[1].Roles, got[2].Roles}, [][]string{{}, {"chair", "lead-partner"}, {}})
	got, _ = m.Membership("living-well", at(40))
	equal(t, "roles under the amended terms", [][]string{got[0].Roles, got[1].Roles, got[2].Roles}, [][]string{{"chair", "lead-partner"}, {}, {"secretary"}})

	partners, err := m.Partners("living-well", at(100))
	if err != nil {
		t.Fatal(err)
	}
	equal(t, "hearing voices, declined then admitted", partners[2], projections.Partner{ID: "hearing-voices", Name: "Partner hearing-voices", Sector: "vcse", Tier: "full",
		Roles: []string{}, Status: "active", PointOfContact: "contact-hearing-voices", Sponsor: "certitude", AppliedAt: at(10), AdmittedAt: at(11),
		Intervals: []projections.Interval{{From: at(11), To: at(60), Tier: "full"}}})
	equal(t, "the trust, expelled before its notice took effect", partners[4], projections.Partner{ID: "trust", Name: "Partner trust", Sector: "vcse", Tier: "full",
		Roles: []string{}, Status: "expelled", PointOfContact: "contact-trust", AppliedAt: at(0), AdmittedAt: at(0), NoticeAt: at(20), LeavesAt: at(50), LeftAt: at(30),
		Intervals: []projections.Interval{{From: at(0), To: at(30), Tier: "full"}}})

	admissions, _ := m.Admissions("living-well")
	equal(t, "admissions", admissions, []projections.Admission{
		{Partner: "hearing-voices", Name: "Partner hearing-voices", Sector: "vcse", Sponsor: "certitude", AppliedAt: at(2), Proposal: "admit-hv", Status: "declined", DecidedAt: at(3)},
		{Partner: "hearing-voices", Name: "Partner hearing-voices", Sector: "vcse", Sponsor: "certitude", AppliedAt: at(10), Proposal: "admit-hv-again", Status: "admitted", DecidedAt: at(11)},
	})
	terminations, _ := m.Terminations("living-well", at(45))
	equal(t, "terminations on day 45", terminations, []projections.Termination{
		{Kind: "notice", Partner: "trust", At: at(20), EffectiveAt: at(50), Reason: "Merging with a neighbouring trust"},
		{Kind: "expulsion", Partner: "trust", At: at(30), EffectiveAt: at(30), Reason: "expel-trust", Proposal: "expel-trust", InEffect: true},
		{Kind: "dissolution", At: at(60), EffectiveAt: at(60), Reason: "wind-up", Proposal: "wind-up"},
	})
	var effects []string
	decisions, _ := m.Decisions("living-well")
	for _, d := range decisions {
		effects = append(effects, d.ID+": "+d.Outcome+", "+d.Effect)
	}
	equal(t, "effects", effects, []string{"admit-hv: rejected, declined hearing-voices", "admit-hv-again: carried, admitted hearing-voices",
		"expel-trust: carried, expelled trust", "amend: carried, terms version 2", "wind-up: carried, dissolved"})
	summary, _ := m.Consortium("living-well", at(59))
	equal(t, "status and members on day 59", []any{summary.Status, summary.Members, summary.TermsVersion}, []any{"active", 4, 2})
	summary, _ = m.Consortium("living-well", at(60))
	equal(t, "status and members on day 60", []any{summary.Status, summary.Members}, []any{"dissolved", 0})
}

// TestOpenAtDissolution: a dispute still open when the consortium is wound up stays
// open in the record, overdue while the consortium lasts and never after: nobody can
// act on it any more. A ballot still open stays open too, sealed by the dissolution:
// it will never be counted.
func TestOpenAtDissolution(t *testing.T) {
	s := newStory(t, "living-well")
	s.do(g.FormConsortium{At: at(0), Consortium: "living-well", Name: "Living Well Collaborative", Purpose: "Better mental health support",
		Structure: "network", Start: "2026-03-02", Partners: []g.PartnerSpec{partner("council", g.TierFull), partner("certitude", g.TierFull)},
		Terms: terms("council", "certitude")})
	s.do(g.RaiseDispute{At: at(5), Dispute: "late-invoices", RaisedBy: "certitude", Parties: []string{"council"}, Matter: "Invoices paid late"})
	s.do(g.TableProposal{At: at(25), Proposal: "peer-support", Matter: g.MatterOrdinary, Title: "Fund a peer-support pilot", ClosesAt: at(45)})
	open, err := s.models.Decision("living-well", "peer-support")
	if err != nil || open.Outcome != "open" || !open.SealedAt.IsZero() {
		t.Fatalf("before the wind-up: %+v (%v), want open and not sealed", open, err)
	}
	s.do(g.RecordMeetingDecision{TableProposal: g.TableProposal{At: at(30), Proposal: "wind-up", Matter: "dissolution", Title: "Wind up the collaborative"},
		Attendance: []string{"council", "certitude"}, Votes: map[string]string{"council": "for", "certitude": "for"}})
	for _, c := range []struct {
		day     int
		overdue bool
	}{{10, false}, {20, true}, {29, true}, {30, false}, {400, false}} {
		ds, err := s.models.Disputes("living-well", at(c.day))
		if err != nil {
			t.Fatal(err)
		}
		if len(ds) != 1 || ds[0].Status != "open" || !ds[0].Due.Equal(at(15)) || ds[0].Overdue != c.overdue {
			t.Errorf("day %d: %+v, want late-invoices open, due on day 15, overdue %v", c.day, ds, c.overdue)
		}
	}
	decisions, err := s.models.Decisions("living-well")
	if err != nil {
		t.Fatal(err)
	}
	var sealed []string
	for _, d := range decisions {
		sealed = append(sealed, d.ID+": "+d.Outcome+", sealed "+d.SealedAt.Format(time.DateOnly))
	}
	equal(t, "decisions after the wind-up", sealed, []string{"peer-support: open, sealed " + at(30).Format(time.DateOnly),
		"wind-up: carried, sealed 0001-01-01"})
}

// TestReadsShareNothing: what a read returns can be kept and changed by the caller
// without touching the models.
func TestReadsShareNothing(t *testing.T) {
	m := collaborative(t).models
	before, _ := m.Decision("living-well", "admit-hv")
	spoil, _ := m.Decision("living-well", "admit-hv")
	spoil.Electorate[0], spoil.Votes[0].Vote, spoil.CurrentVotes["council"], spoil.Meeting.Attendance[0] = "x", "x", "x", "x"
	spoil.Events[0].Type, spoil.Tally.For = "x", 99
	after, _ := m.Decision("living-well", "admit-hv")
	equal(t, "a decision after a caller changed its copy", after, before)

	terms, _ := m.Terms("living-well")
	terms.DecisionRules["ordinary"] = g.Rule{Method: "x"}
	terms.DisputeLadder[0].Name = "x"
	terms.RiskShares["council"] = 1
	again, _ := m.Terms("living-well")
	if again.DecisionRules["ordinary"].Method != "majority" || again.DisputeLadder[0].Name != "negotiation" || again.RiskShares["council"] == 1 {
		t.Errorf("the terms changed with a caller's copy: %+v", again)
	}
	ms, _ := m.Membership("living-well", at(25))
	ms[1].Roles[0] = "x"
	ms, _ = m.Membership("living-well", at(25))
	equal(t, "roles after a caller changed its copy", ms[1].Roles, []string{"chair", "lead-partner"})
}

// TestFaults: events the models cannot use are noted and skipped; nothing else changes.
func TestFaults(t *testing.T) {
	s := collaborative(t)
	want, _ := s.models.Decisions("living-well")
	next := uint64(len(s.log))
	bad := []events.Envelope{
		{ID: "01JQ0000000000000000000901", Type: g.TypeVoteCast, Consortium: "living-well", Seq: next + 1, Payload: []byte(`{"proposal":"amend","partner":"council","vote":"for","extra":1}`)},
		{ID: "01JQ0000000000000000000902", Type: g.TypeVoteCast, Consortium: "never-formed", Seq: next + 2, Payload: []byte(`{"proposal":"p","partner":"x","vote":"for"}`)},
		{ID: "01JQ0000000000000000000903", Type: g.TypeConsortiumFormed, Consortium: "living-well", Seq: next + 3, Payload: s.log[0].Payload},
		{ID: "vote-4", Type: g.TypeVoteCast, Consortium: "living-well", Seq: next + 4, Payload: []byte(`{"proposal":"amend","partner":"council","vote":"for"}`)},
		{ID: "01JQ0000000000000000000905", Type: "vote.counted", Consortium: "living-well", Seq: next + 5, Payload: []byte(`{"proposal":"amend"}`)},
	}
	for _, e := range bad {
		s.models.Apply(e)
		s.models.Apply(e) // seen again, after a restart: noted once
	}
	faults := s.models.Faults()
	if len(faults) != len(bad) {
		t.Fatalf("faults = %+v", faults)
	}
	for i, f := range faults {
		if f.Seq != next+uint64(i)+1 {
			t.Fatalf("fault %d is at sequence %d: %+v", i+1, f.Seq, faults)
		}
	}
	for i, want := range []string{"unknown field", "has not been formed", "forms consortium living-well again", "not a ULID", `"vote.counted" is not an event type`} {
		if !strings.Contains(faults[i].Reason, want) {
			t.Errorf("fault %d says %q, not %q", i+1, faults[i].Reason, want)
		}
	}
	got, _ := s.models.Decisions("living-well")
	equal(t, "decisions after faulty events", got, want)
	if _, err := s.models.Consortium("never-formed", at(0)); !errors.Is(err, events.ErrNotFound) {
		t.Errorf("an event for a consortium never formed created it: %v", err)
	}
}
