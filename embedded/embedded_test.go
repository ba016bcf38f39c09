package embedded_test

import (
	"net"
	"strings"
	"testing"

	"github.com/govledger/govledger/embedded"
)

// A NATS port in use is said at once: nats-server itself would retry it and never
// become ready.
func TestPortInUse(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	port := taken.Addr().(*net.TCPAddr).Port
	s, err := embedded.Start(embedded.Config{DataDir: t.TempDir(), ClientPort: port})
	if err == nil {
		s.Shutdown()
		t.Fatal("started on a port in use")
	}
	if want := "the NATS port " + taken.Addr().String() + " is in use"; !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v, want it to say %q", err, want)
	}
}
