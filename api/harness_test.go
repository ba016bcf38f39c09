package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/govledger/govledger/api"
	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
	"sigs.k8s.io/yaml"
)

// ledgerAPI is the HTTP API over a ledger on a real embedded server.
type ledgerAPI struct {
	url    string
	http   *httptest.Server
	log    *events.Log
	models *projections.Runner
	api    *api.Server
	client *api.Client // acts as colin-mccabe of Anchorpoint
	key    audit.Key
}

// today is the clock of the API under test, for commands that do not say when.
var today = time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)

func start(t *testing.T) *ledgerAPI {
	t.Helper()
	s := embedded.StartForTest(t, "")
	log, err := events.Open(context.Background(), embedded.ConnectForTest(t, s), events.Options{})
	if err != nil {
		t.Fatal(err)
	}
	models := projections.NewRunner(log)
	ctx, cancel := context.WithCancel(context.Background())
	var runs sync.WaitGroup
	runs.Go(func() { models.Run(ctx) })
	key, err := audit.LoadOrCreateKey(filepath.Join(t.TempDir(), audit.KeyFile), "govledger.test/synergy")
	if err != nil {
		t.Fatal(err)
	}
	witness := audit.NewWitness(log, key)
	runs.Go(func() { witness.Run(ctx) })
	srv := api.New(api.Config{Ledger: ledger.New(log), Log: log, Models: models, Witness: witness,
		Now: func() time.Time { return today }, WaitLimit: time.Second})
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { cancel(); hs.Close(); runs.Wait() })
	client, err := api.NewClient(hs.URL, "colin-mccabe@anchorpoint")
	if err != nil {
		t.Fatal(err)
	}
	return &ledgerAPI{key: key, url: hs.URL, http: hs, log: log, models: models, api: srv, client: client}
}

// on is a day of Synergy Stockport's first year, which starts on 1 April 2026.
func on(day int) time.Time { return time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC).AddDate(0, 0, day) }

// formation is the example partnership's consortium file with its terms, as a body.
func formation(t *testing.T) map[string]any {
	t.Helper()
	body := readYAML(t, "../examples/synergy/consortium.yaml")
	data, err := os.ReadFile("../examples/synergy/terms.yaml")
	if err != nil {
		t.Fatal(err)
	}
	terms, err := g.ParseTerms(data)
	if err != nil {
		t.Fatal(err)
	}
	body["terms"] = terms
	body["at"] = on(0)
	return body
}

func readYAML(t *testing.T, name string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// do sends a command that must be recorded and returns what it recorded.
func (l *ledgerAPI) do(t *testing.T, path string, body map[string]any) api.CommandResult {
	t.Helper()
	res, err := l.client.Command(context.Background(), path, body, "")
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	return res
}

// formed is the API with Synergy Stockport formed.
func formed(t *testing.T) *ledgerAPI {
	l := start(t)
	l.do(t, "/v1/consortia", formation(t))
	return l
}

func types(res api.CommandResult) []string {
	var ts []string
	for _, e := range res.Events {
		ts = append(ts, e.Type)
	}
	return ts
}
