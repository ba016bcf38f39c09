package eventstest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/govledger/govledger/events"
)

// Harness is what the suite needs from a deployment.
type Harness struct {
	// Log is a log on a fresh, empty stream.
	Log *events.Log
	// Restart stops the deployment, starts it again on the same data, and returns a
	// new log on it.
	Restart func(t *testing.T) *events.Log
}

// Run runs the suite. newHarness is called once per subtest.
func Run(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		test func(t *testing.T, h Harness)
	}{
		{"AppendAndReadBack", appendAndReadBack},
		{"WrongExpectedSequenceWritesNothing", wrongExpectedSequence},
		{"ConcurrentReadModifyWrite", concurrentReadModifyWrite},
		{"ConsortiaDoNotConflict", consortiaDoNotConflict},
		{"RejectedBatchLeavesNothing", rejectedBatchLeavesNothing},
		{"RetriedCommandAppendsOnce", retriedCommandAppendsOnce},
		{"NewCommandAppendsOnce", newCommandAppendsOnce},
		{"RestartKeepsEverything", restartKeepsEverything},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.test(t, newHarness(t)) })
	}
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// draft is an event of a partnership's life with a small payload.
func draft(typ, command string, payload any) events.Draft {
	b, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	return events.Draft{Type: typ, CommandID: command, Payload: b,
		Actor: events.Actor{Person: "amina-okafor", Partner: "brightside-vcs"}}
}

func appendAndReadBack(t *testing.T, h Harness) {
	c := ctx(t)
	formed := draft("consortium.formed", "cmd-form", map[string]string{"name": "Synergy Essex"})
	formed.OccurredAt = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)
	got, err := h.Log.Append(c, "synergy", 0, formed)
	if err != nil {
		t.Fatalf("append: %v", err)
	}
	if len(got) != 1 || got[0].Seq == 0 || got[0].Prev != "" || got[0].ID == "" {
		t.Fatalf("first event: %+v", got)
	}
	if !got[0].OccurredAt.Equal(formed.OccurredAt) {
		t.Errorf("occurred at %v, want %v", got[0].OccurredAt, formed.OccurredAt)
	}
	more, err := h.Log.Append(c, "synergy", got[0].Seq,
		draft("partner.applied", "cmd-apply", map[string]string{"partner": "essex-mind"}),
		draft("decision.proposed", "cmd-apply", map[string]string{"proposal": "admit-essex-mind"}))
	if err != nil {
		t.Fatalf("append batch: %v", err)
	}
	if more[0].Prev != got[0].Hash || more[1].Prev != more[0].Hash {
		t.Errorf("chain broken: %s→%s, %s→%s", got[0].Hash, more[0].Prev, more[0].Hash, more[1].Prev)
	}
	if more[1].Seq != more[0].Seq+1 {
		t.Errorf("batch not contiguous: %d, %d", more[0].Seq, more[1].Seq)
	}
	read, err := h.Log.Read(c, "synergy", 0)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	want := append(got, more...)
	if len(read) != len(want) {
		t.Fatalf("read %d events, want %d", len(read), len(want))
	}
	for i := range want {
		assertSame(t, read[i], want[i])
	}
	head, err := h.Log.Head(c, "synergy")
	if err != nil || head.Seq != more[1].Seq || head.Hash != more[1].Hash {
		t.Errorf("head = %+v, %v; want seq %d", head, err, more[1].Seq)
	}
	if after, err := h.Log.Read(c, "synergy", more[0].Seq); err != nil || len(after) != 1 || after[0].ID != more[1].ID {
		t.Errorf("read after %d = %d events, %v", more[0].Seq, len(after), err)
	}
	if none, err := h.Log.Read(c, "no-such-consortium", 0); err != nil || len(none) != 0 {
		t.Errorf("read of an unknown consortium = %d events, %v", len(none), err)
	}
}

func assertSame(t *testing.T, got, want events.Envelope) {
	t.Helper()
	if string(got.Raw) != string(want.Raw) || got.Hash != want.Hash || got.Seq != want.Seq {
		t.Errorf("event at %d differs:\n got %s (seq %d)\nwant %s (seq %d)", want.Seq, got.Raw, got.Seq, want.Raw, want.Seq)
	}
	if got.ID != want.ID || got.Type != want.Type || got.CommandID != want.CommandID ||
		!got.OccurredAt.Equal(want.OccurredAt) || !got.RecordedAt.Equal(want.RecordedAt) {
		t.Errorf("decoded event differs:\n got %+v\nwant %+v", got, want)
	}
}

func wrongExpectedSequence(t *testing.T, h Harness) {
	c := ctx(t)
	first, err := h.Log.Append(c, "alliance", 0, draft("consortium.formed", "f", map[string]int{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, expected := range []uint64{0, first[0].Seq + 1, first[0].Seq + 100} {
		_, err := h.Log.Append(c, "alliance", expected,
			draft("partner.applied", fmt.Sprintf("late-%d", expected), map[string]int{}),
			draft("decision.proposed", fmt.Sprintf("late-%d", expected), map[string]int{}))
		var conflict *events.ConflictError
		if !errors.As(err, &conflict) || !errors.Is(err, events.ErrConflict) {
			t.Fatalf("expected %d: err = %v, want a conflict", expected, err)
		}
		if conflict.Actual != first[0].Seq || conflict.Expected != expected {
			t.Errorf("conflict = %+v, want actual %d", conflict, first[0].Seq)
		}
	}
	all, err := h.Log.Read(c, "alliance", 0)
	if err != nil || len(all) != 1 {
		t.Fatalf("after refused appends the consortium has %d events (%v), want 1", len(all), err)
	}
}

// concurrentReadModifyWrite has steering-group members recording at the same moment:
// each reads the head, appends against it, and on a conflict reads again.
func concurrentReadModifyWrite(t *testing.T, h Harness) {
	c := ctx(t)
	const writers, each = 8, 12
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				cmd := fmt.Sprintf("vote-%d-%d", w, i)
				for attempt := 0; ; attempt++ {
					head, err := h.Log.Head(c, "collab")
					if err != nil {
						errs <- err
						return
					}
					_, err = h.Log.Append(c, "collab", head.Seq, draft("decision.vote-cast", cmd, map[string]int{"writer": w, "n": i}))
					if err == nil {
						break
					}
					if !errors.Is(err, events.ErrConflict) || attempt > 1000 {
						errs <- fmt.Errorf("writer %d: %w", w, err)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	all, err := h.Log.Read(c, "collab", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != writers*each {
		t.Fatalf("%d events, want %d", len(all), writers*each)
	}
	seen := map[string]bool{}
	prev := ""
	for _, e := range all {
		if seen[e.CommandID] {
			t.Errorf("command %s recorded twice", e.CommandID)
		}
		seen[e.CommandID] = true
		if e.Prev != prev {
			t.Fatalf("hash chain broken at sequence %d", e.Seq)
		}
		prev = e.Hash
	}
}

func consortiaDoNotConflict(t *testing.T, h Harness) {
	c := ctx(t)
	var wg sync.WaitGroup
	names := []string{"synergy", "breakfast-club", "wellbeing-centre", "alliance-7"}
	errs := make(chan error, len(names))
	for _, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var seq uint64
			for i := range 20 {
				got, err := h.Log.Append(c, name, seq, draft("decision.vote-cast", fmt.Sprintf("%s-%d", name, i), map[string]int{"n": i}))
				if err != nil {
					errs <- fmt.Errorf("%s: %w", name, err)
					return
				}
				seq = got[0].Seq
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatalf("appends to different consortia interfered: %v", err)
	}
}

func rejectedBatchLeavesNothing(t *testing.T, h Harness) {
	c := ctx(t)
	first, err := h.Log.Append(c, "wellbeing", 0, draft("consortium.formed", "form", map[string]int{}))
	if err != nil {
		t.Fatal(err)
	}
	// Another member records first; the 3-event close that expected the old head is refused whole.
	if _, err := h.Log.Append(c, "wellbeing", first[0].Seq, draft("decision.vote-cast", "vote", map[string]int{})); err != nil {
		t.Fatal(err)
	}
	_, err = h.Log.Append(c, "wellbeing", first[0].Seq,
		draft("decision.vote-cast", "close", map[string]int{}),
		draft("decision.carried", "close", map[string]int{}),
		draft("partner.admitted", "close", map[string]int{}))
	if !errors.Is(err, events.ErrConflict) {
		t.Fatalf("err = %v, want a conflict", err)
	}
	all, err := h.Log.Read(c, "wellbeing", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		if e.CommandID == "close" {
			t.Fatalf("an event of the refused batch was recorded at %d", e.Seq)
		}
	}
	if len(all) != 2 {
		t.Fatalf("%d events, want 2", len(all))
	}
}

// closing is a command of three events: the last vote on an admission, the admission
// carried, and the partner admitted.
func closing(command string) []events.Draft {
	return []events.Draft{
		draft("decision.vote-cast", command, map[string]int{}),
		draft("decision.carried", command, map[string]int{}),
		draft("partner.admitted", command, map[string]int{}),
	}
}

// retriedCommandAppendsOnce covers a lost acknowledgement: the client sends the same
// command again, with the expected sequence it had then or with a fresh one.
func retriedCommandAppendsOnce(t *testing.T, h Harness) {
	c := ctx(t)
	formed, err := h.Log.Append(c, "lead-member", 0, draft("consortium.formed", "form", map[string]int{}))
	if err != nil {
		t.Fatal(err)
	}
	base := formed[0].Seq
	close3 := closing("close-p1")
	orig, err := h.Log.Append(c, "lead-member", base, close3...)
	if err != nil {
		t.Fatal(err)
	}
	single, err := h.Log.Append(c, "lead-member", orig[2].Seq, draft("dispute.raised", "raise-d1", map[string]int{}))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		expected uint64
		drafts   []events.Draft
		want     []events.Envelope
	}{
		{"batch with old expected", base, close3, orig},
		{"batch with fresh expected", single[0].Seq, close3, orig},
		{"single with old expected", orig[2].Seq, nil, single},
		{"single with fresh expected", single[0].Seq, nil, single},
	}
	for _, tc := range cases {
		drafts := tc.drafts
		if len(drafts) == 0 {
			drafts = []events.Draft{draft("dispute.raised", "raise-d1", map[string]int{})}
		}
		got, err := h.Log.Append(c, "lead-member", tc.expected, drafts...)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if len(got) != len(tc.want) {
			t.Fatalf("%s: %d events, want the original %d", tc.name, len(got), len(tc.want))
		}
		for i := range got {
			assertSame(t, got[i], tc.want[i])
		}
	}
	all, err := h.Log.Read(c, "lead-member", 0)
	if err != nil || len(all) != 5 {
		t.Fatalf("%d events (%v), want 5: a retry appended again", len(all), err)
	}
}

// newCommandAppendsOnce covers AppendNew, which leaves the server's duplicate check
// out: the same command sent again with the expected sequence it had, one after the
// other (a lost acknowledgement) or by racing writers, is recorded once, and every
// sender is told the original events, and all but one that they are an earlier
// append's. Its messages carry no Nats-Msg-Id.
func newCommandAppendsOnce(t *testing.T, h Harness) {
	c := ctx(t)
	formed, _, err := h.Log.AppendNew(c, "lead-member", 0, draft("consortium.formed", "form", map[string]int{}))
	if err != nil {
		t.Fatal(err)
	}
	base := formed[0].Seq
	close3 := closing("close-p1")
	const writers = 6
	results := make([][]events.Envelope, writers)
	earlier := make([]bool, writers)
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			// A racing writer may be refused while the first append is still being
			// applied (a cluster's leader holds the check until then): it sends again,
			// with the same expected sequence, as a client does.
			for range 50 {
				results[w], earlier[w], errs[w] = h.Log.AppendNew(c, "lead-member", base, close3...)
				if !errors.Is(errs[w], events.ErrConflict) {
					return
				}
				time.Sleep(20 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	appended := 0
	for w := range writers {
		if errs[w] != nil {
			t.Fatalf("writer %d: %v", w, errs[w])
		}
		if !earlier[w] {
			appended++
		}
		if len(results[w]) != len(close3) {
			t.Fatalf("writer %d was told of %d events, want %d", w, len(results[w]), len(close3))
		}
		for i := range results[w] {
			assertSame(t, results[w][i], results[0][i])
		}
	}
	if appended != 1 {
		t.Fatalf("%d writers were told they appended the command, want 1", appended)
	}
	single, earlierSingle, err := h.Log.AppendNew(c, "lead-member", results[0][2].Seq, draft("dispute.raised", "raise-d1", map[string]int{}))
	if err != nil || earlierSingle {
		t.Fatalf("the single event: earlier %v, %v", earlierSingle, err)
	}
	again, earlierAgain, err := h.Log.AppendNew(c, "lead-member", results[0][2].Seq, draft("dispute.raised", "raise-d1", map[string]int{}))
	if err != nil {
		t.Fatalf("the single event again: %v", err)
	}
	if len(again) != 1 || !earlierAgain {
		t.Fatalf("the single event again gave %d events, earlier %v: want the first, said to be earlier", len(again), earlierAgain)
	}
	assertSame(t, again[0], single[0])
	all, err := h.Log.Read(c, "lead-member", 0)
	if err != nil || len(all) != 5 {
		t.Fatalf("%d events (%v), want 5: a command was recorded twice", len(all), err)
	}
	stream, err := h.Log.JetStream().Stream(c, events.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range all {
		m, err := stream.GetMsg(c, e.Seq)
		if err != nil {
			t.Fatal(err)
		}
		if id := m.Header.Get("Nats-Msg-Id"); id != "" {
			t.Fatalf("the event at %d carries Nats-Msg-Id %q", e.Seq, id)
		}
	}
}

func restartKeepsEverything(t *testing.T, h Harness) {
	c := ctx(t)
	var seq uint64
	for i := range 30 {
		got, err := h.Log.Append(c, "synergy", seq,
			draft("decision.vote-cast", fmt.Sprintf("c%d", i), map[string]int{"i": i}),
			draft("decision.carried", fmt.Sprintf("c%d", i), map[string]int{"i": i}))
		if err != nil {
			t.Fatal(err)
		}
		seq = got[1].Seq
	}
	before, err := h.Log.Read(c, "synergy", 0)
	if err != nil {
		t.Fatal(err)
	}
	log := h.Restart(t)
	after, err := log.Read(ctx(t), "synergy", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Fatalf("after restart %d events, want %d", len(after), len(before))
	}
	for i := range before {
		assertSame(t, after[i], before[i])
	}
	if _, err := log.Append(ctx(t), "synergy", seq, draft("consortium.dissolved", "end", map[string]int{})); err != nil {
		t.Fatalf("append after restart: %v", err)
	}
}
