package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Main runs govledger with args and returns the exit status; tests call it directly.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot()
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "govledger:", err)
		return exitStatus(err)
	}
	return 0
}

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "govledger",
		Short: "The governance record of a health and care partnership, on NATS JetStream",
		Long: `govledger records how a partnership governs itself — partners admitted, decisions
taken by the agreed rules, disputes, partners leaving — as an append-only, verifiable
event log on NATS JetStream, and answers who is a member and what was decided.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(newServe(), newBench())
	return root
}

// exitStatus maps an error to the process exit status.
func exitStatus(error) int { return 1 }
