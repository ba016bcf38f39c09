package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/govledger/govledger/events"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// History is what Export reads: one consortium's events, oldest first.
type History interface {
	Read(ctx context.Context, consortium string, after uint64) ([]events.Envelope, error)
}

var _ History = (*events.Log)(nil)

// exportHeader is the first line of an export.
type exportHeader struct {
	Consortium string `json:"consortium"`
	Events     int    `json:"events"`
	Checkpoint string `json:"checkpoint"`
	// Statement is the ledger's signed word on what the export holds (a signed note,
	// see exported): the header's own fields could be edited along with the events.
	Statement string `json:"statement"`
}

// exported is what the ledger signs about an export: the consortium, how many events,
// and the last of them, under a checkpoint of the tree's size. Cutting events from the
// end of an export (and its count in the header) would otherwise go unseen, since
// every event left in it is still proven.
type exported struct {
	Consortium string
	Events     int
	LastSeq    uint64
	LastHash   string
	TreeSize   int64
}

func (x exported) body() string {
	return fmt.Sprintf("govledger export\nconsortium %s\nevents %d\nlast %d %s\ncheckpoint %d\n",
		x.Consortium, x.Events, x.LastSeq, x.LastHash, x.TreeSize)
}

// openExported checks the statement's signature and reads it.
func openExported(text, verifierKey string) (exported, error) {
	n, err := openNote(text, verifierKey)
	if err != nil {
		return exported{}, err
	}
	var x exported
	if _, err := fmt.Sscanf(n.Text, "govledger export\nconsortium %s\nevents %d\nlast %d %s\ncheckpoint %d\n",
		&x.Consortium, &x.Events, &x.LastSeq, &x.LastHash, &x.TreeSize); err != nil || x.body() != n.Text {
		return exported{}, fmt.Errorf("the statement does not read: %q", n.Text)
	}
	return x, nil
}

// encode writes the header line as an export holds it.
func (h exportHeader) encode() ([]byte, error) { return json.Marshal(h) }

// exportLine is every further line of an export: one event, verbatim, with its proof.
type exportLine struct {
	Seq   uint64           `json:"seq"`
	Leaf  int64            `json:"leaf"`
	Event json.RawMessage  `json:"event"`
	Proof tlog.RecordProof `json:"proof"`
}

// appendExportLine writes an event's line, without its newline. It is written by hand:
// encoding/json would re-escape the stored bytes.
func appendExportLine(line []byte, seq uint64, leaf int64, event, proof []byte) []byte {
	line = append(line, `{"seq":`...)
	line = strconv.AppendUint(line, seq, 10)
	line = append(line, `,"leaf":`...)
	line = strconv.AppendInt(line, leaf, 10)
	line = append(line, `,"event":`...)
	line = append(line, event...)
	line = append(line, `,"proof":`...)
	line = append(line, proof...)
	return append(line, '}')
}

// readExact reads one line of an export into v, and holds it to being exactly what
// encode writes for what was read. encoding/json alone takes keys in any case, the
// last of two alike and fields it does not know, so a line could show other tools one
// value and govledger another.
func readExact(line []byte, v any, encode func() ([]byte, error)) error {
	if err := json.Unmarshal(line, v); err != nil {
		return err
	}
	if want, err := encode(); err != nil || !bytes.Equal(line, want) {
		return errors.New("it is not written as govledger writes it (a key in another case, twice, or unknown, or other spacing)")
	}
	return nil
}

// Export writes one consortium's whole history as JSON Lines, under a checkpoint of the
// tree at its current size signed with signer (see the package doc for the format).
// The tree must already hold every event of the consortium.
func Export(ctx context.Context, w io.Writer, log History, t *Tree, signer note.Signer, consortium string) error {
	evs, err := readHistory(ctx, log, consortium)
	if err != nil {
		return err
	}
	return writeExport(w, t, signer, consortium, evs)
}

// readHistory reads the consortium's events for an export; there must be some.
func readHistory(ctx context.Context, log History, consortium string) ([]events.Envelope, error) {
	evs, err := log.Read(ctx, consortium, 0)
	if err != nil {
		return nil, fmt.Errorf("export %s: %w", consortium, err)
	}
	if len(evs) == 0 {
		return nil, fmt.Errorf("export %s: %w", consortium, events.ErrNotFound)
	}
	return evs, nil
}

// writeExport writes evs, the consortium's history, with their proofs under one
// checkpoint. The tree is not held still while the export is written, since it may go
// to a slow reader: it only grows, so proofs for the checkpoint's size stay true.
func writeExport(w io.Writer, t *Tree, signer note.Signer, consortium string, evs []events.Envelope) error {
	c, text, err := t.Checkpoint(signer)
	if err != nil {
		return fmt.Errorf("export %s: %w", consortium, err)
	}
	last := evs[len(evs)-1]
	statement, err := note.Sign(&note.Note{Text: exported{Consortium: consortium, Events: len(evs), LastSeq: last.Seq,
		LastHash: last.Hash, TreeSize: c.Size}.body()}, signer)
	if err != nil {
		return fmt.Errorf("export %s: %w", consortium, err)
	}
	// bufio keeps the first write error and Flush returns it.
	bw := bufio.NewWriter(w)
	header, err := exportHeader{Consortium: consortium, Events: len(evs), Checkpoint: string(text), Statement: string(statement)}.encode()
	if err != nil {
		return fmt.Errorf("export %s: %w", consortium, err)
	}
	bw.Write(header)
	bw.WriteByte('\n')
	var line []byte
	for _, e := range evs {
		pe, err := t.proveEvent(e, c.Size)
		if err != nil {
			return fmt.Errorf("export %s: %w", consortium, err)
		}
		proof, err := json.Marshal(pe.Proof)
		if err != nil {
			return fmt.Errorf("export %s: %w", consortium, err)
		}
		line = appendExportLine(line[:0], pe.Seq, pe.Leaf, pe.Event, proof)
		bw.Write(append(line, '\n'))
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("export %s: %w", consortium, err)
	}
	return nil
}

// ExportReport is what VerifyExport checked.
type ExportReport struct {
	Consortium string
	Events     int
	Checkpoint Checkpoint
}

// Rules re-decide events by the governance rules, which audit does not know
// (ledger.Recheck gives them), for Verify (Options.Rules) and VerifyExport: Check each
// event after the events of its consortium before it, and End, once every event is
// checked, names the first event after which what the rules require never came. Check
// refuses an event whose payload is not what its type needs, malformed JSON included:
// Verify then leaves that check to it.
type Rules interface {
	Check(events.Envelope) error
	End() (events.Envelope, error)
}

// VerifyExport checks an export offline, with the ledger's verifier key alone: the
// checkpoint's signature; that every line is written exactly as Export writes it; that
// the file holds as many events as its header says, all of that consortium, in
// increasing sequence; that they form its hash chain from its first event, with ids
// increasing and recording times never going back; that every event is included, byte
// for byte, in the log the checkpoint covers; and, when rules are given, that every
// event obeys them, re-decided from the consortium's history before it (an export holds
// all of it). A fault is a *Fault.
func VerifyExport(r io.Reader, verifierKey string, rules Rules) (ExportReport, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(nil, 4*events.MaxPayloadBytes)
	if !sc.Scan() {
		return ExportReport{}, &Fault{What: "the export is empty", Err: sc.Err()}
	}
	var h exportHeader
	if err := readExact(sc.Bytes(), &h, func() ([]byte, error) { return h.encode() }); err != nil {
		return ExportReport{}, &Fault{What: "line 1 is not an export header", Err: err}
	}
	c, err := OpenCheckpoint([]byte(h.Checkpoint), verifierKey)
	if err != nil {
		return ExportReport{}, &Fault{What: "the checkpoint does not verify", Err: err}
	}
	x, err := openExported(h.Statement, verifierKey)
	if err != nil {
		return ExportReport{}, &Fault{What: "the ledger's signed statement of what the export holds does not verify", Err: err}
	}
	if x.Consortium != h.Consortium || x.Events != h.Events || x.TreeSize != c.Size {
		return ExportReport{}, &Fault{What: fmt.Sprintf("the header (consortium %s, %d events, a checkpoint of %d) is not what the ledger signed (consortium %s, %d events, a checkpoint of %d)",
			h.Consortium, h.Events, c.Size, x.Consortium, x.Events, x.TreeSize)}
	}
	rep := ExportReport{Consortium: h.Consortium, Checkpoint: c}
	history := chains{}
	var seq uint64
	var last events.Envelope
	for n := 2; sc.Scan(); n++ {
		var l exportLine
		if err := readExact(sc.Bytes(), &l, func() ([]byte, error) { return l.encode() }); err != nil {
			f := &Fault{Seq: seq + 1, What: fmt.Sprintf("line %d is not an exported event", n), Err: err}
			if l.Seq != 0 { // it read, but not as written
				f.Seq = l.Seq
				if e, err := events.Decode(l.Event, l.Seq); err == nil {
					f.Consortium, f.EventID = e.Consortium, e.ID
				}
			}
			return rep, f
		}
		if l.Seq <= seq {
			return rep, &Fault{Seq: l.Seq, What: fmt.Sprintf("line %d: sequence %d is not after %d", n, l.Seq, seq)}
		}
		seq = l.Seq
		e, err := checkInclusion(c, l.Seq, l.Leaf, l.Event, l.Proof)
		if err != nil {
			f := &Fault{Seq: l.Seq, What: fmt.Sprintf("line %d is not proven", n), Err: err}
			if e, err := events.Decode(l.Event, l.Seq); err == nil { // an event, but not the log's
				f.Consortium, f.EventID = e.Consortium, e.ID
			}
			return rep, f
		}
		if e.Consortium != h.Consortium {
			return rep, faultAt(e, "line %d is an event of another consortium than %s", n, h.Consortium)
		}
		if f := history.follow(e); f != nil {
			return rep, f
		}
		if rules != nil {
			if err := rules.Check(e); err != nil {
				return rep, breaks(e, err, "line %d: it breaks the rules", n)
			}
		}
		rep.Events++
		last = e
	}
	if err := sc.Err(); err != nil {
		return rep, &Fault{What: "the export cannot be read", Err: err}
	}
	if rep.Events != x.Events {
		return rep, &Fault{What: fmt.Sprintf("the export holds %d events, but the ledger signed it with %d", rep.Events, x.Events)}
	}
	if last.Seq != x.LastSeq || events.Hash(last.Raw) != x.LastHash {
		return rep, &Fault{Seq: x.LastSeq, What: fmt.Sprintf("the export ends with the event at sequence %d, not the one the ledger signed it with (sequence %d, hash %s): events were cut from its end",
			last.Seq, x.LastSeq, x.LastHash)}
	}
	if rules != nil {
		if e, err := rules.End(); err != nil {
			return rep, breaks(e, err, "it breaks the rules")
		}
	}
	return rep, nil
}

// encode writes the line as an export holds it.
func (l exportLine) encode() ([]byte, error) {
	proof, err := json.Marshal(l.Proof)
	if err != nil {
		return nil, err
	}
	return appendExportLine(nil, l.Seq, l.Leaf, l.Event, proof), nil
}
