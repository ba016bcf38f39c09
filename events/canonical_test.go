package events

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/oklog/ulid/v2"
)

// FuzzCanonicalRoundTrip: whatever Append may write, at any time of years 0 to 9999,
// Decode reads back to the same event, the bytes are JSON, and the time in them is
// written as time.RFC3339Nano writes it.
func FuzzCanonicalRoundTrip(f *testing.F) {
	f.Add("amina-okafor", "brightside-vcs", "cmd-1", `{"minutes":"agreed <unanimously> & \"quickly\""}`, int64(1772443800))
	f.Add("Zoë.Ng", "", "01JD5Z", `{}`, int64(0))
	f.Add("", "", "c", `{}`, int64(-62167219200)) // 0000-01-01
	f.Add("", "", "c", `{}`, int64(253402300799)) // 9999-12-31T23:59:59
	f.Fuzz(func(t *testing.T, person, partner, command, payload string, unix int64) {
		d := Draft{Type: "decision.vote-cast", Actor: Actor{Person: person, Partner: partner}, CommandID: command, Payload: json.RawMessage(payload)}
		const year0, year9999 = -62167219200, 253402300799
		if checkDraft(&d) != nil || unix < year0 || unix > year9999 {
			return
		}
		e := seal("synergy", "", []Draft{d})[0]
		e.OccurredAt = time.Unix(unix, (unix%7+7)%7*1000).UTC()
		encode(&e)
		got, err := Decode(e.Raw, 9)
		if err != nil {
			t.Fatalf("decode of %s: %v", e.Raw, err)
		}
		if got.Actor != e.Actor || got.CommandID != e.CommandID || !got.OccurredAt.Equal(e.OccurredAt) ||
			!bytes.Equal(got.Payload, e.Payload) || got.ID != e.ID {
			t.Fatalf("round trip changed the event:\n got %+v\nwant %+v", got, e)
		}
		var generic map[string]any
		if err := json.Unmarshal(e.Raw, &generic); err != nil {
			t.Fatalf("canonical bytes are not JSON: %s", e.Raw)
		}
		if want := `"occurred_at":"` + e.OccurredAt.Format(time.RFC3339Nano) + `"`; !strings.Contains(string(e.Raw), want) {
			t.Fatalf("%s does not hold %s", e.Raw, want)
		}
	})
}

func TestDecodeRefusesNonCanonicalForms(t *testing.T) {
	e := seal("synergy", "", []Draft{{Type: "partner.applied", CommandID: "c", Payload: json.RawMessage(`{"a":1}`)}})[0]
	if _, err := Decode(e.Raw, 1); err != nil {
		t.Fatal(err)
	}
	for name, raw := range map[string]string{
		"spaces":          string(bytes.Replace(e.Raw, []byte(`,"type"`), []byte(`, "type"`), 1)),
		"fields reversed": `{"type":"partner.applied","id":"` + ulid.Make().String() + `"}`,
		"local time":      string(bytes.Replace(e.Raw, []byte(`Z","recorded_at"`), []byte(`+01:00","recorded_at"`), 1)),
		"leading zero":    string(bytes.Replace(e.Raw, []byte(`"schema":1`), []byte(`"schema":01`), 1)),
		"unneeded escape": string(bytes.Replace(e.Raw, []byte(`"command_id":"c"`), []byte(`"command_id":"\u0063"`), 1)),
		"needed escape":   string(bytes.Replace(e.Raw, []byte(`"command_id":"c"`), []byte(`"command_id":"<c>"`), 1)),
		"unknown type":    string(bytes.Replace(e.Raw, []byte(`"partner.applied"`), []byte(`"partner.appl\u0069ed"`), 1)),
		"fraction zeros":  regexp.MustCompile(`"occurred_at":"[^"]*"`).ReplaceAllString(string(e.Raw), `"occurred_at":"2026-03-02T09:30:00.500Z"`),
		"time unquoted":   regexp.MustCompile(`"occurred_at":"[^"]*"`).ReplaceAllString(string(e.Raw), `"occurred_at":2026`),
	} {
		if _, err := Decode([]byte(raw), 1); err == nil {
			t.Errorf("%s: decoded %s", name, raw)
		}
	}
}

// FuzzReadUTC: the hand-written time reader accepts exactly the quoted times that
// time.Parse reads in UTC and AppendFormat writes back byte for byte, and reads them
// to the same instant.
func FuzzReadUTC(f *testing.F) {
	for _, s := range []string{`"2026-03-02T09:30:00Z"`, `"2026-03-02T09:30:00.5Z"`, `"2026-03-02T09:30:00.500Z"`,
		`"2024-02-29T23:59:59.999999999Z"`, `"2025-02-29T00:00:00Z"`, `"0000-01-01T00:00:00Z"`, `"2026-13-01T00:00:00Z"`,
		`"2026-04-31T00:00:00Z"`, `"2026-03-02T24:00:00Z"`, `"2026-03-02T09:60:00Z"`, `"2026-03-02T09:30:60Z"`,
		`"2026-03-02T09:30:00.Z"`, `"2026-03-02T09:30:00.1234567891Z"`, `"2026-03-02T09:30:00+01:00"`, `"2026-3-2T09:30:00Z"`,
		`"1900-02-29T00:00:00Z"`, `"2000-02-29T00:00:00Z"`, `"2026-03-02t09:30:00z"`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, n, ok := readUTC([]byte(s + `,"next"`))
		ok = ok && n == len(s) // a time followed by more is read as the time; here it must be all of s
		want, err := time.Parse(timeLayout, strings.TrimPrefix(strings.TrimSuffix(s, `"`), `"`))
		wantOK := err == nil && len(s) > 2 && s[0] == '"' && s[len(s)-1] == '"' && !strings.Contains(s[1:len(s)-1], `"`) &&
			want.Location() == time.UTC && `"`+want.Format(timeLayout)+`"` == s
		if ok != wantOK {
			t.Fatalf("%s: read %v, time.Parse and Format say %v (%v)", s, ok, wantOK, err)
		}
		if ok && got != want {
			t.Fatalf("%s: read %v in %d bytes, want %v in %d", s, got, n, want, len(s))
		}
	})
}

// FuzzAppendUTC: the hand-written time writer writes what AppendFormat writes.
func FuzzAppendUTC(f *testing.F) {
	f.Add(int64(1772443800), int64(0))
	f.Add(int64(1772443800), int64(500_000_000))
	f.Add(int64(-62135596800), int64(1))
	f.Add(int64(253402300799), int64(999_999_999))
	f.Add(int64(253402300800), int64(0))
	f.Add(int64(-62135596801), int64(120))
	f.Fuzz(func(t *testing.T, sec, nsec int64) {
		tm := time.Unix(sec, nsec%1_000_000_000).In(time.FixedZone("x", int(sec%50_000)))
		if got, want := string(appendUTC([]byte("x"), tm)), "x"+tm.UTC().Format(timeLayout); got != want {
			t.Fatalf("%v: wrote %s, want %s", tm, got, want)
		}
	})
}
