package api_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/govledger/govledger/api"
	"github.com/govledger/govledger/events"
)

// collect follows a stream in the background until n events came or the test's time
// runs out, and hands them over.
func collect(t *testing.T, l *ledgerAPI, path string, q url.Values, n int) <-chan []events.Envelope {
	got := make(chan []events.Envelope, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	var evs []events.Envelope
	go func() {
		defer cancel()
		errDone := errors.New("done")
		err := l.client.Stream(ctx, path, q, func(e events.Envelope) error {
			evs = append(evs, e)
			if len(evs) == n {
				return errDone
			}
			return nil
		}, nil)
		if err != nil && !errors.Is(err, errDone) {
			t.Errorf("stream %s: %v", path, err)
		}
		got <- evs
	}()
	return got
}

func seqs(evs []events.Envelope) []uint64 {
	var s []uint64
	for _, e := range evs {
		s = append(s, e.Seq)
	}
	return s
}

// waitForStream gives a stream opened in the background time to subscribe: it opens
// its own connection and waits for the stream's first line, which the server sends
// once it is following the log.
func waitForStream(t *testing.T, l *ledgerAPI, path string) {
	t.Helper()
	resp, err := http.Get(l.url + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	line, err := bufio.NewReader(resp.Body).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, ": govledger event stream") {
		t.Fatalf("stream began with %q, %v", line, err)
	}
}

func TestStreamSeesWhatHappensAfterItStarts(t *testing.T) {
	l := formed(t)
	decisions := collect(t, l, synergy+"/events/stream", url.Values{"kind": {"decisions"}}, 2)
	everything := collect(t, l, "/v1/events/stream", nil, 3)
	waitForStream(t, l, synergy+"/events/stream")
	time.Sleep(200 * time.Millisecond) // the collectors subscribe as the probe did
	l.do(t, synergy+"/notices", map[string]any{"at": on(3), "partner": "pennine-care"})
	l.do(t, synergy+"/proposals", map[string]any{"at": on(4), "proposal": "venue", "matter": "ordinary", "title": "Meet at the wellbeing centre"})
	l.do(t, synergy+"/proposals/venue/votes", map[string]any{"at": on(5), "partner": "anchorpoint", "vote": "for"})

	got := <-decisions
	if !slices.Equal(seqs(got), []uint64{3, 4}) || got[0].Type != "decision.proposed" || got[1].Type != "decision.vote-cast" {
		t.Errorf("decisions stream = %v %v, want the proposal and the vote at 3 and 4", seqs(got), got)
	}
	if all := <-everything; !slices.Equal(seqs(all), []uint64{2, 3, 4}) {
		t.Errorf("stream of every consortium = %v, want 2, 3, 4 (not the formation before it started)", seqs(all))
	}
}

func TestStreamResumes(t *testing.T) {
	l := formed(t)
	l.do(t, synergy+"/notices", map[string]any{"at": on(3), "partner": "pennine-care"})
	l.do(t, synergy+"/disputes", map[string]any{"at": on(4), "dispute": "late-invoices", "raised_by": "stockport-mind", "parties": []string{"anchorpoint"}, "matter": "Late invoices"})

	// ?since=SEQ replays what came after SEQ.
	if got := <-collect(t, l, synergy+"/events/stream", url.Values{"since": {"1"}}, 2); !slices.Equal(seqs(got), []uint64{2, 3}) {
		t.Errorf("since 1 = %v, want 2, 3", seqs(got))
	}
	if got := <-collect(t, l, synergy+"/events/stream", url.Values{"since": {"0"}, "kind": {"disputes"}}, 1); !slices.Equal(seqs(got), []uint64{3}) {
		t.Errorf("disputes since 0 = %v, want 3", seqs(got))
	}
	// Last-Event-ID, as a browser or the client sends on reconnecting, wins over since.
	req, _ := http.NewRequest(http.MethodGet, l.url+synergy+"/events/stream?since=0", nil)
	req.Header.Set("Last-Event-ID", "2")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := bufio.NewReader(resp.Body)
	var lines []string
	for len(lines) < 6 {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.TrimSuffix(line, "\n"))
	}
	if lines[0] != ": govledger event stream" || lines[1] != "id: 2" || lines[3] != "id: 3" || lines[4] != "event: dispute.raised" || !strings.HasPrefix(lines[5], `data: {"id":"`) {
		t.Errorf("resumed after 2:\n%s", strings.Join(lines, "\n"))
	}
}

func TestStreamRefusals(t *testing.T) {
	l := formed(t)
	for path, want := range map[string]string{
		synergy + "/events/stream?kind=votes":                 `kind "votes" is not one of decisions, disputes, membership`,
		synergy + "/events/stream?since=yesterday":            `since="yesterday" is not a stream sequence number`,
		synergy + "/events/stream?since=18446744073709551615": `since="18446744073709551615" is not a stream sequence number`,
		synergy + "/events/stream?since=2":                    `since=2 is past the end of the log, whose last sequence is 1`,
		synergy + "/events/stream?since=":                     `since="" is not a stream sequence number`,
		"/v1/consortia/a.b/events/stream":                     `"a.b" is not a slug`,
		"/v1/consortia/synergy/events/stream?kind=,":          `kind "" is not one of`,
	} {
		var body []byte
		p, q, _ := strings.Cut(path, "?")
		query, _ := url.ParseQuery(q)
		err := l.client.Get(context.Background(), p, query, &body)
		var ae *api.Error
		if !errors.As(err, &ae) || ae.Code != api.CodeInvalid || !strings.Contains(ae.Message, want) {
			t.Errorf("GET %s: %v, want invalid: %s", path, err, want)
		}
	}
	for _, id := range []string{"44abc", " 43 junk", "-1", "18446744073709551615", "2"} {
		req, _ := http.NewRequest(http.MethodGet, l.url+synergy+"/events/stream", nil)
		req.Header.Set("Last-Event-ID", id)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "is not a stream sequence number") && !strings.Contains(string(body), "past the end of the log") {
			t.Errorf("Last-Event-ID %q: %d %s", id, res.StatusCode, body)
		}
	}
}

// A client whose connection drops opens it again after the last event it received:
// nothing missed, nothing twice.
func TestClientStreamReconnects(t *testing.T) {
	l := formed(t)
	got := collect(t, l, synergy+"/events/stream", nil, 3)
	waitForStream(t, l, synergy+"/events/stream")
	time.Sleep(200 * time.Millisecond)
	l.do(t, synergy+"/notices", map[string]any{"at": on(3), "partner": "pennine-care"})
	time.Sleep(200 * time.Millisecond)
	l.http.CloseClientConnections()
	// The dropped connections include the idle one the first command was sent on: the
	// client sends the next one again on a new connection.
	l.do(t, synergy+"/proposals", map[string]any{"at": on(4), "proposal": "venue", "matter": "ordinary", "title": "Meet at the wellbeing centre"})
	l.do(t, synergy+"/proposals/venue/votes", map[string]any{"at": on(5), "partner": "anchorpoint", "vote": "for"})
	if evs := <-got; !slices.Equal(seqs(evs), []uint64{2, 3, 4}) {
		t.Errorf("across a dropped connection the client saw %v, want 2, 3, 4", seqs(evs))
	}
}
