package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"
)

func newBench() *cobra.Command {
	var appends, replay, rounds int
	cmd := &cobra.Command{
		Use:   "bench",
		Short: "Measure govledger against raw JetStream on this machine",
		Long: `Measure govledger's appends and replay against raw JetStream on a fresh embedded
server in a temporary folder, in the same run, alternating the two sides in rounds so
that a noisy machine affects both alike. Each line gives govledger's figure, raw
JetStream's, and their ratio.`,
		Example: `  govledger bench
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
			printBench(cmd.OutOrStdout(), rows)
			return nil
		},
	}
	cmd.Flags().IntVar(&appends, "appends", 10000, "appends measured on each side")
	cmd.Flags().IntVar(&replay, "replay", 100000, "events replayed on each side")
	cmd.Flags().IntVar(&rounds, "rounds", 5, "rounds the two sides alternate in")
	return cmd
}

type bench struct {
	ctx      context.Context
	nc       *nats.Conn
	log      *events.Log
	progress io.Writer
}

// benchRow is one comparison; ours and raw are rates (higher is better).
type benchRow struct {
	name      string
	unit      string
	ours, raw float64
}

var benchPayload = json.RawMessage(`{"proposal":"admit-essex-mind","partner":"colchester-cvs","vote":"for","reason":"meets the admission criteria agreed in the terms"}`)

// appendOne compares Append of one event with a raw publish carrying the same
// per-consortium sequence check.
func (b *bench) appendOne(n, rounds int) (benchRow, error) {
	fmt.Fprintf(b.progress, "appending %d events each way in %d rounds...\n", n, rounds)
	var ours, raw time.Duration
	var oursSeq, rawSeq uint64
	sample := []byte(nil)
	for r := range rounds {
		start := time.Now()
		for i := range n / rounds {
			got, err := b.log.Append(b.ctx, "bench-govledger", oursSeq, events.Draft{
				Type: "decision.vote-cast", CommandID: fmt.Sprintf("r%d-%d", r, i), Payload: benchPayload})
			if err != nil {
				return benchRow{}, err
			}
			oursSeq, sample = got[0].Seq, got[0].Raw
		}
		ours += time.Since(start)
		start = time.Now()
		for range n / rounds {
			m := nats.NewMsg(events.Subject("bench-raw", "decision.vote-cast"))
			m.Data = sample
			m.Header.Set(jetstream.ExpectedLastSubjSeqHeader, strconv.FormatUint(rawSeq, 10))
			m.Header.Set(jetstream.ExpectedLastSubjSeqSubjHeader, events.ConsortiumSubjects("bench-raw"))
			ack, err := b.log.JetStream().PublishMsg(b.ctx, m)
			if err != nil {
				return benchRow{}, err
			}
			rawSeq = ack.Sequence
		}
		raw += time.Since(start)
	}
	done := float64(n / rounds * rounds)
	return benchRow{"append one event (with sequence check)", "appends/s", done / ours.Seconds(), done / raw.Seconds()}, nil
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
		got, err := b.log.Append(b.ctx, c, heads[c], events.Draft{Type: "decision.vote-cast", Payload: benchPayload})
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
		if err := rawReplay(b.ctx, b.log.JetStream(), last); err != nil {
			return benchRow{}, err
		}
		raw += time.Since(start)
	}
	total := float64(last) * float64(rounds)
	return benchRow{fmt.Sprintf("replay %d events", last), "events/s", total / ours.Seconds(), total / raw.Seconds()}, nil
}

// rawReplay reads the stream up to sequence last with an ordered consumer and does
// nothing with the messages.
func rawReplay(ctx context.Context, js jetstream.JetStream, last uint64) error {
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
	for {
		m, err := it.Next(jetstream.NextContext(ctx))
		if err != nil {
			return err
		}
		md, err := m.Metadata()
		if err != nil {
			return err
		}
		if md.Sequence.Stream >= last {
			return nil
		}
	}
}

func printBench(w io.Writer, rows []benchRow) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "MEASURE\tGOVLEDGER\tRAW JETSTREAM\tRATIO")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%.0f %s\t%.0f %s\t%.2f\n", r.name, r.ours, r.unit, r.raw, r.unit, r.ours/r.raw)
	}
	tw.Flush()
}
