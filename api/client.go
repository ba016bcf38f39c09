package api

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/govledger/govledger/events"
	"github.com/oklog/ulid/v2"
)

// Client speaks the API for the command line and for programs of the partners' own.
type Client struct {
	base  *url.URL
	http  *http.Client
	actor string
}

// NewClient returns a client of the ledger at base (such as http://127.0.0.1:8080),
// acting as actor ("person@partner"; only commands need one).
func NewClient(base, actor string) (*Client, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errorf(CodeInvalid, "server %q is not an http:// or https:// URL", base)
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	return &Client{base: u, http: &http.Client{}, actor: actor}, nil
}

// Command posts a command's body to path and returns what it recorded. Every command
// is sent with an id (commandID, or a new one), so that a connection lost before the
// answer came is retried without recording anything twice.
func (c *Client) Command(ctx context.Context, path string, body any, commandID string) (CommandResult, error) {
	data, err := json.Marshal(body)
	if err != nil {
		return CommandResult{}, err
	}
	if commandID == "" {
		commandID = ulid.Make().String()
	}
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url(path, nil), bytes.NewReader(data))
		if err != nil {
			return CommandResult{}, err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(HeaderCommandID, commandID)
		if c.actor != "" {
			req.Header.Set(HeaderActor, c.actor)
		}
		var res CommandResult
		err = c.do(req, &res)
		var ae *Error
		if attempt == 3 || !errors.As(err, &ae) || ae.Code != CodeUnavailable || ctx.Err() != nil {
			return res, err
		}
		select {
		case <-ctx.Done():
			return res, err
		case <-time.After(time.Duration(attempt) * 100 * time.Millisecond):
		}
	}
}

// Get reads path with the query into out (JSON), or into out's bytes when out is an
// *[]byte.
func (c *Client) Get(ctx context.Context, path string, query url.Values, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url(path, query), nil)
	if err != nil {
		return err
	}
	return c.do(req, out)
}

func (c *Client) url(path string, query url.Values) string {
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	return u.String()
}

func (c *Client) do(req *http.Request, out any) error {
	resp, err := c.http.Do(req)
	if err != nil {
		return c.unreachable(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return c.unreachable(err)
	}
	if resp.StatusCode >= 300 {
		return responseError(resp.StatusCode, data)
	}
	if raw, ok := out.(*[]byte); ok {
		*raw = data
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return errorf(CodeInternal, "the ledger at %s answered %s with something that is not the expected JSON: %v", c.base, req.URL.Path, err)
	}
	return nil
}

func (c *Client) unreachable(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return errorf(CodeUnavailable, "cannot reach the ledger at %s (is govledger serve running there? set --server or GOVLEDGER_SERVER): %v", c.base, err)
}

func responseError(status int, data []byte) error {
	var e Error
	if json.Unmarshal(data, &e) == nil && e.Code != "" {
		return &e
	}
	return errorf(CodeInternal, "the ledger answered %d %s: %s", status, http.StatusText(status), bytes.TrimSpace(data))
}

// Stream follows a server-sent event stream at path (with ?since=SEQ in query to
// replay what came after SEQ), calling fn with each event, until ctx ends or fn fails.
// A dropped connection is opened again after the last event received, so nothing is
// missed or repeated. opened, if not nil, is called each time the stream is open, with
// the sequence it continues after.
func (c *Client) Stream(ctx context.Context, path string, query url.Values, fn func(events.Envelope) error, opened func(after uint64)) error {
	s := &stream{opened: opened}
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 10*time.Second) {
		err := c.streamOnce(ctx, path, query, s, fn)
		var ae *Error
		if ctx.Err() != nil {
			return nil
		}
		// Only a connection lost after the stream began is opened again; fn's own
		// errors and the server's refusals end it.
		if !s.connected || !errors.As(err, &ae) || ae.Code != CodeUnavailable {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(wait):
		}
	}
}

// stream is where a followed stream has got to.
type stream struct {
	opened    func(after uint64)
	connected bool
	last      uint64 // the stream's position: the last event sent, or where it began
}

func (c *Client) streamOnce(ctx context.Context, path string, query url.Values, s *stream, fn func(events.Envelope) error) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url(path, query), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/event-stream")
	if s.connected {
		req.Header.Set("Last-Event-ID", strconv.FormatUint(s.last, 10))
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return c.unreachable(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		data, _ := io.ReadAll(resp.Body)
		return responseError(resp.StatusCode, data)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 4*events.MaxPayloadBytes)
	var id, name, data string
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if name == "error" {
				return responseError(http.StatusOK, []byte(data))
			}
			if id != "" {
				if s.last, err = strconv.ParseUint(id, 10, 64); err != nil {
					return errorf(CodeInternal, "the event stream sent id %q, which is not a sequence number", id)
				}
				if data == "" && s.opened != nil {
					s.opened(s.last)
				}
				s.connected = true
			}
			if data != "" {
				var e events.Envelope
				if err := json.Unmarshal([]byte(data), &e); err != nil {
					return errorf(CodeInternal, "the event stream sent something that is not an event: %v", err)
				}
				if err := fn(e); err != nil {
					return err
				}
			}
			id, name, data = "", "", ""
		case strings.HasPrefix(line, "id: "):
			id = strings.TrimPrefix(line, "id: ")
		case strings.HasPrefix(line, "event: "):
			name = strings.TrimPrefix(line, "event: ")
		case strings.HasPrefix(line, "data: "):
			data = strings.TrimPrefix(line, "data: ")
		}
	}
	return c.unreachable(fmt.Errorf("the event stream ended: %w", sc.Err()))
}
