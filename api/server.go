package api

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/ledger"
	"github.com/govledger/govledger/projections"
)

// MaxBodyBytes bounds a request body. The largest command, a consortium formed with its
// terms and partners, is a few kilobytes; an event payload may not exceed
// events.MaxPayloadBytes anyway.
const MaxBodyBytes = 256 << 10

// Config is what a Server answers from.
type Config struct {
	Ledger *ledger.Ledger
	Log    *events.Log
	Models *projections.Runner
	// Witness keeps the Merkle tree of the log and signs checkpoints, proofs and exports.
	Witness *audit.Witness
	// Now is the clock for commands that do not say when they happened, and for
	// derived answers such as whether a dispute is overdue (default time.Now).
	Now func() time.Time
	// WaitLimit bounds how long a read waits for the read models to reach the
	// sequence it asks for (default 10s).
	WaitLimit time.Duration
}

// Server is the HTTP API. It is an http.Handler.
type Server struct {
	cfg    Config
	mux    *http.ServeMux
	routes []string
	// written is the highest sequence this server has appended: reads wait for the
	// read models to reach it, so a client reads its own writes without asking.
	written atomic.Uint64
}

// New returns the API over cfg.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.WaitLimit <= 0 {
		cfg.WaitLimit = 10 * time.Second
	}
	s := &Server{cfg: cfg, mux: http.NewServeMux()}
	s.commandRoutes()
	s.readRoutes()
	s.streamRoutes()
	s.auditRoutes()
	s.handle("GET /v1/openapi.json", s.openAPI)
	s.refuseOtherMethods()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, errorf(CodeNotFound, "%s %s is not a route of the govledger API; see /v1/openapi.json", r.Method, r.URL.Path))
	})
	return s
}

// refuseOtherMethods answers a route asked for with a method it does not take with the
// API's own JSON refusal, naming the methods it does take.
func (s *Server) refuseOtherMethods() {
	allowed := map[string][]string{}
	var paths []string
	for _, r := range s.routes {
		method, path, _ := strings.Cut(r, " ")
		if allowed[path] == nil {
			paths = append(paths, path)
		}
		allowed[path] = append(allowed[path], method)
	}
	for _, path := range paths {
		methods := strings.Join(allowed[path], ", ")
		s.mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", methods)
			writeError(w, errorf(CodeNotAllowed, "%s takes %s, not %s", r.URL.Path, methods, r.Method))
		})
	}
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// The mux would redirect a path it cleans (an empty segment, a dot segment) to
	// another route: /v1/consortia//members to /v1/consortia/members.
	if p := r.URL.Path; p != path.Clean(p) && p != path.Clean(p)+"/" {
		writeError(w, errorf(CodeInvalid, "the path %s has an empty or a dot segment: name every id", p))
		return
	}
	s.mux.ServeHTTP(w, r)
}

// Routes lists every route as "METHOD /path/{param}", in the order they were added.
func (s *Server) Routes() []string { return append([]string(nil), s.routes...) }

func (s *Server) handle(pattern string, h func(http.ResponseWriter, *http.Request) error) {
	s.routes = append(s.routes, pattern)
	// Every id in a path is a slug; the consortium's is checked where it is read.
	var ids []string
	for _, seg := range strings.Split(pattern, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok && name != "consortium}" {
			ids = append(ids, strings.TrimSuffix(name, "}"))
		}
	}
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		for _, name := range ids {
			if err := events.ValidSlug(name, r.PathValue(name)); err != nil {
				writeError(w, ErrorOf(err))
				return
			}
		}
		if err := h(w, r); err != nil {
			writeError(w, ErrorOf(err))
		}
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(data, '\n'))
	return nil
}

func writeError(w http.ResponseWriter, e *Error) {
	writeJSON(w, e.Status().HTTP, e)
}

// seqParam reads an optional sequence number from the query.
func seqParam(r *http.Request, name string) (uint64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	return parseSeq(name+"=", v)
}

// parseSeq reads a stream sequence number, strictly. The largest uint64 is refused too:
// no log reaches it, and the sequence after it would wrap round to the first.
func parseSeq(name, v string) (uint64, error) {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil || n == math.MaxUint64 {
		return 0, errorf(CodeInvalid, "%s%q is not a stream sequence number", name, v)
	}
	return n, nil
}

// inLog refuses a sequence past the log's last, which no read model will reach until
// something else is recorded; name is how the request gave it (at=, since=, ...).
func inLog(ctx context.Context, log *events.Log, name string, seq uint64) error {
	last, err := log.LastSeq(ctx)
	if err != nil {
		return err
	}
	if seq > last {
		return errorf(CodeInvalid, "%s%d is past the end of the log, whose last sequence is %d", name, seq, last)
	}
	return nil
}

// consortium reads and checks the {consortium} path parameter.
func consortium(r *http.Request) (string, error) {
	id := r.PathValue("consortium")
	if err := events.ValidSlug("consortium", id); err != nil {
		return "", err
	}
	return id, nil
}

// caughtUp waits until the read models reflect min_seq, or everything this server has
// written when the request does not say.
func (s *Server) caughtUp(r *http.Request) error {
	want, err := seqParam(r, "min_seq")
	if err != nil {
		return err
	}
	want = max(want, s.written.Load())
	if s.cfg.Models.Seq() >= want {
		return nil
	}
	if err := inLog(r.Context(), s.cfg.Log, "min_seq=", want); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.WaitLimit)
	defer cancel()
	if err := s.cfg.Models.WaitFor(ctx, want); err != nil {
		return errorf(CodeUnavailable, "the read models have not reached sequence %d yet: %v", want, err)
	}
	return nil
}

func (s *Server) wrote(seq uint64) {
	for {
		cur := s.written.Load()
		if seq <= cur || s.written.CompareAndSwap(cur, seq) {
			return
		}
	}
}
