package ledger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

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
	mu       sync.Mutex // one command of a consortium at a time in this process
	loaded   bool
	state    *governance.State
	seq      uint64              // the sequence of the last event applied to state
	commands map[string][]uint64 // command id → the sequences of its events
}

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
		if seqs, ok := lv.commands[cmd.ID]; ok {
			return l.recorded(ctx, seqs)
		}
		decided, err := governance.Decide(lv.state, cmd.Do)
		if err != nil {
			return Result{}, err
		}
		drafts, err := draftsOf(cmd, decided)
		if err != nil {
			return Result{}, err
		}
		appended, err := l.log.Append(ctx, cmd.Consortium, lv.seq, drafts...)
		if errors.Is(err, events.ErrConflict) && attempt < maxAttempts {
			if err := l.catchUp(ctx, cmd.Consortium, lv, true); err != nil {
				return Result{}, err
			}
			continue
		}
		if err != nil {
			return Result{}, err
		}
		for _, e := range appended {
			if e.Seq > lv.seq {
				if err := lv.apply(e); err != nil {
					return Result{}, err
				}
			}
		}
		return Result{Events: appended, Seq: appended[len(appended)-1].Seq}, nil
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
		return nil, lv.seq, nil
	}
	return lv.state.Clone(), lv.seq, nil
}

func (l *Ledger) live(consortium string) *live {
	l.mu.Lock()
	defer l.mu.Unlock()
	lv, ok := l.consortia[consortium]
	if !ok {
		lv = &live{commands: map[string][]uint64{}}
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
		if head.Seq == lv.seq {
			return nil
		}
	}
	evs, err := l.log.Read(ctx, consortium, lv.seq)
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
	lv.state = governance.Apply(lv.state, ev)
	lv.seq = e.Seq
	lv.commands[e.CommandID] = append(lv.commands[e.CommandID], e.Seq)
	return nil
}

// recorded returns the events of a command recorded earlier.
func (l *Ledger) recorded(ctx context.Context, seqs []uint64) (Result, error) {
	res := Result{Repeated: true}
	for _, seq := range seqs {
		e, err := l.log.Get(ctx, seq)
		if err != nil {
			return Result{}, err
		}
		res.Events = append(res.Events, e)
		res.Seq = seq
	}
	return res, nil
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
		data, err := json.Marshal(ev.Payload)
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
