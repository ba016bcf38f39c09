package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/projections"
)

func (s *Server) readRoutes() {
	s.handle("GET /v1/consortia", s.consortia)
	s.handle("GET /v1/consortia/{consortium}", read(s, func(m *projections.Models, id string, v view) (any, error) { return m.Consortium(id, v.now) }))
	s.handle("GET /v1/consortia/{consortium}/terms", read(s, func(m *projections.Models, id string, _ view) (any, error) { return m.Terms(id) }))
	s.handle("GET /v1/consortia/{consortium}/members", s.members)
	s.handle("GET /v1/consortia/{consortium}/partners", read(s, func(m *projections.Models, id string, v view) (any, error) { return m.Partners(id, v.now) }))
	s.handle("GET /v1/consortia/{consortium}/decisions", read(s, func(m *projections.Models, id string, _ view) (any, error) { return m.Decisions(id) }))
	s.handle("GET /v1/consortia/{consortium}/decisions/{proposal}", read(s, func(m *projections.Models, id string, v view) (any, error) {
		return m.Decision(id, v.r.PathValue("proposal"))
	}))
	s.handle("GET /v1/consortia/{consortium}/admissions", read(s, func(m *projections.Models, id string, _ view) (any, error) { return m.Admissions(id) }))
	s.handle("GET /v1/consortia/{consortium}/disputes", read(s, func(m *projections.Models, id string, v view) (any, error) { return m.Disputes(id, v.now) }))
	s.handle("GET /v1/consortia/{consortium}/terminations", read(s, func(m *projections.Models, id string, v view) (any, error) { return m.Terminations(id, v.now) }))
	s.handle("GET /v1/consortia/{consortium}/events", s.history)
}

// view is the moment a read answers for.
type view struct {
	r *http.Request
	// now is the time derived answers are given at: whether a dispute is overdue, a
	// notice in effect, a membership in force.
	now time.Time
	// at, when not 0, limits the record to the events up to that stream sequence.
	at uint64
	// asOf says that now was asked for (?as_of), so the record is limited to what had
	// happened by then.
	asOf bool
}

// viewOf reads ?at=SEQ and ?as_of=DATE (or a time); a date means the end of that day.
func (s *Server) viewOf(r *http.Request) (view, error) {
	v := view{r: r, now: s.cfg.Now()}
	var err error
	if v.at, err = seqParam(r, "at"); err != nil {
		return view{}, err
	}
	if v.at == 0 && r.URL.Query().Has("at") {
		return view{}, errorf(CodeInvalid, "at=%q: the log's sequences start at 1", r.URL.Query().Get("at"))
	}
	if v.at > 0 {
		if err := inLog(r.Context(), s.cfg.Log, "at=", v.at); err != nil {
			return view{}, err
		}
	}
	// A read of the past is built from the log, so min_seq has nothing to wait for
	// there; it is still held to being a sequence.
	if _, err := seqParam(r, "min_seq"); err != nil {
		return view{}, err
	}
	if q := r.URL.Query().Get("as_of"); q != "" {
		t, err := time.Parse(time.DateOnly, q)
		if err == nil {
			t = t.AddDate(0, 0, 1).Add(-time.Nanosecond)
		} else if t, err = time.Parse(time.RFC3339Nano, q); err != nil {
			return view{}, errorf(CodeInvalid, "as_of=%q is not a date (2026-03-01) or an RFC 3339 time", q)
		}
		v.now, v.asOf = t.UTC(), true
	}
	return v, nil
}

// read answers one consortium's read from the live read models, or, for a point in
// time, from read models built from its history up to that point.
func read(s *Server, answer func(m *projections.Models, id string, v view) (any, error)) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := consortium(r)
		if err != nil {
			return err
		}
		v, err := s.viewOf(r)
		if err != nil {
			return err
		}
		return s.answer(w, r, id, v, answer)
	}
}

// answer writes answer's result for consortium id as of v (viewOf).
func (s *Server) answer(w http.ResponseWriter, r *http.Request, id string, v view, answer func(m *projections.Models, id string, v view) (any, error)) error {
	var result any
	var err error
	if v.at > 0 || v.asOf {
		m, now, err := s.pastModels(r, id, v)
		if err != nil {
			return err
		}
		v.now = now
		result, err = answer(m, id, v)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, result)
	}
	if err := s.caughtUp(r); err != nil {
		return err
	}
	s.cfg.Models.View(func(m *projections.Models, _ uint64) { result, err = answer(m, id, v) })
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, result)
}

// pastModels builds read models from the consortium's events up to sequence v.at and,
// with as_of, that had happened by v.now. Without as_of the answer is given as the
// record stood after its last event up to v.at, at the time that event happened.
func (s *Server) pastModels(r *http.Request, id string, v view) (*projections.Models, time.Time, error) {
	evs, err := s.cfg.Log.Read(r.Context(), id, 0)
	if err != nil {
		return nil, time.Time{}, err
	}
	m := projections.NewModels()
	now, applied := time.Time{}, 0
	for _, e := range evs {
		if v.at > 0 && e.Seq > v.at {
			break
		}
		if v.asOf && e.OccurredAt.After(v.now) {
			continue
		}
		m.Apply(e)
		applied++
		if e.OccurredAt.After(now) {
			now = e.OccurredAt
		}
	}
	if applied == 0 {
		return nil, time.Time{}, errorf(CodeNotFound, "consortium %s had no events %s", id, v.describe())
	}
	if v.asOf {
		now = v.now
	}
	return m, now, nil
}

func (v view) describe() string {
	switch {
	case v.at > 0 && v.asOf:
		return "up to sequence " + strconv.FormatUint(v.at, 10) + " that happened by " + v.now.Format(time.RFC3339)
	case v.at > 0:
		return "up to sequence " + strconv.FormatUint(v.at, 10)
	}
	return "that happened by " + v.now.Format(time.RFC3339)
}

func (s *Server) consortia(w http.ResponseWriter, r *http.Request) error {
	if err := s.caughtUp(r); err != nil {
		return err
	}
	var list []projections.ConsortiumSummary
	s.cfg.Models.View(func(m *projections.Models, _ uint64) { list = m.Consortia(s.cfg.Now()) })
	if list == nil {
		list = []projections.ConsortiumSummary{}
	}
	return writeJSON(w, http.StatusOK, list)
}

// members answers who was a member at a time from the live membership intervals; only
// a read as of a sequence needs the history.
func (s *Server) members(w http.ResponseWriter, r *http.Request) error {
	id, err := consortium(r)
	if err != nil {
		return err
	}
	v, err := s.viewOf(r)
	if err != nil {
		return err
	}
	if v.at > 0 {
		return s.answer(w, r, id, v, func(m *projections.Models, id string, v view) (any, error) { return m.Membership(id, v.now) })
	}
	if err := s.caughtUp(r); err != nil {
		return err
	}
	var rows []projections.Member
	s.cfg.Models.View(func(m *projections.Models, _ uint64) {
		// Before it was formed there was no consortium to be a member of: answered as
		// every other read of the past answers it.
		if c, found := m.Consortium(id, v.now); found == nil && v.asOf && c.FormedAt.After(v.now) {
			err = errorf(CodeNotFound, "consortium %s had no events %s", id, v.describe())
			return
		}
		rows, err = m.Membership(id, v.now)
	})
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, rows)
}

// known refuses a consortium that has no event in the log.
func (s *Server) known(r *http.Request, id string) error {
	head, err := s.cfg.Log.Head(r.Context(), id)
	if err != nil {
		return err
	}
	if head.Seq == 0 {
		return errorf(CodeNotFound, "consortium %s is not in the ledger", id)
	}
	return nil
}

// history is a consortium's events as stored, oldest first: after ?after=SEQ, at most
// ?limit=N of them.
func (s *Server) history(w http.ResponseWriter, r *http.Request) error {
	id, err := consortium(r)
	if err != nil {
		return err
	}
	after, err := seqParam(r, "after")
	if err != nil {
		return err
	}
	limit := 0
	if v := r.URL.Query().Get("limit"); v != "" {
		if limit, err = strconv.Atoi(v); err != nil || limit < 1 {
			return errorf(CodeInvalid, "limit=%q is not a positive number", v)
		}
	}
	evs, err := s.cfg.Log.Read(r.Context(), id, after)
	if err != nil {
		return err
	}
	if len(evs) == 0 {
		if err := s.known(r, id); err != nil {
			return err
		}
	}
	if limit > 0 && len(evs) > limit {
		evs = evs[:limit]
	}
	if evs == nil {
		evs = []events.Envelope{}
	}
	return writeJSON(w, http.StatusOK, evs)
}
