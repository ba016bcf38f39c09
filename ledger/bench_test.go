package ledger_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/internal/group"
	"github.com/govledger/govledger/internal/rawjs"
	"github.com/govledger/govledger/internal/simulate"
	"github.com/govledger/govledger/ledger"
	"github.com/nats-io/nats.go/jetstream"
)

// Each benchmark has a govledger side and a raw JetStream side, measured on the same
// embedded server in the same run; the README gives govledger's figures as ratios.

// benchLedgers are filled ledgers, by number of consortia, shared by the benchmarks of
// one run: filling a million events takes a while. TestMain shuts them down.
var benchLedgers = map[int]*benchLedger{}

type benchLedger struct {
	server *embedded.Server
	dir    string
	log    *events.Log
	// lives are the partnerships as the simulation left them, nil but for the two the
	// benchmarks command (the first and the middle one): the others are the
	// simulation's, not the ledger's, and would weigh on every collection measured.
	lives []*simulate.Partnership
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, bl := range benchLedgers {
		bl.server.Shutdown()
		os.RemoveAll(bl.dir)
	}
	os.Exit(code)
}

// filled is a ledger of consortia partnerships with perConsortium events each.
func filled(b *testing.B, consortia, perConsortium int) *benchLedger {
	b.Helper()
	if bl, ok := benchLedgers[consortia]; ok {
		return bl
	}
	dir, err := os.MkdirTemp("", "govledger-bench-")
	if err != nil {
		b.Fatal(err)
	}
	s, err := embedded.Start(embedded.Config{DataDir: dir})
	if err != nil {
		b.Fatal(err)
	}
	nc, err := s.Connect()
	if err != nil {
		b.Fatal(err)
	}
	log, err := events.Open(context.Background(), nc, events.Options{})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	lives, err := simulate.Fill(context.Background(), log, simulate.Ledger{Consortia: consortia, Prefix: "partnership",
		Events: perConsortium, Seed: 1, Start: day0})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("filled a ledger of %d events over %d consortia in %s", consortia*perConsortium, consortia, time.Since(start).Round(time.Second))
	for i := range lives {
		if i != 0 && i != consortia/2 {
			lives[i] = nil
		}
	}
	bl := &benchLedger{server: s, dir: dir, log: log, lives: lives}
	benchLedgers[consortia] = bl
	return bl
}

// ballots numbers the ballots tabled for benchmarks, which may run more than once.
var ballots int

// ballot tables, on p, an ordinary proposal open for a century, so that one partner can
// vote on it again and again, each vote replacing the last; it returns the command for
// vote i. The tabling is the first command of l on p: it loads p's history.
func ballot(b *testing.B, l *ledger.Ledger, p *simulate.Partnership) (first time.Duration, vote func(i int) ledger.Command) {
	b.Helper()
	ballots++
	proposal := fmt.Sprintf("bench-ballot-%d", ballots)
	opens := p.Now.Add(24 * time.Hour)
	start := time.Now()
	_, err := l.Handle(context.Background(), ledger.Command{Consortium: p.ID, Actor: g.Actor{Person: "secretary"},
		Do: g.TableProposal{At: opens, Proposal: proposal, Matter: g.MatterOrdinary, Title: "Adopt the shared referral pathway",
			ClosesAt: opens.AddDate(100, 0, 0)}})
	if err != nil {
		b.Fatal(err)
	}
	first = time.Since(start)
	elector := p.State.Electorate(opens, "")[0]
	choices := []string{g.VoteFor, g.VoteAgainst}
	return first, func(i int) ledger.Command {
		return ledger.Command{ID: fmt.Sprintf("%s-vote-%d", proposal, i), Consortium: p.ID, Actor: g.Actor{Person: "secretary", Partner: elector},
			Do: g.CastVote{At: opens.Add(time.Hour), Proposal: proposal, Partner: elector, Vote: choices[i&1], Reason: "As agreed at the steering group"}}
	}
}

// rawPublisher publishes copies of e on consortium's subjects (rawjs.Publisher), with
// a Nats-Msg-Id when asked.
func rawPublisher(js jetstream.JetStream, consortium string, e events.Envelope, msgID bool) func(b *testing.B) {
	p := rawjs.NewPublisher(js, consortium, e)
	p.MsgID = msgID
	return func(b *testing.B) {
		if err := p.Publish(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// rawTwin publishes copies of e with the sequence check on a twin of consortium
// (rawjs.Twin): a consortium of its own with a copy of consortium's history, so that the
// server's check does the same work for both sides.
func rawTwin(b *testing.B, log *events.Log, consortium string, e events.Envelope) func(b *testing.B) {
	b.Helper()
	p, err := rawjs.Twin(context.Background(), log, consortium, fmt.Sprintf("bench-raw-%d", ballots), e)
	if err != nil {
		b.Fatal(err)
	}
	return func(b *testing.B) {
		if err := p.Publish(context.Background()); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCommand is a command end to end (decide against live state, encode, hash,
// append with the sequence check, acknowledgement, apply) against a raw publish of the
// same bytes with the same sequence check on a twin of the consortium, by turns.
func BenchmarkCommand(b *testing.B) {
	bl := filled(b, 10, 1000)
	l := ledger.New(bl.log)
	_, vote := ballot(b, l, bl.lives[0])
	res, err := l.Handle(context.Background(), vote(0))
	if err != nil {
		b.Fatal(err)
	}
	byTurns(b, handle(b, l, vote), rawTwin(b, bl.log, bl.lives[0].ID, res.Events[0]))
}

// handle sends vote i through l.
func handle(b *testing.B, l *ledger.Ledger, vote func(int) ledger.Command) func(int) {
	return func(i int) {
		if _, err := l.Handle(context.Background(), vote(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// lastEvent is the log's newest event, to publish copies of.
func lastEvent(b *testing.B, log *events.Log) events.Envelope {
	b.Helper()
	last, err := log.LastSeq(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	e, err := log.Get(context.Background(), last)
	if err != nil {
		b.Fatal(err)
	}
	return e
}

// BenchmarkMsgID is what the server's duplicate check costs an append: raw publishes
// with the sequence check, with a Nats-Msg-Id (as events.Append's carry, so that a
// command retried with a fresh expected sequence is recorded once) and without (as the
// ledger's, whose live state knows the command ids), by turns. The "govledger" side is
// the publish with the id.
func BenchmarkMsgID(b *testing.B) {
	bl := filled(b, 10, 1000)
	ballots++
	sample := lastEvent(b, bl.log)
	with := rawPublisher(bl.log.JetStream(), fmt.Sprintf("bench-msgid-%d", ballots), sample, true)
	without := rawPublisher(bl.log.JetStream(), fmt.Sprintf("bench-raw-%d", ballots), sample, false)
	byTurns(b, func(int) { with(b) }, without)
}

// BenchmarkTwin is what the raw side of the command benchmarks gains on a fresh
// consortium: raw publishes with the sequence check on a twin of a partnership (its
// history copied, rawTwin), against the same on a consortium with no history, by turns.
// The "govledger" side is the twin.
func BenchmarkTwin(b *testing.B) {
	bl := filled(b, 10, 1000)
	ballots++
	sample := lastEvent(b, bl.log)
	twin := rawTwin(b, bl.log, bl.lives[0].ID, sample)
	fresh := rawPublisher(bl.log.JetStream(), fmt.Sprintf("bench-fresh-%d", ballots), sample, false)
	byTurns(b, func(int) { twin(b) }, fresh)
}

// BenchmarkCommandLatency is a command's latency in steady state (its consortium's
// state already loaded by this process) on a ledger of 10,000 events (10 consortia of
// 1,000) and of 1,000,000 (1,000 of 1,000): the commanded consortium has the same
// history in both, so what differs is the size of the ledger around it. first-ms is
// the first command on the consortium in a fresh process, which reads its history once.
func BenchmarkCommandLatency(b *testing.B) {
	bySize(b, func(b *testing.B, bl *benchLedger, consortia int) {
		p := bl.lives[consortia/2]
		l := ledger.New(bl.log)
		first, vote := ballot(b, l, p)
		res, err := l.Handle(context.Background(), vote(0))
		if err != nil {
			b.Fatal(err)
		}
		byTurns(b, handle(b, l, vote), rawTwin(b, bl.log, p.ID, res.Events[0]))
		b.ReportMetric(float64(first.Microseconds())/1000, "first-ms")
	})
}

// bySize runs a benchmark on the ledger of 10 consortia and on that of 1,000, of 1,000
// events each (the second skipped with -short).
func bySize(b *testing.B, run func(b *testing.B, bl *benchLedger, consortia int)) {
	for _, size := range []struct {
		name      string
		consortia int
	}{{"events=10k", 10}, {"events=1M", 1000}} {
		b.Run(size.name, func(b *testing.B) {
			if size.consortia > 100 && testing.Short() {
				b.Skip("a million-event ledger takes a while to fill")
			}
			run(b, filled(b, size.consortia, 1000), size.consortia)
		})
	}
}

// byTurns sends commands (govledger, with their number) and raw publishes by turns, a
// few hundred at a time, so that a busy machine slows both alike, and reports the time
// each took. (One of each by turns would measure them apart from what a stream of
// commands keeps warm.)
func byTurns(b *testing.B, govledger func(i int), publish func(*testing.B)) {
	const turn = 500
	var took [2]time.Duration // govledger, raw
	var done [2]int
	side, left, start := 0, turn, time.Now()
	for i := 1; b.Loop(); i++ {
		if side == 0 {
			govledger(i)
		} else {
			publish(b)
		}
		done[side]++
		if left--; left == 0 {
			took[side] += time.Since(start)
			side, left, start = 1-side, turn, time.Now()
		}
	}
	if left < turn {
		took[side] += time.Since(start)
	}
	perOp := func(side int) float64 { return float64(took[side].Nanoseconds()) / float64(max(done[side], 1)) / 1000 }
	b.ReportMetric(perOp(0), "govledger-µs")
	b.ReportMetric(perOp(1), "raw-µs")
	b.ReportMetric(perOp(1)/perOp(0), "govledger/raw")
}

// BenchmarkRecheck is the rules' re-decision alone (Recheck, what `audit verify` adds to
// the chains and the tree), over every event of a ledger already read into memory, with
// no NATS involved: ns/op is per event. On 10 consortia and on 1,000, of 1,000 events
// each, to show what the states of many consortia cost beyond the rules themselves; in
// log order, and in the order audit verify checks them: windows of audit.DefaultWindow
// events, consortium by consortium (group.ByConsortium).
func BenchmarkRecheck(b *testing.B) {
	bySize(b, func(b *testing.B, bl *benchLedger, _ int) {
		var all []events.Envelope
		err := bl.log.Replay(context.Background(), 1, func(e events.Envelope) error {
			// The partnerships' own events, not the raw copies other benchmarks of this
			// run published on the same ledger, which no rules govern.
			if strings.HasPrefix(e.Consortium, "partnership-") {
				all = append(all, e)
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		for _, order := range []struct {
			name   string
			events []events.Envelope
		}{{"order=log", all}, {"order=by-consortium", byConsortium(all, audit.DefaultWindow)}} {
			b.Run(order.name, func(b *testing.B) {
				for i := 0; i < b.N; {
					check := ledger.Recheck().Check
					for _, e := range order.events {
						if err := check(e); err != nil {
							b.Fatalf("event %d: %v", e.Seq, err)
						}
						if i++; i == b.N {
							break
						}
					}
				}
			})
		}
	})
}

// byConsortium is evs put in order window by window, each window consortium by
// consortium.
func byConsortium(evs []events.Envelope, window int) []events.Envelope {
	var g group.ByConsortium
	out := make([]events.Envelope, 0, len(evs))
	for w := range slices.Chunk(evs, window) {
		for i, e := range w {
			g.Add(e.Consortium, i)
		}
		g.Each(func(places []int) {
			for _, i := range places {
				out = append(out, w[i])
			}
		})
	}
	return out
}
