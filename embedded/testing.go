package embedded

import (
	"fmt"
	"net"
	"testing"

	"github.com/nats-io/nats.go"
)

// StartForTest starts an in-process server with its data in dir (a new temporary
// folder when dir is ""), listening on a free loopback port, and shuts it down when the
// test ends. It is the one way govledger's tests get a real JetStream.
func StartForTest(tb testing.TB, dir string) *Server {
	tb.Helper()
	if dir == "" {
		dir = tb.TempDir()
	}
	s, err := Start(Config{DataDir: dir, ClientPort: -1})
	if err != nil {
		tb.Fatalf("start embedded nats-server: %v", err)
	}
	tb.Cleanup(s.Shutdown)
	return s
}

// ConnectForTest opens a client connection to s that is closed when the test ends.
func ConnectForTest(tb testing.TB, s *Server) *nats.Conn {
	tb.Helper()
	nc, err := s.Connect()
	if err != nil {
		tb.Fatalf("connect to embedded nats-server: %v", err)
	}
	tb.Cleanup(nc.Close)
	return nc
}

// Cluster is a JetStream cluster of in-process servers on loopback ports, for tests.
type Cluster struct {
	tb      testing.TB
	Servers []*Server
	configs []Config
}

// StartClusterForTest starts n servers in one JetStream cluster, each with its own
// temporary data folder, and shuts them down when the test ends.
func StartClusterForTest(tb testing.TB, n int) *Cluster {
	tb.Helper()
	ports := freePorts(tb, 2*n)
	var routes []string
	for i := range n {
		routes = append(routes, fmt.Sprintf("nats-route://127.0.0.1:%d", ports[n+i]))
	}
	c := &Cluster{tb: tb, Servers: make([]*Server, n)}
	for i := range n {
		c.configs = append(c.configs, Config{
			DataDir: tb.TempDir(), ClientPort: ports[i],
			ServerName: fmt.Sprintf("node-%d", i+1), ClusterName: "govledger-test",
			ClusterPort: ports[n+i], Routes: routes,
		})
	}
	errs := make(chan error, n)
	for i := range n {
		go func() { errs <- c.start(i) }()
	}
	for range n {
		if err := <-errs; err != nil {
			tb.Fatalf("start cluster node: %v", err)
		}
	}
	tb.Cleanup(func() {
		for _, s := range c.Servers {
			if s != nil {
				s.Shutdown()
			}
		}
	})
	return c
}

func (c *Cluster) start(i int) error {
	s, err := Start(c.configs[i])
	c.Servers[i] = s
	return err
}

// URLs is a client URL list naming every node.
func (c *Cluster) URLs() string {
	urls := ""
	for i, cfg := range c.configs {
		if i > 0 {
			urls += ","
		}
		urls += fmt.Sprintf("nats://127.0.0.1:%d", cfg.ClientPort)
	}
	return urls
}

// Stop shuts node i down, as if its machine were lost.
func (c *Cluster) Stop(i int) {
	c.Servers[i].Shutdown()
	c.Servers[i] = nil
}

// Restart starts node i again on its data folder and ports.
func (c *Cluster) Restart(i int) {
	if c.Servers[i] != nil {
		c.Stop(i)
	}
	if err := c.start(i); err != nil {
		c.tb.Fatalf("restart node %d: %v", i+1, err)
	}
}

func freePorts(tb testing.TB, n int) []int {
	tb.Helper()
	var ports []int
	var ls []net.Listener
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			tb.Fatalf("find a free port: %v", err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}
