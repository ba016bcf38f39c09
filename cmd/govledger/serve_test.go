package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// syncBuffer is written by serve while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

func TestServeStartsAndStopsCleanly(t *testing.T) {
	dir := t.TempDir()
	for run := range 2 { // the second start finds the first one's stream and keeps it
		ctx, cancel := context.WithCancel(context.Background())
		var out, errOut syncBuffer
		done := make(chan int)
		go func() {
			done <- Main(ctx, []string{"serve", "--data", dir, "--nats-port", "-1", "--http", "127.0.0.1:0"}, &out, &errOut)
		}()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(out.String(), "govledger serving") && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if !strings.Contains(out.String(), "HTTP API on http://127.0.0.1:") || !strings.Contains(out.String(), "ledger data in "+dir) || !strings.Contains(out.String(), "members subscribe on nats://127.0.0.1:") {
			t.Fatalf("run %d printed %q (stderr %q)", run, out.String(), errOut.String())
		}
		cancel()
		if code := <-done; code != 0 {
			t.Fatalf("run %d exited %d: %s", run, code, errOut.String())
		}
	}
}

// Started on a ledger with a history, serve loads every consortium's state in the
// background and says so, so that no steering group's first command waits for it.
func TestServeLoadsEveryConsortiumOnStart(t *testing.T) {
	dir := t.TempDir()
	p, err := startLedger(context.Background(), serveOptions{dataDir: dir, httpAddr: "127.0.0.1:0", natsPort: -1, syncMode: "interval"})
	if err != nil {
		t.Fatal(err)
	}
	run(t, p.httpURL, "form", "../../examples/synergy/consortium.yaml", "--terms", "../../examples/synergy/terms.yaml", "--occurred", "2026-04-01")
	run(t, p.httpURL, "serve-notice", "pennine-care", "--occurred", "2026-04-02")
	p.stop()

	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"serve", "--data", dir, "--nats-port", "-1", "--http", "127.0.0.1:0"}, &out, &errOut)
	}()
	const want = "govledger: the state of 1 consortium is loaded, from 2 events, in "
	deadline := time.Now().Add(20 * time.Second)
	for !strings.Contains(out.String(), want) && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	if code := <-done; code != 0 || !strings.Contains(out.String(), want) {
		t.Fatalf("serve exited %d and printed %q, want a line with %q (stderr %q)", code, out.String(), want, errOut.String())
	}
	if i, j := strings.Index(out.String(), "govledger serving"), strings.Index(out.String(), want); i < 0 || j < i {
		t.Errorf("the line on loading comes before the line saying where serve listens:\n%s", out.String())
	}
}

func TestServeRefusesABadSyncPolicy(t *testing.T) {
	var out, errOut syncBuffer
	code := Main(context.Background(), []string{"serve", "--data", t.TempDir(), "--sync", "sometimes"}, &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), `--sync is "sometimes"; use always or interval`) {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}

// Members subscribe to a consortium's changes with any NATS client, on serve's NATS
// port, by subject: gov.<consortium>.<noun>.<verb>.
func TestMembersSubscribeOverNATS(t *testing.T) {
	p, err := startLedger(context.Background(), serveOptions{dataDir: t.TempDir(), httpAddr: "127.0.0.1:0", natsPort: -1, syncMode: "interval"})
	if err != nil {
		t.Fatal(err)
	}
	defer p.stop()
	nc, err := nats.Connect(p.server.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	membership, err := nc.SubscribeSync("gov.synergy.partner.>")
	if err != nil {
		t.Fatal(err)
	}
	carried, err := nc.SubscribeSync("gov.*.decision.carried")
	if err != nil {
		t.Fatal(err)
	}
	nc.Flush()
	run(t, p.httpURL, "form", "../../examples/synergy/consortium.yaml", "--terms", "../../examples/synergy/terms.yaml", "--occurred", "2026-04-01")
	run(t, p.httpURL, "serve-notice", "pennine-care", "--occurred", "2026-04-02")
	run(t, p.httpURL, "record-decision", "venue", "--title", "Meet at the wellbeing centre", "--attendance", "anchorpoint,stockport-mind",
		"--vote", "anchorpoint=for", "--vote", "stockport-mind=for", "--occurred", "2026-04-03")

	m, err := membership.NextMsg(10 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var e struct {
		Type    string `json:"type"`
		Payload struct {
			Partner string `json:"partner"`
		} `json:"payload"`
	}
	if err := json.Unmarshal(m.Data, &e); err != nil || m.Subject != "gov.synergy.partner.notice-served" || e.Type != "partner.notice-served" || e.Payload.Partner != "pennine-care" {
		t.Fatalf("membership subscriber got %s %s (%v)", m.Subject, m.Data, err)
	}
	if m, err := carried.NextMsg(10 * time.Second); err != nil || m.Subject != "gov.synergy.decision.carried" {
		t.Fatalf("carried subscriber: %v %v", m, err)
	}
	if m, err := membership.NextMsg(200 * time.Millisecond); err == nil {
		t.Fatalf("membership subscriber also got %s", m.Subject)
	}
}
