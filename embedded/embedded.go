package embedded

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// DefaultDataDir is where the ledger keeps its JetStream files when no folder is given.
const DefaultDataDir = "./govledger-data"

// Sync says when JetStream forces its writes to disk; see the package doc for the trade-off.
type Sync int

const (
	// SyncInterval lets the server fsync on its own interval (fast; a power cut may lose
	// the last interval's acknowledged events).
	SyncInterval Sync = iota
	// SyncAlways fsyncs before every acknowledgement (slow; loses nothing acknowledged).
	SyncAlways
)

// Config describes the in-process server.
type Config struct {
	// DataDir holds JetStream's files. Empty means DefaultDataDir.
	DataDir string
	// ClientPort is the port members' NATS clients connect to. 0 means no client
	// port at all (the ledger talks to the server in-process); -1 means any free port.
	ClientPort int
	// Host is the interface the client and cluster ports listen on; empty means 127.0.0.1.
	Host string
	// Sync chooses the fsync policy.
	Sync Sync
	// SyncEvery overrides the server's fsync interval under SyncInterval (0: server default).
	SyncEvery time.Duration

	// Cluster joins this server to a JetStream cluster. ServerName and ClusterName
	// must be set; ClusterPort is this node's route port; Routes are the other nodes.
	ServerName  string
	ClusterName string
	ClusterPort int
	Routes      []string

	// Logging sends the server's own log lines to stderr.
	Logging bool
}

// Server is a running in-process nats-server with JetStream.
type Server struct {
	ns      *server.Server
	dataDir string
}

// Start starts the server and waits until it accepts connections and JetStream is ready.
func Start(cfg Config) (*Server, error) {
	dataDir := cfg.DataDir
	if dataDir == "" {
		dataDir = DefaultDataDir
	}
	abs, err := filepath.Abs(dataDir)
	if err != nil {
		return nil, fmt.Errorf("data folder %q: %w", dataDir, err)
	}
	if err := os.MkdirAll(abs, 0o750); err != nil {
		return nil, fmt.Errorf("data folder %q: %w", abs, err)
	}
	host := cfg.Host
	if host == "" {
		host = "127.0.0.1"
	}
	opts := &server.Options{
		ServerName: cfg.ServerName,
		Host:       host,
		Port:       cfg.ClientPort,
		DontListen: cfg.ClientPort == 0 && cfg.ClusterName == "",
		JetStream:  true,
		StoreDir:   abs,
		NoSigs:     true,
		// Events are small; the limit keeps one oversized payload from reaching the store.
		MaxPayload: 1 << 20,
		SyncAlways: cfg.Sync == SyncAlways,
	}
	if cfg.SyncEvery > 0 {
		opts.SyncInterval = cfg.SyncEvery
	}
	if opts.Port == 0 && !opts.DontListen {
		opts.Port = -1
	}
	if cfg.ClusterName != "" {
		if cfg.ServerName == "" {
			return nil, errors.New("a clustered server needs a server name")
		}
		opts.Cluster = server.ClusterOpts{Name: cfg.ClusterName, Host: host, Port: cfg.ClusterPort}
		for _, r := range cfg.Routes {
			u, err := url.Parse(r)
			if err != nil {
				return nil, fmt.Errorf("cluster route %q: %w", r, err)
			}
			opts.Routes = append(opts.Routes, u)
		}
	}
	// nats-server retries a port in use and never becomes ready: say so at once.
	for _, port := range []struct {
		what string
		n    int
	}{{"NATS port", opts.Port}, {"cluster port", opts.Cluster.Port}} {
		if port.n > 0 {
			addr := net.JoinHostPort(host, strconv.Itoa(port.n))
			ln, err := net.Listen("tcp", addr)
			if err != nil {
				return nil, fmt.Errorf("the %s %s is in use (by another ledger or NATS server?): %w", port.what, addr, err)
			}
			ln.Close()
		}
	}
	ns, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("nats-server: %w", err)
	}
	if cfg.Logging {
		ns.ConfigureLogger()
	}
	ns.Start()
	if !ns.ReadyForConnections(30 * time.Second) {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("nats-server with data in %s did not become ready within 30s", abs)
	}
	return &Server{ns: ns, dataDir: abs}, nil
}

// Connect opens a client connection to the server, in-process when it has no client port.
func (s *Server) Connect(opts ...nats.Option) (*nats.Conn, error) {
	opts = append([]nats.Option{nats.InProcessServer(s.ns), nats.Name("govledger")}, opts...)
	return nats.Connect("", opts...)
}

// ClientURL is where NATS clients (members' subscriptions, other govledger processes)
// connect, or "" when the server has no client port.
func (s *Server) ClientURL() string {
	if s.ns.Addr() == nil {
		return ""
	}
	return s.ns.ClientURL()
}

// DataDir is the absolute path of the folder JetStream stores its files in.
func (s *Server) DataDir() string { return s.dataDir }

// NATS exposes the underlying server, for tests that need to reach into it.
func (s *Server) NATS() *server.Server { return s.ns }

// Shutdown stops the server and waits until it has flushed and closed its files.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

// ConnectURL connects to an existing NATS server or cluster (a comma-separated list of
// URLs), retrying reconnects forever so that a lost node does not end the ledger.
func ConnectURL(urls string, opts ...nats.Option) (*nats.Conn, error) {
	opts = append([]nats.Option{nats.Name("govledger"), nats.MaxReconnects(-1)}, opts...)
	nc, err := nats.Connect(urls, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to NATS at %s: %w", urls, err)
	}
	return nc, nil
}
