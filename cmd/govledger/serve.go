package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/govledger/govledger/api"
	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/spf13/cobra"
)

// serveOptions are serve's flags.
type serveOptions struct {
	dataDir  string
	natsPort int
	host     string
	httpAddr string
	syncMode string
	natsURL  string
	replicas int
	keyFile  string
	origin   string
	// now is the clock (default time.Now); tests fix it so that what is in force
	// "today" does not change under them.
	now func() time.Time
}

func newServe() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the ledger: embedded NATS with its data in a local folder, and the HTTP API",
		Long: `Run the ledger. By default it starts an embedded NATS server with JetStream, keeps
its data in --data, serves the HTTP API on --http (which the other verbs of this
command talk to), and listens for NATS clients on --nats-port so that members can
subscribe to gov.<consortium>.> with any NATS client. With --nats it uses an existing
NATS server or cluster instead of the embedded one. It runs until interrupted
(Ctrl-C), then shuts down cleanly; starting it again on the same folder keeps every
event.`,
		Example: `  govledger serve
  govledger serve --data /var/lib/govledger --http 0.0.0.0:8080 --sync always
  govledger serve --nats nats://n1:4222,nats://n2:4222,nats://n3:4222 --replicas 3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p, err := startLedger(cmd.Context(), o)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "govledger serving: %s\n", p.where)
			var runErr error
			for running := true; running; {
				select {
				case <-cmd.Context().Done():
					running = false
				case runErr = <-p.failed:
					running = false
				case note := <-p.warmed:
					if note != "" {
						fmt.Fprintln(cmd.OutOrStdout(), note)
					}
				}
			}
			fmt.Fprintln(cmd.OutOrStdout(), "govledger: shutting down")
			p.stop()
			return runErr
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.dataDir, "data", envOr("GOVLEDGER_DATA", embedded.DefaultDataDir), "folder for the ledger's JetStream files ($GOVLEDGER_DATA)")
	f.StringVar(&o.httpAddr, "http", envOr("GOVLEDGER_HTTP", "127.0.0.1:8080"), "address the HTTP API listens on ($GOVLEDGER_HTTP)")
	f.IntVar(&o.natsPort, "nats-port", 4222, "port members' NATS clients connect to (0: none, -1: any free port)")
	f.StringVar(&o.host, "host", "127.0.0.1", "interface the NATS port listens on")
	f.StringVar(&o.syncMode, "sync", "interval", "when JetStream fsyncs: always (nothing acknowledged is lost on power failure; slower) or interval")
	f.StringVar(&o.natsURL, "nats", os.Getenv("GOVLEDGER_NATS"), "use an existing NATS server or cluster at these URLs instead of the embedded one ($GOVLEDGER_NATS)")
	f.IntVar(&o.replicas, "replicas", 1, "stream replicas (3 on a 3-node cluster)")
	f.StringVar(&o.keyFile, "key", os.Getenv("GOVLEDGER_KEY"), "the ledger's checkpoint signing key file, created if missing (default: "+audit.KeyFile+" in --data; required with --nats) ($GOVLEDGER_KEY)")
	f.StringVar(&o.origin, "origin", os.Getenv("GOVLEDGER_ORIGIN"), "the ledger's name in the checkpoints it signs, when its key is created (default govledger/<hostname>) ($GOVLEDGER_ORIGIN)")
	return cmd
}

// ledgerProcess is a running ledger: NATS, the log, the command path, the read models
// and the HTTP API.
type ledgerProcess struct {
	server   *embedded.Server // nil on an existing NATS server
	nc       *nats.Conn
	log      *events.Log
	models   *projections.Runner
	witness  *audit.Witness
	http     *http.Server
	httpURL  string
	where    string      // one line: where each part listens and where the data is
	failed   chan error  // a part that stopped on its own
	warmed   chan string // one line, once, on loading every consortium's state ("": nothing to say)
	stopRuns context.CancelFunc
	runsDone chan struct{}
}

// replicasNotSupported is JetStream's error code for a stream of several replicas on a
// server that is not clustered (nats-server's JSStreamReplicasNotSupportedErr).
const replicasNotSupported jetstream.ErrorCode = 10074

// startLedger starts every part of the ledger; stop ends them in order.
func startLedger(ctx context.Context, o serveOptions) (_ *ledgerProcess, err error) {
	var fsync embedded.Sync
	switch o.syncMode {
	case "interval":
		fsync = embedded.SyncInterval
	case "always":
		fsync = embedded.SyncAlways
	default:
		return nil, usageError{fmt.Errorf("--sync is %q; use always or interval", o.syncMode)}
	}
	if o.replicas > 1 && o.natsURL == "" {
		return nil, usageError{fmt.Errorf("--replicas %d needs a NATS cluster of at least %d servers: give its URLs with --nats", o.replicas, o.replicas)}
	}
	p := &ledgerProcess{failed: make(chan error, 3), warmed: make(chan string, 1), runsDone: make(chan struct{})}
	defer func() {
		if err != nil {
			p.stop()
		}
	}()
	var where []string
	if o.natsURL != "" {
		if p.nc, err = embedded.ConnectURL(o.natsURL); err != nil {
			return nil, err
		}
		where = append(where, "ledger on NATS at "+o.natsURL)
	} else {
		if p.server, err = embedded.Start(embedded.Config{DataDir: o.dataDir, ClientPort: o.natsPort, Host: o.host, Sync: fsync}); err != nil {
			return nil, err
		}
		if p.nc, err = p.server.Connect(); err != nil {
			return nil, err
		}
		where = append(where, "ledger data in "+p.server.DataDir())
		if u := p.server.ClientURL(); u != "" {
			where = append(where, "members subscribe on "+u)
		}
	}
	if p.log, err = events.Open(ctx, p.nc, events.Options{Replicas: o.replicas}); err != nil {
		var apiErr *jetstream.APIError
		if errors.As(err, &apiErr) && apiErr.ErrorCode == replicasNotSupported {
			return nil, usageError{fmt.Errorf("--replicas %d: the NATS server at %s is not a cluster, so it keeps one copy of the log (--replicas 1)", o.replicas, o.natsURL)}
		}
		return nil, err
	}
	last, err := p.log.LastSeq(ctx)
	if err != nil {
		return nil, err
	}
	keyFile := o.keyFile
	if keyFile == "" {
		if p.server == nil {
			return nil, usageError{errors.New("with --nats, give --key FILE for the ledger's checkpoint key (it is created there if missing)")}
		}
		keyFile = filepath.Join(p.server.DataDir(), audit.KeyFile)
	}
	key, err := audit.LoadOrCreateKey(keyFile, o.origin)
	if err != nil {
		return nil, err
	}
	p.witness = audit.NewWitness(p.log, key)
	where = append(where, "checkpoints signed by "+key.VerifierKey)
	ln, err := net.Listen("tcp", o.httpAddr)
	if err != nil {
		return nil, fmt.Errorf("HTTP API on %s: %w", o.httpAddr, err)
	}
	p.httpURL = "http://" + ln.Addr().String()
	where = append([]string{"HTTP API on " + p.httpURL}, where...)
	p.where = strings.Join(where, ", ") + "; " + plural(int(last), "event", "events") + " recorded"

	p.models = projections.NewRunner(p.log)
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	p.stopRuns = cancel
	var runs sync.WaitGroup
	runs.Go(func() {
		if err := p.models.Run(runCtx); err != nil && runCtx.Err() == nil {
			p.failed <- fmt.Errorf("read models stopped: %w", err)
		}
	})
	runs.Go(func() {
		if err := p.witness.Run(runCtx); err != nil {
			p.failed <- fmt.Errorf("checkpoint tree stopped: %w", err)
		}
	})
	led := ledger.New(p.log)
	runs.Go(func() {
		// Commands need not wait for this: one that comes first loads its own consortium.
		start := time.Now()
		n, err := led.Warm(runCtx)
		switch {
		case runCtx.Err() != nil || last == 0:
			p.warmed <- ""
		case err != nil:
			p.warmed <- fmt.Sprintf("govledger: loading every consortium's state stopped (%v); each is loaded when it is first commanded", err)
		default:
			p.warmed <- fmt.Sprintf("govledger: the state of %s is loaded, from %s, in %s",
				plural(n, "consortium", "consortia"), plural(int(last), "event", "events"), time.Since(start).Round(time.Millisecond))
		}
	})
	go func() { runs.Wait(); close(p.runsDone) }()
	p.http = &http.Server{
		Handler:           api.New(api.Config{Ledger: led, Log: p.log, Models: p.models, Witness: p.witness, Now: o.now}),
		ReadHeaderTimeout: 10 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return runCtx },
	}
	go func() {
		if err := p.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			p.failed <- fmt.Errorf("HTTP API: %w", err)
		}
	}()
	return p, nil
}

// stop ends the parts in the order that loses nothing: no new requests, then the read
// models save their checkpoint, then NATS.
func (p *ledgerProcess) stop() {
	if p.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		p.stopRuns() // ends the event streams, which would keep Shutdown waiting
		p.http.Shutdown(ctx)
		cancel()
	}
	if p.stopRuns != nil {
		p.stopRuns()
		<-p.runsDone
	}
	if p.nc != nil {
		p.nc.Close()
	}
	if p.server != nil {
		p.server.Shutdown()
	}
}
