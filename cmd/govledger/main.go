package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/govledger/govledger/api"
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

const rootHelp = `govledger records how a partnership governs itself — partners admitted, decisions
taken by the agreed rules, disputes, partners leaving — as an append-only, verifiable
event log on NATS JetStream, and answers who is a member and what was decided.

Run the ledger with "govledger serve"; the other verbs talk to it over HTTP
(--server, or $GOVLEDGER_SERVER; http://127.0.0.1:8080 by default), except "audit
verify", which reads the log itself so as not to trust whoever runs it. Commands
record who acts with --as person@partner (or $GOVLEDGER_ACTOR), and work on the
consortium named by --consortium (or $GOVLEDGER_CONSORTIUM).

Exit status: 0 done; 1 govledger failed; 2 the verb was called wrongly; 3 the input
is invalid or breaks the terms; 4 something named does not exist; 5 it conflicts with
what already happened; 6 it is not allowed (or the consortium is dissolved); 7 the
ledger cannot be reached or is not ready; 8 the record does not verify.`

func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:           "govledger",
		Short:         "The governance record of a health and care partnership, on NATS JetStream",
		Long:          rootHelp,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          noSuchVerb,
		RunE:          func(cmd *cobra.Command, _ []string) error { return cmd.Help() },
	}
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return usageError{fmt.Errorf("%w (see %s --help)", err, c.CommandPath())}
	})
	c := &cli{}
	c.addFlags(root)
	root.AddGroup(
		&cobra.Group{ID: "run", Title: "Running the ledger:"},
		&cobra.Group{ID: "steer", Title: "The steering group records:"},
		&cobra.Group{ID: "read", Title: "Everyone reads:"},
		&cobra.Group{ID: "audit", Title: "Auditors check the record:"},
	)
	for group, verbs := range map[string][]*cobra.Command{
		"run":   {newServe(), newBench()},
		"steer": c.steeringVerbs(),
		"read":  c.readVerbs(),
		"audit": {c.auditVerb()},
	} {
		for _, v := range verbs {
			v.GroupID = group
			root.AddCommand(v)
		}
	}
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if c.json && !printsJSON(cmd) {
			return usageError{fmt.Errorf("%s has no JSON output: leave out --json (the steering group's verbs, the reads and audit verify have it)", cmd.CommandPath())}
		}
		return nil
	}
	return root
}

// printsJSON reports whether cmd prints JSON with --json: the steering group's verbs,
// the reads and a verb annotated so (audit verify) do; any other refuses the flag
// rather than ignore it.
func printsJSON(cmd *cobra.Command) bool {
	if cmd.Annotations[printsJSONAnnotation] != "" {
		return true
	}
	for ; cmd.HasParent(); cmd = cmd.Parent() {
		if g := cmd.GroupID; g == "steer" || g == "read" {
			return true
		}
	}
	return false
}

// printsJSONAnnotation marks a verb outside the steering and read groups that prints
// JSON with --json.
const printsJSONAnnotation = "prints-json"

// noSuchVerb is the Args of a verb that only holds others (govledger, audit,
// dispute): a word after it that is none of them is a usage mistake.
func noSuchVerb(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	err := fmt.Errorf("%s has no verb %q (see %s --help)", cmd.CommandPath(), args[0], cmd.CommandPath())
	if like := cmd.SuggestionsFor(args[0]); len(like) > 0 {
		err = fmt.Errorf("%s has no verb %q; did you mean %s? (see %s --help)", cmd.CommandPath(), args[0], strings.Join(like, " or "), cmd.CommandPath())
	}
	return usageError{err}
}

// usageError is a mistake in how a verb was called.
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// exitStatus maps an error to the process exit status: usage mistakes 2, everything
// else by its code in api.Codes (1 for a failure of govledger itself).
func exitStatus(err error) int {
	var ue usageError
	if errors.As(err, &ue) {
		return 2
	}
	return api.ErrorOf(err).Status().Exit
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
