package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

// run runs govledger in this process against the ledger at server.
func run(t *testing.T, server string, args ...string) string {
	t.Helper()
	var out, errOut syncBuffer
	args = append([]string{"--server", server, "--as", "colin-mccabe@anchorpoint", "-c", "synergy"}, args...)
	if code := Main(context.Background(), args, &out, &errOut); code != 0 {
		t.Fatalf("govledger %s: exit %d: %s", strings.Join(args, " "), code, errOut.String())
	}
	return out.String()
}

func startForTest(t *testing.T) *ledgerProcess {
	t.Helper()
	p, err := startLedger(context.Background(), serveOptions{dataDir: t.TempDir(), httpAddr: "127.0.0.1:0", syncMode: "interval"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.stop)
	return p
}

// A watch started before a decision sees it; one started later with --since replays
// what it missed.
func TestWatch(t *testing.T) {
	p := startForTest(t)
	run(t, p.httpURL, "form", "../../examples/synergy/consortium.yaml", "--terms", "../../examples/synergy/terms.yaml", "--occurred", "2026-04-01")

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out, errOut syncBuffer
	done := make(chan int)
	go func() {
		done <- Main(ctx, []string{"--server", p.httpURL, "watch", "-c", "synergy", "--kind", "decisions"}, &out, &errOut)
	}()
	for !strings.Contains(errOut.String(), "watching synergy (decisions) after sequence 1; Ctrl-C to stop") {
		if ctx.Err() != nil {
			t.Fatalf("watch did not start: %q", errOut.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	run(t, p.httpURL, "serve-notice", "pennine-care", "--occurred", "2026-04-02")
	run(t, p.httpURL, "propose", "venue", "--title", "Meet at the wellbeing centre", "--occurred", "2026-04-03")
	for !strings.Contains(out.String(), "venue tabled") {
		if ctx.Err() != nil {
			t.Fatalf("watch printed %q", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel() // Ctrl-C
	if code := <-done; code != 0 {
		t.Fatalf("watch ended with %d: %s", code, errOut.String())
	}
	want := `3  2026-04-03 00:00  synergy  decision.proposed  venue tabled (ordinary): "Meet at the wellbeing centre", closes 2026-04-13 00:00` + "\n"
	if out.String() != want {
		t.Fatalf("watch printed\n%q\nwant only the decision\n%q", out.String(), want)
	}

	replayed := run(t, p.httpURL, "watch", "--since", "1", "--count", "2")
	if lines := strings.Split(strings.TrimSpace(replayed), "\n"); len(lines) != 2 ||
		!strings.HasPrefix(lines[0], "2  2026-04-02 00:00  synergy  partner.notice-served  pennine-care served notice") ||
		!strings.HasPrefix(lines[1], "3  2026-04-03 00:00  synergy  decision.proposed") {
		t.Fatalf("watch --since 1 printed %q", replayed)
	}
}
