package main

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/govledger/govledger/api"
	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/tlog"
)

// The audit verbs that ask the ledger for what it signs: its key, checkpoints, proofs
// and exports. What they fetch is checked here, with the verifier key, before it is
// printed or saved: a partner never keeps a file that does not verify.
func (c *cli) auditLedgerVerbs() []*cobra.Command {
	return []*cobra.Command{c.auditKeyVerb(), c.auditCheckpointVerb(), c.auditProveVerb(), c.auditCheckProofVerb(), c.auditExportVerb()}
}

func (c *cli) auditKeyVerb() *cobra.Command {
	return &cobra.Command{
		Use:   "key",
		Short: "Print the ledger's verifier key, which its checkpoints, proofs and exports are checked with",
		Long: `Print the ledger's verifier key. It is public: every partner keeps a copy, obtained
once and compared with the one serve printed, and checks checkpoints, proofs and
exports with it (--key of the other audit verbs).`,
		Example: "  govledger audit key > synergy.verifier",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			key, err := c.fetchText(cmd, "/v1/audit/key", nil)
			if err != nil {
				return err
			}
			_, err = cmd.OutOrStdout().Write(key)
			return err
		},
	}
}

func (c *cli) fetchText(cmd *cobra.Command, path string, q url.Values) ([]byte, error) {
	cl, err := c.client()
	if err != nil {
		return nil, err
	}
	var b []byte
	return b, cl.Get(cmd.Context(), path, q, &b)
}

func (c *cli) auditCheckpointVerb() *cobra.Command {
	var out, extends, key string
	cmd := &cobra.Command{
		Use:   "checkpoint",
		Short: "Fetch a signed checkpoint of the whole log; keep it to catch a rewrite later",
		Long: `Fetch a checkpoint signed by the ledger: the number of events in the log and the
root hash of the Merkle tree over them. Keep it (--out): later, audit verify
--against proves that the log still extends it, so a rewritten, truncated or
re-created log is caught. With --extends, the ledger is asked to prove that the new
checkpoint extends one you kept, and the proof is checked here with the key alone,
without replaying the log.`,
		Example: `  govledger audit checkpoint --out 2026-10.checkpoint --key synergy.verifier
  govledger audit checkpoint --extends 2026-09.checkpoint --key synergy.verifier --out 2026-10.checkpoint`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if extends != "" && key == "" {
				return usageError{errors.New("--extends needs --key: the verifier key the checkpoints are signed with")}
			}
			text, err := c.fetchText(cmd, "/v1/audit/checkpoint", nil)
			if err != nil {
				return err
			}
			if key != "" {
				vkey, err := verifierKey(key)
				if err != nil {
					return err
				}
				newer, err := audit.OpenCheckpoint(text, vkey)
				if err != nil {
					return &api.Error{Code: api.CodeFault, Message: fmt.Sprintf("the ledger's checkpoint does not open with key %s: %v", vkey, err)}
				}
				if extends != "" {
					if err := c.checkExtends(cmd, extends, vkey, newer); err != nil {
						return err
					}
				}
			}
			return save(cmd, out, text)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "save it in this file rather than print it")
	cmd.Flags().StringVar(&extends, "extends", "", "a checkpoint you kept, which the new one must extend")
	cmd.Flags().StringVar(&key, "key", "", "the ledger's verifier key, or a file holding it, to check the checkpoint with")
	return cmd
}

// checkExtends asks the ledger to prove that newer extends the checkpoint in file, and
// checks the proof.
func (c *cli) checkExtends(cmd *cobra.Command, file, vkey string, newer audit.Checkpoint) error {
	saved, _, err := readCheckpoints([]string{file}, vkey, false)
	if err != nil {
		return err
	}
	older := saved[0]
	if older.Size > newer.Size {
		return &api.Error{Code: api.CodeFault, Message: fmt.Sprintf("the log has %d events, fewer than the %d of %s: it was truncated or re-created", newer.Size, older.Size, file)}
	}
	if older.Size == newer.Size {
		if older.Root != newer.Root {
			return &api.Error{Code: api.CodeFault, Message: fmt.Sprintf("the log of %d events is not the one %s covered: it was rewritten", newer.Size, file)}
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "the log is as %s saw it: %s\n", file, plural(int(newer.Size), "event", "events"))
		return nil
	}
	if older.Size == 0 { // the empty tree, which every log extends: there is nothing to prove
		if empty, _ := tlog.TreeHash(0, nil); older.Root != empty {
			return &api.Error{Code: api.CodeFault, Message: fmt.Sprintf("%s covers no events, but its root is not the empty tree's", file)}
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "proven: the log of %s extends %s (0 events)\n", plural(int(newer.Size), "event", "events"), file)
		return nil
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	var proof api.Consistency
	q := url.Values{"old": {strconv.FormatInt(older.Size, 10)}, "size": {strconv.FormatInt(newer.Size, 10)}}
	if err := cl.Get(cmd.Context(), "/v1/audit/consistency", q, &proof); err != nil {
		return err
	}
	if err := tlog.CheckTree(proof.Proof, newer.Size, newer.Root, older.Size, older.Root); err != nil {
		return &api.Error{Code: api.CodeFault, Message: fmt.Sprintf("the log of %d events does not extend %s (%d events): it was rewritten: %v", newer.Size, file, older.Size, err)}
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "proven: the log of %d events extends %s (%s)\n", newer.Size, file, plural(int(older.Size), "event", "events"))
	return nil
}

// save writes data to the file out, or to stdout when out is empty.
func save(cmd *cobra.Command, out string, data []byte) error {
	if out == "" {
		_, err := cmd.OutOrStdout().Write(data)
		return err
	}
	if err := os.WriteFile(out, data, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "saved %s\n", out)
	return nil
}

func (c *cli) auditProveVerb() *cobra.Command {
	var out, key string
	cmd := &cobra.Command{
		Use:   "prove PROPOSAL",
		Short: "Fetch a proof that a decision's events are on the record, to check offline",
		Long: `Fetch an inclusion proof bundle for every event behind a decision (the proposal, the
votes, the outcome and its effect) under a checkpoint the ledger signs. A partner can
hand it to a funder or commissioner, who checks it with audit check-proof and the
ledger's verifier key alone: no access to the ledger, no whole log.`,
		Example: "  govledger audit prove admit-council -c synergy --key synergy.verifier --out admit-council.proof",
		Args:    args("PROPOSAL"),
		RunE: func(cmd *cobra.Command, a []string) error {
			path, err := c.path("/decisions/%s/proof", a[0])
			if err != nil {
				return err
			}
			bundle, err := c.fetchText(cmd, path, nil)
			if err != nil {
				return err
			}
			if key != "" {
				r, err := checkProof(cmd, bundle, key)
				if err != nil {
					return err
				}
				if id, _ := c.consortiumID(); r.Decision != (audit.Decision{Consortium: id, Proposal: a[0]}) {
					return &api.Error{Code: api.CodeFault, Message: fmt.Sprintf("the ledger sent a proof of decision %s of consortium %s, not of %s of %s",
						r.Decision.Proposal, r.Decision.Consortium, a[0], id)}
				}
			}
			return save(cmd, out, bundle)
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "save it in this file rather than print it")
	cmd.Flags().StringVar(&key, "key", "", "check it with this verifier key (or a file holding it) before saving it")
	return cmd
}

func (c *cli) auditCheckProofVerb() *cobra.Command {
	var key string
	cmd := &cobra.Command{
		Use:   "check-proof FILE --key KEY",
		Short: "Check a decision's proof bundle offline, with the ledger's verifier key alone",
		Long: `Check an inclusion proof bundle (from audit prove) offline: that its checkpoint and
its statement of which decision it proves are signed by the ledger's key, that it holds
every event the statement names and no other, and that each is, byte for byte, in the
log the checkpoint covers. It prints what the bundle proves: the decision, and its
events with what each records.`,
		Example: "  govledger audit check-proof admit-council.proof --key synergy.verifier",
		Args:    args("FILE"),
		RunE: func(cmd *cobra.Command, a []string) error {
			if key == "" {
				return usageError{errors.New("check-proof needs --key: the verifier key the ledger signs with")}
			}
			bundle, err := os.ReadFile(a[0])
			if err != nil {
				return &api.Error{Code: api.CodeNotFound, Message: fmt.Sprintf("proof: %v", err)}
			}
			_, err = checkProof(cmd, bundle, key)
			return err
		},
	}
	cmd.Flags().StringVar(&key, "key", "", "the ledger's verifier key, or a file holding it")
	return cmd
}

// checkProof verifies a bundle and says on stderr what it proves.
func checkProof(cmd *cobra.Command, bundle []byte, key string) (audit.ProofReport, error) {
	vkey, err := verifierKey(key)
	if err != nil {
		return audit.ProofReport{}, err
	}
	r, err := audit.VerifyProof(bundle, vkey)
	if err != nil {
		return audit.ProofReport{}, &api.Error{Code: api.CodeFault, Message: err.Error()}
	}
	w, cp := cmd.ErrOrStderr(), r.Checkpoint
	fmt.Fprintf(w, "proven: decision %s of consortium %s, by %s in the log of %s (%d events, root %s):\n",
		r.Decision.Proposal, r.Decision.Consortium, plural(len(r.Events), "event", "events"), cp.Origin, cp.Size, cp.Root)
	// The proof holds the decision's events as the ledger's read models had them, which
	// may be behind the checkpoint: its standing is as of its last event, no later.
	standing := fmt.Sprintf("it was still open at the last event in this proof (sequence %d): votes and an outcome recorded after it are not in this proof", r.Events[len(r.Events)-1].Seq)
	for _, e := range r.Events {
		fmt.Fprintf(w, "  %s\n", strings.Join(eventLine(e), "  "))
		switch e.Type {
		case g.TypeDecisionCarried, g.TypeDecisionRejected, g.TypeDecisionLapsed, g.TypeDecisionWithdrawn:
			standing = fmt.Sprintf("it was %s at sequence %d", strings.TrimPrefix(e.Type, "decision."), e.Seq)
		}
	}
	fmt.Fprintln(w, standing)
	return r, nil
}

func (c *cli) auditExportVerb() *cobra.Command {
	var dir, key string
	cmd := &cobra.Command{
		Use:   "export --out DIR",
		Short: "Export a consortium's history: its events with proofs, and CSV of decisions and membership",
		Long: `Export a consortium's whole history into a folder:

  <consortium>.jsonl            every event exactly as stored, with its hash chain link
                                and its inclusion proof, under a signed checkpoint
  <consortium>-decisions.csv    every decision with its outcome, one row per vote as cast
  <consortium>-membership.csv   every partner's periods of membership
  <consortium>.checkpoint       the checkpoint the export is covered by

The CSV files are read from the exported events themselves, after the export has
been checked with --key (or the key the ledger gives, if you give none): they say
what the verified record says. audit verify --file checks the export again, offline.`,
		Example: "  govledger audit export -c synergy --out synergy-2026 --key synergy.verifier",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if dir == "" {
				return usageError{errors.New("export needs --out DIR: the folder to write its files in")}
			}
			id, err := c.consortiumID()
			if err != nil {
				return err
			}
			path, err := c.path("/export")
			if err != nil {
				return err
			}
			data, err := c.fetchText(cmd, path, nil)
			if err != nil {
				return err
			}
			if key == "" {
				k, err := c.fetchText(cmd, "/v1/audit/key", nil)
				if err != nil {
					return err
				}
				key = strings.TrimSpace(string(k))
			}
			vkey, err := verifierKey(key)
			if err != nil {
				return err
			}
			r, err := audit.VerifyExport(bytes.NewReader(data), vkey, ledger.Recheck())
			if err != nil {
				return faultOf(err, nil)
			}
			if r.Consortium != id {
				return &api.Error{Code: api.CodeFault, Message: fmt.Sprintf("the ledger sent an export of consortium %s, not of %s", r.Consortium, id)}
			}
			m, checkpoint, err := readExport(data)
			if err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			files := exportFiles(id, m, checkpoint)
			files[id+".jsonl"] = func(w io.Writer) error { _, err := w.Write(data); return err }
			for name, write := range files {
				if err := writeFile(filepath.Join(dir, name), write); err != nil {
					return err
				}
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "exported %d events of consortium %s to %s, covered by a checkpoint of %d events\n",
				r.Events, id, dir, r.Checkpoint.Size)
			return err
		},
	}
	cmd.Flags().StringVar(&dir, "out", "", "the folder to write the export in (required)")
	cmd.Flags().StringVar(&key, "key", "", "the ledger's verifier key, or a file holding it, to check the export with")
	return cmd
}

// exportFiles are the files of an export read from its verified events: the checkpoint
// it is covered by and the CSV files, by name.
func exportFiles(id string, m *projections.Models, checkpoint string) map[string]func(io.Writer) error {
	return map[string]func(io.Writer) error{
		id + ".checkpoint":     func(w io.Writer) error { _, err := io.WriteString(w, checkpoint); return err },
		id + "-decisions.csv":  func(w io.Writer) error { return decisionsCSV(w, m, id) },
		id + "-membership.csv": func(w io.Writer) error { return membershipCSV(w, m, id) },
	}
}

// checkBeside holds the files found beside a verified export (the checkpoint and the
// CSV files that audit export writes with it) to what its events say, and returns the
// names of those it checked and of those not there. One that says anything else is a
// fault.
func checkBeside(file, id string, data []byte) (checked, missing []string, err error) {
	m, checkpoint, err := readExport(data)
	if err != nil {
		return nil, nil, err
	}
	files := exportFiles(id, m, checkpoint)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		path := filepath.Join(filepath.Dir(file), name)
		found, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			missing = append(missing, name)
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		var want bytes.Buffer
		if err := files[name](&want); err != nil {
			return nil, nil, err
		}
		if !bytes.Equal(found, want.Bytes()) {
			return nil, nil, &api.Error{Code: api.CodeFault, Message: fmt.Sprintf("the record does not verify: %s does not say what the verified events say (%s)",
				path, firstDifference(found, want.Bytes()))}
		}
		checked = append(checked, name)
	}
	return checked, missing, nil
}

// firstDifference names the first line where found is not want.
func firstDifference(found, want []byte) string {
	f, w := strings.Split(string(found), "\n"), strings.Split(string(want), "\n")
	for i := range min(len(f), len(w)) {
		if f[i] != w[i] {
			return fmt.Sprintf("line %d is %q, the events give %q", i+1, f[i], w[i])
		}
	}
	return fmt.Sprintf("it has %d lines, the events give %d", len(f), len(w))
}

func writeFile(name string, write func(io.Writer) error) error {
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	err = write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// readExport reads a verified export back into read models, and its checkpoint.
func readExport(data []byte) (*projections.Models, string, error) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 4*events.MaxPayloadBytes)
	var header struct {
		Checkpoint string `json:"checkpoint"`
	}
	if !sc.Scan() || json.Unmarshal(sc.Bytes(), &header) != nil {
		return nil, "", &api.Error{Code: api.CodeFault, Message: "the export has no header"}
	}
	m := projections.NewModels()
	for sc.Scan() {
		var line struct {
			Seq   uint64          `json:"seq"`
			Event json.RawMessage `json:"event"`
		}
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			return nil, "", &api.Error{Code: api.CodeFault, Message: fmt.Sprintf("an export line does not read: %v", err)}
		}
		e, err := events.Decode(line.Event, line.Seq)
		if err != nil {
			return nil, "", &api.Error{Code: api.CodeFault, Message: err.Error()}
		}
		m.Apply(e)
	}
	return m, header.Checkpoint, sc.Err()
}

// decisionsCSV writes every decision, one row per vote as cast (or one row for a
// decision with no votes).
func decisionsCSV(w io.Writer, m *projections.Models, id string) error {
	ds, err := m.Decisions(id)
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"proposal", "matter", "title", "about", "opened_at", "closes_at", "closed_at", "meeting", "rule", "electorate",
		"outcome", "for", "against", "abstain", "block", "casting_vote", "effect", "review_date",
		"vote_seq", "vote_at", "partner", "vote", "replaces", "reason", "recorded_by"})
	for _, d := range ds {
		row := []string{d.ID, d.Matter, d.Title, d.About, stamp(d.OpenedAt), stamp(d.ClosesAt), stamp(d.ClosedAt),
			strconv.FormatBool(d.Meeting != nil), rule(d.Rule, d.Chair), strings.Join(d.Electorate, " "), d.Outcome}
		if t := d.Tally; t != nil {
			row = append(row, strconv.Itoa(t.For), strconv.Itoa(t.Against), strconv.Itoa(t.Abstain), strconv.Itoa(t.Block))
		} else {
			row = append(row, "", "", "", "")
		}
		row = append(row, d.CastingVote, d.Effect, string(d.ReviewDate))
		if len(d.Votes) == 0 {
			cw.Write(append(row, "", "", "", "", "", "", ""))
		}
		for _, v := range d.Votes {
			cw.Write(append(append([]string(nil), row...), strconv.FormatUint(v.Seq, 10), stamp(v.At), v.Partner, v.Vote, v.Replaces, v.Reason, v.Person))
		}
	}
	cw.Flush()
	return cw.Error()
}

// membershipCSV writes every period of every partner's membership.
func membershipCSV(w io.Writer, m *projections.Models, id string) error {
	ps, err := m.Partners(id, time.Now())
	if err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	cw.Write([]string{"partner", "name", "sector", "tier", "from", "to"})
	for _, p := range ps {
		for _, iv := range p.Intervals {
			cw.Write([]string{p.ID, p.Name, p.Sector, iv.Tier, stamp(iv.From), stamp(iv.To)})
		}
	}
	cw.Flush()
	return cw.Error()
}

// stamp is a time as RFC 3339, or "" for none.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
