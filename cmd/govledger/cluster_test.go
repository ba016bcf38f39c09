package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/govledger/govledger/api"
	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	"github.com/nats-io/nats.go/jetstream"
)

// TestNodeLostUnderLoad runs the ledger, as serve does, on a three-node JetStream
// cluster with three replicas, and stops one node while steering groups of four
// consortia keep recording: every command the ledger acknowledged is in the log exactly
// once, and the log verifies.
func TestNodeLostUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("a three-node cluster under load is slow; run without -short")
	}
	c := embedded.StartClusterForTest(t, 3)
	var p *ledgerProcess
	deadline := time.Now().Add(90 * time.Second) // a busy machine elects slowly
	for {
		var err error
		p, err = startLedger(context.Background(), serveOptions{natsURL: c.URLs(), replicas: 3, httpAddr: "127.0.0.1:0",
			syncMode: "interval", keyFile: filepath.Join(t.TempDir(), audit.KeyFile)})
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("start the ledger on the cluster: %v", err)
		}
		time.Sleep(200 * time.Millisecond) // the cluster is electing its meta leader
	}
	defer p.stop()

	consortia := []string{"synergy", "lambeth", "sheffield", "earls-court"}
	example, err := os.ReadFile("../../examples/synergy/consortium.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range consortia {
		file := filepath.Join(t.TempDir(), id+".yaml")
		os.WriteFile(file, bytes.Replace(example, []byte("consortium: synergy"), []byte("consortium: "+id), 1), 0o644)
		run(t, p.httpURL, "form", file, "--terms", "../../examples/synergy/terms.yaml", "--occurred", "2026-04-01")
	}
	// Each steering group raises disputes, one command at a time, retrying a command
	// the ledger could not answer (a leader election) with the same command id.
	const perConsortium = 60
	var (
		mu    sync.Mutex
		acked = map[string]uint64{} // command id → the sequence it was acknowledged at
	)
	var wg sync.WaitGroup
	for _, id := range consortia {
		wg.Go(func() {
			cl, _ := api.NewClient(p.httpURL, "ruth-ellis@stockport-mind")
			for i := range perConsortium {
				cmdID := fmt.Sprintf("%s-%d", id, i)
				body := map[string]any{"at": time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC), "dispute": fmt.Sprintf("d%d", i),
					"raised_by": "stockport-mind", "parties": []string{"anchorpoint"}, "matter": "Room bookings"}
				for attempt := 0; ; attempt++ {
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					res, err := cl.Command(ctx, "/v1/consortia/"+id+"/disputes", body, cmdID)
					cancel()
					if err == nil {
						mu.Lock()
						acked[cmdID] = res.Seq
						mu.Unlock()
						break
					}
					var ae *api.Error
					if attempt == 30 || errors.As(err, &ae) && (ae.Code == api.CodeInvalid || ae.Code == api.CodeForbidden || ae.Code == api.CodeNotFound) {
						t.Errorf("%s: %v", cmdID, err)
						return
					}
					time.Sleep(200 * time.Millisecond)
				}
			}
		})
	}
	writing := make(chan struct{})
	go func() { wg.Wait(); close(writing) }()
	// A node is lost once the writers are under way (or, should they all have given
	// up, at once: what they said is the test's failure, not a wait for ever).
	for under := false; !under; {
		select {
		case <-writing:
			under = true
		case <-time.After(10 * time.Millisecond):
			mu.Lock()
			under = len(acked) >= len(consortia)*perConsortium/4
			mu.Unlock()
		}
	}
	// The stream's leader, so that the cluster must elect another while appends go on.
	leader := streamLeader(t, p)
	c.Stop(leader)
	wg.Wait()
	if after := streamLeader(t, p); after == leader {
		t.Fatalf("node-%d is still the stream leader after it was stopped", leader+1)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	seen := map[string]int{}
	for _, id := range consortia {
		evs, err := p.log.Read(ctx, id, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			seen[e.CommandID]++
		}
	}
	if len(acked) != len(consortia)*perConsortium {
		t.Fatalf("%d commands acknowledged, want %d", len(acked), len(consortia)*perConsortium)
	}
	for cmdID, seq := range acked {
		if seen[cmdID] != 1 {
			t.Errorf("command %s, acknowledged at sequence %d, is in the log %d times", cmdID, seq, seen[cmdID])
		}
	}
	if _, err := audit.Verify(ctx, p.log, withRules(audit.Options{})); err != nil {
		t.Fatalf("the log after losing a node: %v", err)
	}
}

// streamLeader is the index of the node that leads the ledger's stream.
func streamLeader(t *testing.T, p *ledgerProcess) int {
	t.Helper()
	for range 100 {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		s, err := p.log.JetStream().Stream(ctx, events.StreamName)
		var info *jetstream.StreamInfo
		if err == nil {
			info, err = s.Info(ctx)
		}
		cancel()
		var n int
		if err == nil && info.Cluster != nil {
			if _, err := fmt.Sscanf(info.Cluster.Leader, "node-%d", &n); err == nil {
				return n - 1
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("the stream has no leader")
	return 0
}
