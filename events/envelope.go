package events

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/govledger/govledger/internal/intern"
	"github.com/oklog/ulid/v2"
)

// Actor is who did something: the person and the partner they act for.
type Actor struct {
	Person  string `json:"person"`
	Partner string `json:"partner"`
}

// Draft is an event as a caller proposes it; Append gives it its id, times, chain link
// and sequence.
type Draft struct {
	Type       string
	OccurredAt time.Time // when it happened (a meeting's date); zero means when it is recorded
	Actor      Actor
	CommandID  string // the command this event belongs to; every draft of one Append shares it
	Payload    json.RawMessage
}

// Envelope is one recorded event.
type Envelope struct {
	ID         string          `json:"id"`
	Type       string          `json:"type"`
	Consortium string          `json:"consortium"`
	Seq        uint64          `json:"seq"`
	OccurredAt time.Time       `json:"occurred_at"`
	RecordedAt time.Time       `json:"recorded_at"`
	Actor      Actor           `json:"actor"`
	CommandID  string          `json:"command_id"`
	Schema     int             `json:"schema"`
	Prev       string          `json:"prev"`
	Hash       string          `json:"hash"`
	Payload    json.RawMessage `json:"payload"`

	// Raw is the event exactly as stored, the bytes its Hash is taken over.
	Raw []byte `json:"-"`
}

// Subject is the NATS subject the event is published on.
func (e Envelope) Subject() string { return Subject(e.Consortium, e.Type) }

// Subject is gov.<consortium>.<type>.
func Subject(consortium, eventType string) string {
	return subjectPrefix + consortium + "." + eventType
}

// ConsortiumSubjects is the subject filter for every event of one consortium.
func ConsortiumSubjects(consortium string) string { return subjectPrefix + consortium + ".>" }

const subjectPrefix = "gov."

// Hash is the hex SHA-256 of an event's stored bytes.
func Hash(raw []byte) string {
	sum := sha256.Sum256(raw)
	var h [2 * sha256.Size]byte
	hex.Encode(h[:], sum[:])
	return string(h[:])
}

// encode writes the canonical bytes of e (whose payload is already compact JSON) and
// sets e.Raw and e.Hash.
func encode(e *Envelope) {
	// Room for the field names, two times and the strings as they are: one allocation.
	n := 220 + len(e.ID) + len(e.Type) + len(e.Consortium) + len(e.Actor.Person) + len(e.Actor.Partner) +
		len(e.CommandID) + len(e.Prev) + len(e.Payload)
	e.Raw = appendCanonical(make([]byte, 0, n), e)
	e.Hash = Hash(e.Raw)
}

// Decode reads an event from its stored bytes and the stream sequence it was stored at.
// It refuses anything that Append could not have written: another field order or
// spacing, an unknown type, a consortium that is not a slug, a bad id or time, a
// payload that is not a JSON object.
func Decode(raw []byte, seq uint64) (Envelope, error) {
	return decode(raw, seq, readOptions(nil), nil)
}

// stored is Decode for a message read from the stream: the event must also be on the
// subject its consortium and type name, since members subscribe by subject (a host that
// moved an event to another would show it to the wrong subscribers, or hide it).
func stored(subject string, raw []byte, seq uint64, o reading, w *intern.Table) (Envelope, error) {
	e, err := decode(raw, seq, o, w)
	if err != nil {
		return Envelope{}, err
	}
	if !onSubject(subject, e.Consortium, e.Type) {
		return Envelope{}, invalid("subject", "at sequence %d the event, a %s of consortium %s, is stored on %s, not %s",
			seq, e.Type, e.Consortium, subject, Subject(e.Consortium, e.Type))
	}
	return e, nil
}

// onSubject reports whether subject is Subject(consortium, eventType), without building
// it: every event read is checked.
func onSubject(subject, consortium, eventType string) bool {
	rest, ok := strings.CutPrefix(subject, subjectPrefix)
	if !ok {
		return false
	}
	rest, ok = strings.CutPrefix(rest, consortium)
	return ok && len(rest) == 1+len(eventType) && rest[0] == '.' && rest[1:] == eventType
}

// decode is Decode, setting the hash and checking the payload only as o asks, and
// sharing the strings that recur through w when it is not nil.
func decode(raw []byte, seq uint64, o reading, w *intern.Table) (Envelope, error) {
	e := Envelope{Seq: seq, Raw: raw}
	if o.hash {
		e.Hash = Hash(raw)
	}
	if err := readCanonical(raw, &e, w); err != nil {
		return Envelope{}, invalid("event", "at sequence %d the stored bytes are not a govledger event in canonical form", seq)
	}
	if _, err := ulid.ParseStrict(e.ID); err != nil {
		return Envelope{}, invalid("id", "at sequence %d %q is not a ULID: %v", seq, e.ID, err)
	}
	if err := ValidSlug("consortium", e.Consortium); err != nil {
		return Envelope{}, invalid("consortium", "at sequence %d: %v", seq, err)
	}
	if !KnownType(e.Type) {
		return Envelope{}, invalid("type", "at sequence %d %q is not an event type", seq, e.Type)
	}
	if e.Schema != SchemaVersion {
		return Envelope{}, invalid("schema", "at sequence %d schema version %d is not %d", seq, e.Schema, SchemaVersion)
	}
	if e.Payload[0] != '{' || o.payload && !validJSON(e.Payload) {
		return Envelope{}, invalid("payload", "at sequence %d the payload is not a JSON object", seq)
	}
	if e.Prev != "" && len(e.Prev) != sha256.Size*2 {
		return Envelope{}, invalid("prev", "at sequence %d %q is not a SHA-256 hash", seq, e.Prev)
	}
	return e, nil
}

// checkDraft refuses a draft before anything is published, and compacts its payload
// so that the stored bytes are canonical.
func checkDraft(d *Draft) error {
	if !KnownType(d.Type) {
		return invalid("event type", "%q is not one of govledger's event types (such as partner.admitted)", d.Type)
	}
	if len(d.Payload) > MaxPayloadBytes {
		return &InvalidError{Field: "payload", Reason: fmt.Sprintf("the %s payload is %d bytes; at most %d are allowed", d.Type, len(d.Payload), MaxPayloadBytes), Large: true}
	}
	if len(d.Payload) == 0 {
		d.Payload = json.RawMessage("{}")
	}
	compact, ok := compactJSON(make([]byte, 0, len(d.Payload)), d.Payload)
	if !ok {
		var buf bytes.Buffer
		err := json.Compact(&buf, d.Payload) // for encoding/json's account of what is wrong
		return invalid("payload", "the %s payload is not well-formed JSON: %v", d.Type, err)
	}
	if compact[0] != '{' {
		return invalid("payload", "the %s payload must be a JSON object", d.Type)
	}
	d.Payload = compact
	// RFC 3339, and so the canonical bytes, write a year in four digits.
	if y := d.OccurredAt.UTC().Year(); !d.OccurredAt.IsZero() && (y < 0 || y > 9999) {
		return invalid("occurred at", "the %s happened at %s: a time from year 0 to 9999 is needed", d.Type, d.OccurredAt.UTC())
	}
	if err := validText("command id", d.CommandID); err != nil {
		return err
	}
	if err := validText("actor person", d.Actor.Person); err != nil {
		return err
	}
	if d.Actor.Partner != "" {
		if err := ValidSlug("actor partner", d.Actor.Partner); err != nil {
			return err
		}
	}
	return nil
}

// SameAppend reports whether e goes on the append whose last event so far is prev: it
// is at the next sequence, names prev as its prev, and has prev's command id and
// recording time (Append seals all the events of one command with one time). A command
// id that comes back in a later append, even the very next one, starts another.
func SameAppend(prev, e Envelope) bool {
	return e.Seq == prev.Seq+1 && e.Prev == prev.Hash && e.CommandID == prev.CommandID && e.RecordedAt.Equal(prev.RecordedAt)
}

// FirstAppend is, of evs in log order, the events of the first append under command id
// commandID: the first event with that id and those that go on its append (SameAppend).
// The id written again in a later append is not the command's result.
func FirstAppend(evs []Envelope, commandID string) []Envelope {
	var found []Envelope
	for _, e := range evs {
		if e.CommandID != commandID {
			continue
		}
		if n := len(found); n > 0 && !SameAppend(found[n-1], e) {
			break
		}
		found = append(found, e)
	}
	return found
}
