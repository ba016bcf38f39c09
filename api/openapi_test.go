package api_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/api"
	"github.com/govledger/govledger/audit"
	"github.com/govledger/govledger/events"
	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/projections"
	"golang.org/x/mod/sumdb/tlog"
)

var updateOpenAPI = flag.Bool("update", false, "rewrite openapi.json from the code")

// The OpenAPI document is generated from the routes below, the Go types they send and
// receive, and those types' doc comments; TestOpenAPIDocument fails when openapi.json
// is not what the code says, and -update rewrites it.

// routeDoc says what one route does.
type routeDoc struct {
	summary  string
	body     any      // the request body's Go type, for a command
	response any      // the response's Go type; nil for a stream
	query    []string // names of its query parameters, described in queryParams
	media    string   // a response that is not JSON
	signed   bool     // answered from the checkpoint tree, which stops at a fault of the record
}

var pointInTime = []string{"at", "as_of"}

var routeDocs = map[string]routeDoc{
	"POST /v1/consortia":                                             {summary: "Form a consortium with its founding partners and terms", body: g.FormConsortium{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/applications":                   {summary: "Record an organisation's application to join", body: g.ApplyToJoin{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/proposals":                      {summary: "Table a proposal; its electorate and rule are frozen now", body: g.TableProposal{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/proposals/{proposal}/interests": {summary: "Declare a partner's interest in a proposal", body: g.DeclareInterest{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/proposals/{proposal}/votes":     {summary: "Cast a partner's vote; a later vote replaces an earlier one", body: g.CastVote{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/proposals/{proposal}/close":     {summary: "Close a proposal: carried, rejected or lapsed by its frozen rule, with its effect", body: g.CloseProposal{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/proposals/{proposal}/withdraw":  {summary: "Withdraw an open proposal", body: g.WithdrawProposal{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/meeting-decisions":              {summary: "Record a decision taken in a meeting, with attendance and votes as minuted", body: g.RecordMeetingDecision{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/roles":                          {summary: "Give a partner a role directly, where the terms allow it without a decision", body: g.AssignRole{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/notices":                        {summary: "Record a partner's notice of withdrawal", body: g.ServeNotice{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/disputes":                       {summary: "Raise a dispute against one or more partners", body: g.RaiseDispute{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/disputes/{dispute}/escalate":    {summary: "Move a dispute to the next stage of the terms' ladder", body: g.EscalateDispute{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/disputes/{dispute}/resolve":     {summary: "Record the outcome the parties to a dispute agreed", body: g.ResolveDispute{}, response: api.CommandResult{}},
	"POST /v1/consortia/{consortium}/disputes/{dispute}/withdraw":    {summary: "Withdraw a dispute", body: g.WithdrawDispute{}, response: api.CommandResult{}},

	"GET /v1/consortia":                                   {summary: "Every consortium, with its status and terms version", response: []projections.ConsortiumSummary{}, query: []string{"min_seq"}},
	"GET /v1/consortia/{consortium}":                      {summary: "One consortium", response: projections.ConsortiumSummary{}, query: append([]string{"min_seq"}, pointInTime...)},
	"GET /v1/consortia/{consortium}/terms":                {summary: "The terms in force", response: g.Terms{}, query: append([]string{"min_seq"}, pointInTime...)},
	"GET /v1/consortia/{consortium}/members":              {summary: "The partners whose membership is in force now, on a date, or at a sequence", response: []projections.Member{}, query: append([]string{"min_seq"}, pointInTime...)},
	"GET /v1/consortia/{consortium}/partners":             {summary: "Every partner ever known, with its periods of membership", response: []projections.Partner{}, query: append([]string{"min_seq"}, pointInTime...)},
	"GET /v1/consortia/{consortium}/decisions":            {summary: "Every proposal and meeting decision", response: []projections.Decision{}, query: append([]string{"min_seq"}, pointInTime...)},
	"GET /v1/consortia/{consortium}/decisions/{proposal}": {summary: "One decision in full, with every vote as cast", response: projections.Decision{}, query: append([]string{"min_seq"}, pointInTime...)},
	"GET /v1/consortia/{consortium}/admissions":           {summary: "Every application to join and what became of it", response: []projections.Admission{}, query: append([]string{"min_seq"}, pointInTime...)},
	"GET /v1/consortia/{consortium}/disputes":             {summary: "Every dispute, its stage, and whether it is overdue", response: []projections.DisputeView{}, query: append([]string{"min_seq"}, pointInTime...)},
	"GET /v1/consortia/{consortium}/terminations":         {summary: "Notices, expulsions and dissolution, with when each takes effect", response: []projections.Termination{}, query: append([]string{"min_seq"}, pointInTime...)},
	"GET /v1/consortia/{consortium}/events":               {summary: "The consortium's events as stored, oldest first", response: []events.Envelope{}, query: []string{"after", "limit"}},
	"GET /v1/consortia/{consortium}/events/stream":        {summary: "The consortium's events as they are appended (server-sent events)", query: []string{"kind", "since"}, media: "text/event-stream"},
	"GET /v1/events/stream":                               {summary: "Every consortium's events as they are appended (server-sent events)", query: []string{"kind", "since"}, media: "text/event-stream"},
	"GET /v1/openapi.json":                                {summary: "This document", media: "application/json"},

	"GET /v1/audit/key":        {summary: "The ledger's verifier key (a signed-note verifier key), which checkpoints, proofs and exports are checked with", media: "text/plain"},
	"GET /v1/audit/checkpoint": {signed: true, summary: "A checkpoint of the Merkle tree over every event (C2SP tlog-checkpoint, signed note)", media: "text/plain"},
	"GET /v1/audit/consistency": {signed: true, summary: "A proof that the log of size events extends the log of old events", response: api.Consistency{},
		query: []string{"old", "size"}},
	"GET /v1/consortia/{consortium}/decisions/{proposal}/proof": {signed: true, summary: "An inclusion proof of every event behind a decision, under a fresh checkpoint, to check offline",
		response: audit.Proof{}, query: []string{"min_seq"}},
	"GET /v1/consortia/{consortium}/export": {signed: true, summary: "The consortium's whole history as JSON Lines: a header with a signed checkpoint, then each event as stored with its inclusion proof",
		media: "application/x-ndjson"},
}

var queryParams = map[string]map[string]any{
	"min_seq": {"description": "Wait until the read models reflect this stream sequence (a command's seq) before answering; 503 if they do not within the server's limit.", "schema": map[string]any{"type": "integer", "minimum": 0}},
	"at":      {"description": "Answer from the consortium's history up to this stream sequence, as it stood then.", "schema": map[string]any{"type": "integer", "minimum": 1}},
	"as_of":   {"description": "Answer as of this date (the end of that day) or RFC 3339 time, from what had happened by then.", "schema": map[string]any{"type": "string", "example": "2026-03-01"}},
	"after":   {"description": "Only events after this stream sequence.", "schema": map[string]any{"type": "integer", "minimum": 0}},
	"limit":   {"description": "At most this many events.", "schema": map[string]any{"type": "integer", "minimum": 1}},
	"kind":    {"description": "Only these kinds of change, comma-separated: " + strings.Join(api.KindNames(), ", ") + ".", "schema": map[string]any{"type": "string"}},
	"old":     {"description": "The size of the checkpoint you hold.", "schema": map[string]any{"type": "integer", "minimum": 1}},
	"size":    {"description": "The size of the newer checkpoint (default: every event now in the log).", "schema": map[string]any{"type": "integer", "minimum": 1}},
	"since":   {"description": "First replay the events after this stream sequence (0: from the beginning). A reconnecting client's Last-Event-ID header takes precedence.", "schema": map[string]any{"type": "integer", "minimum": 0}},
}

func TestOpenAPIDocument(t *testing.T) {
	l := start(t)
	routes := l.api.Routes()
	for _, r := range routes {
		if _, ok := routeDocs[r]; !ok {
			t.Errorf("route %s is not described in routeDocs", r)
		}
	}
	for r := range routeDocs {
		if !slices.Contains(routes, r) {
			t.Errorf("routeDocs describes %s, which is not a route", r)
		}
	}
	want := openAPI(t, routes)
	if *updateOpenAPI {
		if err := os.WriteFile("openapi.json", want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var served []byte
	if err := l.client.Get(t.Context(), "/v1/openapi.json", nil, &served); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(served, want) {
		t.Fatalf("the served openapi.json is not what the code says: run go test ./api -run OpenAPI -update")
	}
	var doc map[string]any
	if err := json.Unmarshal(served, &doc); err != nil || doc["openapi"] != "3.1.0" {
		t.Fatalf("openapi.json does not read as an OpenAPI 3.1 document: %v", err)
	}
}

// openAPI writes the document.
func openAPI(t *testing.T, routes []string) []byte {
	comments := docComments(t, map[string]string{"api": ".", "audit": "../audit", "events": "../events", "governance": "../governance", "projections": "../projections"})
	s := &schemas{comments: comments, defs: map[string]any{}}
	errSchema := s.ref(reflect.TypeFor[api.Error]())
	paths := map[string]map[string]any{}
	for _, r := range routes {
		d := routeDocs[r]
		method, path, _ := strings.Cut(r, " ")
		op := map[string]any{"summary": d.summary}
		var params []any
		for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true,
				"description": "The " + m[1] + "'s id: lower-case letters, digits and hyphens (one NATS subject token).",
				"schema":      map[string]any{"type": "string", "pattern": "^[a-z0-9][a-z0-9-]{0,62}$"}})
		}
		for _, q := range d.query {
			p := map[string]any{"name": q, "in": "query"}
			for k, v := range queryParams[q] {
				p[k] = v
			}
			params = append(params, p)
		}
		if d.body != nil {
			params = append(params,
				map[string]any{"name": api.HeaderActor, "in": "header", "required": true, "description": "Who acts: person@partner.", "schema": map[string]any{"type": "string", "example": "colin-mccabe@anchorpoint"}},
				map[string]any{"name": api.HeaderCommandID, "in": "header", "description": "The command's id within its consortium: the same command again under it, from the same actor, returns the first result and records nothing; another command under it, or another actor's, is refused (409).", "schema": map[string]any{"type": "string"}})
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": s.of(reflect.TypeOf(d.body))}}}
		}
		if params != nil {
			op["parameters"] = params
		}
		responses := map[string]any{}
		switch {
		case d.body != nil:
			ok := map[string]any{"application/json": map[string]any{"schema": s.of(reflect.TypeOf(d.response))}}
			responses["201"] = map[string]any{"description": "Recorded: the events appended and the sequence of the last.", "content": ok}
			responses["200"] = map[string]any{"description": "Recorded before under the same command id: the first result.", "content": ok}
		case d.media != "":
			responses["200"] = map[string]any{"description": d.summary, "content": map[string]any{d.media: map[string]any{}}}
		case d.response == nil:
			t.Fatalf("route %s has neither a response type nor a media type", r)
		default:
			responses["200"] = map[string]any{"description": d.summary, "content": map[string]any{"application/json": map[string]any{"schema": s.of(reflect.TypeOf(d.response))}}}
		}
		for _, code := range []api.Code{api.CodeInvalid, api.CodeForbidden, api.CodeNotFound, api.CodeConflict, api.CodeTooLarge,
			api.CodeFault, api.CodeUnavailable, api.CodeInternal} {
			if d.body == nil && (code == api.CodeForbidden || code == api.CodeConflict || code == api.CodeTooLarge) ||
				code == api.CodeFault && !d.signed {
				continue
			}
			what := "Refused (" + string(code) + ")."
			switch code {
			case api.CodeFault:
				what = "The record does not verify (fault): the ledger signs nothing over it."
			case api.CodeInternal:
				what = "A failure of govledger itself (internal)."
			}
			responses[fmt.Sprint(api.Codes[code].HTTP)] = map[string]any{"description": what,
				"content": map[string]any{"application/json": map[string]any{"schema": errSchema}}}
		}
		op["responses"] = responses
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = op
	}
	doc := map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "govledger", "version": "1",
			"description": "The governance record of a health and care partnership. Commands are POSTs whose body is the command; " +
				"every refusal is {code, message} with the status of its code."},
		"paths":      paths,
		"components": map[string]any{"schemas": s.defs},
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(doc); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// schemas turns Go types into JSON Schemas, the named structs as components.
type schemas struct {
	comments map[string]string // "pkg.Type" and "pkg.Type.Field" → doc comment
	defs     map[string]any
}

func (s *schemas) of(t reflect.Type) map[string]any {
	switch t {
	case reflect.TypeFor[time.Time]():
		return map[string]any{"type": "string", "format": "date-time"}
	case reflect.TypeFor[g.Date]():
		return map[string]any{"type": "string", "format": "date", "example": "2026-04-01"}
	case reflect.TypeFor[g.Fraction]():
		return map[string]any{"type": "string", "example": "2/3", "description": "A share such as 2/3."}
	case reflect.TypeFor[g.Share]():
		return map[string]any{"type": "number", "example": 33.34, "description": "A percentage with up to two decimals."}
	case reflect.TypeFor[json.RawMessage]():
		return map[string]any{"type": "object"}
	case reflect.TypeFor[tlog.Hash]():
		return map[string]any{"type": "string", "contentEncoding": "base64", "description": "A SHA-256 hash."}
	}
	switch t.Kind() {
	case reflect.Pointer:
		return s.of(t.Elem())
	case reflect.String:
		return map[string]any{"type": "string"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	case reflect.Int, reflect.Int64, reflect.Uint64:
		return map[string]any{"type": "integer"}
	case reflect.Slice:
		return map[string]any{"type": "array", "items": s.of(t.Elem())}
	case reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": s.of(t.Elem())}
	case reflect.Struct:
		return s.ref(t)
	}
	panic("no schema for " + t.String())
}

func (s *schemas) ref(t reflect.Type) map[string]any {
	name := filepath.Base(t.PkgPath()) + "." + t.Name()
	if _, ok := s.defs[name]; !ok {
		s.defs[name] = nil // being written: a type that refers to itself stops here
		props := map[string]any{}
		s.fields(t, props)
		// Commands are read strictly (no key they do not name), and answers hold only
		// their fields.
		def := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
		if c := s.comments[name]; c != "" {
			def["description"] = c
		}
		s.defs[name] = def
	}
	return map[string]any{"$ref": "#/components/schemas/" + name}
}

func (s *schemas) fields(t reflect.Type, props map[string]any) {
	pkg := filepath.Base(t.PkgPath())
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		if f.Anonymous && tag == "" {
			s.fields(f.Type, props)
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		p := s.of(f.Type)
		if c := s.comments[pkg+"."+t.Name()+"."+f.Name]; c != "" {
			if _, isRef := p["$ref"]; isRef {
				p = map[string]any{"allOf": []any{p}} // a $ref takes no siblings in older readers
			}
			p["description"] = c
		}
		props[name] = p
	}
}

// docComments reads the doc comments of the types and struct fields in the given
// packages' folders.
func docComments(t *testing.T, dirs map[string]string) map[string]string {
	out := map[string]string{}
	for pkg, dir := range dirs {
		fset := token.NewFileSet()
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
			if err != nil {
				t.Fatal(err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				gd, ok := n.(*ast.GenDecl)
				if !ok || gd.Tok != token.TYPE {
					return true
				}
				for _, spec := range gd.Specs {
					ts := spec.(*ast.TypeSpec)
					text := ts.Doc.Text()
					if text == "" && len(gd.Specs) == 1 {
						text = gd.Doc.Text()
					}
					out[pkg+"."+ts.Name.Name] = sentence(text)
					st, ok := ts.Type.(*ast.StructType)
					if !ok {
						continue
					}
					for _, fld := range st.Fields.List {
						c := fld.Doc.Text()
						if c == "" {
							c = fld.Comment.Text()
						}
						for _, n := range fld.Names {
							out[pkg+"."+ts.Name.Name+"."+n.Name] = sentence(c)
						}
					}
				}
				return true
			})
		}
	}
	return out
}

// sentence joins a comment's lines into one paragraph.
func sentence(c string) string { return strings.Join(strings.Fields(c), " ") }
