package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/govledger/govledger/api"
	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/embedded"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/ledger"
	"github.com/spf13/cobra"
	"golang.org/x/mod/sumdb/note"
)

// auditVerb is the auditor's verbs, which check the record without trusting whoever
// runs the ledger: each reads the log itself, or a file the ledger signed.
func (c *cli) auditVerb() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Check the record without trusting whoever runs the ledger",
		Long: `Check the record without trusting whoever runs the ledger. An auditor, a
commissioner or a partner in a dispute reads the event log itself, from NATS or from
a data folder, or an export the ledger signed, and checks it against the checkpoints
partners kept and the ledger's verifier key, which serve prints.`,
		Example: `  govledger audit verify --against 2026-06.checkpoint --key govledger.example/synergy+1c2e3d4f+AX...`,
		Args:    noSuchVerb,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError{fmt.Errorf("say what to audit (see %s --help)", cmd.CommandPath())}
		},
	}
	cmd.AddCommand(c.auditVerifyVerb())
	cmd.AddCommand(c.auditLedgerVerbs()...)
	return cmd
}

// verifyOptions are the flags of audit verify.
type verifyOptions struct {
	natsURL  string
	dataDir  string
	file     string
	key      string
	against  []string
	progress int64
}

func (c *cli) auditVerifyVerb() *cobra.Command {
	var o verifyOptions
	cmd := &cobra.Command{
		Use:   "verify [--nats URL | --data DIR | --file EXPORT]",
		Short: "Replay the whole record and check that nobody rewrote it",
		Long: `Replay the whole record and check that nobody rewrote it: that every event is
there, in sequence from the first, and reads as an event; that each consortium's
events form an unbroken hash chain, with ids increasing and recording times never
going back; that every event obeys the governance rules, re-decided from the
consortium's history before it (a decision recorded as carried really met its
rule); and, with --against, that the log extends every checkpoint you kept. With
--consortium it checks that consortium's events (the Merkle tree still covers
every event).

It reads the log itself, never through the ledger's HTTP API: from NATS (--nats,
the ledger's members' port), from a stopped ledger's data folder (--data; it works
on a copy and leaves the folder as it found it), or offline from an export
(--file, with --key), which holds its consortium's whole history and is checked
in the same way, with the checkpoint and CSV files that audit export wrote beside
it, which must say what its events say.

A checkpoint you kept proves what the log held when it was signed. Keep one now and
then: if the log is rewritten, re-created or truncated, verify names the last of
yours the log still extends and the first it does not, and the change lies in the
sequences between them. --key is the verifier key the checkpoints are signed with,
or a file holding it. With --data, the ledger's own key file is used if you give
none; since whoever hosts the ledger can replace it, a checkpoint that does not open
with it is a fault.

On success it prints one line: the events and consortia checked, and the size and
root hash of the Merkle tree over the log, to compare with a checkpoint. The first
fault is named (sequence, consortium, event id, what is wrong) and the exit status
is 8. With --json it prints either as a JSON object on stdout ("verified", the
counts, "checkpoint", and "fault" when it did not verify), for scripts that keep
watch on the record.`,
		Example: `  govledger audit verify
  govledger audit verify --nats nats://ledger.example:4222 -c synergy \
    --against 2026-04.checkpoint --against 2026-07.checkpoint --key verifier.key
  govledger audit verify --data /var/lib/govledger --progress 100000
  govledger audit verify --file synergy.jsonl --key 'govledger.example/synergy+1c2e3d4f+AX...'`,
		Args:        args(),
		Annotations: map[string]string{printsJSONAnnotation: "yes"},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if o.file != "" {
				return c.verifyExport(cmd, o)
			}
			return c.verifyLog(cmd, o)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.natsURL, "nats", envOr("GOVLEDGER_NATS", "nats://127.0.0.1:4222"), "read the log from NATS at these URLs ($GOVLEDGER_NATS)")
	f.StringVar(&o.dataDir, "data", "", "read the log from a stopped ledger's data folder instead")
	f.StringVar(&o.file, "file", "", "verify an export offline instead (needs --key)")
	f.StringVar(&o.key, "key", "", "the ledger's verifier key, or a file holding it, to open checkpoints and exports with")
	f.StringArrayVar(&o.against, "against", nil, "a checkpoint you kept, which the log must extend (repeatable)")
	f.Int64Var(&o.progress, "progress", 100_000, "report progress on stderr every this many events (0: never)")
	return cmd
}

// verifyLog verifies the log itself, from NATS or a data folder.
func (c *cli) verifyLog(cmd *cobra.Command, o verifyOptions) error {
	if o.dataDir != "" && cmd.Flags().Changed("nats") {
		return usageError{errors.New("give --nats or --data, not both")}
	}
	if o.progress < 0 {
		return usageError{fmt.Errorf("--progress %d: give a number of events, or 0 for none", o.progress)}
	}
	if c.consortium != "" {
		if err := events.ValidSlug("consortium", c.consortium); err != nil {
			return err
		}
	}
	key, hosts := o.key, false
	if key == "" && o.dataDir != "" {
		if _, err := os.Stat(filepath.Join(o.dataDir, audit.KeyFile)); err == nil {
			key, hosts = filepath.Join(o.dataDir, audit.KeyFile), true
		}
	}
	saved, files, err := readCheckpoints(o.against, key, hosts)
	if err != nil {
		return err
	}
	open, where := openNATS, o.natsURL
	if o.dataDir != "" {
		open, where = openDataFolder, o.dataDir
	}
	log, closeLog, err := open(cmd.Context(), where)
	if err != nil {
		return err
	}
	defer closeLog()
	opts := withRules(audit.Options{Consortium: c.consortium, Against: saved})
	if o.progress > 0 {
		opts.ProgressEvery = o.progress
		opts.Progress = func(p audit.Progress) {
			// The last call, at the end, is left to the line that says how it ended.
			if p.Events%o.progress == 0 && uint64(p.Events) < p.Last {
				fmt.Fprintf(cmd.ErrOrStderr(), "verified %d of %d events\n", p.Events, p.Last)
			}
		}
	}
	r, err := audit.Verify(cmd.Context(), log, opts)
	result := verifyResult{Events: r.Events, Checked: r.Checked, Consortia: r.Consortia, Consortium: c.consortium}
	if err != nil {
		return c.printVerified(cmd, result, "", faultOf(err, files), faultIn(err, files))
	}
	if c.consortium != "" && r.Checked == 0 {
		return &api.Error{Code: api.CodeNotFound, Message: fmt.Sprintf("consortium %s has no events in the log", c.consortium)}
	}
	result.Checkpoint = &treeHead{Size: r.Checkpoint.Size, Root: r.Checkpoint.Root.String()}
	result.Extends = slices.Sorted(maps.Values(files))
	what := fmt.Sprintf("%d events of %s", r.Events, plural(r.Consortia, "consortium", "consortia"))
	if c.consortium != "" {
		what = fmt.Sprintf("%d events of consortium %s (%d in the log)", r.Checked, c.consortium, r.Events)
	}
	line := fmt.Sprintf("verified %s; checkpoint size %d, root %s", what, r.Checkpoint.Size, r.Checkpoint.Root)
	if len(saved) > 0 {
		line += fmt.Sprintf("; it extends %s you kept", plural(len(saved), "checkpoint", "checkpoints"))
	}
	return c.printVerified(cmd, result, line, nil, nil)
}

// verifyResult is what audit verify --json prints on stdout, whether the record
// verifies or not, so that a script can keep watch on it.
type verifyResult struct {
	// Verified says that the record verified; Fault says what is wrong if it did not.
	Verified bool `json:"verified"`
	// Events are the events read: the whole log's, or the export's; when it did not
	// verify, those read up to the fault.
	Events int64 `json:"events"`
	// Checked are the events whose chains and rules were checked: all of them, or, with
	// --consortium, that consortium's.
	Checked int64 `json:"checked"`
	// Consortia are the consortia checked (the log's; an export holds one).
	Consortia  int    `json:"consortia"`
	Consortium string `json:"consortium,omitempty"`
	// File is the export verified offline (--file).
	File string `json:"file,omitempty"`
	// Checkpoint is the size and root hash (base64) of the Merkle tree over the log, to
	// compare with a checkpoint; for an export, the checkpoint that covers it.
	Checkpoint *treeHead `json:"checkpoint,omitempty"`
	// Extends are the checkpoint files kept (--against) that the log extends.
	Extends []string `json:"extends,omitempty"`
	// Beside are the files beside an export that say what its events say, and
	// NotBeside those not there, so not checked.
	Beside    []string     `json:"beside,omitempty"`
	NotBeside []string     `json:"not_beside,omitempty"`
	Fault     *verifyFault `json:"fault,omitempty"`
}

// treeHead is a Merkle tree's size and root hash.
type treeHead struct {
	Size int64  `json:"size"`
	Root string `json:"root"`
}

// verifyFault is the first fault found, as audit.Fault names it.
type verifyFault struct {
	// Seq is the event's sequence, absent when the fault lies in the log as a whole;
	// From and To are then the sequences the change lies within, if known.
	Seq        uint64 `json:"seq,omitempty"`
	From       uint64 `json:"from,omitempty"`
	To         uint64 `json:"to,omitempty"`
	Consortium string `json:"consortium,omitempty"`
	EventID    string `json:"event_id,omitempty"`
	// What is wrong, and Message the whole line verify prints on stderr.
	What    string `json:"what"`
	Message string `json:"message"`
	// Extends is the last checkpoint file kept that the log still extends, and Breaks
	// the first it does not: whatever changed lies between them.
	Extends string `json:"extends,omitempty"`
	Breaks  string `json:"breaks,omitempty"`
}

// faultIn is err's fault for --json, nil if err is no fault of the record.
func faultIn(err error, files map[audit.Checkpoint]string) *verifyFault {
	var f *audit.Fault
	if !errors.As(err, &f) {
		return nil
	}
	vf := &verifyFault{Seq: f.Seq, Consortium: f.Consortium, EventID: f.EventID, What: f.What,
		Message: faultOf(err, files).Error()}
	if f.Err != nil {
		vf.What += ": " + f.Err.Error()
	}
	if first, last, ok := f.Within(); ok && f.Seq == 0 {
		vf.From, vf.To = first, last
	}
	if f.Extended != nil {
		vf.Extends = files[*f.Extended]
	}
	if f.Broken != nil {
		vf.Breaks = files[*f.Broken]
	}
	return vf
}

// printVerified prints how a verify ended: line, or with --json the result, the
// fault included. err is returned as it is, for the exit status; an error that is no
// fault of the record (fault nil) prints nothing here.
func (c *cli) printVerified(cmd *cobra.Command, result verifyResult, line string, err error, fault *verifyFault) error {
	if err != nil && fault == nil {
		return err
	}
	if !c.json {
		if err != nil {
			return err
		}
		_, err := fmt.Fprintln(cmd.OutOrStdout(), line)
		return err
	}
	result.Verified, result.Fault = err == nil, fault
	if perr := printJSON(cmd.OutOrStdout(), result); perr != nil {
		return perr
	}
	return err
}

// verifyExport verifies an export offline, with the verifier key alone.
func (c *cli) verifyExport(cmd *cobra.Command, o verifyOptions) error {
	switch {
	case o.dataDir != "" || cmd.Flags().Changed("nats"):
		return usageError{errors.New("give --file alone: an export is verified offline, without the log")}
	case len(o.against) > 0:
		return usageError{errors.New("--against needs the log (--nats or --data): an export holds one consortium, not the tree a checkpoint covers")}
	case o.key == "":
		return usageError{errors.New("--file needs --key: the verifier key the ledger signs with")}
	}
	key, err := verifierKey(o.key)
	if err != nil {
		return err
	}
	data, err := os.ReadFile(o.file)
	if err != nil {
		return &api.Error{Code: api.CodeNotFound, Message: fmt.Sprintf("export: %v", err)}
	}
	r, err := audit.VerifyExport(bytes.NewReader(data), key, ledger.Recheck())
	result := verifyResult{Events: int64(r.Events), Checked: int64(r.Events), Consortium: r.Consortium, File: o.file}
	if err != nil {
		err = fmt.Errorf("%s: %w", o.file, err)
		return c.printVerified(cmd, result, "", faultOf(err, nil), faultIn(err, nil))
	}
	if c.consortium != "" && r.Consortium != c.consortium {
		return &api.Error{Code: api.CodeInvalid, Message: fmt.Sprintf("%s is an export of consortium %s, not of %s", o.file, r.Consortium, c.consortium)}
	}
	result.Consortia = 1
	result.Checkpoint = &treeHead{Size: r.Checkpoint.Size, Root: r.Checkpoint.Root.String()}
	beside, missing, err := checkBeside(o.file, r.Consortium, data)
	if err != nil {
		return c.printVerified(cmd, result, "", err, besideFault(err))
	}
	result.Beside, result.NotBeside = beside, missing
	line := fmt.Sprintf("verified %d events of consortium %s in %s; checkpoint size %d, root %s",
		r.Events, r.Consortium, o.file, r.Checkpoint.Size, r.Checkpoint.Root)
	if len(beside) > 0 {
		line += "; " + strings.Join(beside, ", ") + " beside it say the same"
	}
	if len(missing) > 0 { // the export stands alone; the files read from it are only not checked
		line += "; " + strings.Join(missing, ", ") + " not beside it, so not checked"
	}
	return c.printVerified(cmd, result, line, nil, nil)
}

// besideFault is the fault of a file beside an export that does not say what its
// events say, for --json; nil for any other error.
func besideFault(err error) *verifyFault {
	if e := api.ErrorOf(err); e.Code == api.CodeFault {
		return &verifyFault{What: strings.TrimPrefix(e.Message, audit.ErrFault.Error()+": "), Message: e.Message}
	}
	return nil
}

// faultOf reports a fault with the exit status of the fault code, whatever it wraps (a
// decode error would otherwise read as invalid input), naming the checkpoint files
// between which the log changed.
func faultOf(err error, files map[audit.Checkpoint]string) error {
	var f *audit.Fault
	if !errors.As(err, &f) {
		return err
	}
	msg := err.Error()
	if f.Broken != nil {
		if f.Extended != nil {
			msg += fmt.Sprintf(": it extends %s but not %s", files[*f.Extended], files[*f.Broken])
		} else {
			msg += fmt.Sprintf(": it does not extend %s", files[*f.Broken])
		}
	}
	return &api.Error{Code: api.CodeFault, Message: msg}
}

// readCheckpoints opens the checkpoint files with the verifier key, remembering which
// file each came from. hosts says that the key is the one in the data folder, which
// whoever hosts the ledger can replace: a checkpoint that does not open with it is
// then a fault of the record, not a mistake of the auditor's.
func readCheckpoints(paths []string, key string, hosts bool) ([]audit.Checkpoint, map[audit.Checkpoint]string, error) {
	if len(paths) == 0 {
		return nil, nil, nil
	}
	if key == "" {
		return nil, nil, usageError{errors.New("--against needs --key: the verifier key the checkpoints are signed with")}
	}
	vkey, err := verifierKey(key)
	if err != nil {
		return nil, nil, err
	}
	var saved []audit.Checkpoint
	files := map[audit.Checkpoint]string{}
	for _, p := range paths {
		text, err := os.ReadFile(p)
		if err != nil {
			return nil, nil, &api.Error{Code: api.CodeNotFound, Message: fmt.Sprintf("checkpoint: %v", err)}
		}
		c, err := audit.OpenCheckpoint(text, vkey)
		switch {
		case err != nil && hosts:
			return nil, nil, &api.Error{Code: api.CodeFault, Message: fmt.Sprintf("the record does not verify: checkpoint %s does not open with the key in the data folder (%s): the ledger's key was replaced, or the checkpoint is another ledger's; give --key with the verifier key you kept to tell which: %v", p, vkey, err)}
		case err != nil:
			return nil, nil, &api.Error{Code: api.CodeInvalid, Message: fmt.Sprintf("checkpoint %s does not open with key %s: %v", p, vkey, err)}
		}
		if _, seen := files[c]; !seen {
			files[c] = p
		}
		saved = append(saved, c)
	}
	return saved, files, nil
}

// verifierKey reads --key: a note verifier key (name+hash+key), or a file holding one on
// a line of its own, such as the ledger's key file, whose private line is never used.
func verifierKey(arg string) (string, error) {
	if _, err := note.NewVerifier(arg); err == nil {
		return arg, nil
	}
	data, err := os.ReadFile(arg)
	if err != nil {
		return "", &api.Error{Code: api.CodeInvalid, Message: fmt.Sprintf("--key %q is neither a verifier key (name+hash+key) nor a file holding one", arg)}
	}
	for _, line := range strings.Split(string(data), "\n") {
		if _, err := note.NewVerifier(strings.TrimSpace(line)); err == nil {
			return strings.TrimSpace(line), nil
		}
	}
	return "", &api.Error{Code: api.CodeInvalid, Message: fmt.Sprintf("--key %s holds no verifier key (a line name+hash+key)", arg)}
}

// openNATS reads the log from a NATS server or cluster, without creating or changing
// anything there.
func openNATS(ctx context.Context, urls string) (*events.Log, func(), error) {
	nc, err := embedded.ConnectURL(urls)
	if err != nil {
		return nil, nil, &api.Error{Code: api.CodeUnavailable, Message: fmt.Sprintf(
			"cannot reach NATS at %s (is govledger serve running there? give --nats URL, or --data DIR for a stopped ledger): %v", urls, errors.Unwrap(err))}
	}
	log, err := events.OpenExisting(ctx, nc, events.Options{})
	if err != nil {
		nc.Close()
		return nil, nil, fmt.Errorf("NATS at %s: %w", urls, err)
	}
	return log, nc.Close, nil
}

// openDataFolder reads the log of a stopped ledger's data folder. nats-server repairs
// the files it starts on: a message block that fails its checksum is cut short at the
// damaged message, and every event after it in the block is gone. An auditor must not
// destroy the evidence, so the server runs on a copy of the stream's files, with no
// client port.
func openDataFolder(ctx context.Context, dir string) (*events.Log, func(), error) {
	stream := filepath.Join("jetstream", "$G", "streams", events.StreamName)
	if _, err := os.Stat(filepath.Join(dir, stream)); err != nil {
		return nil, nil, &api.Error{Code: api.CodeNotFound, Message: fmt.Sprintf("no govledger record in data folder %s (it has no %s)", dir, stream)}
	}
	tmp, err := os.MkdirTemp("", "govledger-audit-")
	if err != nil {
		return nil, nil, err
	}
	removeCopy := func() { os.RemoveAll(tmp) }
	if err := os.CopyFS(filepath.Join(tmp, stream), os.DirFS(filepath.Join(dir, stream))); err != nil {
		removeCopy()
		return nil, nil, fmt.Errorf("copy the record of %s to verify it: %w", dir, err)
	}
	s, err := embedded.Start(embedded.Config{DataDir: tmp})
	if err != nil {
		removeCopy()
		return nil, nil, err
	}
	closeAll := func() {
		s.Shutdown()
		removeCopy()
	}
	nc, err := s.Connect()
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	log, err := events.OpenExisting(ctx, nc, events.Options{})
	if err != nil {
		nc.Close()
		closeAll()
		return nil, nil, fmt.Errorf("data folder %s: %w", dir, err)
	}
	return log, func() { nc.Close(); closeAll() }, nil
}

// plural is n with the noun in the number it needs.
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// withRules has audit.Verify re-decide every event by the governance rules, and ask
// them at the end what the log left undone.
func withRules(o audit.Options) audit.Options {
	o.Rules = ledger.Recheck()
	return o
}
