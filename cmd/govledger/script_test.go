package main

import (
	"context"
	"errors"
	"flag"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"govledger": main})
}

// TestScripts runs testdata/script/*.txtar: each script gets a ledger of its own,
// started in this process on a temporary folder, and finds it through GOVLEDGER_SERVER
// as a user's shell would; $EXAMPLES is the repository's examples folder.
var updateScripts = flag.Bool("update", false, "rewrite the expected output in testdata/script/*.txtar from what the scripts print")

// scriptToday is "now" for the scripts' ledgers: the example partnership's first year
// has been recorded, and All Together Positive's notice is not yet in force.
var scriptToday = time.Date(2026, 10, 1, 12, 0, 0, 0, time.UTC)

func TestScripts(t *testing.T) {
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("EXAMPLES", examples)
			return scriptLedger(env)
		},
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Cmds:                map[string]func(*testscript.TestScript, bool, []string){"exits": exits},
	})
}

// scriptLedger starts a ledger of the script's own, in this process, on a folder of its
// work directory, and points GOVLEDGER_SERVER (and GOVLEDGER_NATS, for audit verify)
// at it.
func scriptLedger(env *testscript.Env) error {
	p, err := startLedger(context.Background(), serveOptions{
		dataDir: filepath.Join(env.WorkDir, ".ledger"), httpAddr: "127.0.0.1:0", natsPort: -1, syncMode: "interval",
		now: func() time.Time { return scriptToday },
	})
	if err != nil {
		return err
	}
	env.Defer(p.stop)
	env.Setenv("GOVLEDGER_SERVER", p.httpURL)
	env.Setenv("GOVLEDGER_NATS", p.server.ClientURL())
	return nil
}

// exits runs a command that must fail with the given exit status: "exits 4 govledger
// vote ...". Its stdout and stderr are then checked as after exec.
func exits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits STATUS COMMAND [ARG...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil || want == 0 {
		ts.Fatalf("exits: %q is not a failing exit status", args[0])
	}
	err = ts.Exec(args[1], args[2:]...)
	var ee *exec.ExitError
	switch {
	case err == nil:
		ts.Fatalf("%s succeeded; want exit status %d", args[1], want)
	case !errors.As(err, &ee):
		ts.Fatalf("%s: %v", args[1], err)
	case ee.ExitCode() != want:
		ts.Fatalf("%s exited %d; want %d", args[1], ee.ExitCode(), want)
	}
}
