package main

import (
	"fmt"
	"os"

	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	"github.com/nats-io/nats.go"
	"github.com/spf13/cobra"
)

func newServe() *cobra.Command {
	var (
		dataDir  string
		natsPort int
		host     string
		syncMode string
		natsURL  string
		replicas int
	)
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the ledger on an embedded NATS server with its data in a local folder",
		Long: `Run the ledger. By default it starts an embedded NATS server with JetStream, keeps
its data in --data, and listens for NATS clients on --nats-port so that members can
subscribe to gov.<consortium>.> with any NATS client. With --nats it uses an existing
NATS server or cluster instead. It runs until interrupted (Ctrl-C), then shuts down cleanly.`,
		Example: `  govledger serve
  govledger serve --data /var/lib/govledger --nats-port 4222 --sync always
  govledger serve --nats nats://n1:4222,nats://n2:4222,nats://n3:4222 --replicas 3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var sync embedded.Sync
			switch syncMode {
			case "interval":
				sync = embedded.SyncInterval
			case "always":
				sync = embedded.SyncAlways
			default:
				return usageError{fmt.Errorf("--sync is %q; use always or interval", syncMode)}
			}
			ctx := cmd.Context()
			var nc *nats.Conn
			where := ""
			if natsURL != "" {
				c, err := embedded.ConnectURL(natsURL)
				if err != nil {
					return err
				}
				nc, where = c, "ledger on NATS at "+natsURL
			} else {
				s, err := embedded.Start(embedded.Config{DataDir: dataDir, ClientPort: natsPort, Host: host, Sync: sync})
				if err != nil {
					return err
				}
				defer s.Shutdown()
				c, err := s.Connect()
				if err != nil {
					return err
				}
				nc = c
				where = "ledger data in " + s.DataDir()
				if u := s.ClientURL(); u != "" {
					where += ", members subscribe on " + u
				}
			}
			defer nc.Close()
			log, err := events.Open(ctx, nc, events.Options{Replicas: replicas})
			if err != nil {
				return err
			}
			last, err := log.LastSeq(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "govledger serving: %s; %d events recorded\n", where, last)
			<-ctx.Done()
			fmt.Fprintln(cmd.OutOrStdout(), "govledger: shutting down")
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&dataDir, "data", envOr("GOVLEDGER_DATA", embedded.DefaultDataDir), "folder for the ledger's JetStream files ($GOVLEDGER_DATA)")
	f.IntVar(&natsPort, "nats-port", 4222, "port members' NATS clients connect to (0: none, -1: any free port)")
	f.StringVar(&host, "host", "127.0.0.1", "interface the NATS port listens on")
	f.StringVar(&syncMode, "sync", "interval", "when JetStream fsyncs: always (nothing acknowledged is lost on power failure; slower) or interval")
	f.StringVar(&natsURL, "nats", os.Getenv("GOVLEDGER_NATS"), "use an existing NATS server or cluster at these URLs instead of the embedded one ($GOVLEDGER_NATS)")
	f.IntVar(&replicas, "replicas", 1, "stream replicas (3 on a 3-node cluster)")
	return cmd
}

// usageError is a mistake in how a verb was called.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
