package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	"github.com/nats-io/nats.go/jetstream"
)

var benchPayload = json.RawMessage(`{"proposal":"admit-essex-mind","partner":"colchester-cvs","vote":"for","reason":"meets the admission criteria agreed in the terms"}`)

// BenchmarkVerify verifies 100,000 events of 100 consortia, and replays them with a raw
// ordered consumer in the same run: the design asks verify for ≥ 70% of raw.
func BenchmarkVerify(b *testing.B) {
	const total = 100_000
	l := openLedger(b, "")
	fill(b, l.log, total)
	b.Run("govledger", func(b *testing.B) {
		for b.Loop() {
			r, err := audit.Verify(context.Background(), l.log, audit.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if r.Events != total || r.Consortia != 100 {
				b.Fatalf("verified %d events of %d consortia, want %d of 100", r.Events, r.Consortia, total)
			}
		}
		b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "events/s")
	})
	// The replay Verify is built on, doing nothing with the events: how much of the gap
	// to raw is the event log's decoding, and how much the audit's checks.
	b.Run("events-replay", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if err := l.log.Replay(context.Background(), 1, func(events.Envelope) error { n++; return nil }); err != nil || n != total {
				b.Fatalf("replayed %d events, want %d: %v", n, total, err)
			}
		}
		b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("raw-ordered-consumer", func(b *testing.B) {
		for b.Loop() {
			if n := rawReplay(b, l.log.JetStream(), total); n != total {
				b.Fatalf("replayed %d messages, want %d", n, total)
			}
		}
		b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// fill appends total events spread over 100 consortia, ten to a command.
func fill(b *testing.B, log *events.Log, total int) {
	b.Helper()
	heads := make([]uint64, 100)
	for i := 0; i < total/10; i++ {
		c := i % 100
		ds := make([]events.Draft, 10)
		for j := range ds {
			ds[j] = events.Draft{Type: "decision.vote-cast", Payload: benchPayload}
		}
		got, err := log.Append(context.Background(), fmt.Sprintf("consortium-%d", c), heads[c], ds...)
		if err != nil {
			b.Fatal(err)
		}
		heads[c] = got[9].Seq
	}
}

// rawReplay reads n messages of the stream with an ordered consumer, doing nothing with
// them (the loop of RawReplay in events/bench_test.go).
func rawReplay(b *testing.B, js jetstream.JetStream, n int) int {
	ctx := context.Background()
	s, err := js.Stream(ctx, events.StreamName)
	if err != nil {
		b.Fatal(err)
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"gov.>"}})
	if err != nil {
		b.Fatal(err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		b.Fatal(err)
	}
	defer it.Stop()
	got := 0
	for got < n {
		m, err := it.Next()
		if err != nil {
			b.Fatal(err)
		}
		if len(m.Data()) > 0 {
			got++
		}
	}
	return got
}
