package main

import (
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every verb says what it does and shows an example, and --help prints both.
func TestEveryVerbHasHelpWithAnExample(t *testing.T) {
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			walk(sub)
		}
		if c.HasParent() && c.Runnable() {
			n++
			if c.Short == "" || c.Example == "" {
				t.Errorf("%s has no short help or no example", c.CommandPath())
			}
			var out, errOut syncBuffer
			args := append(strings.Fields(strings.TrimPrefix(c.CommandPath(), "govledger ")), "--help")
			if code := Main(context.Background(), args, &out, &errOut); code != 0 || !strings.Contains(out.String(), "Examples:") {
				t.Errorf("govledger %s: exit %d, printed %q", strings.Join(args, " "), code, out.String())
			}
		}
	}
	walk(newRoot())
	if n < 25 {
		t.Fatalf("walked %d verbs; the command line has more", n)
	}
}
