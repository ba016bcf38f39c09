package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/internal/benchtest"
	"github.com/govledger/govledger/internal/rawjs"
	"github.com/govledger/govledger/internal/simulate"
	commands "github.com/govledger/govledger/ledger"
)

var benchPayload = json.RawMessage(`{"proposal":"admit-essex-mind","partner":"colchester-cvs","vote":"for","reason":"meets the admission criteria agreed in the terms"}`)

// BenchmarkVerify verifies a log of 100 consortia, 100,000 events unless
// GOVLEDGER_BENCH_EVENTS says how many, and in every round also replays it through the
// event log and with a raw ordered consumer, in turn, so that a busy machine slows all
// three alike. The design asks verify for ≥ 70% of raw; the ratio is reported.
//
//	GOVLEDGER_BENCH_EVENTS=1000000 go test -run '^$' -bench Verify -benchtime 2x ./audit/
func BenchmarkVerify(b *testing.B) {
	total := 100_000
	if s := os.Getenv("GOVLEDGER_BENCH_EVENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 {
			b.Fatalf("GOVLEDGER_BENCH_EVENTS=%q: want a number of events, at least 100", s)
		}
		total = n / 100 * 100
	}
	l := openLedger(b, "")
	fill(b, l.log, total)
	took := benchtest.Rounds(b,
		func() {
			r, err := audit.Verify(context.Background(), l.log, audit.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if r.Events != int64(total) || r.Consortia != 100 {
				b.Fatalf("verified %d events of %d consortia, want %d of 100", r.Events, r.Consortia, total)
			}
		},
		// The replay Verify is built on, doing nothing with the events: how much of the
		// gap to raw is the event log's decoding, and how much the audit's checks.
		func() {
			n := 0
			if err := l.log.Replay(context.Background(), 1, func(events.Envelope) error { n++; return nil }); err != nil || n != total {
				b.Fatalf("replayed %d events, want %d: %v", n, total, err)
			}
		},
		func() {
			if err := rawjs.Replay(context.Background(), l.log.JetStream(), total); err != nil {
				b.Fatal(err)
			}
		},
	)
	verify, replay, raw := took[0].Wall, took[1].Wall, took[2].Wall
	rate := func(d time.Duration) float64 { return float64(total*b.N) / d.Seconds() }
	b.ReportMetric(rate(verify), "verified/s")
	b.ReportMetric(rate(replay), "replayed/s")
	b.ReportMetric(rate(raw), "raw/s")
	b.ReportMetric(rate(verify)/rate(raw), "verify/raw")
}

// fill appends total events spread over 100 consortia, one to a command, from four
// writers that each keep 25 consortia: a million take a minute or so, where atomic
// batches of ten would take several.
func fill(b *testing.B, log *events.Log, total int) {
	b.Helper()
	const consortia, writers = 100, 4
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := range writers {
		wg.Go(func() {
			heads := make([]uint64, consortia)
			for i := w; i < total; i += writers {
				c := i % consortia
				got, _, err := log.AppendNew(context.Background(), fmt.Sprintf("consortium-%d", c), heads[c], events.Draft{Type: "decision.vote-cast", Payload: benchPayload})
				if err != nil {
					errs <- err
					return
				}
				heads[c] = got[0].Seq
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
}

// BenchmarkVerifyRules is what `govledger audit verify` does: Verify with the rules'
// re-decision of every event (ledger.Recheck), on a ledger of simulated partnerships
// (1,000 events each; 100,000 events unless GOVLEDGER_BENCH_EVENTS says how many),
// against a raw ordered consumer in the same rounds, alternating which goes first.
// cpu-s/M and gc-s/M are each side's CPU time, and the garbage collector's part of it,
// in seconds per million events; MB-windows is the heap Verify's two windows of events
// take (windowsHeld).
//
//	GOVLEDGER_BENCH_EVENTS=1000000 go test -run '^$' -bench VerifyRules -benchtime 2x ./audit/
func BenchmarkVerifyRules(b *testing.B) {
	total := 100_000
	if s := os.Getenv("GOVLEDGER_BENCH_EVENTS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1000 {
			b.Fatalf("GOVLEDGER_BENCH_EVENTS=%q: want a number of events, at least 1000", s)
		}
		total = n / 1000 * 1000
	}
	l := openLedger(b, "")
	if _, err := simulate.Fill(context.Background(), l.log, simulate.Ledger{Consortia: total / 1000, Prefix: "partnership",
		Events: 1000, Seed: 1, Start: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}); err != nil {
		b.Fatal(err)
	}
	took := benchtest.Rounds(b,
		func() {
			r, err := audit.Verify(context.Background(), l.log, rulesOptions())
			if err != nil {
				b.Fatal(err)
			}
			if r.Events != int64(total) {
				b.Fatalf("verified %d events, want %d", r.Events, total)
			}
		},
		func() {
			if err := rawjs.Replay(context.Background(), l.log.JetStream(), total); err != nil {
				b.Fatal(err)
			}
		},
	)
	verify, raw := took[0].Wall, took[1].Wall
	rate := func(d time.Duration) float64 { return float64(total*b.N) / d.Seconds() }
	b.ReportMetric(rate(verify), "verified/s")
	b.ReportMetric(rate(raw), "raw/s")
	b.ReportMetric(rate(verify)/rate(raw), "verify/raw")
	benchtest.ReportCPU(b, "verify", took[0], total)
	benchtest.ReportCPU(b, "raw", took[1], total)
	b.ReportMetric(windowsHeld(b, l.log), "MB-windows")
}

// windowsHeld is the heap, in MB, that the two windows of audit.DefaultWindow events
// Verify holds at a time take on this log: one window's worth of its events, read as
// Verify reads them and held, measured, and counted twice.
func windowsHeld(b *testing.B, log *events.Log) float64 {
	b.Helper()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	held := make([]events.Envelope, 0, audit.DefaultWindow)
	err := log.Replay(context.Background(), 1, func(e events.Envelope) error {
		if len(held) < cap(held) {
			held = append(held, e)
		}
		return nil
	}, events.WithoutPayloadCheck())
	if err != nil {
		b.Fatal(err)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perEvent := (float64(after.HeapAlloc) - float64(before.HeapAlloc)) / float64(len(held))
	runtime.KeepAlive(held)
	return 2 * perEvent * audit.DefaultWindow / 1e6
}

// rulesOptions re-decide every event by the governance rules, as govledger audit verify
// does.
func rulesOptions() audit.Options {
	return audit.Options{Rules: commands.Recheck()}
}
