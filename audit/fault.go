package audit

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/govledger/govledger/events"
)

// ErrFault means the record does not verify: an event is missing, altered, out of order
// or breaks the rules, or the log is not the one a checkpoint covered. Every such error
// is a *Fault.
var ErrFault = errors.New("the record does not verify")

// Fault is the first thing found wrong with the record, named as precisely as the
// evidence allows. Seq is 0 when the fault is in the log as a whole rather than in one
// event (the first N events are not those a checkpoint covered); Consortium and EventID
// are empty when the event is missing or does not decode.
type Fault struct {
	Seq        uint64
	Consortium string
	EventID    string
	What       string
	// Broken is the smallest checkpoint saved earlier (Options.Against) that the log does
	// not extend, and Extended the largest that it still does (nil when none): whatever
	// changed lies within sequences Extended.Size+1 to Broken.Size. A partner who keeps
	// more checkpoints narrows that range.
	Extended, Broken *Checkpoint
	// Err is the underlying error, when there is one: a decode error, a rule broken
	// (from Options.Rules), a failed proof.
	Err error
}

func (f *Fault) Error() string {
	var b strings.Builder
	b.WriteString("the record does not verify: ")
	if f.Seq > 0 {
		fmt.Fprintf(&b, "sequence %d", f.Seq)
		if f.Consortium != "" {
			fmt.Fprintf(&b, " (consortium %s, event %s)", f.Consortium, f.EventID)
		}
		b.WriteString(": ")
	} else if first, last, ok := f.Within(); ok {
		if first == last {
			fmt.Fprintf(&b, "sequence %d: ", last)
		} else {
			fmt.Fprintf(&b, "sequences %d to %d: ", first, last)
		}
	}
	b.WriteString(f.What)
	if f.Err != nil {
		b.WriteString(": ")
		b.WriteString(f.Err.Error())
	}
	return b.String()
}

// Within is the range of sequences the fault lies within, when it is not one event's
// but the checkpoints saved earlier narrow it down.
func (f *Fault) Within() (first, last uint64, ok bool) {
	if f.Broken == nil {
		return 0, 0, false
	}
	first = 1
	if f.Extended != nil {
		first = uint64(f.Extended.Size) + 1
	}
	return first, uint64(f.Broken.Size), first <= uint64(f.Broken.Size)
}

func (f *Fault) Is(target error) bool { return target == ErrFault }

func (f *Fault) Unwrap() error { return f.Err }

func faultAt(e events.Envelope, what string, args ...any) *Fault {
	return &Fault{Seq: e.Seq, Consortium: e.Consortium, EventID: e.ID, What: fmt.Sprintf(what, args...)}
}

// breaks is the fault of event e that the rules refused with err.
func breaks(e events.Envelope, err error, what string, args ...any) *Fault {
	f := faultAt(e, what, args...)
	f.Err = err
	return f
}

// link is what the next event of a consortium is checked against: its previous event.
type link struct {
	seq        uint64
	hash       string
	id         string
	recordedAt time.Time
}

// chains follows every consortium's hash chain, ids and recording times. Verify and
// VerifyExport share it, so a live log and an exported file are held to the same rules.
// A consortium's link is held by pointer, to be looked up once per event.
type chains map[string]*link

// follow checks that e continues its consortium's history and makes it the head.
func (c chains) follow(e events.Envelope) *Fault {
	last, seen := c[e.Consortium]
	if !seen {
		if e.Prev != "" {
			return faultAt(e, "it is the consortium's first event but its prev is %s, not empty: an earlier event was left out", e.Prev)
		}
		c[e.Consortium] = &link{seq: e.Seq, hash: e.Hash, id: e.ID, recordedAt: e.RecordedAt}
		return nil
	}
	switch {
	case e.Prev != last.hash:
		return faultAt(e, "its prev %s is not the hash %s of the consortium's previous event at sequence %d: one of the two was altered, or an event between them left out",
			e.Prev, last.hash, last.seq)
	case e.ID <= last.id:
		return faultAt(e, "its id is not after %s, the id of the consortium's previous event at sequence %d", last.id, last.seq)
	case e.RecordedAt.Before(last.recordedAt):
		return faultAt(e, "it was recorded at %s, before the consortium's previous event at sequence %d (%s)",
			e.RecordedAt.Format(time.RFC3339Nano), last.seq, last.recordedAt.Format(time.RFC3339Nano))
	}
	*last = link{seq: e.Seq, hash: e.Hash, id: e.ID, recordedAt: e.RecordedAt}
	return nil
}
