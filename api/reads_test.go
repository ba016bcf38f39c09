package api_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/api"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
)

// story records a few months of Synergy Stockport through the API.
func story(t *testing.T) *ledgerAPI {
	l := formed(t) // 1: formed on day 0
	for _, s := range []struct {
		path string
		body map[string]any
	}{
		{synergy + "/applications", map[string]any{"at": on(9), "sponsor": "anchorpoint", "partner": map[string]any{ // 2
			"id": "stockport-council", "name": "Stockport Council", "sector": "local-authority", "tier": "full", "point_of_contact": "sam-whitfield"}}},
		{synergy + "/proposals", map[string]any{"at": on(10), "proposal": "admit-council", "matter": "admission", "about": "stockport-council", // 3
			"title": "Admit Stockport Council", "closes_at": on(24)}},
		{synergy + "/proposals/admit-council/votes", map[string]any{"at": on(11), "partner": "anchorpoint", "vote": "for"}},                                                             // 4
		{synergy + "/proposals/admit-council/votes", map[string]any{"at": on(11), "partner": "stockport-mind", "vote": "against", "reason": "wait for the budget"}},                     // 5
		{synergy + "/proposals/admit-council/votes", map[string]any{"at": on(12), "partner": "stockport-mind", "vote": "for"}},                                                          // 6
		{synergy + "/proposals/admit-council/votes", map[string]any{"at": on(12), "partner": "all-together-positive", "vote": "for"}},                                                   // 7
		{synergy + "/proposals/admit-council/votes", map[string]any{"at": on(13), "partner": "pennine-care", "vote": "for"}},                                                            // 8
		{synergy + "/proposals/admit-council/close", map[string]any{"at": on(14)}},                                                                                                      // 9, 10
		{synergy + "/notices", map[string]any{"at": on(60), "partner": "all-together-positive", "reason": "merging with Stockport Mind"}},                                               // 11
		{synergy + "/disputes", map[string]any{"at": on(61), "dispute": "late-invoices", "raised_by": "stockport-mind", "parties": []string{"anchorpoint"}, "matter": "Late invoices"}}, // 12
	} {
		l.do(t, s.path, s.body)
	}
	return l
}

func get[T any](t *testing.T, l *ledgerAPI, path string, q url.Values) T {
	t.Helper()
	var v T
	if err := l.client.Get(context.Background(), path, q, &v); err != nil {
		t.Fatalf("GET %s?%s: %v", path, q.Encode(), err)
	}
	return v
}

func ids[T any](rows []T, id func(T) string) []string {
	var s []string
	for _, r := range rows {
		s = append(s, id(r))
	}
	return s
}

func memberIDs(ms []projections.Member) []string {
	return ids(ms, func(m projections.Member) string { return m.ID })
}

func TestReads(t *testing.T) {
	l := story(t)
	founders := []string{"all-together-positive", "anchorpoint", "pennine-care", "stockport-mind"}

	list := get[[]projections.ConsortiumSummary](t, l, "/v1/consortia", nil)
	if len(list) != 1 || list[0].ID != "synergy" || list[0].Status != "active" || list[0].TermsVersion != 1 || list[0].Events != 12 || list[0].Members != 5 {
		t.Errorf("consortia = %+v", list)
	}
	if one := get[projections.ConsortiumSummary](t, l, synergy, nil); one.Name != "Synergy Stockport" || one.Seq != 12 {
		t.Errorf("consortium = %+v", one)
	}
	if terms := get[g.Terms](t, l, synergy+"/terms", nil); terms.Version != 1 || terms.Roles.LeadPartner != "anchorpoint" {
		t.Errorf("terms = %+v", terms)
	}

	// Membership today (1 July: the notice served on 31 May is not yet in force), and
	// on past dates, from the intervals.
	for asOf, want := range map[string][]string{
		"":           append(slices.Clone(founders), "stockport-council"),
		"2026-04-14": founders,
		"2026-04-15": append(slices.Clone(founders), "stockport-council"),
	} {
		q := url.Values{}
		if asOf != "" {
			q.Set("as_of", asOf)
		}
		got := memberIDs(get[[]projections.Member](t, l, synergy+"/members", q))
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("members as of %q = %v, want %v", asOf, got, want)
		}
	}

	d := get[projections.Decision](t, l, synergy+"/decisions/admit-council", nil)
	if d.Outcome != "carried" || d.Tally == nil || d.Tally.For != 4 || len(d.Votes) != 5 || d.Votes[2].Replaces != "against" || d.Effect != "admitted stockport-council" {
		t.Errorf("decision = %+v", d)
	}
	if ds := get[[]projections.Decision](t, l, synergy+"/decisions", nil); len(ds) != 1 {
		t.Errorf("decisions = %+v", ds)
	}
	if as := get[[]projections.Admission](t, l, synergy+"/admissions", nil); len(as) != 1 || as[0].Status != "admitted" || as[0].Proposal != "admit-council" {
		t.Errorf("admissions = %+v", as)
	}
	if ts := get[[]projections.Termination](t, l, synergy+"/terminations", nil); len(ts) != 1 || ts[0].Kind != "notice" || ts[0].InEffect {
		t.Errorf("terminations = %+v", ts)
	}
	if ps := get[[]projections.Partner](t, l, synergy+"/partners", nil); len(ps) != 5 {
		t.Errorf("partners = %+v", ps)
	}
	// The dispute was raised on 1 June: on 1 July its first stage (15
	// working days) has run out.
	disputes := get[[]projections.DisputeView](t, l, synergy+"/disputes", url.Values{"as_of": {"2026-07-01"}})
	if len(disputes) != 1 || !disputes[0].Overdue || disputes[0].StageName != "negotiation between the leads" {
		t.Errorf("disputes as of 1 July = %+v", disputes)
	}
}

// --at and --as-of answer from the history up to that point.
func TestReadsAtAPointInTime(t *testing.T) {
	l := story(t)
	// At sequence 8 the admission was still open, with the changed vote in its trail.
	d := get[projections.Decision](t, l, synergy+"/decisions/admit-council", url.Values{"at": {"8"}})
	if d.Outcome != "open" || d.Tally != nil || len(d.Votes) != 5 || d.Effect != "" {
		t.Errorf("admission at 8 = %+v", d)
	}
	if ms := memberIDs(get[[]projections.Member](t, l, synergy+"/members", url.Values{"at": {"8"}})); slices.Contains(ms, "stockport-council") {
		t.Errorf("members at 8 = %v: the council was not admitted yet", ms)
	}
	if ms := memberIDs(get[[]projections.Member](t, l, synergy+"/members", url.Values{"at": {"10"}})); !slices.Contains(ms, "stockport-council") {
		t.Errorf("members at 10 = %v: the council was admitted at 10", ms)
	}
	// As of 12 April (day 11), only the first two votes had been cast.
	d = get[projections.Decision](t, l, synergy+"/decisions/admit-council", url.Values{"as_of": {"2026-04-12"}})
	if len(d.Votes) != 2 || d.Outcome != "open" {
		t.Errorf("admission as of 12 April = %+v", d)
	}
	if ds := get[[]projections.DisputeView](t, l, synergy+"/disputes", url.Values{"as_of": {"2026-05-31"}}); len(ds) != 0 {
		t.Errorf("disputes as of 31 May = %+v: it was raised on 1 June", ds)
	}
	ts := get[[]projections.Termination](t, l, synergy+"/terminations", url.Values{"as_of": {"2026-09-01"}})
	if len(ts) != 1 || !ts[0].InEffect {
		t.Errorf("terminations as of 1 September = %+v: the notice of 31 May is in effect after 90 days", ts)
	}
	if ms := memberIDs(get[[]projections.Member](t, l, synergy+"/members", url.Values{"as_of": {time.Date(2026, 8, 30, 0, 0, 0, 0, time.UTC).Format(time.RFC3339)}})); slices.Contains(ms, "all-together-positive") {
		t.Errorf("members on 30 August = %v: the notice took effect on 29 August", ms)
	}
}

func TestReadRefusals(t *testing.T) {
	l := story(t)
	for _, tc := range []struct {
		path string
		q    url.Values
		code api.Code
		want string
	}{
		{"/v1/consortia/lambeth/members", nil, api.CodeNotFound, "lambeth"},
		{"/v1/consortia/lambeth/members", url.Values{"at": {"3"}}, api.CodeNotFound, "lambeth"},
		{synergy + "/decisions/budget", nil, api.CodeNotFound, "budget"},
		{"/v1/consortia/a.b/decisions", nil, api.CodeInvalid, `"a.b" is not a slug`},
		{synergy + "/members", url.Values{"as_of": {"1 March"}}, api.CodeInvalid, `as_of="1 March" is not a date`},
		{synergy + "/members", url.Values{"at": {"-1"}}, api.CodeInvalid, `at="-1" is not a stream sequence number`},
		{synergy + "/decisions", url.Values{"as_of": {"2026-01-01"}}, api.CodeNotFound, "had no events that happened by"},
		{synergy + "/members", url.Values{"as_of": {"2026-03-31"}}, api.CodeNotFound, "consortium synergy had no events that happened by 2026-03-31T23:59:59Z"},
		{synergy + "/members", url.Values{"at": {"99"}}, api.CodeInvalid, "at=99 is past the end of the log, whose last sequence is"},
		{synergy + "/events", url.Values{"limit": {"0"}}, api.CodeInvalid, `limit="0" is not a positive number`},
		{"/v1/consortia/lambeth/events", nil, api.CodeNotFound, "consortium lambeth is not in the ledger"},
		{"/v1/consortia/lambeth/events", url.Values{"after": {"3"}}, api.CodeNotFound, "consortium lambeth is not in the ledger"},
		{synergy + "/events", url.Values{"after": {"18446744073709551615"}}, api.CodeInvalid, `after="18446744073709551615" is not a stream sequence number`},
		{"/v1/consortia/lambeth/events/stream", nil, api.CodeNotFound, "consortium lambeth is not in the ledger"},
		{synergy + "/members", url.Values{"at": {"0"}}, api.CodeInvalid, `at="0": the log's sequences start at 1`},
	} {
		var body []byte
		err := l.client.Get(context.Background(), tc.path, tc.q, &body)
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Code != tc.code || !strings.Contains(ae.Message, tc.want) {
			t.Errorf("GET %s?%s = %v, want %s containing %q", tc.path, tc.q.Encode(), err, tc.code, tc.want)
		}
	}
}

// A read waits for the read models to reach ?min_seq, or everything this server wrote.
func TestReadYourWrites(t *testing.T) {
	l := formed(t)
	for day := range 20 {
		res := l.do(t, synergy+"/disputes", map[string]any{"at": on(day + 1), "dispute": "d" + string(rune('a'+day)), "raised_by": "stockport-mind",
			"parties": []string{"anchorpoint"}, "matter": "Room bookings"})
		ds := get[[]projections.DisputeView](t, l, synergy+"/disputes", url.Values{"min_seq": {strconv.FormatUint(res.Seq, 10)}})
		if len(ds) != day+1 {
			t.Fatalf("after writing sequence %d the read shows %d disputes, want %d", res.Seq, len(ds), day+1)
		}
	}
}

// A read that asks for a sequence the read models do not reach in time is refused as
// unavailable, not answered from an older state; one past the end of the log, which
// they will not reach until something else is recorded, is refused at once.
func TestReadTooFarAhead(t *testing.T) {
	l := formed(t)
	var body []byte
	var ae *api.Error
	for _, q := range []url.Values{{"min_seq": {"99"}}, {"at": {"99"}}, {"at": {"1"}, "min_seq": {"x"}}} {
		err := l.client.Get(context.Background(), synergy+"/members", q, &body)
		if !errors.As(err, &ae) || ae.Code != api.CodeInvalid || !strings.Contains(ae.Message, "=99 is past the end of the log, whose last sequence is 1") &&
			!strings.Contains(ae.Message, `min_seq="x" is not a stream sequence number`) {
			t.Errorf("read with %v = %v", q, err)
		}
	}

	// Read models that are not following the log: the one event is in the log, but
	// they never reach it.
	stalled := httptest.NewServer(api.New(api.Config{Ledger: ledger.New(l.log), Log: l.log, Models: projections.NewRunner(l.log),
		Now: func() time.Time { return today }, WaitLimit: 100 * time.Millisecond}))
	defer stalled.Close()
	client, err := api.NewClient(stalled.URL, "colin-mccabe@anchorpoint")
	if err != nil {
		t.Fatal(err)
	}
	err = client.Get(context.Background(), synergy+"/members", url.Values{"min_seq": {"1"}}, &body)
	if !errors.As(err, &ae) || ae.Code != api.CodeUnavailable || !strings.Contains(ae.Message, "have not reached sequence 1") {
		t.Fatalf("read at min_seq 1 from read models that do not follow the log = %v", err)
	}
}
