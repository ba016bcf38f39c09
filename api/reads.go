package api

import (
	"net/http"
	"strconv"
)

func (s *Server) readRoutes() {
	s.handle("GET /v1/consortia/{consortium}/events", s.history)
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
	if len(evs) == 0 && after == 0 {
		return errorf(CodeNotFound, "consortium %s is not in the ledger", id)
	}
	if limit > 0 && len(evs) > limit {
		evs = evs[:limit]
	}
	return writeJSON(w, http.StatusOK, evs)
}
