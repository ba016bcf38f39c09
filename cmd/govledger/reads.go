package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	g "github.com/govledger/govledger/governance"
	"github.com/govledger/govledger/projections"
	"github.com/spf13/cobra"
)

func (c *cli) readVerbs() []*cobra.Command {
	return []*cobra.Command{
		c.consortiaVerb(), c.membersVerb(), c.partnersVerb(), c.decisionsVerb(), c.admissionsVerb(),
		c.disputesVerb(), c.terminationsVerb(), c.historyVerb(), c.watchVerb(),
	}
}

// pointInTime is --at SEQ and --as-of DATE: a read of the record as it stood then.
type pointInTime struct {
	at   seqFlag
	asOf whenFlag
	cmd  *cobra.Command // to tell --at 0 from no --at
}

// seqFlag is a flag holding a stream sequence, refused in words when it is not one.
type seqFlag uint64

func (s *seqFlag) Set(v string) error {
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a stream sequence: give a whole number from 1", v)
	}
	*s = seqFlag(n)
	return nil
}
func (s *seqFlag) String() string { return strconv.FormatUint(uint64(*s), 10) }
func (s *seqFlag) Type() string   { return "SEQ" }

func (p *pointInTime) flags(cmd *cobra.Command) {
	p.cmd = cmd
	cmd.Flags().Var(&p.at, "at", "answer from the record up to this stream sequence, as it stood then")
	p.asOf.endOfDay = true
	cmd.Flags().Var(&p.asOf, "as-of", "answer as of this date (2026-03-01: the end of that day) or time, from what had happened by then")
}

// now is the moment a read answers for, as far as the command line can tell it: the
// time of --as-of, or the present; ok is false with --at, as the record stood at a
// sequence whose time only the ledger knows.
func (p *pointInTime) now() (t time.Time, ok bool) {
	if p.cmd.Flags().Changed("at") {
		return time.Time{}, false
	}
	if !p.asOf.t.IsZero() {
		return p.asOf.t, true
	}
	return time.Now(), true
}

// outcomeWords is a decision's outcome, saying of a ballot still open whose voting
// window has passed that it waits to be counted, or, if the consortium was dissolved
// first, that it never will be.
func outcomeWords(d projections.Decision, p *pointInTime) string {
	if !d.SealedAt.IsZero() {
		return "open (never counted: the consortium was dissolved on " + day(d.SealedAt) + ")"
	}
	if now, ok := p.now(); ok && d.Outcome == "open" && d.Meeting == nil && !now.Before(d.ClosesAt) {
		return "open (voting ended; to be counted)"
	}
	return d.Outcome
}

func (p *pointInTime) query() (url.Values, error) {
	q := url.Values{}
	if p.cmd.Flags().Changed("at") {
		if p.at == 0 {
			return nil, usageError{errors.New("--at 0: the log's sequences start at 1")}
		}
		q.Set("at", p.at.String())
	}
	if t := p.asOf.t; p.asOf.date {
		q.Set("as_of", t.Format(time.DateOnly))
	} else if !t.IsZero() {
		q.Set("as_of", t.Format(time.RFC3339Nano))
	}
	return q, nil
}

// fetch reads a route of the consortium (c.path's format and ids), as at p, into v.
// With --json it prints v itself and says so; otherwise the caller prints a table.
func (c *cli) fetch(cmd *cobra.Command, p *pointInTime, v any, format string, ids ...any) (printed bool, err error) {
	path, err := c.path(format, ids...)
	if err != nil {
		return false, err
	}
	q := url.Values{}
	if p != nil {
		if q, err = p.query(); err != nil {
			return false, err
		}
	}
	cl, err := c.client()
	if err != nil {
		return false, err
	}
	if err := cl.Get(cmd.Context(), path, q, v); err != nil {
		return false, err
	}
	if c.json {
		return true, printJSON(cmd.OutOrStdout(), v)
	}
	return false, nil
}

func (c *cli) consortiaVerb() *cobra.Command {
	return &cobra.Command{
		Use:     "consortia",
		Short:   "Every consortium in the ledger, with its status and terms version",
		Example: "  govledger consortia\n  govledger consortia --json",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			cl, err := c.client()
			if err != nil {
				return err
			}
			var list []projections.ConsortiumSummary
			if err := cl.Get(cmd.Context(), "/v1/consortia", nil, &list); err != nil {
				return err
			}
			if c.json {
				return printJSON(cmd.OutOrStdout(), list)
			}
			rows := [][]string{{"CONSORTIUM", "NAME", "STRUCTURE", "STATUS", "TERMS", "MEMBERS", "FORMED", "EVENTS"}}
			for _, s := range list {
				rows = append(rows, []string{s.ID, s.Name, s.Structure, s.Status, "v" + strconv.Itoa(s.TermsVersion),
					strconv.Itoa(s.Members), day(s.FormedAt), strconv.Itoa(s.Events)})
			}
			return table(cmd.OutOrStdout(), rows)
		},
	}
}

func (c *cli) membersVerb() *cobra.Command {
	var p pointInTime
	cmd := &cobra.Command{
		Use:   "members",
		Short: "Who is a member: now, on a past date, or at a point in the record",
		Long: `The partners whose membership is in force, with sector, tier, roles and dates: today,
or on a past date with --as-of (who was a full member on 1 March?), or as the record
stood at a stream sequence with --at. A partner that has served notice is a member
until its notice takes effect.`,
		Example: "  govledger members -c synergy\n  govledger members -c synergy --as-of 2026-04-30 --json",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ms []projections.Member
			if printed, err := c.fetch(cmd, &p, &ms, "/members"); printed || err != nil {
				return err
			}
			rows := [][]string{{"PARTNER", "NAME", "SECTOR", "TIER", "ROLES", "STATUS", "SINCE", "UNTIL"}}
			for _, m := range ms {
				rows = append(rows, []string{m.ID, m.Name, m.Sector, m.Tier, or(strings.Join(m.Roles, ","), "-"), m.Status, day(m.Since), or(day(m.Until), "-")})
			}
			return table(cmd.OutOrStdout(), rows)
		},
	}
	p.flags(cmd)
	return cmd
}

func (c *cli) partnersVerb() *cobra.Command {
	var p pointInTime
	cmd := &cobra.Command{
		Use:   "partners",
		Short: "Every partner ever known to a consortium, with its periods of membership",
		Long: `Every organisation ever known to the consortium — founders, members, applicants
(declined ones too), partners that withdrew or were expelled — with its status and
the periods its membership was in force.`,
		Example: "  govledger partners -c synergy\n  govledger partners -c synergy --json",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ps []projections.Partner
			if printed, err := c.fetch(cmd, &p, &ps, "/partners"); printed || err != nil {
				return err
			}
			rows := [][]string{{"PARTNER", "NAME", "SECTOR", "TIER", "STATUS", "APPLIED", "MEMBERSHIP"}}
			for _, pt := range ps {
				var spans []string
				for _, iv := range pt.Intervals {
					spans = append(spans, day(iv.From)+" to "+or(day(iv.To), "now"))
				}
				rows = append(rows, []string{pt.ID, pt.Name, pt.Sector, pt.Tier, pt.Status, or(day(pt.AppliedAt), "-"), or(strings.Join(spans, ", "), "-")})
			}
			return table(cmd.OutOrStdout(), rows)
		},
	}
	p.flags(cmd)
	return cmd
}

func (c *cli) decisionsVerb() *cobra.Command {
	var p pointInTime
	cmd := &cobra.Command{
		Use:   "decisions [PROPOSAL]",
		Short: "Every decision with its outcome, or one in full with its votes",
		Long: `Every proposal and meeting decision of a consortium with its matter, outcome and
effect; or, given a proposal's id, that decision in full: the frozen rule and
electorate, interests declared, every vote as cast (a changed vote shows what it
replaced), the outcome and the events behind it.`,
		Example: "  govledger decisions -c synergy\n  govledger decisions admit-council -c synergy\n  govledger decisions -c synergy --as-of 2026-05-01 --json",
		Args: func(cmd *cobra.Command, a []string) error {
			if len(a) > 1 {
				return args("[PROPOSAL]")(cmd, a)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if len(args) == 1 {
				var d projections.Decision
				if printed, err := c.fetch(cmd, &p, &d, "/decisions/%s", args[0]); printed || err != nil {
					return err
				}
				return showDecision(out, d, outcomeWords(d, &p))
			}
			var ds []projections.Decision
			if printed, err := c.fetch(cmd, &p, &ds, "/decisions"); printed || err != nil {
				return err
			}
			rows := [][]string{{"PROPOSAL", "MATTER", "OPENED", "OUTCOME", "TALLY", "EFFECT", "TITLE"}}
			for _, d := range ds {
				rows = append(rows, []string{d.ID, d.Matter, day(d.OpenedAt), outcomeWords(d, &p), or(tally(d.Tally), "-"), or(d.Effect, "-"), d.Title})
			}
			return table(out, rows)
		},
	}
	p.flags(cmd)
	return cmd
}

// showDecision prints one decision in full.
func showDecision(w io.Writer, d projections.Decision, outcome string) error {
	about := d.Matter
	if d.About != "" {
		about += ", about " + d.About
	}
	fmt.Fprintf(w, "%s (%s): %s\n", d.ID, about, d.Title)
	if d.Meeting != nil {
		fmt.Fprintf(w, "decided in a meeting on %s; present: %s\n", minute(d.Meeting.HeldAt), strings.Join(d.Meeting.Attendance, ", "))
	} else {
		fmt.Fprintf(w, "opened %s, closes %s\n", minute(d.OpenedAt), minute(d.ClosesAt))
	}
	fmt.Fprintf(w, "rule: %s\n", rule(d.Rule, d.Chair))
	fmt.Fprintf(w, "electorate: %s\n", or(strings.Join(d.Electorate, ", "), "nobody"))
	keys := make([]string, 0, len(d.Interests))
	for k := range d.Interests {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "interest declared by %s: %s\n", k, d.Interests[k])
	}
	if d.Tally != nil {
		outcome += " (" + tally(d.Tally) + ")"
	}
	if d.CastingVote != "" {
		outcome += ", chair's casting vote " + d.CastingVote
	}
	if !d.ClosedAt.IsZero() {
		outcome += " on " + minute(d.ClosedAt)
	}
	fmt.Fprintf(w, "outcome: %s\n", outcome)
	if d.Effect != "" {
		fmt.Fprintf(w, "effect: %s\n", d.Effect)
	}
	if d.ReviewDate != "" {
		fmt.Fprintf(w, "review by: %s\n", d.ReviewDate)
	}
	if len(d.Votes) > 0 {
		fmt.Fprintln(w, "votes, as cast:")
		rows := [][]string{{"  SEQ", "CAST", "PARTNER", "VOTE", "BY", "REASON"}}
		for _, v := range d.Votes {
			vote := v.Vote
			if v.Replaces != "" {
				vote += " (was " + v.Replaces + ")"
			}
			rows = append(rows, []string{"  " + strconv.FormatUint(v.Seq, 10), minute(v.At), v.Partner, vote, or(v.Person, "-"), v.Reason})
		}
		if err := table(w, rows); err != nil {
			return err
		}
	}
	var seqs []string
	for _, e := range d.Events {
		seqs = append(seqs, strconv.FormatUint(e.Seq, 10))
	}
	_, err := fmt.Fprintf(w, "events: %s\n", strings.Join(seqs, " "))
	return err
}

// rule says a decision rule in words.
func rule(r g.Rule, chair string) string {
	r.VotingDays = 0 // a decision's dates say when it opened and closes
	s := r.String()
	if r.CastingVote && chair != "" {
		s = strings.Replace(s, "casting vote to the chair", "casting vote to the chair ("+chair+")", 1)
	}
	return s
}

func tally(t *g.Tally) string {
	if t == nil {
		return ""
	}
	s := fmt.Sprintf("%d for, %d against, %d abstain", t.For, t.Against, t.Abstain)
	if t.Block > 0 {
		s += fmt.Sprintf(", %d block", t.Block)
	}
	return s + fmt.Sprintf(", of %d", t.Electorate)
}

func (c *cli) admissionsVerb() *cobra.Command {
	var p pointInTime
	cmd := &cobra.Command{
		Use:     "admissions",
		Short:   "Every application to join and what became of it",
		Example: "  govledger admissions -c synergy",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var as []projections.Admission
			if printed, err := c.fetch(cmd, &p, &as, "/admissions"); printed || err != nil {
				return err
			}
			rows := [][]string{{"PARTNER", "NAME", "SECTOR", "SPONSOR", "APPLIED", "PROPOSAL", "STATUS", "DECIDED"}}
			for _, a := range as {
				rows = append(rows, []string{a.Partner, a.Name, a.Sector, or(a.Sponsor, "-"), day(a.AppliedAt), or(a.Proposal, "-"), a.Status, or(day(a.DecidedAt), "-")})
			}
			return table(cmd.OutOrStdout(), rows)
		},
	}
	p.flags(cmd)
	return cmd
}

func (c *cli) disputesVerb() *cobra.Command {
	var p pointInTime
	cmd := &cobra.Command{
		Use:   "disputes",
		Short: "Every dispute, where it stands on the terms' ladder, and whether it is overdue",
		Long: `Every dispute of a consortium: who raised it against whom, its current stage on the
terms' dispute ladder, when that stage's time limit passes, and whether it is overdue
today (or on the --as-of date).`,
		Example: "  govledger disputes -c synergy\n  govledger disputes -c synergy --as-of 2026-07-01",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ds []projections.DisputeView
			if printed, err := c.fetch(cmd, &p, &ds, "/disputes"); printed || err != nil {
				return err
			}
			rows := [][]string{{"DISPUTE", "RAISED-BY", "AGAINST", "RAISED", "STATUS", "STAGE", "DUE", "OVERDUE", "MATTER"}}
			for _, d := range ds {
				overdue := "no"
				if d.Overdue {
					overdue = "OVERDUE"
				}
				rows = append(rows, []string{d.ID, d.RaisedBy, strings.Join(d.Parties, ","), day(d.RaisedAt), d.Status,
					fmt.Sprintf("%d %s", d.Stage+1, d.StageName), or(day(d.Due), "-"), overdue, d.Matter})
			}
			return table(cmd.OutOrStdout(), rows)
		},
	}
	p.flags(cmd)
	return cmd
}

func (c *cli) terminationsVerb() *cobra.Command {
	var p pointInTime
	cmd := &cobra.Command{
		Use:     "terminations",
		Short:   "Notices of withdrawal, expulsions and dissolution, with when each takes effect",
		Example: "  govledger terminations -c synergy",
		Args:    args(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ts []projections.Termination
			if printed, err := c.fetch(cmd, &p, &ts, "/terminations"); printed || err != nil {
				return err
			}
			rows := [][]string{{"KIND", "PARTNER", "AT", "EFFECTIVE", "IN-EFFECT", "PROPOSAL", "REASON"}}
			for _, t := range ts {
				in := "no"
				if t.InEffect {
					in = "yes"
				}
				rows = append(rows, []string{t.Kind, or(t.Partner, "-"), day(t.At), day(t.EffectiveAt), in, or(t.Proposal, "-"), t.Reason})
			}
			return table(cmd.OutOrStdout(), rows)
		},
	}
	p.flags(cmd)
	return cmd
}

// or is s, or def when s is empty.
func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
