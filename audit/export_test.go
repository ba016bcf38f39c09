package audit_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/govledger/govledger/audit"
)

func TestExportRoundTrip(t *testing.T) {
	l := openLedger(t, "")
	all := history(t, l.log, 4)
	k := key(t, "govledger.example/test")
	r, err := audit.Verify(ctx(t), l.log, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if err := audit.Export(ctx(t), &out, l.log, r.Tree, k.Signer, "essex-alliance"); err != nil {
		t.Fatal(err)
	}
	got, err := audit.VerifyExport(bytes.NewReader(out.Bytes()), k.VerifierKey, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got.Consortium != "essex-alliance" || got.Events != 4 || got.Checkpoint.Size != 12 {
		t.Errorf("export report %+v", got)
	}
	lines := strings.SplitAfter(out.String(), "\n")
	lines = lines[:len(lines)-1] // the empty string after the last newline
	if len(lines) != 5 || !strings.Contains(lines[2], string(all[4].Raw)) {
		t.Fatalf("export is not a header and four events with their stored bytes verbatim:\n%s", out.String())
	}

	other := key(t, "govledger.example/test")
	if _, err := audit.VerifyExport(bytes.NewReader(out.Bytes()), other.VerifierKey, nil); !errors.Is(err, audit.ErrBadCheckpoint) {
		t.Errorf("verified with another ledger's key: %v", err)
	}
	tampered := map[string]struct {
		lines []string
		seq   uint64
	}{
		"one byte of a payload":  {with(lines, 2, strings.Replace(lines[2], "essex-alliance-1", "essex-alliance-9", 1)), all[4].Seq},
		"a sequence":             {with(lines, 2, strings.Replace(lines[2], `{"seq":5,"leaf":4`, `{"seq":6,"leaf":5`, 1)), 6},
		"an event left out":      {with(lines, 2, ""), 0},
		"the last event dropped": {lines[:4], 0},
		"two events swapped":     {[]string{lines[0], lines[1], lines[3], lines[2], lines[4]}, all[7].Seq},
		// encoding/json would read the last of two keys alike, in any case, where other
		// tools read the first: the forged payload shows there, the real bytes here.
		"an event under a key twice": {with(lines, 2, strings.Replace(lines[2], `"event":`,
			`"event":`+strings.Replace(string(all[4].Raw), "essex-alliance-1", "essex-alliance-9", 1)+`,"Event":`, 1)), all[4].Seq},
		"a field it does not know": {with(lines, 2, strings.Replace(lines[2], `{"seq":5,`, `{"seq":5,"consortium":"forged",`, 1)), all[4].Seq},
		"spacing":                  {with(lines, 2, strings.Replace(lines[2], `{"seq":5,`, `{"seq": 5,`, 1)), all[4].Seq},
	}
	// Cut from the end, with the header's count made to agree: only the ledger's signed
	// statement of what the export holds shows it.
	cut := with(lines[:4], 0, strings.Replace(lines[0], `"events":4`, `"events":3`, 1))
	if _, err := audit.VerifyExport(strings.NewReader(strings.Join(cut, "")), k.VerifierKey, nil); err == nil ||
		!strings.Contains(err.Error(), "the header (consortium essex-alliance, 3 events, a checkpoint of 12) is not what the ledger signed (consortium essex-alliance, 4 events") {
		t.Errorf("the last event cut, and the header's count: %v", err)
	}
	header := with(lines, 0, strings.Replace(lines[0], `{"consortium":`, `{"Consortium":"forged","consortium":`, 1))
	if _, err := audit.VerifyExport(strings.NewReader(strings.Join(header, "")), k.VerifierKey, nil); err == nil ||
		!strings.Contains(err.Error(), "line 1 is not an export header: it is not written as govledger writes it") {
		t.Errorf("a header with a key twice: %v", err)
	}
	for name, tc := range tampered {
		_, err := audit.VerifyExport(strings.NewReader(strings.Join(tc.lines, "")), k.VerifierKey, nil)
		f := mustFault(t, err)
		if tc.seq != 0 && f.Seq != tc.seq {
			t.Errorf("%s: fault at sequence %d, want %d: %v", name, f.Seq, tc.seq, f)
		}
		if name == "one byte of a payload" && (f.Consortium != all[4].Consortium || f.EventID != all[4].ID) {
			t.Errorf("%s: the fault does not name the event: %v", name, f)
		}
		t.Logf("%s: %v", name, f)
	}
}

// with is lines with line i replaced.
func with(lines []string, i int, line string) []string {
	out := append([]string(nil), lines...)
	out[i] = line
	return out
}
