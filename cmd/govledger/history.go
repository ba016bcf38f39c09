package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/govledger/govledger/api"
	"github.com/govledger/govledger/events"
	"github.com/spf13/cobra"
)

func (c *cli) historyVerb() *cobra.Command {
	var after uint64
	var limit int
	cmd := &cobra.Command{
		Use:   "history",
		Short: "The raw events of a consortium, as stored, newest last",
		Long: `The raw events of a consortium, as stored, newest last: each with its stream
sequence, when it happened, its type and what it records. With --json, every
envelope field (id, hashes, actor, command id, payload) is printed.`,
		Example: `  govledger history -c synergy
  govledger history -c synergy --after 120 --json`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			path, err := c.path("/events")
			if err != nil {
				return err
			}
			q := url.Values{}
			if after > 0 {
				q.Set("after", strconv.FormatUint(after, 10))
			}
			if cmd.Flags().Changed("limit") {
				if limit < 1 {
					return usageError{fmt.Errorf("--limit %d: give a number of events, at least 1", limit)}
				}
				q.Set("limit", strconv.Itoa(limit))
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			var evs []events.Envelope
			if err := cl.Get(cmd.Context(), path, q, &evs); err != nil {
				return err
			}
			if c.json {
				return printJSON(cmd.OutOrStdout(), evs)
			}
			rows := [][]string{{"SEQ", "OCCURRED", "CONSORTIUM", "TYPE", "WHAT"}}
			for _, e := range evs {
				rows = append(rows, eventLine(e))
			}
			return table(cmd.OutOrStdout(), rows)
		},
	}
	cmd.Flags().Uint64Var(&after, "after", 0, "only events after this stream sequence")
	cmd.Flags().IntVar(&limit, "limit", 0, "at most this many events")
	return cmd
}

func (c *cli) watchVerb() *cobra.Command {
	var kinds []string
	var since int64 = -1
	var count int
	cmd := &cobra.Command{
		Use:   "watch",
		Short: "Follow change notifications as they happen",
		Long: `Follow change notifications as they happen: of one consortium (--consortium) or of
every one, filtered by kind (membership, decisions, disputes), one line each. It
runs until interrupted. With --since SEQ it first replays what came after that
sequence, so a member who was away picks up where it left off; the first column of
every line is the sequence to give.`,
		Example: `  govledger watch -c synergy
  govledger watch --kind decisions,disputes
  govledger watch -c synergy --since 42 --json`,
		Args: args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			path := "/v1/events/stream"
			if c.consortium != "" {
				var err error
				if path, err = c.path("/events/stream"); err != nil {
					return err
				}
			}
			q := url.Values{}
			for _, k := range kinds {
				if _, ok := api.Kinds[k]; !ok {
					return usageError{fmt.Errorf("--kind %q is not one of %s", k, strings.Join(api.KindNames(), ", "))}
				}
			}
			if len(kinds) > 0 {
				q.Set("kind", strings.Join(kinds, ","))
			}
			if cmd.Flags().Changed("since") {
				if since < 0 {
					return usageError{fmt.Errorf("--since %d: give a stream sequence (0: from the beginning)", since)}
				}
				q.Set("since", strconv.FormatInt(since, 10))
			}
			cl, err := c.client()
			if err != nil {
				return err
			}
			out, seen := cmd.OutOrStdout(), 0
			what := "every consortium"
			if c.consortium != "" {
				what = c.consortium
			}
			if len(kinds) > 0 {
				what += " (" + strings.Join(kinds, ", ") + ")"
			}
			err = cl.Stream(cmd.Context(), path, q, func(e events.Envelope) error {
				var err error
				if c.json { // one line each, for tools that read lines
					enc := json.NewEncoder(out)
					enc.SetEscapeHTML(false)
					err = enc.Encode(e)
				} else {
					_, err = fmt.Fprintln(out, strings.Join(eventLine(e), "  "))
				}
				if seen++; err == nil && count > 0 && seen == count {
					return errEnough
				}
				return err
			}, func(after uint64) {
				fmt.Fprintf(cmd.ErrOrStderr(), "watching %s after sequence %d; Ctrl-C to stop\n", what, after)
			})
			if errors.Is(err, errEnough) {
				return nil
			}
			return err
		},
	}
	cmd.Flags().IntVar(&count, "count", 0, "stop after this many events (0: run until interrupted)")
	cmd.Flags().StringSliceVar(&kinds, "kind", nil, "only these kinds of change: "+strings.Join(api.KindNames(), ", "))
	cmd.Flags().Int64Var(&since, "since", -1, "first replay the events after this sequence (0: from the beginning)")
	return cmd
}

// errEnough ends a watch that has printed the events it was asked for.
var errEnough = errors.New("enough events")
