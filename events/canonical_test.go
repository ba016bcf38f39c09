package events

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/internal/intern"
	"github.com/oklog/ulid/v2"
)

// FuzzCanonicalRoundTrip: whatever Append may write, at any time of years 0 to 9999,
// Decode reads back to the same event, the bytes are JSON, and the time in them is
// written as time.RFC3339Nano writes it. A replay's decoding, which shares the words
// that recur between events, reads the same event.
func FuzzCanonicalRoundTrip(f *testing.F) {
	shared := intern.New(maxWords)
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
		for range 2 { // the second time from the shared words
			if replayed, err := decode(e.Raw, 9, readOptions(nil), shared); err != nil || !reflect.DeepEqual(replayed, got) {
				t.Fatalf("a replay decodes %s as %+v (%v), Decode as %+v", e.Raw, replayed, err, got)
			}
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

// TestWithoutPayloadCheck: a reader that decodes every payload itself may leave out
// checking that it is well-formed JSON, and nothing else: the envelope is checked as
// Decode checks it, and the payload still has to open as an object.
func TestWithoutPayloadCheck(t *testing.T) {
	unchecked := readOptions([]ReadOption{WithoutPayloadCheck()})
	e := seal("synergy", "", []Draft{{Type: "decision.vote-cast", CommandID: "c", Payload: json.RawMessage(`{"vote":"for"}`)}})[0]
	for name, tc := range map[string]struct {
		payload string
		decoded bool // without the payload check
	}{
		"well-formed":       {`{"vote":"for"}`, true},
		"malformed":         {`{"vote":}`, true},
		"trailing comma":    {`{"vote":"for",}`, true},
		"not an object":     {`["for"]`, false},
		"a second field":    {`{"vote":"for"},"extra":1`, true},
		"an empty payload":  {``, false},
		"a string":          {`"for"`, false},
		"a number in front": {`1,"x":{}`, false},
	} {
		raw := bytes.Replace(e.Raw, []byte(`"payload":{"vote":"for"}`), []byte(`"payload":`+tc.payload), 1)
		_, err := Decode(raw, 1)
		if wellFormed := name == "well-formed"; (err == nil) != wellFormed {
			t.Errorf("%s: Decode gave %v", name, err)
		}
		got, err := decode(raw, 1, unchecked, nil)
		if (err == nil) != tc.decoded {
			t.Errorf("%s: decoded without the payload check: %v, want %v", name, err, tc.decoded)
			continue
		}
		if err == nil && string(got.Payload) != tc.payload {
			t.Errorf("%s: payload %s, want %s", name, got.Payload, tc.payload)
		}
	}
	bad := bytes.Replace(e.Raw, []byte(`"schema":1`), []byte(`"schema":2`), 1)
	if _, err := decode(bad, 1, unchecked, nil); err == nil {
		t.Error("another schema decoded without the payload check")
	}
}
