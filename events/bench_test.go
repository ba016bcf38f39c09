package events_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"testing"

	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/internal/rawjs"
	"github.com/nats-io/nats.go"
)

// Each benchmark has a govledger and a raw JetStream side, run on the same embedded
// server in the same run; the README reports govledger's figure as a ratio of raw's.

var benchPayload = json.RawMessage(`{"proposal":"admit-essex-mind","partner":"colchester-cvs","vote":"for","reason":"meets the admission criteria agreed in the terms"}`)

func benchLog(b *testing.B) (*events.Log, *nats.Conn) {
	s := embedded.StartForTest(b, "")
	nc := embedded.ConnectForTest(b, s)
	log, err := events.Open(context.Background(), nc, events.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return log, nc
}

func BenchmarkAppend(b *testing.B) {
	b.Run("govledger", func(b *testing.B) {
		log, _ := benchLog(b)
		ctx := context.Background()
		var seq uint64
		for i := 0; b.Loop(); i++ {
			got, err := log.Append(ctx, "synergy", seq, events.Draft{Type: "decision.vote-cast", CommandID: "v" + strconv.Itoa(i), Payload: benchPayload})
			if err != nil {
				b.Fatal(err)
			}
			seq = got[0].Seq
		}
	})
	b.Run("raw-jetstream", func(b *testing.B) {
		log, _ := benchLog(b)
		sample, _ := log.Append(context.Background(), "sample", 0, events.Draft{Type: "decision.vote-cast", Payload: benchPayload})
		raw := rawjs.NewPublisher(log.JetStream(), "synergy", sample[0])
		for b.Loop() {
			if err := raw.Publish(context.Background()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkAppendTen(b *testing.B) {
	drafts := func(i int) []events.Draft {
		ds := make([]events.Draft, 10)
		for j := range ds {
			ds[j] = events.Draft{Type: "decision.vote-cast", CommandID: "m" + strconv.Itoa(i), Payload: benchPayload}
		}
		return ds
	}
	b.Run("govledger-atomic", func(b *testing.B) {
		log, _ := benchLog(b)
		ctx := context.Background()
		var seq uint64
		for i := 0; b.Loop(); i++ {
			got, err := log.Append(ctx, "synergy", seq, drafts(i)...)
			if err != nil {
				b.Fatal(err)
			}
			seq = got[9].Seq
		}
	})
	b.Run("raw-jetstream-10-publishes", func(b *testing.B) {
		log, _ := benchLog(b)
		sample, _ := log.Append(context.Background(), "sample", 0, events.Draft{Type: "decision.vote-cast", Payload: benchPayload})
		raw := rawjs.NewPublisher(log.JetStream(), "synergy", sample[0])
		for b.Loop() {
			for range 10 {
				if err := raw.Publish(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
		}
	})
}

// BenchmarkReplay replays 100,000 events of 100 consortia.
func BenchmarkReplay(b *testing.B) {
	const total = 100_000
	log, nc := benchLog(b)
	fill(b, log, nc, total)
	b.Run("govledger", func(b *testing.B) {
		for b.Loop() {
			n := 0
			if err := log.Replay(context.Background(), 1, func(events.Envelope) error { n++; return nil }); err != nil {
				b.Fatal(err)
			}
			if n != total {
				b.Fatalf("replayed %d events, want %d", n, total)
			}
		}
		b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("raw-ordered-consumer", func(b *testing.B) {
		for b.Loop() {
			if err := rawjs.Replay(context.Background(), log.JetStream(), total); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(total*b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// fill appends total events spread over 100 consortia, ten to a command.
func fill(b *testing.B, log *events.Log, _ *nats.Conn, total int) {
	b.Helper()
	ctx := context.Background()
	heads := make([]uint64, 100)
	for i := 0; i < total/10; i++ {
		c := i % 100
		ds := make([]events.Draft, 10)
		for j := range ds {
			ds[j] = events.Draft{Type: "decision.vote-cast", Payload: benchPayload}
		}
		got, err := log.Append(ctx, fmt.Sprintf("consortium-%d", c), heads[c], ds...)
		if err != nil {
			b.Fatal(err)
		}
		heads[c] = got[9].Seq
	}
}

// BenchmarkDecode reads one event's stored bytes, as every replay does for every event.
func BenchmarkDecode(b *testing.B) {
	raw := []byte(`{"id":"01JD5Z3K6Q8W9X2Y4Z6A8B0C2D","type":"decision.vote-cast","consortium":"consortium-12",` +
		`"occurred_at":"2026-03-02T09:30:00.123456789Z","recorded_at":"2026-03-02T09:30:00.123456789Z",` +
		`"actor":{"person":"amina-okafor","partner":"brightside-vcs"},"command_id":"01JD5Z3K6Q8W9X2Y4Z6A8B0C2E","schema":1,` +
		`"prev":"` + events.Hash([]byte("the previous event")) + `","payload":` + string(benchPayload) + `}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := events.Decode(raw, 5); err != nil {
			b.Fatal(err)
		}
	}
}
