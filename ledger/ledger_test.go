package ledger_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// TestRetryReturnsFirstResult: the same command id twice appends once, and the retry,
// in this process or another, is told every event the command recorded.
func TestRetryReturnsFirstResult(t *testing.T) {
	log, _ := open(t, "")
	l := ledger.New(log)
	ctx := context.Background()
	var closing ledger.Command
	var first ledger.Result
	for _, c := range history(t) {
		res, err := l.Handle(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		if c.ID == "close-admit-council" {
			closing, first = c, res
			break
		}
	}
	if len(first.Events) < 2 {
		t.Fatalf("closing the ballot recorded %d events; the test wants a command of several", len(first.Events))
	}
	for name, l := range map[string]*ledger.Ledger{"this process": l, "another process": ledger.New(log)} {
		again, err := l.Handle(ctx, closing)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		same := again.Repeated && again.Seq == first.Seq && len(again.Events) == len(first.Events)
		for i := range again.Events {
			same = same && again.Events[i].ID == first.Events[i].ID && again.Events[i].Seq == first.Events[i].Seq
		}
		if !same {
			t.Fatalf("%s: retry = %s, want the first result %s", name, summary(again), summary(first))
		}
	}
	if seq, _ := log.LastSeq(ctx); seq != first.Seq {
		t.Fatalf("the stream moved to %d on a retry", seq)
	}
}

// TestCommandIDsSharingAKey: the live state finds commands by a hash of their ids.
// When every id has the same hash, each retry, in this process or another, is still
// told what its own id recorded, and nothing is appended twice.
func TestCommandIDsSharingAKey(t *testing.T) {
	ledger.SameCommandKey(t)
	log, _ := open(t, "")
	l := ledger.New(log)
	ctx := context.Background()
	h := history(t)
	first := map[string]ledger.Result{}
	for _, c := range h {
		res, err := l.Handle(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		first[c.ID] = res
	}
	last, _ := log.LastSeq(ctx)
	other := ledger.New(log)
	for _, c := range h {
		for name, l := range map[string]*ledger.Ledger{"this process": l, "another process": other} {
			again, err := l.Handle(ctx, c)
			if err != nil {
				t.Fatalf("%s, %s: %v", c.ID, name, err)
			}
			want := first[c.ID]
			same := again.Repeated && again.Seq == want.Seq && len(again.Events) == len(want.Events)
			for i := range again.Events {
				same = same && again.Events[i].ID == want.Events[i].ID
			}
			if !same {
				t.Fatalf("%s, %s: retry = %s, want %s", c.ID, name, summary(again), summary(want))
			}
		}
	}
	if seq, _ := log.LastSeq(ctx); seq != last {
		t.Fatalf("retries moved the stream from %d to %d", last, seq)
	}
}

// summary is what a result says, short enough to read in a failure.
func summary(r ledger.Result) string {
	var evs []string
	for _, e := range r.Events {
		evs = append(evs, fmt.Sprintf("%s %s at %d", e.Type, e.ID, e.Seq))
	}
	return fmt.Sprintf("{seq %d, repeated %v: %s}", r.Seq, r.Repeated, strings.Join(evs, "; "))
}

// upToTheFirstVote handles the long history through l up to its first vote, and
// returns that vote and its result.
func upToTheFirstVote(t *testing.T, l *ledger.Ledger) (ledger.Command, ledger.Result) {
	t.Helper()
	for _, c := range history(t) {
		res, err := l.Handle(context.Background(), c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		if _, ok := c.Do.(g.CastVote); ok {
			return c, res
		}
	}
	t.Fatal("the history has no vote")
	return ledger.Command{}, ledger.Result{}
}

// TestRetryAfterACopyAnswersWithTheFirst: a command id that comes back in the log in a
// later append, written past the ledger, does not change the command's result: a retry
// is told what the id recorded first, not both.
func TestRetryAfterACopyAnswersWithTheFirst(t *testing.T) {
	log, _ := open(t, "")
	ctx := context.Background()
	l := ledger.New(log)
	vote, first := upToTheFirstVote(t, l)
	e := first.Events[0]
	copied := nats.NewMsg(e.Subject())
	copied.Data = e.Raw
	copied.Header.Set(jetstream.MsgIDHeader, "a copy of "+e.ID)
	if _, err := log.JetStream().PublishMsg(ctx, copied); err != nil {
		t.Fatal(err)
	}
	again, err := ledger.New(log).Handle(ctx, vote)
	if err != nil {
		t.Fatal(err)
	}
	if !again.Repeated || len(again.Events) != 1 || again.Events[0].Seq != e.Seq || again.Seq != e.Seq {
		t.Fatalf("retry = %s, want the vote at sequence %d alone", summary(again), e.Seq)
	}
}

// appendAgain appends d, whose command id the ledger recorded before, straight to the
// log after sequence after, as a writer going past the ledger would: the ledger's
// appends carry no Nats-Msg-Id, so the server has no id to take it for a duplicate of.
func appendAgain(t *testing.T, log *events.Log, consortium string, after uint64, d events.Draft) events.Envelope {
	t.Helper()
	got, err := log.Append(context.Background(), consortium, after, d)
	if err != nil {
		t.Fatalf("append command id %s again: %v", d.CommandID, err)
	}
	if got[0].Seq <= after {
		t.Fatalf("the server took command id %s for a duplicate of sequence %d", d.CommandID, got[0].Seq)
	}
	return got[0]
}

// TestRetryAfterTheIDCameBackNext: a command id appended again straight after its
// first append, by a writer going past the ledger, is another append; a retry is told
// the first, in this process and in another, with the ids' keys shared or not.
func TestRetryAfterTheIDCameBackNext(t *testing.T) {
	for _, shared := range []bool{false, true} {
		t.Run(fmt.Sprintf("keys shared %v", shared), func(t *testing.T) {
			if shared {
				ledger.SameCommandKey(t)
			}
			log, _ := open(t, "")
			ctx := context.Background()
			l := ledger.New(log)
			vote, first := upToTheFirstVote(t, l)
			e := first.Events[0]
			if again := appendAgain(t, log, e.Consortium, e.Seq, events.Draft{Type: e.Type, Actor: e.Actor, CommandID: vote.ID, Payload: e.Payload}); again.Seq != e.Seq+1 {
				t.Fatalf("the id appended again at sequence %d, want %d", again.Seq, e.Seq+1)
			}
			for name, l := range map[string]*ledger.Ledger{"this process": l, "another process": ledger.New(log)} {
				if _, _, err := l.State(ctx, e.Consortium); err != nil {
					t.Fatal(err)
				}
				res, err := l.Handle(ctx, vote)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				if !res.Repeated || len(res.Events) != 1 || res.Seq != e.Seq {
					t.Errorf("%s: retry = %s, want the vote at %d alone", name, summary(res), e.Seq)
				}
			}
		})
	}
}

// TestStaleRetryAfterTheIDCameBackLater: a process that has not seen a command retries
// it after the id was appended again, past another command. It is told the first
// append alone, and its state is the log's, with the command between applied.
func TestStaleRetryAfterTheIDCameBackLater(t *testing.T) {
	log, _ := open(t, "")
	ctx := context.Background()
	l, stale := ledger.New(log), ledger.New(log)
	h := history(t)
	var vote ledger.Command
	var first ledger.Result
	for i, c := range h {
		if _, ok := c.Do.(g.CastVote); ok {
			if _, _, err := stale.State(ctx, c.Consortium); err != nil {
				t.Fatal(err)
			}
			vote = c
			var err error
			if first, err = l.Handle(ctx, c); err != nil {
				t.Fatal(err)
			}
			if _, err = l.Handle(ctx, h[i+1]); err != nil { // another command after the vote
				t.Fatal(err)
			}
			break
		}
		if _, err := l.Handle(ctx, c); err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
	}
	e := first.Events[0]
	head, _ := log.LastSeq(ctx)
	appendAgain(t, log, e.Consortium, head, events.Draft{Type: e.Type, Actor: e.Actor, CommandID: vote.ID, Payload: e.Payload})
	res, err := stale.Handle(ctx, vote)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Events) != 1 || res.Seq != e.Seq {
		t.Errorf("retry = %s, want the vote at %d alone", summary(res), e.Seq)
	}
	got, seq, _ := stale.State(ctx, e.Consortium)
	want, wantSeq, _ := ledger.New(log).State(ctx, e.Consortium)
	if seq != wantSeq || !reflect.DeepEqual(got, want) {
		t.Errorf("the stale process's state at %d differs from one loaded from the log at %d", seq, wantSeq)
	}
}

// TestCommandIDOfAnotherCommand: an id stands for one command. Sent again with
// another time (a retry), it is told what it recorded; sent with another command,
// valid or not, it is refused as a conflict and nothing is appended, by this process
// or by another that learns of the id from the log.
func TestCommandIDOfAnotherCommand(t *testing.T) {
	log, _ := open(t, "")
	l := ledger.New(log)
	ctx := context.Background()
	h := history(t)
	var vote ledger.Command
	stale := ledger.New(log) // it loads the consortium just before the vote
	for _, c := range h {
		if _, ok := c.Do.(g.CastVote); ok {
			if _, _, err := stale.State(ctx, c.Consortium); err != nil {
				t.Fatal(err)
			}
		}
		_, err := l.Handle(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		if _, ok := c.Do.(g.CastVote); ok {
			vote = c
			break
		}
	}
	last, _ := log.LastSeq(ctx)
	cast := vote.Do.(g.CastVote)
	later := cast
	later.At = later.At.Add(time.Hour)
	if res, err := l.Handle(ctx, ledger.Command{ID: vote.ID, Consortium: vote.Consortium, Actor: vote.Actor, Do: later}); err != nil || !res.Repeated {
		t.Fatalf("the vote retried an hour later: %+v, %v", res, err)
	}
	other := cast
	other.Vote = g.VoteAgainst
	for _, do := range []g.Command{other,
		g.RaiseDispute{At: cast.At, Dispute: "rooms", RaisedBy: cast.Partner, Parties: []string{"essex-mind"}, Matter: "Rooms double-booked"},
		g.CastVote{At: cast.At, Proposal: "nope", Partner: "ghost", Vote: "maybe"},
	} {
		for _, handler := range []*ledger.Ledger{l, ledger.New(log)} {
			_, err := handler.Handle(ctx, ledger.Command{ID: vote.ID, Consortium: vote.Consortium, Actor: vote.Actor, Do: do})
			var ge *g.Error
			if !errors.As(err, &ge) || ge.Code != g.CodeConflict || !strings.Contains(ge.Message, "command id "+vote.ID+" was used before for another command") {
				t.Errorf("%s under the vote's id: %v", do.CommandName(), err)
			}
		}
	}
	// The same vote under its id, sent by someone else, is another command: to this
	// process, to one that loads the log afresh, and to one that had loaded the
	// consortium before the vote (whose append the sequence check refuses, and the log
	// then finds the vote).
	for _, handler := range []*ledger.Ledger{l, ledger.New(log), stale} {
		someone := g.Actor{Person: "mallory", Partner: cast.Partner}
		_, err := handler.Handle(ctx, ledger.Command{ID: vote.ID, Consortium: vote.Consortium, Actor: someone, Do: cast})
		var ge *g.Error
		if !errors.As(err, &ge) || ge.Code != g.CodeConflict || !strings.Contains(ge.Message, "command id "+vote.ID+" was used before by "+vote.Actor.Person) {
			t.Errorf("the vote under its id, from another actor: %v", err)
		}
	}
	if seq, _ := log.LastSeq(ctx); seq != last {
		t.Fatalf("the stream moved from %d to %d", last, seq)
	}

	// A retry is recognised by what the log keeps of it: text that is not UTF-8 is
	// stored with U+FFFD, and the same command sent again is still the same command.
	garbled := cast
	garbled.Reason = "bad \xff byte"
	retry := ledger.Command{ID: "garbled-reason", Consortium: vote.Consortium, Actor: vote.Actor, Do: garbled}
	if _, err := l.Handle(ctx, retry); err != nil {
		t.Fatal(err)
	}
	if res, err := ledger.New(log).Handle(ctx, retry); err != nil || !res.Repeated {
		t.Fatalf("the same vote, with a reason that is not UTF-8, sent again: %+v, %v", res, err)
	}
}

// TestMeetingDecisionUnderAReusedID: a meeting decision is told apart by everything it
// minutes, not only by its proposal.
func TestMeetingDecisionUnderAReusedID(t *testing.T) {
	log, _ := open(t, "")
	l := ledger.New(log)
	ctx := context.Background()
	form := history(t)[0]
	if _, err := l.Handle(ctx, form); err != nil {
		t.Fatal(err)
	}
	meeting := func(votes map[string]string) ledger.Command {
		return ledger.Command{ID: "minutes-item-1", Consortium: "synergy", Actor: form.Actor, Do: g.RecordMeetingDecision{
			TableProposal: g.TableProposal{At: at(3), Proposal: "venue", Matter: g.MatterOrdinary, Title: "Meet at the library"},
			Attendance:    []string{"brightside-cvs", "essex-mind", "colchester-nhs"}, Votes: votes}}
	}
	first := meeting(map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "against"})
	if _, err := l.Handle(ctx, first); err != nil {
		t.Fatal(err)
	}
	if res, err := l.Handle(ctx, first); err != nil || !res.Repeated {
		t.Fatalf("the same minutes again: %+v, %v", res, err)
	}
	other := meeting(map[string]string{"brightside-cvs": "against", "essex-mind": "against", "colchester-nhs": "against"})
	var ge *g.Error
	if _, err := l.Handle(ctx, other); !errors.As(err, &ge) || ge.Code != g.CodeConflict {
		t.Fatalf("other minutes under the same id: %v", err)
	}
}

// TestReadYourWrites: with the sequence a command's result carries, a reader waits
// until the read models have seen the write, and then sees it.
func TestReadYourWrites(t *testing.T) {
	log, _ := open(t, "")
	l := ledger.New(log)
	r := follow(t, log)
	ctx := context.Background()
	for _, c := range history(t) {
		res, err := l.Handle(ctx, c)
		if err != nil {
			t.Fatalf("%s: %v", c.ID, err)
		}
		if err := r.WaitFor(ctx, res.Seq); err != nil {
			t.Fatal(err)
		}
		r.View(func(m *projections.Models, seq uint64) {
			if seq < res.Seq {
				t.Fatalf("%s: WaitFor(%d) returned at %d", c.ID, res.Seq, seq)
			}
			s, err := m.Consortium("synergy", at(1000))
			if err != nil || s.Seq != res.Seq {
				t.Fatalf("%s: the consortium is at %d (%v), not at the command's %d", c.ID, s.Seq, err, res.Seq)
			}
			switch do := c.Do.(type) {
			case g.CastVote:
				d, err := m.Decision("synergy", do.Proposal)
				if err != nil || len(d.Votes) == 0 || d.Votes[len(d.Votes)-1].Seq != res.Seq || d.CurrentVotes[do.Partner] != do.Vote {
					t.Fatalf("%s: the vote is not in the decision: %+v %v", c.ID, d.Votes, err)
				}
			case g.ApplyToJoin:
				as, err := m.Admissions("synergy")
				if err != nil || as[len(as)-1].Partner != do.Partner.ID || as[len(as)-1].Status != projections.AdmissionPending {
					t.Fatalf("%s: the application is not in the admissions: %+v %v", c.ID, as, err)
				}
			case g.CloseProposal:
				d, err := m.Decision("synergy", do.Proposal)
				if err != nil || d.Outcome == "open" {
					t.Fatalf("%s: the decision is still open: %v", c.ID, err)
				}
			}
		})
	}
}

// The log's list of event types and the rules' must agree, or an event would be
// refused at the edge or unreadable by the rules.
func TestEventTypesAgree(t *testing.T) {
	want := g.EventTypes()
	got := append([]string(nil), events.Types...)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("events.Types = %v\ngovernance.EventTypes() = %v", got, want)
	}
}

// A person acts for one of the consortium's partners: a founding partner when it is
// formed, the applicant (or a partner) when one applies. An actor for anyone else is
// refused and nothing is recorded.
func TestActorActsForAPartner(t *testing.T) {
	log, _ := open(t, "")
	ctx := context.Background()
	l := ledger.New(log)
	h := history(t)
	form := h[0]
	stranger := form
	stranger.ID, stranger.Actor = "form-by-a-stranger", g.Actor{Person: "mallory", Partner: "evil-corp"}
	assertForbidden := func(c ledger.Command, want string) {
		t.Helper()
		_, err := l.Handle(ctx, c)
		var ge *g.Error
		if !errors.As(err, &ge) || ge.Code != g.CodeForbidden || !strings.Contains(ge.Message, want) {
			t.Errorf("%s by %+v: %v", c.Do.CommandName(), c.Actor, err)
		}
	}
	assertForbidden(stranger, "mallory acts for evil-corp, which is not a partner of consortium synergy")
	if _, err := l.Handle(ctx, form); err != nil {
		t.Fatal(err)
	}
	apply := h[1]
	apply.Actor = g.Actor{Person: "sam-whitfield", Partner: "essex-council"} // the applicant itself
	if _, err := l.Handle(ctx, apply); err != nil {
		t.Fatalf("an application by the applicant: %v", err)
	}
	table := h[2]
	table.Actor = g.Actor{Person: "mallory", Partner: "evil-corp"}
	assertForbidden(table, "mallory acts for evil-corp")
	if seq, _ := log.LastSeq(ctx); seq != 2 {
		t.Errorf("the log is at %d, want 2: the stranger's commands recorded nothing", seq)
	}
}
