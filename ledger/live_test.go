package ledger_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/ledger"
)

// The ledger applies the events it has just decided to its live state without reading
// them back from the log. These tests hold it to the state a process that has only the
// log loads: equal field for field, times and all, after every command.

// sameAsLoaded fails unless l's live state of consortium is the state a fresh ledger
// loads from the log.
func sameAsLoaded(t *testing.T, log *events.Log, l *ledger.Ledger, consortium, after string) {
	t.Helper()
	fresh := ledger.New(log)
	if _, _, err := fresh.State(context.Background(), consortium); err != nil {
		t.Fatal(err)
	}
	live, loaded := ledger.Live(l, consortium), ledger.Live(fresh, consortium)
	if !reflect.DeepEqual(live, loaded) {
		a, _ := json.MarshalIndent(live, "", " ")
		b, _ := json.MarshalIndent(loaded, "", " ")
		t.Fatalf("after %s, the live state of %s is not the state loaded from the log:\n%s", after, consortium, diff(string(a), string(b)))
	}
}

// TestLiveStateIsTheLoggedState: a random history that records every type of event.
func TestLiveStateIsTheLoggedState(t *testing.T) {
	log, _ := open(t, "")
	l := ledger.New(log)
	lives, rng, commands := everyEventType()
	for i := 0; i < commands; i++ {
		p := lives[rng.IntN(len(lives))]
		c, _ := p.Next(false)
		if c == nil {
			continue
		}
		if _, err := l.Handle(context.Background(), ledger.Command{Consortium: p.ID, Actor: g.Actor{Person: "secretary"}, Do: c}); err != nil {
			t.Fatalf("command %d (%s on %s): %v", i, c.CommandName(), p.ID, err)
		}
		sameAsLoaded(t, log, l, p.ID, c.CommandName())
	}
}

// TestLiveStateOfAwkwardCommands: the scripted history, its times given in another zone
// or read from the clock (with a monotonic reading), a reason that is not valid UTF-8,
// and every slice, map and pointer of each command scribbled over once it is handled:
// the live state keeps none of the command's own memory.
func TestLiveStateOfAwkwardCommands(t *testing.T) {
	log, _ := open(t, "")
	l := ledger.New(log)
	london := time.FixedZone("BST", 3600)
	now := time.Now()
	for i, c := range history(t) {
		do := reflect.New(reflect.TypeOf(c.Do)).Elem()
		do.Set(reflect.ValueOf(c.Do))
		for _, name := range []string{"At", "ClosesAt"} {
			if f := do.FieldByName(name); f.IsValid() && !f.Interface().(time.Time).IsZero() {
				t0 := f.Interface().(time.Time)
				switch i % 3 {
				case 1:
					t0 = t0.In(london)
				case 2:
					t0 = now.Add(t0.Sub(now)) // the same instant, with the clock's monotonic reading
				}
				f.Set(reflect.ValueOf(t0))
			}
		}
		if v, ok := do.Interface().(g.CastVote); ok && v.Reason != "" && i%2 == 0 {
			v.Reason += " caf\xe9"
			do.Set(reflect.ValueOf(v))
		}
		c.Do = do.Interface().(g.Command)
		if _, err := l.Handle(context.Background(), c); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		scribble(reflect.ValueOf(c.Do))
		sameAsLoaded(t, log, l, c.Consortium, c.ID)
	}
}

// scribble overwrites every string that v reaches through a slice, a map or a pointer:
// memory that v shares with whoever it was handed to.
func scribble(v reflect.Value) {
	scribbleIn(v, false)
}

func scribbleIn(v reflect.Value, shared bool) {
	switch v.Kind() {
	case reflect.Interface, reflect.Pointer:
		if !v.IsNil() {
			scribbleIn(v.Elem(), v.Kind() == reflect.Pointer || shared)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			scribbleIn(v.Field(i), shared)
		}
	case reflect.Slice:
		for i := range v.Len() {
			scribbleIn(v.Index(i), true)
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			scribbleIn(e, true)
			v.SetMapIndex(k, e)
		}
	case reflect.String:
		if shared && v.CanSet() {
			v.SetString("scribbled")
		}
	}
}

// TestRetryOfACommandRecordedElsewhere: another process records two commands this one
// has not seen, and the second is then retried here. The retry finds the command already
// recorded, and says so; the live state takes in the other command's events too, not
// only the retried command's.
func TestRetryOfACommandRecordedElsewhere(t *testing.T) {
	log, _ := open(t, "")
	here, elsewhere := ledger.New(log), ledger.New(log)
	h := history(t)
	for _, c := range h[:3] {
		if _, err := here.Handle(context.Background(), c); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
	}
	for _, c := range h[3:5] {
		if _, err := elsewhere.Handle(context.Background(), c); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
	}
	res, err := here.Handle(context.Background(), h[4])
	if err != nil {
		t.Fatalf("retry of %s: %v", h[4].ID, err)
	}
	if res.Events[0].CommandID != h[4].ID {
		t.Fatalf("the retry of %s gave the events of command %s", h[4].ID, res.Events[0].CommandID)
	}
	if !res.Repeated {
		t.Fatalf("the retry of %s is not said to be repeated: it would be answered as newly recorded", h[4].ID)
	}
	sameAsLoaded(t, log, here, h[4].Consortium, "the retry of "+h[4].ID)
	// And the next command is decided on that state.
	if _, err := here.Handle(context.Background(), h[5]); err != nil {
		t.Fatalf("%s: %v", h[5].ID, err)
	}
	sameAsLoaded(t, log, here, h[5].Consortium, h[5].ID)
}
