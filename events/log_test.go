package events_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/events/eventstest"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

func openLog(t *testing.T, nc *nats.Conn, replicas int) *events.Log {
	t.Helper()
	log, err := events.Open(context.Background(), nc, events.Options{Replicas: replicas})
	if err != nil {
		t.Fatalf("open log: %v", err)
	}
	return log
}

func TestLogOnEmbeddedServer(t *testing.T) {
	eventstest.Run(t, func(t *testing.T) eventstest.Harness {
		dir := t.TempDir()
		s := embedded.StartForTest(t, dir)
		return eventstest.Harness{
			Log: openLog(t, embedded.ConnectForTest(t, s), 1),
			Restart: func(t *testing.T) *events.Log {
				s.Shutdown()
				s = embedded.StartForTest(t, dir)
				return openLog(t, embedded.ConnectForTest(t, s), 1)
			},
		}
	})
}

func TestLogOnThreeNodeCluster(t *testing.T) {
	if testing.Short() {
		t.Skip("a three-node cluster per subtest is slow; run without -short")
	}
	eventstest.Run(t, func(t *testing.T) eventstest.Harness {
		c := embedded.StartClusterForTest(t, 3)
		connect := func(t *testing.T) *events.Log {
			nc, err := embedded.ConnectURL(c.URLs())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(nc.Close)
			return openClusterLog(t, nc)
		}
		return eventstest.Harness{
			Log: connect(t),
			Restart: func(t *testing.T) *events.Log {
				// A rolling restart: the stream keeps a quorum throughout.
				for i := range c.Servers {
					c.Restart(i)
					waitReplicasCurrent(t, c.URLs())
				}
				return connect(t)
			},
		}
	})
}

// openClusterLog opens the log with three replicas once the cluster has elected a leader,
// which on a busy 2-core machine, with the race detector, can take most of a minute.
func openClusterLog(t *testing.T, nc *nats.Conn) *events.Log {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		log, err := events.Open(ctx, nc, events.Options{Replicas: 3})
		cancel()
		if err == nil {
			return log
		}
		if time.Now().After(deadline) {
			t.Fatalf("open log on the cluster: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// waitReplicasCurrent waits until the stream has a leader and every replica has caught up.
func waitReplicasCurrent(t *testing.T, urls string) {
	t.Helper()
	nc, err := embedded.ConnectURL(urls)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	js, _ := jetstream.New(nc)
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s, err := js.Stream(ctx, events.StreamName)
		var info *jetstream.StreamInfo
		if err == nil {
			info, err = s.Info(ctx)
		}
		cancel()
		if err == nil && info.Cluster != nil && info.Cluster.Leader != "" && len(info.Cluster.Replicas) == 2 {
			current := true
			for _, r := range info.Cluster.Replicas {
				current = current && r.Current && !r.Offline
			}
			if current {
				return
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("stream replicas did not catch up within 30s")
}

// An auditor's reader finds the record or says there is none, and creates nothing.
func TestOpenExistingCreatesNothing(t *testing.T) {
	nc := embedded.ConnectForTest(t, embedded.StartForTest(t, ""))
	if _, err := events.OpenExisting(context.Background(), nc, events.Options{}); !errors.Is(err, events.ErrNotFound) {
		t.Fatalf("open a server with no record: %v, want ErrNotFound", err)
	}
	js, _ := jetstream.New(nc)
	if _, err := js.Stream(context.Background(), events.StreamName); !errors.Is(err, jetstream.ErrStreamNotFound) {
		t.Fatalf("the stream is there after OpenExisting: %v", err)
	}
	if _, err := openLog(t, nc, 1).Append(context.Background(), "synergy", 0, events.Draft{Type: "consortium.formed"}); err != nil {
		t.Fatal(err)
	}
	log, err := events.OpenExisting(context.Background(), nc, events.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if last, err := log.LastSeq(context.Background()); err != nil || last != 1 {
		t.Fatalf("last sequence %d, %v; want 1", last, err)
	}
}

// A node that was down comes back behind the others. A read's consumer may be placed
// on it while it catches up; the read must still hand over every event the leader had
// acknowledged, not stop where the lagging node's copy ends.
func TestReadsWaitForALaggingReplica(t *testing.T) {
	if testing.Short() {
		t.Skip("a three-node cluster is slow; run without -short")
	}
	c := embedded.StartClusterForTest(t, 3)
	nc, err := embedded.ConnectURL(c.URLs())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	log := openClusterLog(t, nc)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if _, err := log.Append(ctx, "synergy", 0, events.Draft{Type: "consortium.formed", CommandID: "form"}); err != nil {
		t.Fatal(err)
	}
	waitReplicasCurrent(t, c.URLs())
	js, _ := jetstream.New(nc)
	s, err := js.Stream(ctx, events.StreamName)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// The lagging node leads neither the stream nor the cluster's metadata (reads
	// create consumers, which waits for a metadata leader), and the reader is a client
	// of another node, so that losing this one does not cut it off in mid-append.
	lagging := -1
	for i, s := range c.Servers {
		if s.NATS().Name() != info.Cluster.Leader && !s.NATS().JetStreamIsLeader() {
			lagging = i
			break
		}
	}
	reader, err := embedded.ConnectURL(c.Servers[(lagging+1)%len(c.Servers)].ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(reader.Close)
	log = openClusterLog(t, reader)
	c.Stop(lagging)
	head := uint64(1)
	for i := range 10 {
		drafts := make([]events.Draft, 100)
		for j := range drafts {
			drafts[j] = events.Draft{Type: "decision.vote-cast", CommandID: fmt.Sprintf("vote-%d", i)}
		}
		got, err := log.Append(ctx, "synergy", head, drafts...)
		if err != nil {
			t.Fatal(err)
		}
		head = got[len(got)-1].Seq
	}
	c.Restart(lagging)
	for round := range 10 {
		read, err := log.Read(ctx, "synergy", 0)
		if err != nil {
			t.Fatal(err)
		}
		if uint64(len(read)) != head {
			t.Fatalf("read %d: %d events, want %d", round, len(read), head)
		}
		replayed := uint64(0)
		if err := log.Replay(ctx, 0, func(events.Envelope) error { replayed++; return nil }); err != nil {
			t.Fatal(err)
		}
		if replayed != head {
			t.Fatalf("replay %d: %d events, want %d", round, replayed, head)
		}
	}
}
