package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/govledger/govledger/api"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestREADME runs the README's walk-through: every ```console block, each "$ " line a
// command run by sh, in a folder holding a copy of the repository's examples, against a
// ledger of its own, and
// the lines after it what the command must print (stdout and stderr together), where
// "…" stands for what differs from one ledger to the next (a key, a hash).
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
	txtar := "exec sh walkthrough.sh\nmatch-stdout want.txt\n\n-- walkthrough.sh --\n" + script.String() + "-- want.txt --\n" + want.String()
	if err := os.WriteFile(filepath.Join(dir, "readme.txtar"), []byte(txtar), 0o644); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{Dir: dir, Setup: func(env *testscript.Env) error {
		if err := os.CopyFS(filepath.Join(env.WorkDir, "examples"), os.DirFS(filepath.Join(repo, "examples"))); err != nil {
			return err
		}
		return scriptLedger(env)
	}, Cmds: map[string]func(*testscript.TestScript, bool, []string){"match-stdout": matchStdout}})
}

// matchStdout compares the last command's stdout with a file line by line, each "…" in
// the file matching any text within its line.
func matchStdout(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: match-stdout FILE")
	}
	got := strings.Split(ts.ReadFile("stdout"), "\n")
	want := strings.Split(ts.ReadFile(args[0]), "\n")
	for i := range max(len(got), len(want)) {
		g, w := "", ""
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		pattern := "^" + strings.ReplaceAll(regexp.QuoteMeta(w), "…", ".*") + "$"
		if !regexp.MustCompile(pattern).MatchString(g) {
			ts.Fatalf("line %d:\n got: %s\nwant: %s", i+1, g, w)
		}
	}
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// TestREADMECodes holds the README's list of refusals to the one table of codes: each
// with its HTTP status and its exit status.
func TestREADMECodes(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(readme)), " ")
	for code, st := range api.Codes {
		if code == api.CodeInternal {
			continue
		}
		if !regexp.MustCompile(fmt.Sprintf("%d `%s`[^(]*\\(exit %d\\)", st.HTTP, code, st.Exit)).MatchString(text) {
			t.Errorf("the README does not say %d `%s` (exit %d)", st.HTTP, code, st.Exit)
		}
	}
}
