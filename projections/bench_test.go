package projections_test

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/internal/benchtest"
	"github.com/govledger/govledger/internal/rawjs"
	"github.com/govledger/govledger/internal/simulate"
	"github.com/govledger/govledger/projections"
)

// The rebuild is measured against a raw ordered consumer reading the same stream on
// the same embedded server in the same run; the README gives the ratio.

// benchLogs are filled logs, by number of consortia, shared by the benchmarks of one
// run: filling a million events takes a while. TestMain shuts them down.
var benchLogs = map[int]*benchLog{}

type benchLog struct {
	server *embedded.Server
	dir    string
	log    *events.Log
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, bl := range benchLogs {
		bl.server.Shutdown()
		os.RemoveAll(bl.dir)
	}
	os.Exit(code)
}

func filled(b *testing.B, consortia, perConsortium int) *events.Log {
	b.Helper()
	if bl, ok := benchLogs[consortia]; ok {
		return bl.log
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
	if _, err := simulate.Fill(context.Background(), log, simulate.Ledger{Consortia: consortia, Prefix: "partnership",
		Events: perConsortium, Seed: 1, Start: day0}); err != nil {
		b.Fatal(err)
	}
	b.Logf("filled a ledger of %d events over %d consortia in %s", consortia*perConsortium, consortia, time.Since(start).Round(time.Second))
	benchLogs[consortia] = &benchLog{server: s, dir: dir, log: log}
	return log
}

// BenchmarkRebuild rebuilds every read model from a ledger of 100,000 events (100
// consortia of 1,000) and of 1,000,000 (1,000 of 1,000), against the event log's own
// replay (which decodes and hashes every event and does nothing more) and a raw ordered
// consumer (which does nothing with the messages). Every round runs all three, each
// round starting with another, so that a busy machine slows them alike.
// MB/100k-events is the heap the read models hold, per 100,000 events; cpu-s/M and
// gc-s/M are the rebuild's and the raw side's CPU time, and the garbage collector's part
// of it, in seconds per million events.
func BenchmarkRebuild(b *testing.B) {
	for _, size := range []struct {
		name      string
		consortia int
	}{{"events=100k", 100}, {"events=1M", 1000}} {
		b.Run(size.name, func(b *testing.B) {
			if size.consortia > 100 && testing.Short() {
				b.Skip("a million-event ledger takes a while to fill")
			}
			log := filled(b, size.consortia, 1000)
			total := size.consortia * 1000
			took := benchtest.Rounds(b,
				func() {
					r := projections.NewRunner(log)
					if err := r.Rebuild(context.Background()); err != nil {
						b.Fatal(err)
					}
					if r.Seq() != uint64(total) {
						b.Fatalf("rebuilt to %d, want %d", r.Seq(), total)
					}
				},
				func() {
					n := 0
					if err := log.Replay(context.Background(), 1, func(events.Envelope) error { n++; return nil }); err != nil || n != total {
						b.Fatalf("replayed %d events, want %d: %v", n, total, err)
					}
				},
				func() {
					if err := rawjs.Replay(context.Background(), log.JetStream(), total); err != nil {
						b.Fatal(err)
					}
				},
			)
			rebuild, replay, raw := took[0].Wall, took[1].Wall, took[2].Wall
			rate := func(d time.Duration) float64 { return float64(total*b.N) / d.Seconds() }
			b.ReportMetric(rate(rebuild), "rebuilt/s")
			b.ReportMetric(rate(replay), "replayed/s")
			b.ReportMetric(rate(raw), "raw/s")
			b.ReportMetric(rate(rebuild)/rate(raw), "rebuild/raw")
			benchtest.ReportCPU(b, "rebuild", took[0], total)
			benchtest.ReportCPU(b, "raw", took[2], total)
			b.ReportMetric(heldPer100k(b, log, total), "MB/100k-events")
		})
	}
}

// heldPer100k rebuilds the read models once more and measures the heap they hold: what
// becomes free when they are let go.
func heldPer100k(b *testing.B, log *events.Log, total int) float64 {
	r := projections.NewRunner(log)
	if err := r.Rebuild(context.Background()); err != nil {
		b.Fatal(err)
	}
	var with, without runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&with)
	runtime.KeepAlive(r)
	r = nil
	runtime.GC()
	runtime.ReadMemStats(&without)
	return (float64(with.HeapAlloc) - float64(without.HeapAlloc)) / 1e6 / (float64(total) / 100_000)
}

// BenchmarkApply is the read models' own share of a rebuild: applying 100,000 events
// already read from the log, with no NATS involved. ns/op is per event.
func BenchmarkApply(b *testing.B) {
	log := filled(b, 100, 1000)
	var all []events.Envelope
	if err := log.Replay(context.Background(), 1, func(e events.Envelope) error { all = append(all, e); return nil }, events.WithoutHash()); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; {
		m := projections.NewModels()
		for _, e := range all {
			m.Apply(e)
			if i++; i == b.N {
				break
			}
		}
	}
}
