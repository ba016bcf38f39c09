// Package rawjs is what govledger's benchmarks measure it against: JetStream used
// directly, with nothing of govledger in between. `govledger bench` and the Go
// benchmarks of the packages use the same reader, so that every "raw" figure means the
// same thing.
//
// It imports events, for the stream's name.
package rawjs

import (
	"context"
	"fmt"

	"github.com/govledger/govledger/events"
	"github.com/nats-io/nats.go/jetstream"
)

// Replay reads the first n messages of govledger's stream with an ordered consumer and
// does nothing with them: no decoding, hashing or checking, not even of the sequence.
func Replay(ctx context.Context, js jetstream.JetStream, n int) error {
	s, err := js.Stream(ctx, events.StreamName)
	if err != nil {
		return err
	}
	cons, err := s.OrderedConsumer(ctx, jetstream.OrderedConsumerConfig{FilterSubjects: []string{"gov.>"}})
	if err != nil {
		return err
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(1024))
	if err != nil {
		return err
	}
	defer it.Stop()
	for got := 0; got < n; {
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return fmt.Errorf("raw replay, after %d of %d messages: %w", got, n, err)
		}
		if len(m.Data()) > 0 {
			got++
		}
	}
	return nil
}
