package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/govledger/govledger/api"
	"github.com/govledger/govledger/events"
	"github.com/spf13/cobra"
)

// cli is what every verb that talks to the ledger shares: where the ledger is, who
// acts, on which consortium, and how to print.
type cli struct {
	server     string
	actor      string
	consortium string
	json       bool
}

func (c *cli) addFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&c.server, "server", envOr("GOVLEDGER_SERVER", "http://127.0.0.1:8080"), "the ledger's HTTP API ($GOVLEDGER_SERVER)")
	f.StringVar(&c.actor, "as", envOr("GOVLEDGER_ACTOR", ""), "who acts, as person@partner, recorded with every command ($GOVLEDGER_ACTOR)")
	f.StringVarP(&c.consortium, "consortium", "c", envOr("GOVLEDGER_CONSORTIUM", ""), "the consortium's id ($GOVLEDGER_CONSORTIUM)")
	f.BoolVar(&c.json, "json", false, "print JSON (stable field names, see /v1/openapi.json) instead of a table; steering and read verbs, and audit verify")
}

func (c *cli) client() (*api.Client, error) { return api.NewClient(c.server, c.actor) }

// consortiumID is the consortium a verb works on.
func (c *cli) consortiumID() (string, error) {
	if c.consortium == "" {
		return "", usageError{fmt.Errorf("which consortium? give --consortium ID or set GOVLEDGER_CONSORTIUM")}
	}
	if err := events.ValidSlug("consortium", c.consortium); err != nil {
		return "", err
	}
	return c.consortium, nil
}

// path is a route under the consortium, such as /proposals/admit-council/votes.
func (c *cli) path(format string, args ...any) (string, error) {
	id, err := c.consortiumID()
	if err != nil {
		return "", err
	}
	// Every argument is an id in the path, named by the segment before it: a proposal
	// after /proposals/ or /decisions/, a dispute after /disputes/.
	segs := strings.Split(format, "/")
	i := 0
	for n, seg := range segs {
		if seg != "%s" || i >= len(args) {
			continue
		}
		name := map[string]string{"proposals": "proposal", "decisions": "proposal", "disputes": "dispute"}[segs[n-1]]
		if s, ok := args[i].(string); ok {
			if err := events.ValidSlug(name, s); err != nil {
				return "", err
			}
		}
		i++
	}
	return "/v1/consortia/" + id + fmt.Sprintf(format, args...), nil
}

// printJSON writes v as indented JSON.
func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table writes aligned columns; the first row is the header.
func table(w io.Writer, rows [][]string) error {
	var buf strings.Builder
	tw := tabwriter.NewWriter(&buf, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	tw.Flush()
	// An empty last column leaves the padding of the one before it.
	for line := range strings.Lines(buf.String()) {
		if _, err := fmt.Fprintln(w, strings.TrimRight(line, " \n")); err != nil {
			return err
		}
	}
	return nil
}

// args checks a verb's positional arguments and names them in the error.
func args(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, got []string) error {
		if len(names) == 0 && len(got) > 0 {
			return usageError{fmt.Errorf("%s takes no arguments, got %d (see %s --help)", cmd.CommandPath(), len(got), cmd.CommandPath())}
		}
		if len(got) != len(names) {
			return usageError{fmt.Errorf("%s wants %s, got %d argument(s) (see %s --help)",
				cmd.CommandPath(), strings.Join(names, " "), len(got), cmd.CommandPath())}
		}
		return nil
	}
}

// whenFlag is a time given on the command line: a date (2026-03-09), a date and time
// (2026-03-09T14:00, taken as UTC), or RFC 3339.
type whenFlag struct {
	t        time.Time
	endOfDay bool // a date alone means the end of that day (a ballot closing "on" it)
	date     bool // a date alone was given
}

func (f *whenFlag) String() string {
	if f.t.IsZero() {
		return ""
	}
	return f.t.Format(time.RFC3339)
}

func (f *whenFlag) Type() string { return "time" }

func (f *whenFlag) Set(v string) error {
	t, dateOnly, err := parseWhen(v)
	if err != nil {
		return err
	}
	if dateOnly && f.endOfDay {
		t = t.AddDate(0, 0, 1).Add(-time.Millisecond)
	}
	f.t, f.date = t, dateOnly
	return nil
}

func parseWhen(v string) (time.Time, bool, error) {
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t, true, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, v); err == nil {
			return t.UTC(), false, nil
		}
	}
	return time.Time{}, false, fmt.Errorf("%q is not a date (2026-03-09) or a time (2026-03-09T14:00 or RFC 3339)", v)
}

// day formats a time as a date, or "" for none.
func day(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

// minute formats a time to the minute, or "" for none.
func minute(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04")
}
