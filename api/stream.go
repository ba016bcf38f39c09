package api

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/govledger/govledger/events"
)

// Kinds are the kinds of change a member can watch, each a set of event subjects.
var Kinds = map[string][]string{
	"membership": {"partner.>", "consortium.>"},
	"decisions":  {"decision.>"},
	"disputes":   {"dispute.>"},
}

// KindNames lists Kinds, sorted.
func KindNames() []string {
	var names []string
	for k := range Kinds {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// heartbeat keeps a quiet stream open through proxies that close idle connections.
const heartbeat = 15 * time.Second

func (s *Server) streamRoutes() {
	s.handle("GET /v1/events/stream", s.stream)
	s.handle("GET /v1/consortia/{consortium}/events/stream", s.stream)
}

// stream sends events as server-sent events, one per event: its stream sequence as
// the id (so a reconnecting client's Last-Event-ID resumes after it), its type as the
// event name, and the event as stored as the data.
func (s *Server) stream(w http.ResponseWriter, r *http.Request) error {
	subjects, err := watchSubjects(r)
	if err != nil {
		return err
	}
	if id := r.PathValue("consortium"); id != "" {
		if err := s.known(r, id); err != nil {
			return err
		}
	}
	from, err := streamStart(r, s.cfg.Log)
	if err != nil {
		return err
	}
	flusher, ok := w.(http.Flusher)
	if !ok {
		return errorf(CodeInternal, "this connection cannot stream")
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)

	var mu sync.Mutex // the heartbeat and the events share the connection
	send := func(text string) error {
		mu.Lock()
		defer mu.Unlock()
		if _, err := fmt.Fprint(w, text); err != nil {
			return err
		}
		flusher.Flush()
		return nil
	}
	// The stream's position before its first event: a client that reconnects before
	// any event came resumes from here, not from the start or from a later now.
	send(fmt.Sprintf(": govledger event stream\nid: %d\n\n", from-1))
	ctx, cancel := context.WithCancel(r.Context())
	beating := make(chan struct{})
	defer func() { cancel(); <-beating }() // nothing writes after the handler returns
	go func() {
		defer close(beating)
		t := time.NewTicker(heartbeat)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				send(": keep-alive\n\n")
			}
		}
	}()
	err = s.cfg.Log.Watch(ctx, subjects, from, func(e events.Envelope) error {
		data, err := json.Marshal(e)
		if err != nil {
			return err
		}
		return send(fmt.Sprintf("id: %d\nevent: %s\ndata: %s\n\n", e.Seq, e.Type, data))
	})
	if ctx.Err() == nil && err != nil {
		// The status is sent already; the stream ends with the reason as an error event.
		msg, _ := json.Marshal(ErrorOf(err))
		send(fmt.Sprintf("event: error\ndata: %s\n\n", msg))
	}
	return nil
}

// watchSubjects are the subjects a stream request asks for: one consortium's or all,
// narrowed by ?kind=membership,decisions,disputes.
func watchSubjects(r *http.Request) ([]string, error) {
	prefix := "gov.*."
	if r.PathValue("consortium") != "" {
		id, err := consortium(r)
		if err != nil {
			return nil, err
		}
		prefix = "gov." + id + "."
	}
	kinds := KindNames()
	if v := r.URL.Query().Get("kind"); v != "" {
		kinds = strings.Split(v, ",")
	}
	var subjects []string
	for _, k := range kinds {
		tails, ok := Kinds[k]
		if !ok {
			return nil, errorf(CodeInvalid, "kind %q is not one of %s", k, strings.Join(KindNames(), ", "))
		}
		for _, t := range tails {
			if !slices.Contains(subjects, prefix+t) {
				subjects = append(subjects, prefix+t)
			}
		}
	}
	return subjects, nil
}

// streamStart is the first sequence to send: after Last-Event-ID when a client
// reconnects, after ?since=SEQ when it asks to replay what it missed, and otherwise
// only what is appended from now on. A sequence past the log's end is refused: the
// stream would wait for events that are not there, which is a client's mistake
// (another ledger's sequence, a typing error), not something to wait out.
func streamStart(r *http.Request, log *events.Log) (uint64, error) {
	name, v := "Last-Event-ID ", r.Header.Get("Last-Event-ID")
	if v == "" {
		q := r.URL.Query()
		if !q.Has("since") {
			last, err := log.LastSeq(r.Context())
			return last + 1, err
		}
		name, v = "since=", q.Get("since")
	}
	after, err := parseSeq(name, v)
	if err != nil {
		return 0, err
	}
	return after + 1, inLog(r.Context(), log, name, after)
}
