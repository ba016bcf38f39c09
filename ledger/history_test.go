package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
)

// The people who record things for each partner.
var people = map[string]string{
	"brightside-cvs": "amina-okafor", "essex-mind": "tom-reilly", "colchester-nhs": "priya-shah",
	"essex-council": "james-whitfield", "age-uk": "grace-mensah",
}

// synergyV2 are the terms as amended on day 35: shared service design is decided by
// consensus, and the notice period falls from 90 days to 60.
func synergyV2(t testing.TB) *g.Terms {
	tm := terms(t)
	tm.DecisionRules["service-design"] = g.Rule{Method: g.MethodConsensus, Quorum: g.Fraction{Num: 1, Den: 2}, VotingDays: 14}
	tm.Termination.NoticeDays = 60
	return &tm
}

// history is the life of Synergy Essex, a third-sector consortium run by a lead member
// for a council contract, as its steering group recorded it.
func history(t testing.TB) []ledger.Command {
	by := func(partner, id string, c g.Command) ledger.Command {
		return ledger.Command{ID: id, Consortium: "synergy", Actor: g.Actor{Person: people[partner], Partner: partner}, Do: c}
	}
	secretary := func(id string, c g.Command) ledger.Command { return by("essex-mind", id, c) }
	vote := func(proposal, partner, v string, d int, reason string) ledger.Command {
		return by(partner, fmt.Sprintf("vote-%s-%s-%d", proposal, partner, d), g.CastVote{At: at(d), Proposal: proposal, Partner: partner, Vote: v, Reason: reason})
	}
	ageUK := partner("age-uk", "Age UK Essex", "vcse")
	return []ledger.Command{
		by("brightside-cvs", "form", g.FormConsortium{At: at(0), Consortium: "synergy", Name: "Synergy Essex", Purpose: "Community support in north Essex",
			Structure: "contractual-consortium", Start: "2026-03-02", End: "2029-03-31", Partners: []g.PartnerSpec{
				partner("brightside-cvs", "Brightside CVS", "vcse"), partner("essex-mind", "Essex Mind", "vcse"),
				partner("colchester-nhs", "Colchester Hospital NHS Trust", "nhs-trust")}, Terms: terms(t)}),

		// The council joins: Essex Mind first votes against, then changes its vote.
		secretary("apply-council", g.ApplyToJoin{At: at(5), Partner: partner("essex-council", "Essex County Council", "local-authority"), Sponsor: "brightside-cvs"}),
		secretary("table-admit-council", g.TableProposal{At: at(6), Proposal: "admit-council", Matter: g.MatterAdmission, Title: "Admit Essex County Council", About: "essex-council"}),
		vote("admit-council", "brightside-cvs", "for", 7, ""),
		vote("admit-council", "essex-mind", "against", 7, "Wait for the safeguarding checks"),
		vote("admit-council", "essex-mind", "for", 8, "The checks are done"),
		vote("admit-council", "colchester-nhs", "for", 8, ""),
		secretary("close-admit-council", g.CloseProposal{At: at(9), Proposal: "admit-council"}),

		// Age UK applies; the hospital declares an interest and leaves the vote; the
		// council votes against, and unanimity fails: Age UK is declined.
		secretary("apply-age-uk", g.ApplyToJoin{At: at(12), Partner: ageUK, Sponsor: "essex-mind"}),
		secretary("table-admit-age-uk", g.TableProposal{At: at(13), Proposal: "admit-age-uk", Matter: g.MatterAdmission, Title: "Admit Age UK Essex", About: "age-uk"}),
		by("colchester-nhs", "interest-age-uk", g.DeclareInterest{At: at(14), Proposal: "admit-age-uk", Partner: "colchester-nhs", Interest: "Age UK Essex runs the hospital's discharge service"}),
		vote("admit-age-uk", "brightside-cvs", "for", 15, ""),
		vote("admit-age-uk", "essex-council", "against", 15, "No budget line for a fifth partner this year"),
		vote("admit-age-uk", "essex-mind", "for", 15, ""),
		secretary("close-admit-age-uk", g.CloseProposal{At: at(16), Proposal: "admit-age-uk"}),

		// A tie on where to meet, carried on the chair's casting vote.
		secretary("table-venue", g.TableProposal{At: at(20), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Meet at the Mercury Theatre"}),
		vote("venue", "brightside-cvs", "for", 21, ""),
		vote("venue", "essex-mind", "for", 21, ""),
		vote("venue", "colchester-nhs", "against", 21, ""),
		vote("venue", "essex-council", "against", 21, ""),
		secretary("close-venue", g.CloseProposal{At: at(31), Proposal: "venue", CastingVote: "for"}),

		// The terms are amended, unanimously: version 2.
		secretary("table-amend", g.TableProposal{At: at(35), Proposal: "amend-v2", Matter: g.MatterAmendTerms, Title: "Decide service design by consensus; 60 days' notice", NewTerms: synergyV2(t)}),
		vote("amend-v2", "brightside-cvs", "for", 36, ""),
		vote("amend-v2", "colchester-nhs", "for", 36, ""),
		vote("amend-v2", "essex-council", "for", 36, ""),
		vote("amend-v2", "essex-mind", "for", 36, ""),
		secretary("close-amend", g.CloseProposal{At: at(37), Proposal: "amend-v2"}),

		// The first consensus decision is blocked.
		secretary("table-care-record", g.TableProposal{At: at(40), Proposal: "shared-care-record", Matter: "service-design", Title: "Use one shared care record"}),
		vote("shared-care-record", "brightside-cvs", "for", 41, ""),
		vote("shared-care-record", "essex-council", "for", 41, ""),
		vote("shared-care-record", "essex-mind", "block", 41, "The people who use our services have not been asked"),
		vote("shared-care-record", "colchester-nhs", "abstain", 41, ""),
		secretary("close-care-record", g.CloseProposal{At: at(55), Proposal: "shared-care-record"}),

		// A dispute climbs the ladder twice and is resolved at mediation.
		by("essex-mind", "raise", g.RaiseDispute{At: at(60), Dispute: "late-invoices", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid late"}),
		secretary("escalate-1", g.EscalateDispute{At: at(80), Dispute: "late-invoices"}),
		secretary("escalate-2", g.EscalateDispute{At: at(110), Dispute: "late-invoices"}),
		secretary("resolve", g.ResolveDispute{At: at(125), Dispute: "late-invoices", Outcome: "Invoices paid within 30 days; a named finance contact"}),

		// Age UK applies again and is admitted.
		secretary("apply-age-uk-again", g.ApplyToJoin{At: at(130), Partner: ageUK, Sponsor: "essex-mind"}),
		secretary("table-admit-age-uk-again", g.TableProposal{At: at(131), Proposal: "admit-age-uk-again", Matter: g.MatterAdmission, Title: "Admit Age UK Essex", About: "age-uk"}),
		vote("admit-age-uk-again", "brightside-cvs", "for", 132, ""),
		vote("admit-age-uk-again", "colchester-nhs", "for", 132, ""),
		vote("admit-age-uk-again", "essex-council", "for", 132, ""),
		vote("admit-age-uk-again", "essex-mind", "for", 132, ""),
		secretary("close-admit-age-uk-again", g.CloseProposal{At: at(133), Proposal: "admit-age-uk-again"}),

		// The hospital gives notice (60 days under the amended terms).
		by("colchester-nhs", "notice", g.ServeNotice{At: at(150), Partner: "colchester-nhs", Reason: "Service moves to the ICB"}),

		// Essex Mind is expelled at a meeting it did not attend.
		by("brightside-cvs", "expel", g.RecordMeetingDecision{
			TableProposal: g.TableProposal{At: at(160), Proposal: "expel-mind", Matter: g.MatterExpulsion, Title: "Expel Essex Mind for persistent breach of the terms", About: "essex-mind"},
			Attendance:    []string{"brightside-cvs", "colchester-nhs", "essex-council", "age-uk"},
			Votes:         map[string]string{"brightside-cvs": "for", "colchester-nhs": "for", "essex-council": "for", "age-uk": "for"}}),

		// The council takes the chair.
		by("brightside-cvs", "table-chair", g.TableProposal{At: at(170), Proposal: "new-chair", Matter: g.MatterOrdinary, Title: "Essex County Council to chair the steering group",
			Role: &g.RoleAssignment{Partner: "essex-council", Role: "chair"}}),
		vote("new-chair", "brightside-cvs", "for", 171, ""),
		vote("new-chair", "colchester-nhs", "for", 171, ""),
		vote("new-chair", "essex-council", "for", 171, ""),
		vote("new-chair", "age-uk", "against", 171, ""),
		by("brightside-cvs", "close-chair", g.CloseProposal{At: at(172), Proposal: "new-chair"}),

		// Wound up at the end of the contract.
		by("essex-council", "wind-up", g.RecordMeetingDecision{
			TableProposal: g.TableProposal{At: at(250), Proposal: "wind-up", Matter: g.MatterDissolution, Title: "Dissolve at the end of the contract"},
			Attendance:    []string{"brightside-cvs", "essex-council", "age-uk"},
			Votes:         map[string]string{"brightside-cvs": "for", "essex-council": "for", "age-uk": "for"}}),
	}
}

// recorded runs the history through the command path and returns the result of each
// command by id.
func recorded(t *testing.T, l *ledger.Ledger, cmds []ledger.Command) (map[string]ledger.Result, uint64) {
	t.Helper()
	results := map[string]ledger.Result{}
	var last uint64
	for _, c := range cmds {
		res, err := l.Handle(context.Background(), c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		results[c.ID], last = res, res.Seq
	}
	return results, last
}

// TestScriptedHistory runs a partnership's life through the command path and checks
// every read model against what a person would write down, on the dates between the
// events as well as on them.
func TestScriptedHistory(t *testing.T) {
	log, _ := open(t, "")
	l := ledger.New(log)
	res, last := recorded(t, l, history(t))
	if last != 69 {
		t.Fatalf("the history recorded %d events; counting by hand gives 69", last)
	}
	r := follow(t, log)
	waitFor(t, r, last)

	// The events behind a decision: those of the given commands, in order.
	refs := func(commands ...string) []projections.EventRef {
		var out []projections.EventRef
		for _, id := range commands {
			for _, e := range res[id].Events {
				out = append(out, projections.EventRef{ID: e.ID, Seq: e.Seq, Type: e.Type})
			}
		}
		return out
	}
	seq := func(command string) uint64 { return res[command].Seq }
	v := func(partner, vote string, d int, reason, replaces string) projections.Vote {
		return projections.Vote{Partner: partner, Vote: vote, Reason: reason, Person: people[partner], At: at(d), Replaces: replaces}
	}
	tm := terms(t)
	v2 := synergyV2(t)
	v2.Version = 2

	r.View(func(m *projections.Models, _ uint64) {
		t.Run("consortium", func(t *testing.T) {
			got, err := m.Consortium("synergy", at(200))
			check(t, err)
			equal(t, "synergy on day 200", got, projections.ConsortiumSummary{ID: "synergy", Name: "Synergy Essex", Purpose: "Community support in north Essex",
				Structure: "contractual-consortium", Start: "2026-03-02", End: "2029-03-31", Status: "active", TermsVersion: 2, Members: 4,
				FormedAt: at(0), DissolvedAt: at(250), Seq: 69, Events: 69})
			list := m.Consortia(at(300))
			equal(t, "consortia on day 300", list, []projections.ConsortiumSummary{{ID: "synergy", Name: "Synergy Essex", Purpose: "Community support in north Essex",
				Structure: "contractual-consortium", Start: "2026-03-02", End: "2029-03-31", Status: "dissolved", TermsVersion: 2, Members: 0,
				FormedAt: at(0), DissolvedAt: at(250), Seq: 69, Events: 69}})
			terms, err := m.Terms("synergy")
			check(t, err)
			v2.Roles.Chair = "essex-council" // given the chair by decision new-chair
			equal(t, "terms", terms, *v2)
		})

		t.Run("membership", func(t *testing.T) {
			founders := []string{"brightside-cvs", "colchester-nhs", "essex-mind"}
			withCouncil := []string{"brightside-cvs", "colchester-nhs", "essex-council", "essex-mind"}
			withAgeUK := []string{"age-uk", "brightside-cvs", "colchester-nhs", "essex-council", "essex-mind"}
			afterExpulsion := []string{"age-uk", "brightside-cvs", "colchester-nhs", "essex-council"}
			afterNotice := []string{"age-uk", "brightside-cvs", "essex-council"}
			for _, c := range []struct {
				when time.Time
				want []string
			}{
				{at(-1), nil}, // before it was formed
				{at(0), founders},
				{at(8), founders}, {at(9).Add(-time.Second), founders}, {at(9), withCouncil},
				{at(16), withCouncil}, // Age UK declined
				{at(132), withCouncil}, {at(133), withAgeUK},
				{at(149), withAgeUK}, {at(150), withAgeUK}, // notice served: still a member
				{at(159), withAgeUK}, {at(160), afterExpulsion},
				{at(209), afterExpulsion}, {at(210).Add(-time.Nanosecond), afterExpulsion}, {at(210), afterNotice}, // the notice's effective date
				{at(249), afterNotice}, {at(250), nil}, {at(400), nil}, // dissolved
			} {
				got, err := m.Membership("synergy", c.when)
				check(t, err)
				var ids []string
				for _, mb := range got {
					ids = append(ids, mb.ID)
				}
				equal(t, "members at "+c.when.Format(time.DateTime), ids, c.want)
			}
			// The rows, on the day the hospital's notice was served: its end is on the record,
			// the ends decided later (Essex Mind's expulsion, the dissolution) are not.
			got, err := m.Membership("synergy", at(150))
			check(t, err)
			equal(t, "membership on day 150", got, []projections.Member{
				{ID: "age-uk", Name: "Age UK Essex", Sector: "vcse", Tier: "full", Roles: []string{}, Status: "active", PointOfContact: "contact-age-uk", Since: at(133)},
				{ID: "brightside-cvs", Name: "Brightside CVS", Sector: "vcse", Tier: "full", Roles: []string{"chair", "lead-partner"}, Status: "active", PointOfContact: "amina-okafor", Since: at(0)},
				{ID: "colchester-nhs", Name: "Colchester Hospital NHS Trust", Sector: "nhs-trust", Tier: "full", Roles: []string{}, Status: "notice-served", PointOfContact: "priya-shah", Since: at(0), Until: at(210)},
				{ID: "essex-council", Name: "Essex County Council", Sector: "local-authority", Tier: "full", Roles: []string{}, Status: "active", PointOfContact: "contact-essex-council", Since: at(9)},
				{ID: "essex-mind", Name: "Essex Mind", Sector: "vcse", Tier: "full", Roles: []string{"secretary"}, Status: "active", PointOfContact: "tom-reilly", Since: at(0)},
			})
			got, err = m.Membership("synergy", at(209))
			check(t, err)
			equal(t, "roles on day 209", [][]string{got[1].Roles, got[2].Roles, got[3].Roles}, [][]string{{"lead-partner"}, {}, {"chair"}})
			equal(t, "the hospital on day 209", got[2].Status, "notice-served")
		})

		t.Run("partners", func(t *testing.T) {
			got, err := m.Partners("synergy", at(300))
			check(t, err)
			equal(t, "partners on day 300", got, []projections.Partner{
				{ID: "age-uk", Name: "Age UK Essex", Sector: "vcse", Tier: "full", Roles: []string{}, Status: "active", PointOfContact: "contact-age-uk",
					Sponsor: "essex-mind", AppliedAt: at(130), AdmittedAt: at(133), Intervals: []projections.Interval{{From: at(133), To: at(250), Tier: "full"}}},
				{ID: "brightside-cvs", Name: "Brightside CVS", Sector: "vcse", Tier: "full", Roles: []string{}, Status: "active", PointOfContact: "amina-okafor",
					AppliedAt: at(0), AdmittedAt: at(0), Intervals: []projections.Interval{{From: at(0), To: at(250), Tier: "full"}}},
				{ID: "colchester-nhs", Name: "Colchester Hospital NHS Trust", Sector: "nhs-trust", Tier: "full", Roles: []string{}, Status: "withdrawn", PointOfContact: "priya-shah",
					AppliedAt: at(0), AdmittedAt: at(0), NoticeAt: at(150), LeavesAt: at(210), LeftAt: at(210), Intervals: []projections.Interval{{From: at(0), To: at(210), Tier: "full"}}},
				{ID: "essex-council", Name: "Essex County Council", Sector: "local-authority", Tier: "full", Roles: []string{}, Status: "active", PointOfContact: "contact-essex-council",
					Sponsor: "brightside-cvs", AppliedAt: at(5), AdmittedAt: at(9), Intervals: []projections.Interval{{From: at(9), To: at(250), Tier: "full"}}},
				{ID: "essex-mind", Name: "Essex Mind", Sector: "vcse", Tier: "full", Roles: []string{}, Status: "expelled", PointOfContact: "tom-reilly",
					AppliedAt: at(0), AdmittedAt: at(0), LeftAt: at(160), Intervals: []projections.Interval{{From: at(0), To: at(160), Tier: "full"}}},
			})
			// Before its notice took effect, the hospital had served notice and not yet left.
			got, err = m.Partners("synergy", at(200))
			check(t, err)
			equal(t, "the hospital on day 200", []any{got[2].Status, got[2].LeftAt, got[3].Roles}, []any{"notice-served", time.Time{}, []string{"chair"}})
		})

		t.Run("decisions", func(t *testing.T) {
			all, err := m.Decisions("synergy")
			check(t, err)
			var ids []string
			for _, d := range all {
				ids = append(ids, d.ID)
			}
			equal(t, "decisions, oldest first", ids, []string{"admit-council", "admit-age-uk", "venue", "amend-v2", "shared-care-record", "admit-age-uk-again", "expel-mind", "new-chair", "wind-up"})

			voteSeq := func(proposal string, vs ...projections.Vote) []projections.Vote {
				for i := range vs {
					vs[i].Seq = seq(fmt.Sprintf("vote-%s-%s-%d", proposal, vs[i].Partner, int(vs[i].At.Sub(day0)/(24*time.Hour))))
				}
				return vs
			}
			want := map[string]projections.Decision{
				"admit-council": {ID: "admit-council", Matter: "admission", Title: "Admit Essex County Council", About: "essex-council",
					OpenedAt: at(6), ClosesAt: at(13), ClosedAt: at(9), Electorate: []string{"brightside-cvs", "colchester-nhs", "essex-mind"},
					Rule: tm.DecisionRules["admission"], Chair: "brightside-cvs", Interests: map[string]string{},
					Votes: voteSeq("admit-council", v("brightside-cvs", "for", 7, "", ""), v("essex-mind", "against", 7, "Wait for the safeguarding checks", ""),
						v("essex-mind", "for", 8, "The checks are done", "against"), v("colchester-nhs", "for", 8, "", "")),
					CurrentVotes: map[string]string{"brightside-cvs": "for", "colchester-nhs": "for", "essex-mind": "for"},
					Outcome:      "carried", Tally: &g.Tally{For: 3, Electorate: 3}, Effect: "admitted essex-council",
					Events: refs("table-admit-council", "vote-admit-council-brightside-cvs-7", "vote-admit-council-essex-mind-7", "vote-admit-council-essex-mind-8", "vote-admit-council-colchester-nhs-8", "close-admit-council")},
				"admit-age-uk": {ID: "admit-age-uk", Matter: "admission", Title: "Admit Age UK Essex", About: "age-uk",
					OpenedAt: at(13), ClosesAt: at(20), ClosedAt: at(16), Electorate: []string{"brightside-cvs", "essex-council", "essex-mind"}, // the hospital left the vote
					Rule: tm.DecisionRules["admission"], Chair: "brightside-cvs", Interests: map[string]string{"colchester-nhs": "Age UK Essex runs the hospital's discharge service"},
					Votes: voteSeq("admit-age-uk", v("brightside-cvs", "for", 15, "", ""), v("essex-council", "against", 15, "No budget line for a fifth partner this year", ""),
						v("essex-mind", "for", 15, "", "")),
					CurrentVotes: map[string]string{"brightside-cvs": "for", "essex-council": "against", "essex-mind": "for"},
					Outcome:      "rejected", Tally: &g.Tally{For: 2, Against: 1, Electorate: 3}, Effect: "declined age-uk",
					Events: refs("table-admit-age-uk", "interest-age-uk", "vote-admit-age-uk-brightside-cvs-15", "vote-admit-age-uk-essex-council-15", "vote-admit-age-uk-essex-mind-15", "close-admit-age-uk")},
				"venue": {ID: "venue", Matter: "ordinary", Title: "Meet at the Mercury Theatre",
					OpenedAt: at(20), ClosesAt: at(30), ClosedAt: at(31), Electorate: []string{"brightside-cvs", "colchester-nhs", "essex-council", "essex-mind"},
					Rule: tm.DecisionRules["ordinary"], Chair: "brightside-cvs", Interests: map[string]string{},
					Votes:        voteSeq("venue", v("brightside-cvs", "for", 21, "", ""), v("essex-mind", "for", 21, "", ""), v("colchester-nhs", "against", 21, "", ""), v("essex-council", "against", 21, "", "")),
					CurrentVotes: map[string]string{"brightside-cvs": "for", "colchester-nhs": "against", "essex-council": "against", "essex-mind": "for"},
					Outcome:      "carried", Tally: &g.Tally{For: 2, Against: 2, Electorate: 4}, CastingVote: "for",
					Events: refs("table-venue", "vote-venue-brightside-cvs-21", "vote-venue-essex-mind-21", "vote-venue-colchester-nhs-21", "vote-venue-essex-council-21", "close-venue")},
				"amend-v2": {ID: "amend-v2", Matter: "amend-terms", Title: "Decide service design by consensus; 60 days' notice",
					OpenedAt: at(35), ClosesAt: at(42), ClosedAt: at(37), Electorate: []string{"brightside-cvs", "colchester-nhs", "essex-council", "essex-mind"},
					Rule: tm.DecisionRules["amend-terms"], Chair: "brightside-cvs", Interests: map[string]string{},
					Votes:        voteSeq("amend-v2", v("brightside-cvs", "for", 36, "", ""), v("colchester-nhs", "for", 36, "", ""), v("essex-council", "for", 36, "", ""), v("essex-mind", "for", 36, "", "")),
					CurrentVotes: map[string]string{"brightside-cvs": "for", "colchester-nhs": "for", "essex-council": "for", "essex-mind": "for"},
					Outcome:      "carried", Tally: &g.Tally{For: 4, Electorate: 4}, Effect: "terms version 2",
					Events: refs("table-amend", "vote-amend-v2-brightside-cvs-36", "vote-amend-v2-colchester-nhs-36", "vote-amend-v2-essex-council-36", "vote-amend-v2-essex-mind-36", "close-amend")},
				"shared-care-record": {ID: "shared-care-record", Matter: "service-design", Title: "Use one shared care record",
					OpenedAt: at(40), ClosesAt: at(54), ClosedAt: at(55), Electorate: []string{"brightside-cvs", "colchester-nhs", "essex-council", "essex-mind"},
					Rule: v2.DecisionRules["service-design"], Chair: "brightside-cvs", Interests: map[string]string{},
					Votes: voteSeq("shared-care-record", v("brightside-cvs", "for", 41, "", ""), v("essex-council", "for", 41, "", ""),
						v("essex-mind", "block", 41, "The people who use our services have not been asked", ""), v("colchester-nhs", "abstain", 41, "", "")),
					CurrentVotes: map[string]string{"brightside-cvs": "for", "colchester-nhs": "abstain", "essex-council": "for", "essex-mind": "block"},
					Outcome:      "rejected", Tally: &g.Tally{For: 2, Abstain: 1, Block: 1, Electorate: 4},
					Events: refs("table-care-record", "vote-shared-care-record-brightside-cvs-41", "vote-shared-care-record-essex-council-41", "vote-shared-care-record-essex-mind-41", "vote-shared-care-record-colchester-nhs-41", "close-care-record")},
				"admit-age-uk-again": {ID: "admit-age-uk-again", Matter: "admission", Title: "Admit Age UK Essex", About: "age-uk",
					OpenedAt: at(131), ClosesAt: at(138), ClosedAt: at(133), Electorate: []string{"brightside-cvs", "colchester-nhs", "essex-council", "essex-mind"},
					Rule: v2.DecisionRules["admission"], Chair: "brightside-cvs", Interests: map[string]string{},
					Votes:        voteSeq("admit-age-uk-again", v("brightside-cvs", "for", 132, "", ""), v("colchester-nhs", "for", 132, "", ""), v("essex-council", "for", 132, "", ""), v("essex-mind", "for", 132, "", "")),
					CurrentVotes: map[string]string{"brightside-cvs": "for", "colchester-nhs": "for", "essex-council": "for", "essex-mind": "for"},
					Outcome:      "carried", Tally: &g.Tally{For: 4, Electorate: 4}, Effect: "admitted age-uk",
					Events: refs("table-admit-age-uk-again", "vote-admit-age-uk-again-brightside-cvs-132", "vote-admit-age-uk-again-colchester-nhs-132", "vote-admit-age-uk-again-essex-council-132", "vote-admit-age-uk-again-essex-mind-132", "close-admit-age-uk-again")},
				"expel-mind": {ID: "expel-mind", Matter: "expulsion", Title: "Expel Essex Mind for persistent breach of the terms", About: "essex-mind",
					OpenedAt: at(160), ClosesAt: at(160), ClosedAt: at(160), Meeting: &projections.Meeting{HeldAt: at(160), Attendance: []string{"age-uk", "brightside-cvs", "colchester-nhs", "essex-council"}},
					Electorate: []string{"age-uk", "brightside-cvs", "colchester-nhs", "essex-council"},
					Rule:       v2.DecisionRules["expulsion"], Chair: "brightside-cvs", Interests: map[string]string{},
					Votes:        minuted(res["expel"], at(160), people["brightside-cvs"], "age-uk", "brightside-cvs", "colchester-nhs", "essex-council"),
					CurrentVotes: map[string]string{"age-uk": "for", "brightside-cvs": "for", "colchester-nhs": "for", "essex-council": "for"},
					Outcome:      "carried", Tally: &g.Tally{For: 4, Electorate: 4}, Effect: "expelled essex-mind",
					Events: refs("expel")},
				"new-chair": {ID: "new-chair", Matter: "ordinary", Title: "Essex County Council to chair the steering group",
					OpenedAt: at(170), ClosesAt: at(180), ClosedAt: at(172), Electorate: []string{"age-uk", "brightside-cvs", "colchester-nhs", "essex-council"},
					Rule: v2.DecisionRules["ordinary"], Chair: "brightside-cvs", Interests: map[string]string{},
					Votes:        voteSeq("new-chair", v("brightside-cvs", "for", 171, "", ""), v("colchester-nhs", "for", 171, "", ""), v("essex-council", "for", 171, "", ""), v("age-uk", "against", 171, "", "")),
					CurrentVotes: map[string]string{"age-uk": "against", "brightside-cvs": "for", "colchester-nhs": "for", "essex-council": "for"},
					Outcome:      "carried", Tally: &g.Tally{For: 3, Against: 1, Electorate: 4}, Effect: "chair: essex-council",
					Events: refs("table-chair", "vote-new-chair-brightside-cvs-171", "vote-new-chair-colchester-nhs-171", "vote-new-chair-essex-council-171", "vote-new-chair-age-uk-171", "close-chair")},
				"wind-up": {ID: "wind-up", Matter: "dissolution", Title: "Dissolve at the end of the contract",
					OpenedAt: at(250), ClosesAt: at(250), ClosedAt: at(250), Meeting: &projections.Meeting{HeldAt: at(250), Attendance: []string{"age-uk", "brightside-cvs", "essex-council"}},
					Electorate: []string{"age-uk", "brightside-cvs", "essex-council"},
					Rule:       v2.DecisionRules["dissolution"], Chair: "essex-council", Interests: map[string]string{},
					Votes:        minuted(res["wind-up"], at(250), people["essex-council"], "age-uk", "brightside-cvs", "essex-council"),
					CurrentVotes: map[string]string{"age-uk": "for", "brightside-cvs": "for", "essex-council": "for"},
					Outcome:      "carried", Tally: &g.Tally{For: 3, Electorate: 3}, Effect: "dissolved",
					Events: refs("wind-up")},
			}
			for _, d := range all {
				equal(t, "decision "+d.ID, d, want[d.ID])
			}
			one, err := m.Decision("synergy", "venue")
			check(t, err)
			equal(t, "decision venue on its own", one, want["venue"])
			// The trail of a meeting decision is its one atomic command: proposed, the
			// votes as minuted, the outcome and its effect.
			var types []string
			for _, e := range want["expel-mind"].Events {
				types = append(types, e.Type)
			}
			equal(t, "events behind expel-mind", types, []string{g.TypeDecisionProposed, g.TypeVoteCast, g.TypeVoteCast, g.TypeVoteCast, g.TypeVoteCast, g.TypeDecisionCarried, g.TypePartnerExpelled})
		})

		t.Run("admissions", func(t *testing.T) {
			got, err := m.Admissions("synergy")
			check(t, err)
			equal(t, "admissions", got, []projections.Admission{
				{Partner: "essex-council", Name: "Essex County Council", Sector: "local-authority", Sponsor: "brightside-cvs", AppliedAt: at(5), Proposal: "admit-council", Status: "admitted", DecidedAt: at(9)},
				{Partner: "age-uk", Name: "Age UK Essex", Sector: "vcse", Sponsor: "essex-mind", AppliedAt: at(12), Proposal: "admit-age-uk", Status: "declined", DecidedAt: at(16)},
				{Partner: "age-uk", Name: "Age UK Essex", Sector: "vcse", Sponsor: "essex-mind", AppliedAt: at(130), Proposal: "admit-age-uk-again", Status: "admitted", DecidedAt: at(133)},
			})
		})

		t.Run("disputes", func(t *testing.T) {
			// Raised on Friday 1 May; negotiation has 15 working days: until Friday 22 May.
			raised := projections.DisputeView{ID: "late-invoices", RaisedBy: "essex-mind", Parties: []string{"brightside-cvs"}, Matter: "Invoices paid late",
				RaisedAt: at(60), Status: "open", StageName: "negotiation", StageStartedAt: at(60), Escalations: []projections.Escalation{}}
			for _, c := range []struct {
				now  time.Time
				want projections.DisputeView
			}{
				{at(70), with(raised, func(d *projections.DisputeView) { d.Due = at(81) })},
				{at(100), with(raised, func(d *projections.DisputeView) {
					d.Stage, d.StageName, d.StageStartedAt, d.Due = 1, "senior leaders", at(80), at(108)
					d.Escalations = []projections.Escalation{{Stage: 1, StageName: "senior leaders", At: at(80)}}
				})},
				{at(109), with(raised, func(d *projections.DisputeView) { // overdue at senior leaders: the record cannot know it was escalated on 110
					d.Stage, d.StageName, d.StageStartedAt, d.Due, d.Overdue = 1, "senior leaders", at(80), at(108), true
					d.Escalations = []projections.Escalation{{Stage: 1, StageName: "senior leaders", At: at(80)}}
				})},
			} {
				// Read the models as they stood at that time: rebuild them from the events up to it.
				evs, err := log.Read(context.Background(), "synergy", 0)
				check(t, err)
				then := projections.NewModels()
				for _, e := range evs {
					if !e.OccurredAt.After(c.now) {
						then.Apply(e)
					}
				}
				got, err := then.Disputes("synergy", c.now)
				check(t, err)
				equal(t, "disputes on "+c.now.Format(time.DateOnly), got, []projections.DisputeView{c.want})
			}
			got, err := m.Disputes("synergy", at(300))
			check(t, err)
			equal(t, "disputes at the end", got, []projections.DisputeView{with(raised, func(d *projections.DisputeView) {
				d.Status, d.Stage, d.StageName, d.StageStartedAt = "resolved", 2, "mediation", at(110)
				d.Escalations = []projections.Escalation{{Stage: 1, StageName: "senior leaders", At: at(80)}, {Stage: 2, StageName: "mediation", At: at(110)}}
				d.Outcome, d.ClosedAt = "Invoices paid within 30 days; a named finance contact", at(125)
			})})
		})

		t.Run("terminations", func(t *testing.T) {
			notice := projections.Termination{Kind: "notice", Partner: "colchester-nhs", At: at(150), EffectiveAt: at(210), Reason: "Service moves to the ICB"}
			expulsion := projections.Termination{Kind: "expulsion", Partner: "essex-mind", At: at(160), EffectiveAt: at(160),
				Reason: "Expel Essex Mind for persistent breach of the terms", Proposal: "expel-mind", InEffect: true}
			dissolution := projections.Termination{Kind: "dissolution", At: at(250), EffectiveAt: at(250), Reason: "Dissolve at the end of the contract", Proposal: "wind-up", InEffect: true}
			got, err := m.Terminations("synergy", at(209))
			check(t, err)
			d := dissolution
			d.InEffect = false
			equal(t, "terminations on day 209", got, []projections.Termination{notice, expulsion, d})
			got, err = m.Terminations("synergy", at(210))
			check(t, err)
			notice.InEffect = true
			equal(t, "terminations on day 210", got, []projections.Termination{notice, expulsion, d})
		})

		t.Run("not found", func(t *testing.T) {
			_, err := m.Consortium("lambeth", at(0))
			if !errors.Is(err, events.ErrNotFound) || err.Error() != "consortium lambeth is not in the ledger" {
				t.Errorf("an unknown consortium: %v", err)
			}
			_, err = m.Decision("synergy", "budget-2027")
			if !errors.Is(err, events.ErrNotFound) || err.Error() != "there is no decision budget-2027 in consortium synergy" {
				t.Errorf("an unknown decision: %v", err)
			}
			for name, read := range map[string]func() error{
				"terms":        func() error { _, err := m.Terms("lambeth"); return err },
				"membership":   func() error { _, err := m.Membership("lambeth", at(0)); return err },
				"partners":     func() error { _, err := m.Partners("lambeth", at(0)); return err },
				"decisions":    func() error { _, err := m.Decisions("lambeth"); return err },
				"admissions":   func() error { _, err := m.Admissions("lambeth"); return err },
				"disputes":     func() error { _, err := m.Disputes("lambeth", at(0)); return err },
				"terminations": func() error { _, err := m.Terminations("lambeth", at(0)); return err },
			} {
				if err := read(); !errors.Is(err, events.ErrNotFound) {
					t.Errorf("%s of an unknown consortium: %v", name, err)
				}
			}
		})
	})

	// Every command after dissolution is refused, with the governance error.
	_, err := l.Handle(context.Background(), ledger.Command{Consortium: "synergy", Do: g.RaiseDispute{At: at(301), Dispute: "x", RaisedBy: "essex-council", Parties: []string{"brightside-cvs"}, Matter: "x"}})
	var ge *g.Error
	if !errors.As(err, &ge) || ge.Code != g.CodeForbidden {
		t.Fatalf("after dissolution: %v", err)
	}
	// Rebuilding from scratch gives exactly the same answers.
	rebuilt := projections.NewRunner(log)
	if err := rebuilt.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	times := []time.Time{at(-1), at(9), at(150), at(210), at(300)}
	if a, b := answers(t, r, times...), answers(t, rebuilt, times...); a != b {
		t.Fatalf("rebuilt read models differ from the incremental ones:\n%s", diff(a, b))
	}
}

// minuted are the votes of a meeting decision, all for, recorded by person with the
// sequences its command recorded them at.
func minuted(res ledger.Result, when time.Time, person string, partners ...string) []projections.Vote {
	var vs []projections.Vote
	for _, e := range res.Events {
		if e.Type == g.TypeVoteCast {
			vs = append(vs, projections.Vote{Partner: partners[len(vs)], Vote: "for", Person: person, At: when, Seq: e.Seq})
		}
	}
	return vs
}

func with[T any](v T, change func(*T)) T {
	change(&v)
	return v
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// equal compares as JSON, the form the answers are given in.
func equal(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.MarshalIndent(got, "", "  ")
	w, _ := json.MarshalIndent(want, "", "  ")
	if string(g) != string(w) {
		t.Errorf("%s:\n%s", what, diff(string(g), string(w)))
	}
}

// diff shows got and want from a few lines before the first that differs.
func diff(got, want string) string {
	gl, wl := strings.Split(got, "\n"), strings.Split(want, "\n")
	i := 0
	for i < len(gl) && i < len(wl) && gl[i] == wl[i] {
		i++
	}
	from := max(0, i-4)
	return fmt.Sprintf("got, from line %d:\n%s\nwant:\n%s", from+1,
		strings.Join(gl[from:min(len(gl), i+8)], "\n"), strings.Join(wl[from:min(len(wl), i+8)], "\n"))
}
