package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/govledger/govledger/events"
	"github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/ledger"
)

// Headers a command request may carry.
const (
	// HeaderActor says who acts: "person@partner" (the person and the partner they act
	// for), or "person" alone. Every command needs one: the record says who did what.
	HeaderActor = "Govledger-Actor"
	// HeaderCommandID makes a retry safe. It names a command within its consortium:
	// the same command again under the same id, from the same actor, returns the first
	// result; another command under it, or another actor's, is a conflict.
	HeaderCommandID = "Idempotency-Key"
)

// commandRoute is one steering-group verb: the governance command a POST decodes to,
// and the body field a path parameter fills (a vote's proposal, say).
type commandRoute struct {
	pattern   string
	command   string
	pathField string
}

var commandRoutes = []commandRoute{
	{"POST /v1/consortia", "form-consortium", ""},
	{"POST /v1/consortia/{consortium}/applications", "apply-to-join", ""},
	{"POST /v1/consortia/{consortium}/proposals", "table-proposal", ""},
	{"POST /v1/consortia/{consortium}/proposals/{proposal}/interests", "declare-interest", "proposal"},
	{"POST /v1/consortia/{consortium}/proposals/{proposal}/votes", "cast-vote", "proposal"},
	{"POST /v1/consortia/{consortium}/proposals/{proposal}/close", "close-proposal", "proposal"},
	{"POST /v1/consortia/{consortium}/proposals/{proposal}/withdraw", "withdraw-proposal", "proposal"},
	{"POST /v1/consortia/{consortium}/meeting-decisions", "record-meeting-decision", ""},
	{"POST /v1/consortia/{consortium}/roles", "assign-role", ""},
	{"POST /v1/consortia/{consortium}/notices", "serve-notice", ""},
	{"POST /v1/consortia/{consortium}/disputes", "raise-dispute", ""},
	{"POST /v1/consortia/{consortium}/disputes/{dispute}/escalate", "escalate-dispute", "dispute"},
	{"POST /v1/consortia/{consortium}/disputes/{dispute}/resolve", "resolve-dispute", "dispute"},
	{"POST /v1/consortia/{consortium}/disputes/{dispute}/withdraw", "withdraw-dispute", "dispute"},
}

// CommandResult is what a command recorded: its events as stored, and the sequence of
// the last, which a read can ask the read models to have reached (min_seq).
type CommandResult struct {
	CommandID string            `json:"command_id"`
	Seq       uint64            `json:"seq"`
	Repeated  bool              `json:"repeated"`
	Events    []events.Envelope `json:"events"`
}

func (s *Server) commandRoutes() {
	for _, rt := range commandRoutes {
		s.handle(rt.pattern, func(w http.ResponseWriter, r *http.Request) error { return s.command(w, r, rt) })
	}
}

func (s *Server) command(w http.ResponseWriter, r *http.Request, rt commandRoute) error {
	cmd, err := s.decodeCommand(w, r, rt)
	if err != nil {
		return err
	}
	res, err := s.cfg.Ledger.Handle(r.Context(), cmd)
	if err != nil {
		return err
	}
	s.wrote(res.Seq)
	status := http.StatusCreated
	if res.Repeated {
		status = http.StatusOK
	}
	return writeJSON(w, status, CommandResult{CommandID: res.Events[0].CommandID, Seq: res.Seq, Repeated: res.Repeated, Events: res.Events})
}

// decodeCommand reads a command request: the body is the command's JSON, less what the
// path already says; a command that does not say when it happened happened now.
func (s *Server) decodeCommand(w http.ResponseWriter, r *http.Request, rt commandRoute) (ledger.Command, error) {
	actor, err := parseActor(r.Header.Get(HeaderActor))
	if err != nil {
		return ledger.Command{}, err
	}
	body, err := readObject(w, r)
	if err != nil {
		return ledger.Command{}, err
	}
	id := ""
	if rt.command != "form-consortium" {
		if id, err = consortium(r); err != nil {
			return ledger.Command{}, err
		}
	}
	if rt.pathField != "" {
		v, _ := json.Marshal(r.PathValue(rt.pathField))
		if given, ok := body[rt.pathField]; ok && !bytes.Equal(given, v) {
			return ledger.Command{}, errorf(CodeInvalid, "the body names %s %s but the path names %s", rt.pathField, given, v)
		}
		body[rt.pathField] = v
	}
	now := s.cfg.Now()
	if given, ok := body["at"]; !ok {
		body["at"], _ = json.Marshal(now.UTC().Truncate(time.Millisecond))
	} else if err := notAhead(given, now); err != nil {
		return ledger.Command{}, err
	}
	data, _ := json.Marshal(body)
	c, err := governance.DecodeCommand(rt.command, data)
	if err != nil {
		return ledger.Command{}, err
	}
	if f, ok := c.(governance.FormConsortium); ok {
		id = f.Consortium
		if err := governance.ValidSlug("consortium id", id); err != nil {
			return ledger.Command{}, err
		}
	}
	return ledger.Command{ID: r.Header.Get(HeaderCommandID), Consortium: id, Actor: actor, Do: c}, nil
}

// notAhead refuses a command's time (at) later than tomorrow: a command records what
// has happened. A day's grace leaves room for a date given without a time, and for
// clocks and time zones that disagree a little. (A time a century ahead would also put
// the dates derived from it, such as a dispute stage's deadline, past the year 9999.)
func notAhead(given json.RawMessage, now time.Time) error {
	var at time.Time
	if json.Unmarshal(given, &at) != nil {
		return nil // not a time: decoding the command says so
	}
	if limit := now.Add(24 * time.Hour); at.After(limit) {
		return errorf(CodeInvalid, "at %s is in the future (it is now %s): a command records what has happened",
			at.UTC().Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return nil
}

// readObject reads a JSON object body of at most MaxBodyBytes.
func readObject(w http.ResponseWriter, r *http.Request) (map[string]json.RawMessage, error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return nil, err
		}
		return nil, errorf(CodeInvalid, "the request body could not be read: %v", err)
	}
	if enc := r.Header.Get("Content-Encoding"); enc != "" && !strings.EqualFold(enc, "identity") {
		return nil, errorf(CodeInvalid, "the request body is sent with Content-Encoding %s: send it as plain JSON", enc)
	}
	if !utf8.Valid(data) {
		return nil, errorf(CodeInvalid, "the request body is not UTF-8 text")
	}
	var obj json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&obj); err != nil {
		return nil, errorf(CodeInvalid, "the request body is not well-formed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	if dec.More() {
		return nil, errorf(CodeInvalid, "the request body has more after its JSON object")
	}
	if obj[0] != '{' {
		return nil, errorf(CodeInvalid, "the request body is not a JSON object: it is %s", obj[:min(len(obj), 20)])
	}
	// Read key by key: decoding into a map would keep the last of two keys alike. obj
	// is one well-formed object, so its tokens read without error.
	body := map[string]json.RawMessage{}
	dec = json.NewDecoder(bytes.NewReader(obj))
	dec.Token() // {
	for dec.More() {
		tok, _ := dec.Token()
		key := tok.(string)
		if _, twice := body[key]; twice {
			return nil, errorf(CodeInvalid, "the request body gives %q twice", key)
		}
		var v json.RawMessage
		dec.Decode(&v)
		body[key] = v
	}
	return body, nil
}

// parseActor reads "person@partner" or "person".
func parseActor(v string) (governance.Actor, error) {
	if v == "" {
		return governance.Actor{}, errorf(CodeInvalid, "say who is acting: the %s header is person@partner (for example amina-okafor@brightside-cvs)", HeaderActor)
	}
	person, partner, at := strings.Cut(v, "@")
	if person == "" {
		return governance.Actor{}, errorf(CodeInvalid, "%s %q names no person; write person@partner", HeaderActor, v)
	}
	if at && partner == "" {
		return governance.Actor{}, errorf(CodeInvalid, "%s %q names no partner after the @; write person@partner", HeaderActor, v)
	}
	if partner != "" {
		if err := events.ValidSlug("acting partner", partner); err != nil {
			return governance.Actor{}, err
		}
	}
	return governance.Actor{Person: person, Partner: partner}, nil
}
