package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/internal/rawjs"
	"github.com/govledger/govledger/internal/simulate"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
	"github.com/nats-io/nats.go"
	"github.com/spf13/cobra"
)

func newBench() *cobra.Command {
	var appends, replay, rounds, commands, large, rebuilds int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure govledger against raw JetStream on this machine",
		Long: `Measure govledger against raw JetStream on fresh embedded servers in a temporary
folder, in the same run, alternating the two sides in rounds so that a noisy machine
affects both alike. Each line gives govledger's figure, raw JetStream's, and the
ratio: govledger as a fraction of raw's speed (1.00 is as fast as raw).

Appends and replay measure the event log; a command is the whole command path
(decide against live state, append with the sequence check, acknowledgement). Command
latency is measured in steady state on a ledger of 10,000 events and on one of --large
events, 1,000 per consortium; rebuild replays every read model from the large ledger,
audit verify checks it whole, and loading every consortium's state is what serve does
when it starts. Filling a million events takes a minute or two: --large 100000 is a quick run.`,
		Example: `  govledger bench
  govledger bench --large 100000
  govledger bench --appends 20000 --replay 1000000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir, err := os.MkdirTemp("", "govledger-bench-")
			if err != nil {
				return err
			}
			defer os.RemoveAll(dir)
			s, err := embedded.Start(embedded.Config{DataDir: dir})
			if err != nil {
				return err
			}
			defer s.Shutdown()
			nc, err := s.Connect()
			if err != nil {
				return err
			}
			defer nc.Close()
			b := &bench{ctx: cmd.Context(), nc: nc, progress: cmd.ErrOrStderr()}
			if b.log, err = events.Open(b.ctx, nc, events.Options{}); err != nil {
				return err
			}
			var rows []benchRow
			row, err := b.appendOne(appends, rounds)
			if err != nil {
				return err
			}
			rows = append(rows, row)
			row, err = b.replay(replay, rounds)
			if err != nil {
				return err
			}
			rows = append(rows, row)
			ledgerRows, notes, err := benchLedger(b.ctx, b.progress, commands, rounds, large, rebuilds)
			if err != nil {
				return err
			}
			printBench(cmd.OutOrStdout(), append(rows, ledgerRows...))
			for _, n := range notes {
				fmt.Fprintln(cmd.OutOrStdout(), n)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&appends, "appends", 10000, "appends measured on each side")
	cmd.Flags().IntVar(&replay, "replay", 100000, "events replayed on each side")
	cmd.Flags().IntVar(&rounds, "rounds", 5, "rounds the two sides alternate in")
	cmd.Flags().IntVar(&commands, "commands", 10000, "commands measured on each side, for throughput and for each latency")
	cmd.Flags().IntVar(&large, "large", 1_000_000, "events in the large ledger (1,000 per consortium; at least 20,000)")
	cmd.Flags().IntVar(&rebuilds, "rebuilds", 3, "rounds of rebuilding the read models, verifying and loading every state, on the large ledger")
	return cmd
}

type bench struct {
	ctx      context.Context
	nc       *nats.Conn
	log      *events.Log
	progress io.Writer
}

// benchRow is one comparison; ours and raw are rates (higher is better), or times
// (lower is better) where lower is set.
type benchRow struct {
	name      string
	unit      string
	ours, raw float64
	lower     bool
}

// ratio is govledger as a fraction of raw's speed.
func (r benchRow) ratio() float64 {
	if r.lower {
		return r.raw / r.ours
	}
	return r.ours / r.raw
}

var benchPayload = json.RawMessage(`{"proposal":"admit-essex-mind","partner":"colchester-cvs","vote":"for","reason":"meets the admission criteria agreed in the terms"}`)

// appendOne compares an append of one event as the ledger makes it (AppendNew) with a
// raw publish carrying the same per-consortium sequence check.
func (b *bench) appendOne(n, rounds int) (benchRow, error) {
	fmt.Fprintf(b.progress, "appending %d events each way in %d rounds...\n", n, rounds)
	var ours, raw time.Duration
	var oursSeq uint64
	var sample events.Envelope
	var publisher *rawjs.Publisher
	for r := range rounds {
		start := time.Now()
		for i := range n / rounds {
			got, _, err := b.log.AppendNew(b.ctx, "bench-govledger", oursSeq, events.Draft{
				Type: "decision.vote-cast", CommandID: fmt.Sprintf("r%d-%d", r, i), Payload: benchPayload})
			if err != nil {
				return benchRow{}, err
			}
			oursSeq, sample = got[0].Seq, got[0]
		}
		ours += time.Since(start)
		if raw == 0 {
			publisher = rawjs.NewPublisher(b.log.JetStream(), "bench-raw", sample)
		}
		start = time.Now()
		for range n / rounds {
			if err := publisher.Publish(b.ctx); err != nil {
				return benchRow{}, err
			}
		}
		raw += time.Since(start)
	}
	done := float64(n / rounds * rounds)
	return benchRow{name: "append one event (with sequence check)", unit: "appends/s", ours: done / ours.Seconds(), raw: done / raw.Seconds()}, nil
}

// replay compares Log.Replay (decode and hash every event) with a raw ordered consumer.
func (b *bench) replay(n, rounds int) (benchRow, error) {
	last, err := b.log.LastSeq(b.ctx)
	if err != nil {
		return benchRow{}, err
	}
	fmt.Fprintf(b.progress, "filling the ledger to %d events...\n", n)
	heads := map[string]uint64{}
	for int(last) < n {
		c := "fill-" + strconv.Itoa(int(last)%100)
		got, _, err := b.log.AppendNew(b.ctx, c, heads[c], events.Draft{Type: "decision.vote-cast", Payload: benchPayload})
		if err != nil {
			return benchRow{}, err
		}
		heads[c], last = got[0].Seq, got[0].Seq
	}
	fmt.Fprintf(b.progress, "replaying %d events each way in %d rounds...\n", last, rounds)
	var ours, raw time.Duration
	for range rounds {
		start := time.Now()
		if err := b.log.Replay(b.ctx, 1, func(events.Envelope) error { return nil }); err != nil {
			return benchRow{}, err
		}
		ours += time.Since(start)
		start = time.Now()
		if err := rawjs.Replay(b.ctx, b.log.JetStream(), int(last)); err != nil {
			return benchRow{}, err
		}
		raw += time.Since(start)
	}
	total := float64(last) * float64(rounds)
	return benchRow{name: fmt.Sprintf("replay %d events", last), unit: "events/s", ours: total / ours.Seconds(), raw: total / raw.Seconds()}, nil
}

// benchLedger measures the command path, the read models and the audit, each on
// fresh servers of their own: a command's throughput and steady-state latency on a
// ledger of 10,000 events (10 consortia of 1,000); then, on a ledger of large events
// (1,000 per consortium), audit verify, a rebuild of every read model, and the
// latency again. It returns the rows and notes to print.
func benchLedger(ctx context.Context, progress io.Writer, n, rounds, large, rebuilds int) ([]benchRow, []string, error) {
	if large < 20_000 {
		return nil, nil, usageError{fmt.Errorf("--large is %d; it must be at least 20000", large)}
	}
	start := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
	var rows []benchRow
	var smallLatency, largeLatency benchRow
	var smallFirst, largeFirst time.Duration
	var held, states float64
	err := withBenchLog(ctx, func(log *events.Log) error {
		fmt.Fprintln(progress, "filling a ledger of 10000 events...")
		small, err := simulate.Fill(ctx, log, simulate.Ledger{Consortia: 10, Prefix: "small", Events: 1000, Seed: 1, Start: start})
		if err != nil {
			return err
		}
		if smallLatency, smallFirst, err = benchLatency(ctx, progress, log, small[5], n, rounds, "bench-raw-small"); err != nil {
			return err
		}
		fmt.Fprintf(progress, "sending %d commands each way in %d rounds...\n", n, rounds)
		l := ledger.New(log)
		_, vote, err := benchBallot(ctx, l, small[0])
		if err != nil {
			return err
		}
		raw, err := rawTwin(ctx, l, log, vote, n, "bench-raw-command")
		if err != nil {
			return err
		}
		ours, rawTime, err := alternate(n, rounds, func(i int) error {
			_, err := l.Handle(ctx, vote(i))
			return err
		}, raw)
		if err != nil {
			return err
		}
		rows = append(rows, benchRow{name: "command (decide, append, ack)", unit: "commands/s", ours: float64(n) / ours.Seconds(), raw: float64(n) / rawTime.Seconds()})
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	// The large ledger holds only what the rules decided, so that it verifies: the raw
	// side of the command rows publishes copies of an event, which no chain allows.
	err = withBenchLog(ctx, func(log *events.Log) error {
		fmt.Fprintf(progress, "filling a ledger of %d events...\n", large)
		grown, err := simulate.Fill(ctx, log, simulate.Ledger{Consortia: large / 1000, Prefix: "large", Events: 1000, Seed: 2, Start: start,
			Progress: func(done int64) {
				if done%200_000 == 0 {
					fmt.Fprintf(progress, "  %d events appended\n", done)
				}
			}})
		if err != nil {
			return err
		}
		// Only the partnership commanded below is kept: the others are the simulation's,
		// not the ledger's, and would weigh on every collection measured.
		commanded := grown[len(grown)/2]
		verify, err := benchVerify(ctx, progress, log, rebuilds)
		if err != nil {
			return err
		}
		rebuild, h, err := benchRebuild(ctx, progress, log, rebuilds)
		if err != nil {
			return err
		}
		held = h
		if largeLatency, largeFirst, err = benchLatency(ctx, progress, log, commanded, n, rounds, "bench-raw-large"); err != nil {
			return err
		}
		warm, s, err := benchWarm(ctx, progress, log, rebuilds)
		if err != nil {
			return err
		}
		states = s
		rows = append(rows, smallLatency, largeLatency, rebuild, warm)
		rows = append(rows, verify...)
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	notes := []string{
		fmt.Sprintf("\ncommand latency on the large ledger is %.2f× that on the small one (target: at most 1.5×)", largeLatency.ours/smallLatency.ours),
		fmt.Sprintf("first command on a consortium in a fresh process (reads its 1,000 events once): %s on the small ledger, %s on the large",
			roughly(smallFirst), roughly(largeFirst)),
		fmt.Sprintf("the read models hold %.1f MB per 100,000 events", held),
		fmt.Sprintf("the consortia's states, as serve loads them, hold %.1f MB per 100,000 events", states),
	}
	return rows, notes, nil
}

// withBenchLog runs fn on the log of a fresh embedded server in a temporary folder.
func withBenchLog(ctx context.Context, fn func(*events.Log) error) error {
	dir, err := os.MkdirTemp("", "govledger-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	s, err := embedded.Start(embedded.Config{DataDir: dir})
	if err != nil {
		return err
	}
	defer s.Shutdown()
	nc, err := s.Connect()
	if err != nil {
		return err
	}
	defer nc.Close()
	log, err := events.Open(ctx, nc, events.Options{})
	if err != nil {
		return err
	}
	return fn(log)
}

// benchLatency measures one command after another on a consortium with a 1,000-event
// history, in a fresh ledger that reads that history once, on its first command, whose
// time it also returns.
func benchLatency(ctx context.Context, progress io.Writer, log *events.Log, p *simulate.Partnership, n, rounds int, raw string) (benchRow, time.Duration, error) {
	size, err := log.LastSeq(ctx)
	if err != nil {
		return benchRow{}, 0, err
	}
	fmt.Fprintf(progress, "measuring command latency on a ledger of %d events...\n", size)
	l := ledger.New(log)
	first, vote, err := benchBallot(ctx, l, p)
	if err != nil {
		return benchRow{}, 0, err
	}
	publish, err := rawTwin(ctx, l, log, vote, n, raw)
	if err != nil {
		return benchRow{}, 0, err
	}
	ours, rawTime, err := alternate(n, rounds, func(i int) error {
		_, err := l.Handle(ctx, vote(i))
		return err
	}, publish)
	perOp := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(n) }
	return benchRow{name: fmt.Sprintf("command latency, ledger of %d events", size), unit: "µs",
		ours: perOp(ours), raw: perOp(rawTime), lower: true}, first, err
}

// benchBallot tables, on p, an ordinary proposal open for a century, so that one partner
// can vote on it again and again, each vote replacing the last. It returns how long the
// tabling took (the first command of l on p, which reads p's history) and the command
// for vote i.
func benchBallot(ctx context.Context, l *ledger.Ledger, p *simulate.Partnership) (time.Duration, func(i int) ledger.Command, error) {
	opens := p.Now.Add(24 * time.Hour)
	start := time.Now()
	_, err := l.Handle(ctx, ledger.Command{Consortium: p.ID, Actor: governance.Actor{Person: "secretary"},
		Do: governance.TableProposal{At: opens, Proposal: "bench-ballot", Matter: governance.MatterOrdinary,
			Title: "Adopt the shared referral pathway", ClosesAt: opens.AddDate(100, 0, 0)}})
	if err != nil {
		return 0, nil, err
	}
	first := time.Since(start)
	elector := p.State.Electorate(opens, "")[0]
	choices := []string{governance.VoteFor, governance.VoteAgainst}
	return first, func(i int) ledger.Command {
		return ledger.Command{ID: "bench-vote-" + strconv.Itoa(i), Consortium: p.ID, Actor: governance.Actor{Person: "secretary", Partner: elector},
			Do: governance.CastVote{At: opens.Add(time.Hour), Proposal: "bench-ballot", Partner: elector, Vote: choices[i&1],
				Reason: "As agreed at the steering group"}}
	}, nil
}

// rawTwin sends one vote more through l (vote n, after the n the benchmark sends), and
// returns a raw publisher of copies of its event, with the sequence check, on a twin of
// the voting consortium (rawjs.Twin): a consortium of its own, named to, with a copy of
// the voter's history, so that the server's check does the same work for both sides.
// The twin is made here, before anything is timed.
func rawTwin(ctx context.Context, l *ledger.Ledger, log *events.Log, vote func(i int) ledger.Command, n int, to string) (func(int) error, error) {
	cmd := vote(n)
	res, err := l.Handle(ctx, cmd)
	if err != nil {
		return nil, err
	}
	p, err := rawjs.Twin(ctx, log, cmd.Consortium, to, res.Events[0])
	if err != nil {
		return nil, err
	}
	return func(int) error { return p.Publish(ctx) }, nil
}

// roughly is d to four figures or so: 9ms, 927.5ms, 1.302s.
func roughly(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(time.Millisecond)
	}
	return d.Round(100 * time.Microsecond)
}

// alternate runs ours and raw n times each, a round of each in turn, and returns the
// time each side took.
func alternate(n, rounds int, ours, raw func(i int) error) (time.Duration, time.Duration, error) {
	var oursTime, rawTime time.Duration
	i, j := 0, 0
	for r := range rounds {
		per := n/rounds + boolInt(r < n%rounds)
		start := time.Now()
		for range per {
			if err := ours(i); err != nil {
				return 0, 0, err
			}
			i++
		}
		oursTime += time.Since(start)
		start = time.Now()
		for range per {
			if err := raw(j); err != nil {
				return 0, 0, err
			}
			j++
		}
		rawTime += time.Since(start)
	}
	return oursTime, rawTime, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// benchRebuild compares rebuilding every read model from the whole log with a raw
// ordered consumer reading it, and measures the heap the read models hold.
func benchRebuild(ctx context.Context, progress io.Writer, log *events.Log, rounds int) (benchRow, float64, error) {
	last, err := log.LastSeq(ctx)
	if err != nil {
		return benchRow{}, 0, err
	}
	fmt.Fprintf(progress, "rebuilding the read models from %d events, and reading them raw, %d times each...\n", last, rounds)
	var ours, raw time.Duration
	var held float64
	for range rounds {
		start := time.Now()
		r := projections.NewRunner(log)
		if err := r.Rebuild(ctx); err != nil {
			return benchRow{}, 0, err
		}
		ours += time.Since(start)
		held = heldBy(func() { r = nil }) / 1e6 / (float64(last) / 100_000)
		start = time.Now()
		if err := rawjs.Replay(ctx, log.JetStream(), int(last)); err != nil {
			return benchRow{}, 0, err
		}
		raw += time.Since(start)
	}
	total := float64(last) * float64(rounds)
	return benchRow{name: fmt.Sprintf("rebuild every read model from %d events", last), unit: "events/s",
		ours: total / ours.Seconds(), raw: total / raw.Seconds()}, held, nil
}

// benchWarm compares loading every consortium's state in one pass, as serve does when
// it starts, with a raw ordered consumer reading the log, in turns, and measures the
// heap the states hold.
func benchWarm(ctx context.Context, progress io.Writer, log *events.Log, rounds int) (benchRow, float64, error) {
	last, err := log.LastSeq(ctx)
	if err != nil {
		return benchRow{}, 0, err
	}
	fmt.Fprintf(progress, "loading every consortium's state from %d events, and reading them raw, %d times each...\n", last, rounds)
	var ours, raw time.Duration
	var held float64
	for range rounds {
		start := time.Now()
		l := ledger.New(log)
		if _, err := l.Warm(ctx); err != nil {
			return benchRow{}, 0, err
		}
		ours += time.Since(start)
		held = heldBy(func() { l = nil }) / 1e6 / (float64(last) / 100_000)
		start = time.Now()
		if err := rawjs.Replay(ctx, log.JetStream(), int(last)); err != nil {
			return benchRow{}, 0, err
		}
		raw += time.Since(start)
	}
	total := float64(last) * float64(rounds)
	return benchRow{name: fmt.Sprintf("load every consortium's state from %d events", last), unit: "events/s",
		ours: total / ours.Seconds(), raw: total / raw.Seconds()}, held, nil
}

// benchVerify compares audit verify of the whole log, as govledger audit verify runs
// it (the chains, the Merkle tree and the rules' re-decision of every event), and
// without the rules, with a raw ordered consumer reading it, in rounds that each start
// with another of the three.
func benchVerify(ctx context.Context, progress io.Writer, log *events.Log, rounds int) ([]benchRow, error) {
	last, err := log.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(progress, "verifying %d events, with and without the rules, and reading them raw, %d times each...\n", last, rounds)
	var rules, chains, raw time.Duration
	verify := func(took *time.Duration, opts audit.Options) func() error {
		return func() error {
			start := time.Now()
			r, err := audit.Verify(ctx, log, opts)
			if err != nil {
				return err
			}
			if r.Events != int64(last) {
				return fmt.Errorf("verified %d events of %d", r.Events, last)
			}
			*took += time.Since(start)
			return nil
		}
	}
	sides := []func() error{
		func() error { return verify(&rules, withRules(audit.Options{}))() },
		verify(&chains, audit.Options{}),
		func() error {
			start := time.Now()
			if err := rawjs.Replay(ctx, log.JetStream(), int(last)); err != nil {
				return err
			}
			raw += time.Since(start)
			return nil
		},
	}
	for r := range rounds {
		for i := range sides {
			if err := sides[(r+i)%len(sides)](); err != nil {
				return nil, err
			}
		}
	}
	total := float64(last) * float64(rounds)
	rate := func(d time.Duration) float64 { return total / d.Seconds() }
	return []benchRow{
		{name: fmt.Sprintf("audit verify of %d events (chains, tree, rules)", last), unit: "events/s", ours: rate(rules), raw: rate(raw)},
		{name: fmt.Sprintf("audit verify of %d events, without the rules", last), unit: "events/s", ours: rate(chains), raw: rate(raw)},
	}, nil
}

// heldBy is how many bytes of the heap become free when drop lets go of something.
func heldBy(drop func()) float64 {
	var with, without runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&with)
	drop()
	runtime.GC()
	runtime.ReadMemStats(&without)
	return float64(with.HeapAlloc) - float64(without.HeapAlloc)
}

func printBench(w io.Writer, rows []benchRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tGOVLEDGER\tRAW JETSTREAM\tRATIO")
	for _, r := range rows {
		format := "%s\t%.0f %s\t%.0f %s\t%.2f\n"
		if r.lower {
			format = "%s\t%.1f %s\t%.1f %s\t%.2f\n"
		}
		fmt.Fprintf(tw, format, r.name, r.ours, r.unit, r.raw, r.unit, r.ratio())
	}
	tw.Flush()
}
