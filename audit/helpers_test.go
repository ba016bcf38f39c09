package audit_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	"github.com/nats-io/nats.go"
)

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

// ledger is a log on a real embedded server with its data in dir.
type ledger struct {
	server *embedded.Server
	nc     *nats.Conn
	log    *events.Log
}

func openLedger(t testing.TB, dir string) ledger {
	t.Helper()
	s := embedded.StartForTest(t, dir)
	nc := embedded.ConnectForTest(t, s)
	log, err := events.Open(ctx(t), nc, events.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ledger{server: s, nc: nc, log: log}
}

// history appends a partnership's life to three consortia, interleaved, one command at a
// time: perConsortium events each. Every payload names its consortium and position
// ("synergy-3"), so a test can find an event's bytes on disk. The payloads carry
// characters that encoding/json would escape, to prove that stored bytes travel verbatim.
func history(t testing.TB, log *events.Log, perConsortium int) []events.Envelope {
	t.Helper()
	consortia := []string{"synergy", "essex-alliance", "north-collab"}
	var all []events.Envelope
	for i := range perConsortium {
		for _, c := range consortia {
			typ := "decision.vote-cast"
			if i == 0 {
				typ = "consortium.formed"
			}
			payload, _ := json.Marshal(map[string]string{"mark": fmt.Sprintf("%s-%d", c, i), "note": "a < b & c > d \u2028"})
			head, err := log.Head(ctx(t), c)
			if err != nil {
				t.Fatal(err)
			}
			got, err := log.Append(ctx(t), c, head.Seq, events.Draft{
				Type: typ, Payload: payload,
				Actor: events.Actor{Person: "amina-okafor", Partner: "brightside-vcs"},
			})
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, got...)
		}
	}
	return all
}

// key is a checkpoint key in a temporary folder.
func key(t testing.TB, origin string) audit.Key {
	t.Helper()
	k, err := audit.LoadOrCreateKey(filepath.Join(t.TempDir(), "checkpoint.key"), origin)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// mustFault asserts that err is a *audit.Fault and returns it.
func mustFault(t testing.TB, err error) *audit.Fault {
	t.Helper()
	f, ok := err.(*audit.Fault)
	if !ok {
		t.Fatalf("want a *audit.Fault, got %T: %v", err, err)
	}
	return f
}
