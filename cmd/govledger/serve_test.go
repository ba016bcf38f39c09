package main

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"
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

func TestServeRefusesABadSyncPolicy(t *testing.T) {
	var out, errOut syncBuffer
	code := Main(context.Background(), []string{"serve", "--data", t.TempDir(), "--sync", "sometimes"}, &out, &errOut)
	if code == 0 || !strings.Contains(errOut.String(), `--sync is "sometimes"; use always or interval`) {
		t.Fatalf("exit %d, stderr %q", code, errOut.String())
	}
}
