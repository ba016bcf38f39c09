package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"slices"
	"sync"
	"time"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/internal/payload"
	"github.com/oklog/ulid/v2"
)

// maxAttempts bounds how often a command is decided again after another writer got in
// first; each attempt sees the other writer's events.
const maxAttempts = 8

// Ledger handles commands. It is safe for concurrent use.
type Ledger struct {
	log *events.Log

	mu        sync.Mutex
	consortia map[string]*live
}

// live is one consortium's current state as this process knows it.
type live struct {
	mu     sync.Mutex // one command of a consortium at a time in this process
	loaded bool
	state  *governance.State
	// last is the last event applied to state: only its sequence, its hash (which the
	// consortium's next event names as prev), its command id and its recording time.
	last events.Envelope
	// commands finds the events a command recorded, by a hash of its id (commandKey):
	// a map of fixed-size entries, which holds no id alive and grows without reading
	// the ids again. Two ids may share a key; the first keeps it, and a lookup whose
	// events turn out to be another command's reads the log instead (Ledger.recorded).
	commands map[uint64]span
}

// span is the events one command recorded: an append is an atomic batch, whose events
// take consecutive sequences from first, each naming the one before as prev. Should a
// command id come back in a later append (written past the ledger, straight to the
// log), its first append stays the command's result, as a retry must be answered.
type span struct {
	first uint64
	n     uint32
}

// commandKey is the key of a command id in live.commands.
var commandKey = func(id string) uint64 { return maphash.String(commandSeed, id) }

var commandSeed = maphash.MakeSeed()

// New returns a ledger on log.
func New(log *events.Log) *Ledger {
	return &Ledger{log: log, consortia: map[string]*live{}}
}

// Command is one thing the steering group asks for.
type Command struct {
	// ID makes retries safe: a command whose id is already recorded for the consortium
	// is not applied again; its original events are returned. Empty: one is generated.
	ID         string
	Consortium string
	Actor      governance.Actor
	Do         governance.Command
}

// Result is what a command recorded.
type Result struct {
	Events []events.Envelope
	// Seq is the sequence of the command's last event: read models that have reached
	// it reflect the command.
	Seq uint64
	// Repeated says the command id had been recorded before and nothing new was appended.
	Repeated bool
}

// Handle decides cmd against the consortium's current state and appends its events.
// A refusal by the rules is a *governance.Error; bad input an events.ErrInvalid.
func (l *Ledger) Handle(ctx context.Context, cmd Command) (Result, error) {
	if err := events.ValidSlug("consortium", cmd.Consortium); err != nil {
		return Result{}, err
	}
	if cmd.ID == "" {
		cmd.ID = ulid.Make().String()
	}
	lv := l.live(cmd.Consortium)
	lv.mu.Lock()
	defer lv.mu.Unlock()
	// No look at the log first: the append's sequence check tells us if anyone else
	// has written since, and only then do we read what they wrote.
	if err := l.catchUp(ctx, cmd.Consortium, lv, false); err != nil {
		return Result{}, err
	}
	for attempt := 1; ; attempt++ {
		if res, ok, err := l.recorded(ctx, cmd.Consortium, lv, cmd.ID); err != nil || ok {
			if err == nil {
				err = recordedFor(cmd, res.Events)
			}
			if err != nil {
				return Result{}, err
			}
			return res, nil
		}
		if _, forming := cmd.Do.(governance.FormConsortium); lv.state == nil && !forming {
			// Decide says so too, but cannot name the consortium it has no state of.
			return Result{}, &governance.Error{Code: governance.CodeNotFound, Message: fmt.Sprintf("consortium %s does not exist: form it first", cmd.Consortium)}
		}
		if err := actsFor(lv.state, cmd); err != nil {
			return Result{}, err
		}
		decided, err := governance.Decide(lv.state, cmd.Do)
		if err != nil {
			return Result{}, err
		}
		drafts, err := draftsOf(cmd, decided)
		if err != nil {
			return Result{}, err
		}
		// lv has every event of the consortium up to lv.last, and the command id is not
		// among them (recorded, above): the append's sequence check is all the
		// idempotency it needs, and the server's duplicate check would be work for nothing.
		appended, earlier, err := l.log.AppendNew(ctx, cmd.Consortium, lv.last.Seq, drafts...)
		if errors.Is(err, events.ErrConflict) && attempt < maxAttempts {
			if err := l.catchUp(ctx, cmd.Consortium, lv, true); err != nil {
				return Result{}, err
			}
			continue
		}
		if err != nil {
			return Result{}, err
		}
		if earlier {
			// The log found the command recorded already, after lv.last: by this command
			// (a retry of one whose acknowledgement was lost, or that another process
			// recorded, perhaps after events this process has not seen), or by another
			// command or actor under its id, which must not pass for it. Read what came
			// before it too, in order, rather than skip it.
			if err := l.catchUp(ctx, cmd.Consortium, lv, true); err != nil {
				return Result{}, err
			}
			if err := recordedFor(cmd, appended); err != nil {
				return Result{}, err
			}
		} else if err := lv.applyRecorded(appended, decided); err != nil {
			return Result{}, err
		}
		return Result{Events: appended, Seq: appended[len(appended)-1].Seq, Repeated: earlier}, nil
	}
}

// State returns a copy of the consortium's current state, brought up to date from the
// log (nil if it does not exist).
func (l *Ledger) State(ctx context.Context, consortium string) (*governance.State, uint64, error) {
	if err := events.ValidSlug("consortium", consortium); err != nil {
		return nil, 0, err
	}
	lv := l.live(consortium)
	lv.mu.Lock()
	defer lv.mu.Unlock()
	if err := l.catchUp(ctx, consortium, lv, true); err != nil {
		return nil, 0, err
	}
	if lv.state == nil {
		return nil, lv.last.Seq, nil
	}
	return lv.state.Clone(), lv.last.Seq, nil
}

func (l *Ledger) live(consortium string) *live {
	l.mu.Lock()
	defer l.mu.Unlock()
	lv, ok := l.consortia[consortium]
	if !ok {
		lv = &live{commands: map[uint64]span{}}
		l.consortia[consortium] = lv
	}
	return lv
}

// catchUp applies the consortium's events after the last one seen: all of them the
// first time; afterwards, when fresh is asked for, only what other writers appended.
func (l *Ledger) catchUp(ctx context.Context, consortium string, lv *live, fresh bool) error {
	if lv.loaded && !fresh {
		return nil
	}
	if lv.loaded {
		head, err := l.log.Head(ctx, consortium)
		if err != nil {
			return err
		}
		if head.Seq == lv.last.Seq {
			return nil
		}
	}
	evs, err := l.log.Read(ctx, consortium, lv.last.Seq)
	if err != nil {
		return err
	}
	for _, e := range evs {
		if err := lv.apply(e); err != nil {
			return err
		}
	}
	lv.loaded = true
	return nil
}

func (lv *live) apply(e events.Envelope) error {
	ev, err := Event(e)
	if err != nil {
		return err
	}
	lv.applyEvent(e, ev)
	return nil
}

func (lv *live) applyEvent(e events.Envelope, ev governance.Event) {
	k := commandKey(e.CommandID)
	sp, ok := lv.commands[k]
	switch {
	case !ok:
		lv.commands[k] = span{first: e.Seq, n: 1}
	case sp.first+uint64(sp.n) == e.Seq && events.SameAppend(lv.last, e):
		sp.n++
		lv.commands[k] = sp
	}
	lv.state = governance.Apply(lv.state, ev)
	lv.last = events.Envelope{Seq: e.Seq, Hash: e.Hash, CommandID: e.CommandID, RecordedAt: e.RecordedAt}
}

// applyRecorded brings the live state past the events this attempt recorded, the first
// of which follows the last event applied. Each is applied as Decide gave it, with the
// time and actor as sealed, rather than decoded again from the bytes just encoded (a
// fifth of a command's time); the state is the same as one loaded from the log. A
// payload that does not read back as it is (asStored) is decoded from its bytes.
func (lv *live) applyRecorded(recorded []events.Envelope, decided []governance.Event) error {
	for i, e := range recorded {
		p, ok := asStored(decided[i].Payload, e.Payload)
		if !ok {
			if err := lv.apply(e); err != nil {
				return err
			}
			continue
		}
		lv.applyEvent(e, governance.Event{OccurredAt: e.OccurredAt, Actor: governance.Actor{Person: e.Actor.Person, Partner: e.Actor.Partner}, Payload: p})
	}
	return nil
}

// asStored is p as decoding stored, its JSON, gives it back; ok is false where that is
// not simply p, and then the caller decodes. JSON keeps strings and numbers exactly, but
// not a string that is not valid UTF-8 (stored with U+FFFD), a time's zone or monotonic
// clock reading, or a share or date that does not read back. And Apply keeps the slices
// and pointers of some payloads, which must not be the command's own: they are copied
// here, or left to decoding when large (terms).
func asStored(p governance.Payload, stored []byte) (governance.Payload, bool) {
	if bytes.Contains(stored, []byte(`\ufffd`)) {
		return nil, false
	}
	switch v := p.(type) {
	case governance.VoteCast, governance.InterestDeclared, governance.DecisionWithdrawn,
		governance.DisputeEscalated, governance.DisputeResolved, governance.DisputeWithdrawn,
		governance.PartnerAdmitted, governance.PartnerDeclined, governance.PartnerExpelled,
		governance.ConsortiumDissolved, governance.RoleAssigned:
		return v, true
	case governance.Outcome:
		if v.ReviewDate != "" {
			if _, err := time.Parse(time.DateOnly, string(v.ReviewDate)); err != nil {
				return nil, false
			}
		}
		return v, true
	case governance.NoticeServed:
		var ok bool
		v.EffectiveAt, ok = inUTC(v.EffectiveAt)
		return v, ok
	case governance.DisputeRaised:
		v.Parties = slices.Clone(v.Parties)
		return v, true
	case governance.DecisionProposed:
		var ok bool
		if v.ClosesAt, ok = inUTC(v.ClosesAt); !ok || v.NewTerms != nil || !readsBack(v.Rule.Threshold) || !readsBack(v.Rule.Quorum) {
			return nil, false
		}
		// Apply copies the electorate itself.
		if m := v.Meeting; m != nil {
			heldAt, ok := inUTC(m.HeldAt)
			if !ok {
				return nil, false
			}
			v.Meeting = &governance.Meeting{HeldAt: heldAt, Attendance: slices.Clone(m.Attendance)}
		}
		if r := v.Role; r != nil {
			role := *r
			v.Role = &role
		}
		return v, true
	}
	return nil, false // a consortium formed, terms amended, a partner applying: decoded
}

// inUTC is t as JSON gives it back, if t is in UTC: without its monotonic clock reading.
func inUTC(t time.Time) (time.Time, bool) {
	return t.Round(0), t.Location() == time.UTC
}

// readsBack reports whether a share is one that JSON gives back as it is.
func readsBack(f governance.Fraction) bool {
	return f == governance.Fraction{} || f.Den > 0 && f.Num >= 0 && f.Num <= f.Den
}

// recordedFor refuses cmd when the events its id recorded earlier are another
// command's: an id stands for one command, and a client that sends a second under it
// must not be told that it was recorded.
func recordedFor(cmd Command, recorded []events.Envelope) error {
	payloads := make([]governance.Payload, len(recorded))
	for i, e := range recorded {
		ev, err := Event(e)
		if err != nil {
			return err
		}
		payloads[i] = ev.Payload
	}
	first := recorded[0]
	if by := (governance.Actor{Person: first.Actor.Person, Partner: first.Actor.Partner}); by != cmd.Actor {
		// A retry comes from whoever sent the command: another actor's is another command.
		return &governance.Error{Code: governance.CodeConflict, Message: fmt.Sprintf(
			"command id %s was used before by %s (%s at sequence %d): give this %s an id of its own",
			cmd.ID, actorWords(by), first.Type, first.Seq, cmd.Do.CommandName())}
	}
	if governance.Recorded(cmd.Do, payloads) {
		return nil
	}
	return &governance.Error{Code: governance.CodeConflict, Message: fmt.Sprintf(
		"command id %s was used before for another command (%s at sequence %d): give this %s an id of its own",
		cmd.ID, first.Type, first.Seq, cmd.Do.CommandName())}
}

// actsFor refuses an actor who acts for a partner the consortium does not know: a
// founding partner when it is formed, the applicant when it applies, and otherwise one
// of its partners. (Who the person is, the ledger takes on trust.)
func actsFor(s *governance.State, cmd Command) error {
	partner := cmd.Actor.Partner
	if partner == "" {
		return nil
	}
	switch c := cmd.Do.(type) {
	case governance.FormConsortium:
		if slices.ContainsFunc(c.Partners, func(p governance.PartnerSpec) bool { return p.ID == partner }) {
			return nil
		}
	case governance.ApplyToJoin:
		if c.Partner.ID == partner {
			return nil
		}
	}
	if s != nil {
		if _, ok := s.Partners[partner]; ok {
			return nil
		}
	}
	return &governance.Error{Code: governance.CodeForbidden, Message: fmt.Sprintf(
		"%s acts for %s, which is not a partner of consortium %s: a person acts for one of its partners", cmd.Actor.Person, partner, cmd.Consortium)}
}

// actorWords writes an actor as the Govledger-Actor header does: person@partner.
func actorWords(a governance.Actor) string {
	if a.Partner == "" {
		return a.Person
	}
	return a.Person + "@" + a.Partner
}

// recorded returns the events command id recorded earlier, if lv has seen it.
func (l *Ledger) recorded(ctx context.Context, consortium string, lv *live, id string) (Result, bool, error) {
	sp, ok := lv.commands[commandKey(id)]
	if !ok {
		return Result{}, false, nil
	}
	res := Result{Repeated: true}
	for seq := sp.first; seq < sp.first+uint64(sp.n); seq++ {
		e, err := l.log.Get(ctx, seq)
		if err != nil {
			return Result{}, false, err
		}
		res.Events = append(res.Events, e)
		res.Seq = seq
	}
	if res.Events[0].CommandID == id {
		return res, true, nil
	}
	// Another command's id has the same key: look for this one's in the log.
	evs, err := l.log.Read(ctx, consortium, 0)
	if err != nil {
		return Result{}, false, err
	}
	if res.Events = events.FirstAppend(evs, id); len(res.Events) == 0 {
		return Result{}, false, nil
	}
	res.Seq = res.Events[len(res.Events)-1].Seq
	return res, true, nil
}

// Event turns a recorded event into the governance event it carries.
func Event(e events.Envelope) (governance.Event, error) {
	p, err := payload.Decode(e.Type, e.Payload, nil)
	if err != nil {
		return governance.Event{}, fmt.Errorf("event %s at sequence %d: %w", e.ID, e.Seq, err)
	}
	return governance.Event{
		OccurredAt: e.OccurredAt,
		Actor:      governance.Actor{Person: e.Actor.Person, Partner: e.Actor.Partner},
		Payload:    p,
	}, nil
}

func draftsOf(cmd Command, decided []governance.Event) ([]events.Draft, error) {
	drafts := make([]events.Draft, len(decided))
	for i, ev := range decided {
		data, err := payload.Encode(ev.Payload)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", ev.Type(), err)
		}
		actor := ev.Actor
		if actor == (governance.Actor{}) {
			actor = cmd.Actor
		}
		drafts[i] = events.Draft{
			Type: ev.Type(), OccurredAt: ev.OccurredAt, CommandID: cmd.ID, Payload: data,
			Actor: events.Actor{Person: actor.Person, Partner: actor.Partner},
		}
	}
	return drafts, nil
}
