package events

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/govledger/govledger/internal/intern"
	"github.com/govledger/govledger/internal/rfc3339"
)

// The canonical bytes are written and read by hand, field by field in the documented
// order, rather than through reflection: replaying the log decodes every event, and a
// positional reader both runs several times faster and refuses an envelope in any other
// form. The payload inside is held to being a JSON object; an append always stores it
// compact, and the event's hash covers it as stored.

// appendCanonical writes e's canonical bytes; e.Payload must be compact JSON.
func appendCanonical(buf []byte, e *Envelope) []byte {
	buf = append(buf, `{"id":`...)
	buf = appendString(buf, e.ID)
	buf = append(buf, `,"type":`...)
	buf = appendString(buf, e.Type)
	buf = append(buf, `,"consortium":`...)
	buf = appendString(buf, e.Consortium)
	buf = append(buf, `,"occurred_at":"`...)
	buf = rfc3339.AppendUTC(buf, e.OccurredAt)
	buf = append(buf, `","recorded_at":"`...)
	buf = rfc3339.AppendUTC(buf, e.RecordedAt)
	buf = append(buf, `","actor":{"person":`...)
	buf = appendString(buf, e.Actor.Person)
	buf = append(buf, `,"partner":`...)
	buf = appendString(buf, e.Actor.Partner)
	buf = append(buf, `},"command_id":`...)
	buf = appendString(buf, e.CommandID)
	buf = append(buf, `,"schema":`...)
	buf = strconv.AppendInt(buf, int64(e.Schema), 10)
	buf = append(buf, `,"prev":`...)
	buf = appendString(buf, e.Prev)
	buf = append(buf, `,"payload":`...)
	buf = append(buf, e.Payload...)
	return append(buf, '}')
}

// appendString writes s as a JSON string, as encoding/json does.
func appendString(buf []byte, s string) []byte {
	if plain(s) {
		buf = append(buf, '"')
		buf = append(buf, s...)
		return append(buf, '"')
	}
	b, _ := json.Marshal(s)
	return append(buf, b...)
}

// plain reports whether s needs no escaping in JSON.
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		if !plainBytes[s[i]] {
			return false
		}
	}
	return true
}

// plainBytes are the bytes a JSON string holds as they are, escaped neither by JSON
// nor by encoding/json: printable ASCII but for the quote, the backslash, <, > and &.
var plainBytes = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\' && c != '<' && c != '>' && c != '&'
	}
	return t
}()

var errNotCanonical = errors.New("not in canonical form")

// canonicalReader reads the canonical bytes front to back.
type canonicalReader struct {
	b     []byte
	err   error
	words *intern.Table // for the strings that recur from event to event; nil: copy each
}

// maxWords bounds the strings one read shares (intern.Table), so that a long Watch
// holds a bounded table.
const maxWords = 1 << 14

// expect consumes lit, or fails.
func (r *canonicalReader) expect(lit string) {
	if r.err != nil {
		return
	}
	if !bytes.HasPrefix(r.b, []byte(lit)) {
		r.err = errNotCanonical
		return
	}
	r.b = r.b[len(lit):]
}

// str consumes one JSON string and returns its value. The envelope's strings are
// almost always plain (ids, slugs, hashes), so they are read in one pass; anything else
// is read the slow way.
func (r *canonicalReader) str() string { return r.read(false) }

// word is str for a string that recurs, shared through r.words.
func (r *canonicalReader) word() string { return r.read(r.words != nil) }

func (r *canonicalReader) read(shared bool) string {
	if r.err != nil {
		return ""
	}
	if len(r.b) == 0 || r.b[0] != '"' {
		r.err = errNotCanonical
		return ""
	}
	i := 1
	for i < len(r.b) && plainBytes[r.b[i]] {
		i++
	}
	switch {
	case i == len(r.b):
		r.err = errNotCanonical
		return ""
	case r.b[i] != '"':
		return r.escaped()
	}
	var s string
	if shared {
		s = r.words.Of(r.b[1:i])
	} else {
		s = string(r.b[1:i])
	}
	r.b = r.b[i+1:]
	return s
}

// escaped reads a string that is not plain the slow way, and checks that it was
// written as appendString writes it: escaped where encoding/json escapes, verbatim
// where it does not.
func (r *canonicalReader) escaped() string {
	dec := json.NewDecoder(bytes.NewReader(r.b))
	var s string
	if err := dec.Decode(&s); err != nil {
		r.err = errNotCanonical
		return ""
	}
	n := int(dec.InputOffset())
	if !bytes.Equal(appendString(nil, s), r.b[:n]) {
		r.err = errNotCanonical
		return ""
	}
	r.b = r.b[n:]
	return s
}

// time consumes a quoted RFC 3339 time in UTC, written as appendCanonical writes it:
// "2006-01-02T15:04:05Z", with as many digits of the fraction of the second as it needs
// and no trailing zero. It is read by hand, every field range-checked as time.Parse
// checks it: two times in every event, time.Parse and the check that the time was
// written canonically were a third of decoding one.
func (r *canonicalReader) time() time.Time {
	if r.err != nil {
		return time.Time{}
	}
	t, n, ok := rfc3339.ReadQuotedUTC(r.b)
	if !ok {
		r.err = errNotCanonical
		return time.Time{}
	}
	r.b = r.b[n:]
	return t
}

// eventType consumes the type, one of Types: the same few strings on every event, so
// it returns the one in Types rather than a copy. Any other string is read as it is,
// for Decode to refuse.
func (r *canonicalReader) eventType() string {
	if r.err == nil && len(r.b) > 0 && r.b[0] == '"' {
		if end := bytes.IndexByte(r.b[1:], '"') + 1; end > 0 {
			if t, ok := knownTypes[string(r.b[1:end])]; ok {
				r.b = r.b[end+1:]
				return t
			}
		}
	}
	return r.str()
}

// int consumes a small non-negative integer.
func (r *canonicalReader) int() int {
	if r.err != nil {
		return 0
	}
	n, i := 0, 0
	for ; i < len(r.b) && i < 6 && r.b[i] >= '0' && r.b[i] <= '9'; i++ {
		n = n*10 + int(r.b[i]-'0')
	}
	if i == 0 || (i > 1 && r.b[0] == '0') {
		r.err = errNotCanonical
		return 0
	}
	r.b = r.b[i:]
	return n
}

// readCanonical parses raw into e, refusing anything but the canonical form.
func readCanonical(raw []byte, e *Envelope, w *intern.Table) error {
	r := canonicalReader{b: raw, words: w}
	r.expect(`{"id":`)
	e.ID = r.str()
	r.expect(`,"type":`)
	e.Type = r.eventType()
	r.expect(`,"consortium":`)
	e.Consortium = r.word()
	r.expect(`,"occurred_at":`)
	e.OccurredAt = r.time()
	r.expect(`,"recorded_at":`)
	e.RecordedAt = r.time()
	r.expect(`,"actor":{"person":`)
	e.Actor.Person = r.word()
	r.expect(`,"partner":`)
	e.Actor.Partner = r.word()
	r.expect(`},"command_id":`)
	e.CommandID = r.str()
	r.expect(`,"schema":`)
	e.Schema = r.int()
	r.expect(`,"prev":`)
	e.Prev = r.str()
	r.expect(`,"payload":`)
	if r.err != nil {
		return r.err
	}
	if len(r.b) < 3 || r.b[len(r.b)-1] != '}' {
		return errNotCanonical
	}
	e.Payload = json.RawMessage(r.b[: len(r.b)-1 : len(r.b)-1])
	return nil
}
