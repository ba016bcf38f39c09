package api

import (
	"bytes"
	"context"
	"net/http"
	"strconv"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/projections"
	"golang.org/x/mod/sumdb/tlog"
)

// Consistency is a proof that the log of Size events extends the log of Old events: a
// partner holding a checkpoint of Old events checks a newer checkpoint with it
// (tlog.CheckTree) without replaying the log.
type Consistency struct {
	Old   int64          `json:"old"`
	Size  int64          `json:"size"`
	Proof tlog.TreeProof `json:"proof"`
}

func (s *Server) auditRoutes() {
	s.handle("GET /v1/audit/key", s.verifierKey)
	s.handle("GET /v1/audit/checkpoint", s.checkpoint)
	s.handle("GET /v1/audit/consistency", s.consistency)
	s.handle("GET /v1/consortia/{consortium}/decisions/{proposal}/proof", s.proof)
	s.handle("GET /v1/consortia/{consortium}/export", s.export)
}

// witnessed bounds an audit request: the witness waits for its tree to hold what the
// request needs, which it does within moments unless it has stopped.
func (s *Server) witnessed(r *http.Request) (context.Context, context.CancelFunc, error) {
	if s.cfg.Witness == nil {
		return nil, nil, errorf(CodeUnavailable, "this ledger keeps no checkpoint tree")
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.WaitLimit)
	return ctx, cancel, nil
}

func writeText(w http.ResponseWriter, contentType string, data []byte) error {
	w.Header().Set("Content-Type", contentType)
	_, err := w.Write(data)
	return err
}

// verifierKey is the public key partners check checkpoints, proofs and exports with.
func (s *Server) verifierKey(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Witness == nil {
		return errorf(CodeUnavailable, "this ledger keeps no checkpoint tree")
	}
	return writeText(w, "text/plain; charset=utf-8", []byte(s.cfg.Witness.VerifierKey()+"\n"))
}

// checkpoint is a signed checkpoint (C2SP tlog-checkpoint) covering every event in
// the log when it was asked for.
func (s *Server) checkpoint(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel, err := s.witnessed(r)
	if err != nil {
		return err
	}
	defer cancel()
	text, _, err := s.cfg.Witness.Checkpoint(ctx)
	if err != nil {
		return err
	}
	return writeText(w, "text/plain; charset=utf-8", text)
}

// consistency proves that the log of ?size=N events extends the log of ?old=M events.
func (s *Server) consistency(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel, err := s.witnessed(r)
	if err != nil {
		return err
	}
	defer cancel()
	old, err := seqParam(r, "old")
	if err != nil {
		return err
	}
	size, err := seqParam(r, "size")
	if err != nil {
		return err
	}
	last, err := s.cfg.Log.LastSeq(ctx)
	if err != nil {
		return err
	}
	if size == 0 {
		size = last
	}
	if old < 1 || old > size || size > last {
		return errorf(CodeInvalid, "old=%d and size=%d: want 1 ≤ old ≤ size ≤ %d, the events in the log", old, size, last)
	}
	proof, err := s.cfg.Witness.ProveConsistency(ctx, int64(old), int64(size))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, Consistency{Old: int64(old), Size: int64(size), Proof: proof})
}

// proof is an inclusion proof bundle for every event behind a decision, which a partner
// can hand to a funder to check offline with the verifier key alone.
func (s *Server) proof(w http.ResponseWriter, r *http.Request) error {
	id, err := consortium(r)
	if err != nil {
		return err
	}
	if err := s.caughtUp(r); err != nil {
		return err
	}
	var d projections.Decision
	s.cfg.Models.View(func(m *projections.Models, _ uint64) { d, err = m.Decision(id, r.PathValue("proposal")) })
	if err != nil {
		return err
	}
	ctx, cancel, err := s.witnessed(r)
	if err != nil {
		return err
	}
	defer cancel()
	var evs []events.Envelope
	for _, ref := range d.Events {
		e, err := s.cfg.Log.Get(ctx, ref.Seq)
		if err != nil {
			return err
		}
		evs = append(evs, e)
	}
	bundle, err := s.cfg.Witness.Prove(ctx, audit.Decision{Consortium: id, Proposal: d.ID}, evs)
	if err != nil {
		return err
	}
	return writeText(w, "application/json", bundle)
}

// export is a consortium's whole history as JSON Lines, each event as stored with its
// inclusion proof, under a signed checkpoint.
func (s *Server) export(w http.ResponseWriter, r *http.Request) error {
	id, err := consortium(r)
	if err != nil {
		return err
	}
	ctx, cancel, err := s.witnessed(r)
	if err != nil {
		return err
	}
	defer cancel()
	// Written whole once it is complete, so that a failure half-way is an error and
	// not a truncated file.
	var buf bytes.Buffer
	if err := s.cfg.Witness.Export(ctx, &buf, id); err != nil {
		return err
	}
	w.Header().Set("Content-Disposition", `attachment; filename="`+id+`.jsonl"`)
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	return writeText(w, "application/x-ndjson", buf.Bytes())
}
