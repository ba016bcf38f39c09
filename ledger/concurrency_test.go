package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
)

// TestConcurrentCommands: 8 writers in two processes race on one consortium, round
// after round: votes on the same proposal (partners changing their minds), two
// applications by the same organisation, and the chair closing the ballot as soon as
// the votes cast settle it, racing the votes still coming. Every command
// is applied once or refused by the rules with a clear error, never lost, doubled or
// refused for a conflict; the log, re-decided in its order, is a history the rules
// allow; and the read models, following all along, agree with it.
func TestConcurrentCommands(t *testing.T) {
	log, _ := open(t, "")
	ctx := context.Background()
	r := follow(t, log)
	processes := []*ledger.Ledger{ledger.New(log), ledger.New(log)}
	rounds := 6
	if testing.Short() {
		rounds = 2
	}
	for round := range rounds {
		consortium := fmt.Sprintf("synergy-%d", round)
		setup := history(t)[:3] // formed, the council applied, its admission tabled
		for i := range setup {
			c := &setup[i]
			c.ID, c.Consortium = consortium+"-"+c.ID, consortium
			if fc, ok := c.Do.(g.FormConsortium); ok {
				fc.Consortium = consortium
				c.Do = fc
			}
			if _, err := processes[0].Handle(ctx, *c); err != nil {
				t.Fatal(err)
			}
		}
		cmd := func(id string, do g.Command) ledger.Command {
			return ledger.Command{ID: consortium + "-" + id, Consortium: consortium, Actor: g.Actor{Person: "secretary"}, Do: do}
		}
		vote := func(partner, v string) g.Command {
			return g.CastVote{At: at(7), Proposal: "admit-council", Partner: partner, Vote: v}
		}
		ageUK := partner("age-uk", "Age UK Essex", "vcse")
		// Each writer sends its commands in order; the writers race each other.
		writers := [8][]ledger.Command{
			{cmd("v-brightside", vote("brightside-cvs", "for"))},
			{cmd("v-mind-for", vote("essex-mind", "for")), cmd("v-mind-against", vote("essex-mind", "against"))},
			{cmd("v-colchester", vote("colchester-nhs", "for"))},
			{cmd("v-mind-for-again", vote("essex-mind", "for"))},
			{cmd("apply-1", g.ApplyToJoin{At: at(7), Partner: ageUK, Sponsor: "essex-mind"})},
			{cmd("apply-2", g.ApplyToJoin{At: at(7), Partner: ageUK, Sponsor: "brightside-cvs"})},
			{cmd("v-mind-abstain", vote("essex-mind", "abstain"))},
			{cmd("v-colchester-abstain", vote("colchester-nhs", "abstain")), cmd("v-brightside-against", vote("brightside-cvs", "against"))},
		}

		type outcome struct {
			cmd ledger.Command
			res ledger.Result
			err error
		}
		var mu sync.Mutex
		var outcomes []outcome
		var wg, voting sync.WaitGroup
		for i, cmds := range writers {
			wg.Add(1)
			voting.Add(1)
			go func() {
				defer wg.Done()
				defer voting.Done()
				for _, c := range cmds {
					res, err := processes[i%2].Handle(ctx, c)
					mu.Lock()
					outcomes = append(outcomes, outcome{c, res, err})
					mu.Unlock()
				}
			}()
		}
		wg.Add(1)
		go func() { // the chair: closes the ballot as soon as the rules let it
			defer wg.Done()
			stillVoting := make(chan struct{})
			go func() { voting.Wait(); close(stillVoting) }()
			for i := 0; ; i++ {
				c := cmd(fmt.Sprintf("close-%d", i), g.CloseProposal{At: at(7), Proposal: "admit-council"})
				res, err := processes[0].Handle(ctx, c)
				select {
				case <-stillVoting:
				default:
					if err != nil {
						time.Sleep(50 * time.Microsecond)
						continue
					}
				}
				mu.Lock()
				outcomes = append(outcomes, outcome{c, res, err})
				mu.Unlock()
				return
			}
		}()
		wg.Wait()

		evs, err := log.Read(ctx, consortium, 0)
		if err != nil {
			t.Fatal(err)
		}
		byCommand := map[string][]events.Envelope{}
		for _, e := range evs {
			byCommand[e.CommandID] = append(byCommand[e.CommandID], e)
		}
		commands := map[string]g.Command{}
		for _, c := range setup {
			commands[c.ID] = c.Do
		}
		applications := 0
		for _, o := range outcomes {
			commands[o.cmd.ID] = o.cmd.Do
			logged := byCommand[o.cmd.ID]
			var ge *g.Error
			switch {
			case o.err != nil && !errors.As(o.err, &ge):
				t.Errorf("round %d: %s failed without a reason in the rules: %v", round, o.cmd.ID, o.err)
			case o.err != nil && len(logged) > 0:
				t.Errorf("round %d: %s was refused (%v) but is in the log", round, o.cmd.ID, o.err)
			case o.err == nil && len(logged) != len(o.res.Events):
				t.Errorf("round %d: %s recorded %d events, the log holds %d of them", round, o.cmd.ID, len(o.res.Events), len(logged))
			case o.err == nil:
				for i := range logged {
					if logged[i].ID != o.res.Events[i].ID || logged[i].Seq != o.res.Events[i].Seq {
						t.Errorf("round %d: %s returned event %s at %d; the log has %s at %d", round, o.cmd.ID,
							o.res.Events[i].ID, o.res.Events[i].Seq, logged[i].ID, logged[i].Seq)
					}
				}
				if _, ok := o.cmd.Do.(g.ApplyToJoin); ok {
					applications++
				}
			}
		}
		if applications != 1 {
			t.Errorf("round %d: %d applications by Age UK succeeded; exactly one must", round, applications)
		}

		// Re-decide the log in its order: each command's events must be exactly those
		// the rules decide on the state its predecessors left, so the log is a serial
		// history the rules allow.
		var state *g.State
		for i := 0; i < len(evs); {
			id := evs[i].CommandID
			n := len(byCommand[id])
			decided, err := g.Decide(state, commands[id])
			if err != nil {
				t.Fatalf("round %d: %s, at sequence %d, is not allowed after what precedes it: %v", round, id, evs[i].Seq, err)
			}
			if len(decided) != n {
				t.Fatalf("round %d: %s decides %d events; the log holds %d", round, id, len(decided), n)
			}
			for j, d := range decided {
				payload, _ := json.Marshal(d.Payload)
				if e := evs[i+j]; e.Type != d.Type() || string(e.Payload) != string(payload) {
					t.Fatalf("round %d: %s at sequence %d: the log holds %s %s; the rules decide %s %s", round, id, e.Seq, e.Type, e.Payload, d.Type(), payload)
				}
				ev, err := ledger.Event(evs[i+j])
				if err != nil {
					t.Fatal(err)
				}
				state = g.Apply(state, ev)
			}
			i += n
		}

		// The read models saw every event, in order: the trail of votes is the log's.
		waitFor(t, r, evs[len(evs)-1].Seq)
		r.View(func(m *projections.Models, _ uint64) {
			d, err := m.Decision(consortium, "admit-council")
			if err != nil {
				t.Fatal(err)
			}
			var trail, logged []string
			for _, v := range d.Votes {
				trail = append(trail, fmt.Sprintf("%d %s %s", v.Seq, v.Partner, v.Vote))
			}
			for _, e := range evs {
				if e.Type == g.TypeVoteCast {
					var v g.VoteCast
					_ = json.Unmarshal(e.Payload, &v)
					logged = append(logged, fmt.Sprintf("%d %s %s", e.Seq, v.Partner, v.Vote))
				}
			}
			equal(t, fmt.Sprintf("round %d: the trail of votes", round), trail, logged)
			p := state.Proposals["admit-council"]
			outcome := p.Outcome
			if outcome == "" {
				outcome = "open"
			}
			equal(t, fmt.Sprintf("round %d: the decision", round), []any{d.Outcome, len(d.CurrentVotes)}, []any{outcome, len(p.Votes)})
		})
	}
	scratch := projections.NewRunner(log)
	if err := scratch.Rebuild(ctx); err != nil {
		t.Fatal(err)
	}
	if a, b := answers(t, r, at(0), at(7), at(30)), answers(t, scratch, at(0), at(7), at(30)); a != b {
		t.Fatalf("the read models that followed the race differ from a rebuild:\n%s", diff(a, b))
	}
}
