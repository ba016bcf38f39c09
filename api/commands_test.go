package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/govledger/govledger/api"
)

const synergy = "/v1/consortia/synergy"

// TestEveryCommandRoute runs a stretch of Synergy Stockport's life through every
// command route and checks what each recorded.
func TestEveryCommandRoute(t *testing.T) {
	l := formed(t)
	steps := []struct {
		path string
		body map[string]any
		want []string
	}{
		{synergy + "/applications", map[string]any{"at": on(5), "sponsor": "anchorpoint", "partner": map[string]any{
			"id": "stockport-council", "name": "Stockport Council", "sector": "local-authority", "tier": "full", "point_of_contact": "sam-whitfield"}},
			[]string{"partner.applied"}},
		{synergy + "/proposals", map[string]any{"at": on(6), "proposal": "admit-council", "matter": "admission", "about": "stockport-council",
			"title": "Admit Stockport Council", "closes_at": on(20)}, []string{"decision.proposed"}},
		{synergy + "/proposals/admit-council/interests", map[string]any{"at": on(6), "partner": "pennine-care", "interest": "jointly commissioned by the council"},
			[]string{"decision.interest-declared"}},
		{synergy + "/proposals/admit-council/votes", map[string]any{"at": on(7), "partner": "anchorpoint", "vote": "for"}, []string{"decision.vote-cast"}},
		{synergy + "/proposals/admit-council/votes", map[string]any{"at": on(7), "partner": "stockport-mind", "vote": "for"}, []string{"decision.vote-cast"}},
		{synergy + "/proposals/admit-council/votes", map[string]any{"at": on(7), "partner": "all-together-positive", "vote": "for"}, []string{"decision.vote-cast"}},
		{synergy + "/proposals/admit-council/close", map[string]any{"at": on(8)}, []string{"decision.carried", "partner.admitted"}},
		{synergy + "/proposals", map[string]any{"at": on(9), "proposal": "venue", "title": "Meet at the wellbeing centre", "matter": "ordinary"},
			[]string{"decision.proposed"}},
		{synergy + "/proposals/venue/withdraw", map[string]any{"at": on(10), "reason": "the centre is being refurbished"}, []string{"decision.withdrawn"}},
		{synergy + "/meeting-decisions", map[string]any{"at": on(30), "proposal": "data-sharing", "matter": "ordinary",
			"title": "Share outcomes data with Pennine Care", "attendance": []string{"anchorpoint", "stockport-mind", "pennine-care"},
			"votes": map[string]string{"anchorpoint": "for", "stockport-mind": "for", "pennine-care": "for"}},
			[]string{"decision.proposed", "decision.vote-cast", "decision.vote-cast", "decision.vote-cast", "decision.carried"}},
		{synergy + "/roles", map[string]any{"at": on(35), "partner": "stockport-mind", "role": "point-of-contact", "person": "jo-bell"},
			[]string{"partner.role-assigned"}},
		{synergy + "/notices", map[string]any{"at": on(40), "partner": "all-together-positive", "reason": "merging with Stockport Mind"},
			[]string{"partner.notice-served"}},
		{synergy + "/disputes", map[string]any{"at": on(41), "dispute": "late-invoices", "raised_by": "stockport-mind",
			"parties": []string{"anchorpoint"}, "matter": "Invoices paid 60 days late"}, []string{"dispute.raised"}},
		{synergy + "/disputes/late-invoices/escalate", map[string]any{"at": on(70)}, []string{"dispute.escalated"}},
		{synergy + "/disputes/late-invoices/resolve", map[string]any{"at": on(80), "outcome": "Paid within 30 days"}, []string{"dispute.resolved"}},
		{synergy + "/disputes", map[string]any{"at": on(81), "dispute": "room-bookings", "raised_by": "pennine-care",
			"parties": []string{"stockport-mind"}, "matter": "Rooms double-booked"}, []string{"dispute.raised"}},
		{synergy + "/disputes/room-bookings/withdraw", map[string]any{"at": on(82), "reason": "settled at the wellbeing centre"}, []string{"dispute.withdrawn"}},
	}
	var last uint64
	for _, s := range steps {
		res := l.do(t, s.path, s.body)
		if !slices.Equal(types(res), s.want) {
			t.Fatalf("POST %s recorded %v, want %v", s.path, types(res), s.want)
		}
		if res.Seq <= last || res.Events[len(res.Events)-1].Seq != res.Seq || res.Repeated {
			t.Fatalf("POST %s: seq %d after %d, result %+v", s.path, res.Seq, last, res)
		}
		last = res.Seq
		for _, e := range res.Events {
			if e.Actor.Person != "colin-mccabe" || e.Actor.Partner != "anchorpoint" || e.Consortium != "synergy" {
				t.Fatalf("POST %s recorded %+v", s.path, e)
			}
		}
	}
	covered := map[string]bool{"POST /v1/consortia": true}
	for _, s := range steps {
		covered["POST "+strings.NewReplacer("admit-council", "{proposal}", "venue", "{proposal}", "late-invoices", "{dispute}",
			"room-bookings", "{dispute}", "synergy", "{consortium}").Replace(s.path)] = true
	}
	for _, r := range l.api.Routes() {
		if strings.HasPrefix(r, "POST ") && !covered[r] {
			t.Errorf("route %s is not exercised", r)
		}
	}
}

// A command without a time happened when it was received.
func TestCommandTimeDefaultsToNow(t *testing.T) {
	l := formed(t)
	res := l.do(t, synergy+"/notices", map[string]any{"partner": "pennine-care"})
	if !res.Events[0].OccurredAt.Equal(today) {
		t.Fatalf("occurred at %v, want the API's now %v", res.Events[0].OccurredAt, today)
	}
}

func TestRetryWithTheSameIdempotencyKey(t *testing.T) {
	l := formed(t)
	body := map[string]any{"at": on(5), "dispute": "late-invoices", "raised_by": "stockport-mind", "parties": []string{"anchorpoint"}, "matter": "Late invoices"}
	first, err := l.client.Command(context.Background(), synergy+"/disputes", body, "minutes-2026-04-06-item-3")
	if err != nil {
		t.Fatal(err)
	}
	again, err := l.client.Command(context.Background(), synergy+"/disputes", body, "minutes-2026-04-06-item-3")
	if err != nil {
		t.Fatal(err)
	}
	if !again.Repeated || again.Seq != first.Seq || again.Events[0].ID != first.Events[0].ID || again.CommandID != "minutes-2026-04-06-item-3" {
		t.Fatalf("retry = %+v, want the first result %+v", again, first)
	}
	status, _ := post(t, l.url+synergy+"/disputes", body, map[string]string{api.HeaderCommandID: "minutes-2026-04-06-item-3"})
	if status != http.StatusOK {
		t.Fatalf("a repeated command answered %d, want 200", status)
	}
}

// post sends raw bytes (or a value to encode) with the example actor and headers.
func post(t *testing.T, url string, body any, headers map[string]string) (int, api.Error) {
	t.Helper()
	data, ok := body.([]byte)
	if !ok {
		data, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(data))
	req.Header.Set(api.HeaderActor, "colin-mccabe@anchorpoint")
	for k, v := range headers {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var e api.Error
	json.Unmarshal(raw, &e)
	return resp.StatusCode, e
}

// TestRefusals: each kind of bad input gets the right status, a code and a message
// naming what is wrong, and changes nothing.
func TestRefusals(t *testing.T) {
	l := formed(t)
	l.do(t, synergy+"/proposals", map[string]any{"at": on(1), "proposal": "venue", "matter": "ordinary", "title": "Meet at the wellbeing centre", "closes_at": on(3)})
	before, _ := l.log.LastSeq(context.Background())
	vote := func(partner string, day int) map[string]any {
		return map[string]any{"at": on(day), "partner": partner, "vote": "for"}
	}
	cases := []struct {
		name    string
		path    string
		body    any
		headers map[string]string
		status  int
		code    api.Code
		message string
	}{
		{"unknown consortium", "/v1/consortia/lambeth/proposals/venue/votes", vote("anchorpoint", 2), nil,
			404, api.CodeNotFound, "consortium lambeth does not exist: form it first"},
		{"slug with a dot", "/v1/consortia/a.b/proposals/venue/votes", vote("anchorpoint", 2), nil,
			400, api.CodeInvalid, `"a.b" is not a slug`},
		{"slug with a wildcard", "/v1/consortia/*/proposals/venue/votes", vote("anchorpoint", 2), nil,
			400, api.CodeInvalid, `"*" is not a slug`},
		{"slug with a full wildcard", "/v1/consortia/%3E/proposals/venue/votes", vote("anchorpoint", 2), nil,
			400, api.CodeInvalid, `">" is not a slug`},
		{"formed with a slug with a space", "/v1/consortia", map[string]any{"consortium": "north west"}, nil,
			400, api.CodeInvalid, "is not a slug"},
		{"vote by a non-member", synergy + "/proposals/venue/votes", vote("age-uk-stockport", 2), nil,
			404, api.CodeNotFound, "age-uk-stockport is not a partner of consortium synergy"},
		{"vote after close", synergy + "/proposals/venue/votes", vote("anchorpoint", 4), nil,
			409, api.CodeConflict, "voting on proposal venue closed"},
		{"unknown proposal", synergy + "/proposals/budget/votes", vote("anchorpoint", 2), nil,
			404, api.CodeNotFound, "there is no proposal budget"},
		{"not a vote", synergy + "/proposals/venue/votes", map[string]any{"at": on(2), "partner": "anchorpoint", "vote": "maybe"}, nil,
			400, api.CodeInvalid, `"maybe" is not a vote`},
		{"a time in the future", synergy + "/disputes", map[string]any{"at": "9999-12-30T00:00:00Z", "dispute": "late", "raised_by": "stockport-mind",
			"parties": []string{"anchorpoint"}, "matter": "Invoices paid late"}, nil,
			400, api.CodeInvalid, "at 9999-12-30T00:00:00Z is in the future (it is now 2026-07-01T12:00:00Z): a command records what has happened"},
		{"malformed JSON", synergy + "/proposals/venue/votes", []byte(`{"partner": "anchorpoint", "vote": `), nil,
			400, api.CodeInvalid, "the request body is not well-formed JSON"},
		{"a key twice", synergy + "/proposals/venue/votes", []byte(`{"at":"2026-04-03T10:00:00Z","partner":"anchorpoint","vote":"for","vote":"against"}`), nil,
			400, api.CodeInvalid, `the request body gives "vote" twice`},
		{"a key in another case", synergy + "/proposals/venue/votes", []byte(`{"at":"2026-04-03T10:00:00Z","partner":"anchorpoint","VOTE":"for"}`), nil,
			400, api.CodeInvalid, `"VOTE" is not a field: write it "vote"`},
		{"not UTF-8", synergy + "/proposals/venue/votes", []byte("{\"at\":\"2026-04-03T10:00:00Z\",\"partner\":\"anchorpoint\",\"vote\":\"against\",\"reason\":\"\xff\xfe\"}"), nil,
			400, api.CodeInvalid, "the request body is not UTF-8 text"},
		{"gzip", synergy + "/proposals/venue/votes", vote("anchorpoint", 2), map[string]string{"Content-Encoding": "gzip"},
			400, api.CodeInvalid, "Content-Encoding gzip: send it as plain JSON"},
		{"JSON that is not an object", synergy + "/proposals/venue/votes", []byte(`["for"]`), nil,
			400, api.CodeInvalid, "the request body is not a JSON object"},
		{"two objects", synergy + "/proposals/venue/votes", []byte(`{"partner":"anchorpoint","vote":"for"} {}`), nil,
			400, api.CodeInvalid, "more after its JSON object"},
		{"unknown field", synergy + "/proposals/venue/votes", map[string]any{"partner": "anchorpoint", "vote": "for", "weight": 2}, nil,
			400, api.CodeInvalid, `"weight" is not a field here`},
		{"path and body disagree", synergy + "/proposals/venue/votes", map[string]any{"proposal": "budget", "partner": "anchorpoint", "vote": "for"}, nil,
			400, api.CodeInvalid, `the body names proposal "budget" but the path names "venue"`},
		{"oversized body", synergy + "/proposals/venue/votes", append(append([]byte(`{"reason":"`), bytes.Repeat([]byte("x"), api.MaxBodyBytes)...), `"}`...), nil,
			413, api.CodeTooLarge, "larger than"},
		{"oversized payload in a body under the limit", synergy + "/proposals/venue/votes",
			map[string]any{"at": on(2), "partner": "anchorpoint", "vote": "for", "reason": strings.Repeat("x", 100<<10)}, nil,
			413, api.CodeTooLarge, "payload is 102"},
		{"no actor", synergy + "/proposals/venue/votes", vote("anchorpoint", 2), map[string]string{api.HeaderActor: ""},
			400, api.CodeInvalid, "say who is acting"},
		{"actor's partner not a slug", synergy + "/proposals/venue/votes", vote("anchorpoint", 2), map[string]string{api.HeaderActor: "colin@Anchor Point"},
			400, api.CodeInvalid, "acting partner"},
		{"actor with nothing after the @", synergy + "/proposals/venue/votes", vote("anchorpoint", 2), map[string]string{api.HeaderActor: "bob@"},
			400, api.CodeInvalid, `"bob@" names no partner after the @`},
		{"actor for a stranger", synergy + "/proposals/venue/votes", vote("anchorpoint", 2), map[string]string{api.HeaderActor: "mallory@evil-corp"},
			403, api.CodeForbidden, "mallory acts for evil-corp, which is not a partner of consortium synergy"},
		{"a role that needs a decision", synergy + "/roles", map[string]any{"at": on(2), "partner": "stockport-mind", "role": "chair"}, nil,
			403, api.CodeForbidden, "table an ordinary decision with role chair"},
		{"a proposal id that is not a slug", synergy + "/proposals/a.b/votes", vote("anchorpoint", 2), nil,
			400, api.CodeInvalid, `invalid proposal: "a.b" is not a slug`},
		{"a dispute id that is not a slug", synergy + "/disputes/*/escalate", map[string]any{"at": on(2)}, nil,
			400, api.CodeInvalid, `invalid dispute: "*" is not a slug`},
		{"an empty segment", "/v1/consortia//proposals", vote("anchorpoint", 2), nil,
			400, api.CodeInvalid, "the path /v1/consortia//proposals has an empty or a dot segment"},
		{"unknown route", synergy + "/ballots", vote("anchorpoint", 2), nil,
			404, api.CodeNotFound, "is not a route of the govledger API"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			status, e := post(t, l.url+tc.path, tc.body, tc.headers)
			if status != tc.status || e.Code != tc.code || !strings.Contains(e.Message, tc.message) {
				t.Errorf("got %d %s %q, want %d %s containing %q", status, e.Code, e.Message, tc.status, tc.code, tc.message)
			}
		})
	}
	if after, _ := l.log.LastSeq(context.Background()); after != before {
		t.Fatalf("refused commands moved the log from %d to %d", before, after)
	}
	// A route asked for with another method: 405, in the API's own words.
	req, _ := http.NewRequest(http.MethodDelete, l.url+synergy+"/proposals/venue/votes", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var e405 api.Error
	json.NewDecoder(resp.Body).Decode(&e405)
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" || e405.Code != api.CodeNotAllowed ||
		e405.Message != "/v1/consortia/synergy/proposals/venue/votes takes POST, not DELETE" {
		t.Errorf("DELETE a vote: %d %q %+v", resp.StatusCode, resp.Header.Get("Allow"), e405)
	}
	// The dissolved consortium refuses everything: 403.
	all := []string{"anchorpoint", "stockport-mind", "all-together-positive", "pennine-care"}
	l.do(t, synergy+"/meeting-decisions", map[string]any{"at": on(2), "proposal": "wind-up", "matter": "dissolution", "title": "Wind up",
		"attendance": all, "votes": map[string]string{all[0]: "for", all[1]: "for", all[2]: "for", all[3]: "for"}})
	before, _ = l.log.LastSeq(context.Background())
	status, e := post(t, l.url+synergy+"/proposals/venue/votes", vote("anchorpoint", 2), nil)
	if status != http.StatusForbidden || e.Code != api.CodeForbidden || !strings.Contains(e.Message, "dissolved") {
		t.Errorf("vote in a dissolved consortium: %d %+v", status, e)
	}
	if after, _ := l.log.LastSeq(context.Background()); after != before {
		t.Fatalf("refused commands moved the log from %d to %d", before, after)
	}
	var ae *api.Error
	if _, err := l.client.Command(context.Background(), synergy+"/notices", map[string]any{"partner": "pennine-care"}, ""); !errors.As(err, &ae) || ae.Code != api.CodeForbidden {
		t.Errorf("client error = %#v, want a forbidden *api.Error", err)
	}
}
