package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestREADME runs the README's walk-through: every ```console block, each "$ " line a
// command run by sh from the repository's top folder against a ledger of its own, and
// the lines after it what the command must print (stdout and stderr together).
func TestREADME(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```console\n(.*?)```").FindAllStringSubmatch(string(readme), -1)
	if len(blocks) == 0 {
		t.Fatal("the README has no ```console blocks to run")
	}
	var script, want strings.Builder
	script.WriteString("cd \"$REPO\"\n")
	for _, b := range blocks {
		for line := range strings.Lines(b[1]) {
			want.WriteString(line)
			cmd, ok := strings.CutPrefix(strings.TrimSuffix(line, "\n"), "$ ")
			if !ok {
				continue
			}
			script.WriteString("printf '%s\\n' " + shellQuote("$ "+cmd) + "\n")
			script.WriteString(cmd + " 2>&1\n")
		}
	}
	dir := t.TempDir()
	txtar := "exec sh walkthrough.sh\ncmp stdout want.txt\n\n-- walkthrough.sh --\n" + script.String() + "-- want.txt --\n" + want.String()
	if err := os.WriteFile(filepath.Join(dir, "readme.txtar"), []byte(txtar), 0o644); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{Dir: dir, Setup: func(env *testscript.Env) error {
		env.Setenv("REPO", repo)
		return scriptLedger(env)
	}})
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
