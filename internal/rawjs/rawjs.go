// Package rawjs is what govledger's benchmarks measure it against: JetStream used
// directly, with nothing of govledger in between. `govledger bench` and the Go
// benchmarks of the packages use the same reader and the same publisher, so that every
// "raw" figure means the same thing.
//
// It imports events, for the stream's name and subjects.
package rawjs

import (
	"bytes"
	"context"
	"fmt"
	"strconv"

	"github.com/govledger/govledger/events"
	"github.com/nats-io/nats.go"
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

// Publisher publishes copies of one event on another consortium's subjects, with the
// per-consortium sequence check the ledger's appends carry: JetStream's share of an
// append. The copies are re-addressed to that consortium, so that the log still reads
// (every read checks that an event is on its consortium's subjects); their hash chain
// is not the ledger's, and nothing verifies it.
type Publisher struct {
	js         jetstream.JetStream
	consortium string
	subject    string
	data       []byte
	seq        uint64 // the consortium's last sequence
	// MsgID gives each copy a Nats-Msg-Id of its own, as events.Append's messages
	// carry for their command ids.
	MsgID bool
}

// NewPublisher publishes copies of e on consortium's subjects.
func NewPublisher(js jetstream.JetStream, consortium string, e events.Envelope) *Publisher {
	from, to := []byte(`"consortium":"`+e.Consortium+`"`), []byte(`"consortium":"`+consortium+`"`)
	return &Publisher{js: js, consortium: consortium, subject: events.Subject(consortium, e.Type), data: bytes.Replace(e.Raw, from, to, 1)}
}

// Twin publishes a copy of every event of consortium from, in order, on consortium
// to's subjects, each with the sequence check, and returns a Publisher of copies of e on
// to's subjects that carries on after the last of them. A raw publish on the twin then
// finds in the server's sequence check what a command on from finds: as many subjects,
// with as many messages on each (the check looks for the last message on any of them).
func Twin(ctx context.Context, log *events.Log, from, to string, e events.Envelope) (*Publisher, error) {
	history, err := log.Read(ctx, from, 0)
	if err != nil {
		return nil, fmt.Errorf("raw twin of %s: %w", from, err)
	}
	var seq uint64
	for _, h := range history {
		p := NewPublisher(log.JetStream(), to, h)
		p.seq = seq
		if err := p.Publish(ctx); err != nil {
			return nil, err
		}
		seq = p.seq
	}
	p := NewPublisher(log.JetStream(), to, e)
	p.seq = seq
	return p, nil
}

// Publish publishes one copy and waits for its acknowledgement.
func (p *Publisher) Publish(ctx context.Context) error {
	m := nats.NewMsg(p.subject)
	m.Data = p.data
	m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(p.seq, 10))
	m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, events.ConsortiumSubjects(p.consortium))
	if p.MsgID {
		m.Header.Set(jetstream.MsgIDHeader, p.consortium+"/"+strconv.FormatUint(p.seq+1, 10)+"/0")
	}
	ack, err := p.js.PublishMsg(ctx, m)
	if err != nil {
		return fmt.Errorf("raw publish on %s: %w", p.subject, err)
	}
	p.seq = ack.Sequence
	return nil
}
