package events_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
)

// TestBadInputChangesNothing: each refusal names what is wrong, and the stream is untouched.
func TestBadInputChangesNothing(t *testing.T) {
	s := embedded.StartForTest(t, "")
	log := openLog(t, embedded.ConnectForTest(t, s), 1)
	ctx := context.Background()
	ok := events.Draft{Type: "partner.applied", CommandID: "apply-1", Payload: json.RawMessage(`{"partner":"essex-mind"}`)}
	with := func(f func(d *events.Draft)) events.Draft { d := ok; f(&d); return d }

	cases := []struct {
		name       string
		consortium string
		drafts     []events.Draft
		wantInMsg  string
	}{
		{"dot in consortium", "a.b", []events.Draft{ok}, `"a.b" is not a slug`},
		{"star wildcard", "*", []events.Draft{ok}, `"*" is not a slug`},
		{"full wildcard", ">", []events.Draft{ok}, `">" is not a slug`},
		{"space", "synergy essex", []events.Draft{ok}, `"synergy essex" is not a slug`},
		{"capitals", "Synergy", []events.Draft{ok}, `"Synergy" is not a slug`},
		{"leading hyphen", "-synergy", []events.Draft{ok}, `"-synergy" is not a slug`},
		{"empty consortium", "", []events.Draft{ok}, "consortium: it is empty"},
		{"too long", strings.Repeat("a", 64), []events.Draft{ok}, "at most 63"},
		{"unknown type", "synergy", []events.Draft{with(func(d *events.Draft) { d.Type = "partner.promoted" })}, `"partner.promoted" is not one of`},
		{"type as wildcard", "synergy", []events.Draft{with(func(d *events.Draft) { d.Type = "partner.>" })}, "is not one of"},
		{"malformed JSON", "synergy", []events.Draft{with(func(d *events.Draft) { d.Payload = json.RawMessage(`{"partner":`) })}, "not well-formed JSON"},
		{"payload not an object", "synergy", []events.Draft{with(func(d *events.Draft) { d.Payload = json.RawMessage(`[1,2]`) })}, "must be a JSON object"},
		{"oversized payload", "synergy", []events.Draft{with(func(d *events.Draft) {
			d.Payload = json.RawMessage(`{"minutes":"` + strings.Repeat("x", events.MaxPayloadBytes) + `"}`)
		})}, "at most 65536 are allowed"},
		{"year past 9999", "synergy", []events.Draft{with(func(d *events.Draft) { d.OccurredAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) })}, "from year 0 to 9999"},
		{"year before 0", "synergy", []events.Draft{with(func(d *events.Draft) { d.OccurredAt = time.Date(-1, 12, 31, 0, 0, 0, 0, time.UTC) })}, "from year 0 to 9999"},
		{"no events", "synergy", nil, "no events"},
		{"mixed command ids", "synergy", []events.Draft{ok, with(func(d *events.Draft) { d.CommandID = "other" })}, "must share a command id"},
		{"command id with space", "synergy", []events.Draft{with(func(d *events.Draft) { d.CommandID = "apply 1" })}, "command id"},
		{"actor partner not a slug", "synergy", []events.Draft{with(func(d *events.Draft) { d.Actor.Partner = "essex.mind" })}, "actor partner"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := log.Append(ctx, tc.consortium, 0, tc.drafts...)
			if !errors.Is(err, events.ErrInvalid) {
				t.Fatalf("err = %v, want ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tc.wantInMsg) {
				t.Errorf("error %q does not say %q", err, tc.wantInMsg)
			}
			if large := tc.name == "oversized payload"; errors.Is(err, events.ErrTooLarge) != large {
				t.Errorf("errors.Is(%v, ErrTooLarge) = %t, want %t", err, !large, large)
			}
		})
	}
	last, err := log.LastSeq(ctx)
	if err != nil || last != 0 {
		t.Fatalf("after refused input the stream is at %d (%v), want 0", last, err)
	}
}

func TestStreamRefusesDeleteAndPurge(t *testing.T) {
	s := embedded.StartForTest(t, "")
	log := openLog(t, embedded.ConnectForTest(t, s), 1)
	ctx := context.Background()
	got, err := log.Append(ctx, "synergy", 0, events.Draft{Type: "consortium.formed", Payload: json.RawMessage(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	stream, err := log.JetStream().Stream(ctx, events.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	if err := stream.DeleteMsg(ctx, got[0].Seq); err == nil {
		t.Error("the stream let an event be deleted")
	}
	if err := stream.Purge(ctx); err == nil {
		t.Error("the stream let itself be purged")
	}
	if e, err := log.Get(ctx, got[0].Seq); err != nil || e.ID != got[0].ID {
		t.Errorf("event gone after refused delete: %v", err)
	}
}

func TestDecodeRefusesWhatAppendCannotWrite(t *testing.T) {
	good := `{"id":"01JD5Z3K6Q8W9X2Y4Z6A8B0C2D","type":"partner.applied","consortium":"synergy","occurred_at":"2026-03-02T09:30:00Z","recorded_at":"2026-03-02T09:30:00Z","actor":{"person":"","partner":""},"command_id":"c","schema":1,"prev":"","payload":{}}`
	if _, err := events.Decode([]byte(good), 7); err != nil {
		t.Fatalf("good event refused: %v", err)
	}
	bad := map[string]string{
		"unknown field":  strings.Replace(good, `"schema":1`, `"schema":1,"extra":true`, 1),
		"unknown type":   strings.Replace(good, "partner.applied", "partner.promoted", 1),
		"bad consortium": strings.Replace(good, `"synergy"`, `"syn.ergy"`, 1),
		"bad ULID":       strings.Replace(good, "01JD5Z3K6Q8W9X2Y4Z6A8B0C2D", "not-a-ulid", 1),
		"bad time":       strings.Replace(good, `"2026-03-02T09:30:00Z","actor"`, `"yesterday","actor"`, 1),
		"wrong schema":   strings.Replace(good, `"schema":1`, `"schema":2`, 1),
		"bad prev":       strings.Replace(good, `"prev":""`, `"prev":"abc"`, 1),
		"trailing data":  good + `{}`,
		"not JSON":       good[:40],
	}
	for name, raw := range bad {
		if _, err := events.Decode([]byte(raw), 7); !errors.Is(err, events.ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", name, err)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"id":"01JD5Z3K6Q8W9X2Y4Z6A8B0C2D","type":"partner.applied","consortium":"synergy","occurred_at":"2026-03-02T09:30:00Z","recorded_at":"2026-03-02T09:30:00Z","actor":{"person":"","partner":""},"command_id":"c","schema":1,"prev":"","payload":{}}`))
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		e, err := events.Decode(raw, 1)
		if err != nil {
			if !errors.Is(err, events.ErrInvalid) {
				t.Fatalf("decode error is not ErrInvalid: %v", err)
			}
			return
		}
		// Whatever decodes is a well-formed event: a slug consortium on a known type.
		if events.ValidSlug("consortium", e.Consortium) != nil || !events.KnownType(e.Type) || e.Hash != events.Hash(raw) {
			t.Fatalf("decoded an event that Append could not have written: %+v", e)
		}
	})
}

func FuzzValidSlug(f *testing.F) {
	for _, s := range []string{"synergy", "a.b", "*", ">", "a b", "-x", "x-", "Σ", strings.Repeat("a", 63)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if events.ValidSlug("id", s) != nil {
			return
		}
		// An accepted slug is exactly one subject token that no wildcard or case can widen.
		if strings.ContainsAny(s, ".*> \t\r\n") || strings.ToLower(s) != s || len(s) > 63 || s[0] == '-' {
			t.Fatalf("accepted %q", s)
		}
		for _, r := range s {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
				t.Fatalf("accepted %q with %q", s, r)
			}
		}
	})
}
