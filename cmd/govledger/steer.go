package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/govledger/govledger/api"
	g "github.com/govledger/govledger/governance"
	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"
)

// command is what every steering-group verb shares: when it happened and its id.
type command struct {
	*cli
	occurred  whenFlag
	commandID string
}

func (c *command) flags(cmd *cobra.Command, occurredHelp string) {
	cmd.Flags().Var(&c.occurred, "occurred", occurredHelp+" (a date, 2026-03-09, or a time, 2026-03-09T14:00 UTC; default now)")
	cmd.Flags().StringVar(&c.commandID, "command-id", "", "an id of your own for this command: sending it again with the same id records it once (another command under the id is refused)")
}

// send posts body to the route under the consortium (or to /v1/consortia when path
// is absolute) and prints what was recorded.
func (c *command) send(cmd *cobra.Command, path string, body map[string]any) error {
	if !c.occurred.t.IsZero() {
		body["at"] = c.occurred.t
	}
	if c.actor == "" {
		return usageError{errors.New("say who is acting: give --as person@partner (for example --as amina-okafor@brightside-cvs) or set GOVLEDGER_ACTOR")}
	}
	cl, err := c.client()
	if err != nil {
		return err
	}
	res, err := cl.Command(cmd.Context(), path, body, c.commandID)
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if c.json {
		return printJSON(out, res)
	}
	if res.Repeated {
		fmt.Fprintf(out, "already recorded as command %s; nothing new appended\n", res.CommandID)
	}
	for _, e := range res.Events {
		fmt.Fprintf(out, "%d  %s  %s\n", e.Seq, e.Type, describe(e))
	}
	return nil
}

// verb builds a steering-group verb whose body is made by build from its arguments.
func (c *cli) verb(use, short, example string, argNames []string, occurredHelp string,
	setup func(cmd *cobra.Command), build func(args []string) (path string, body map[string]any, err error)) *cobra.Command {
	cm := &command{cli: c}
	cmd := &cobra.Command{
		Use: use, Short: short, Example: example, Args: args(argNames...),
		RunE: func(cmd *cobra.Command, args []string) error {
			path, body, err := build(args)
			if err != nil {
				return err
			}
			return cm.send(cmd, path, body)
		},
	}
	cm.flags(cmd, occurredHelp)
	if setup != nil {
		setup(cmd)
	}
	return cmd
}

func (c *cli) steeringVerbs() []*cobra.Command {
	return []*cobra.Command{
		c.formVerb(), c.applyVerb(), c.proposeVerb(), c.amendTermsVerb(), c.declareInterestVerb(),
		c.voteVerb(), c.closeVerb(), c.withdrawProposalVerb(), c.recordDecisionVerb(),
		c.assignRoleVerb(), c.serveNoticeVerb(), c.disputeVerb(),
	}
}

func (c *cli) formVerb() *cobra.Command {
	var terms string
	return c.verb("form FILE [--terms TERMS_FILE]", "Form a consortium from a file of its partners and a file of its terms (YAML or JSON)",
		`  govledger form examples/synergy/consortium.yaml --terms examples/synergy/terms.yaml \
    --as colin-mccabe@anchorpoint`,
		[]string{"FILE"}, "when the consortium was formed",
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&terms, "terms", "", "the terms, if FILE does not hold them under terms:")
		},
		func(args []string) (string, map[string]any, error) {
			body, err := readObjectFile(args[0])
			if err != nil {
				return "", nil, err
			}
			if terms != "" {
				if body["terms"], err = readTerms(terms); err != nil {
					return "", nil, err
				}
			}
			if _, ok := body["consortium"]; !ok && c.consortium != "" {
				body["consortium"] = c.consortium
			}
			return "/v1/consortia", body, nil
		})
}

// readObjectFile reads a YAML or JSON file holding one object.
func readObjectFile(name string) (map[string]any, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, api.ErrorOf(&g.Error{Code: g.CodeInvalid, Message: err.Error()})
	}
	js, err := yaml.YAMLToJSON(data)
	var body map[string]any
	if err == nil {
		err = json.Unmarshal(js, &body)
	}
	if err != nil || body == nil {
		if err == nil {
			err = fmt.Errorf("it holds no object")
		}
		return nil, &api.Error{Code: api.CodeInvalid, Message: fmt.Sprintf("%s is not a YAML or JSON object: %v", name, err)}
	}
	return body, nil
}

// readTerms reads a terms file, refusing it here, with its name, if it does not parse.
func readTerms(name string) (g.Terms, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return g.Terms{}, &api.Error{Code: api.CodeInvalid, Message: err.Error()}
	}
	t, err := g.ParseTerms(data)
	if err != nil {
		return g.Terms{}, &api.Error{Code: api.CodeInvalid, Message: fmt.Sprintf("%s: %v", name, err)}
	}
	return t, nil
}

func (c *cli) applyVerb() *cobra.Command {
	var name, sector, tier, contact, sponsor string
	var reps []string
	return c.verb("apply PARTNER", "Record an organisation's application to join",
		`  govledger apply essex-council --name "Essex County Council" --sector local-authority \
    --contact "jo-adeyemi" --sponsor brightside-cvs -c synergy`,
		[]string{"PARTNER"}, "when the application was made",
		func(cmd *cobra.Command) {
			f := cmd.Flags()
			f.StringVar(&name, "name", "", "the organisation's name (required)")
			f.StringVar(&sector, "sector", "", "its sector: "+strings.Join(g.Sectors, ", ")+" (required)")
			f.StringVar(&tier, "tier", g.TierFull, "full (votes) or associate (does not vote)")
			f.StringVar(&contact, "contact", "", "its point of contact (required)")
			f.StringVar(&sponsor, "sponsor", "", "the partner sponsoring it, where the terms ask for one")
			f.StringArrayVar(&reps, "representative", nil, "a person who acts for it, as id=Name (repeatable)")
		},
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/applications")
			if err != nil {
				return "", nil, err
			}
			var representatives []map[string]string
			for _, r := range reps {
				id, n, ok := strings.Cut(r, "=")
				if !ok {
					return "", nil, usageError{fmt.Errorf("--representative %q: write id=Name", r)}
				}
				representatives = append(representatives, map[string]string{"id": id, "name": n})
			}
			return path, map[string]any{
				"partner": map[string]any{"id": args[0], "name": name, "sector": sector, "tier": tier,
					"point_of_contact": contact, "representatives": representatives},
				"sponsor": sponsor,
			}, nil
		})
}

// proposal is the flags of a proposal, tabled for a ballot or decided in a meeting.
type proposal struct {
	matter, title, about, terms, role string
	closes                            whenFlag
}

func (p *proposal) flags(cmd *cobra.Command, matter bool) {
	f := cmd.Flags()
	if matter {
		f.StringVar(&p.matter, "matter", g.MatterOrdinary, "the matter: ordinary, admission, expulsion, amend-terms, dissolution, or one the terms add")
	}
	f.StringVar(&p.title, "title", "", "what is proposed, in a line (required)")
	f.StringVar(&p.about, "about", "", "the partner an admission or expulsion is about")
	f.StringVar(&p.terms, "terms", "", "the new terms (YAML or JSON file), for amend-terms")
	f.StringVar(&p.role, "role", "", "a role this ordinary decision gives, as role=partner (chair=essex-mind)")
}

func (p *proposal) body(id string) (map[string]any, error) {
	body := map[string]any{"proposal": id, "matter": p.matter, "title": p.title}
	if p.about != "" {
		body["about"] = p.about
	}
	if !p.closes.t.IsZero() {
		body["closes_at"] = p.closes.t
	}
	if p.terms != "" {
		t, err := readTerms(p.terms)
		if err != nil {
			return nil, err
		}
		body["new_terms"] = t
	}
	if p.role != "" {
		role, partner, ok := strings.Cut(p.role, "=")
		if !ok {
			return nil, usageError{fmt.Errorf("--role %q: write role=partner, such as chair=essex-mind", p.role)}
		}
		body["role"] = map[string]string{"role": role, "partner": partner}
	}
	return body, nil
}

func (c *cli) proposeVerb() *cobra.Command {
	p := &proposal{closes: whenFlag{endOfDay: true}}
	return c.verb("propose PROPOSAL", "Table a proposal for a ballot; the electorate and the rule are frozen now",
		`  govledger propose admit-council --matter admission --about essex-council \
    --title "Admit Essex County Council" --closes 2026-03-20 -c synergy
  govledger propose chair-2027 --title "Essex Mind chairs from 2027" --role chair=essex-mind -c synergy`,
		[]string{"PROPOSAL"}, "when it was tabled",
		func(cmd *cobra.Command) {
			p.flags(cmd, true)
			cmd.Flags().Var(&p.closes, "closes", "when voting closes (a date means the end of that day; default: the rule's voting window)")
		},
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/proposals")
			if err != nil {
				return "", nil, err
			}
			body, err := p.body(args[0])
			return path, body, err
		})
}

func (c *cli) amendTermsVerb() *cobra.Command {
	p := &proposal{matter: g.MatterAmendTerms, title: "Amend the terms", closes: whenFlag{endOfDay: true}}
	return c.verb("amend-terms PROPOSAL --terms FILE", "Table new terms; they take effect if the amend-terms decision is carried",
		`  govledger amend-terms rebalance-risk --terms new-terms.yaml --title "Rebalance risk shares" -c synergy`,
		[]string{"PROPOSAL"}, "when it was tabled",
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&p.title, "title", p.title, "what the amendment does, in a line")
			cmd.Flags().StringVar(&p.terms, "terms", "", "the new terms, a YAML or JSON file (required)")
			cmd.Flags().Var(&p.closes, "closes", "when voting closes (a date means the end of that day; default: the rule's voting window)")
		},
		func(args []string) (string, map[string]any, error) {
			if p.terms == "" {
				return "", nil, usageError{fmt.Errorf("amend-terms needs --terms FILE with the new terms")}
			}
			path, err := c.path("/proposals")
			if err != nil {
				return "", nil, err
			}
			body, err := p.body(args[0])
			return path, body, err
		})
}

func (c *cli) declareInterestVerb() *cobra.Command {
	var interest string
	return c.verb("declare-interest PROPOSAL PARTNER --interest TEXT", "Record a partner's declared interest in a proposal",
		`  govledger declare-interest carers-grant essex-mind --interest "would receive the grant" -c synergy`,
		[]string{"PROPOSAL", "PARTNER"}, "when it was declared",
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&interest, "interest", "", "what the interest is (required)")
		},
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/proposals/%s/interests", args[0])
			return path, map[string]any{"partner": args[1], "interest": interest}, err
		})
}

func (c *cli) voteVerb() *cobra.Command {
	var reason string
	return c.verb("vote PROPOSAL PARTNER for|against|abstain|block", "Cast a partner's vote; a later vote replaces an earlier one while the ballot is open",
		`  govledger vote admit-council essex-mind for -c synergy --as tom-reilly@essex-mind
  govledger vote pathway essex-mind block --reason "no funding for volunteers' expenses" -c north-collab`,
		[]string{"PROPOSAL", "PARTNER", "VOTE"}, "when the vote was cast",
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&reason, "reason", "", "why (a block needs one)")
		},
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/proposals/%s/votes", args[0])
			return path, map[string]any{"partner": args[1], "vote": args[2], "reason": reason}, err
		})
}

func (c *cli) closeVerb() *cobra.Command {
	var casting string
	var review dateFlag
	cmd := c.verb("close PROPOSAL", "Count the votes by the frozen rule: carried, rejected or lapsed, with its effect",
		`  govledger close admit-council -c synergy
  govledger close move-venue --casting-vote for --review-date 2026-09-01 -c synergy`,
		[]string{"PROPOSAL"}, "when it was closed",
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&casting, "casting-vote", "", "the chair's casting vote on a tie (for or against), where the rule grants one")
			cmd.Flags().Var(&review, "review-date", "when the decision is to be reviewed (2027-03-31)")
		},
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/proposals/%s/close", args[0])
			body := map[string]any{}
			if casting != "" {
				body["casting_vote"] = casting
			}
			if review != "" {
				body["review_date"] = review
			}
			return path, body, err
		})
	cmd.Long = `Count the votes by the rule frozen when the proposal opened: carried, rejected or
lapsed (too few took part), and record the decision's effect with it (a partner
admitted or expelled, the terms amended, the consortium dissolved) in the same
append. A ballot is closed once its voting window has ended, or earlier when the
votes still to come could not change the outcome; otherwise it is refused.`
	return cmd
}

// dateFlag is a flag holding a date (2027-03-31), checked as it is read, before
// anything is sent, as --occurred is.
type dateFlag string

func (d *dateFlag) Set(v string) error {
	if _, err := time.Parse(time.DateOnly, v); err != nil {
		return fmt.Errorf("%q is not a date like 2027-03-31", v)
	}
	*d = dateFlag(v)
	return nil
}
func (d *dateFlag) String() string { return string(*d) }
func (d *dateFlag) Type() string   { return "date" }

func (c *cli) withdrawProposalVerb() *cobra.Command {
	var reason string
	return c.verb("withdraw-proposal PROPOSAL", "Withdraw an open proposal",
		`  govledger withdraw-proposal move-venue --reason "the theatre is closing" -c synergy`,
		[]string{"PROPOSAL"}, "when it was withdrawn",
		func(cmd *cobra.Command) { cmd.Flags().StringVar(&reason, "reason", "", "why") },
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/proposals/%s/withdraw", args[0])
			return path, map[string]any{"reason": reason}, err
		})
}

func (c *cli) recordDecisionVerb() *cobra.Command {
	p := &proposal{}
	var attendance []string
	var votes, interests []string
	var casting string
	var review dateFlag
	return c.verb("record-decision PROPOSAL", "Record a decision taken in a meeting, with attendance and the votes as minuted",
		`  govledger record-decision wind-up --matter dissolution --title "Dissolve at contract end" \
    --attendance brightside-cvs,essex-mind,colchester-nhs \
    --vote brightside-cvs=for --vote essex-mind=for --vote colchester-nhs=for \
    --occurred 2027-03-01 -c synergy`,
		[]string{"PROPOSAL"}, "when the meeting was held",
		func(cmd *cobra.Command) {
			p.flags(cmd, true)
			f := cmd.Flags()
			f.StringSliceVar(&attendance, "attendance", nil, "the partners present, comma-separated")
			f.StringArrayVar(&votes, "vote", nil, "a vote as minuted, partner=for|against|abstain|block (repeatable)")
			f.StringArrayVar(&interests, "interest", nil, "an interest declared, partner=what it is (repeatable)")
			f.StringVar(&casting, "casting-vote", "", "the chair's casting vote on a tie, where the rule grants one")
			f.Var(&review, "review-date", "when the decision is to be reviewed (2027-03-31)")
		},
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/meeting-decisions")
			if err != nil {
				return "", nil, err
			}
			body, err := p.body(args[0])
			if err != nil {
				return "", nil, err
			}
			if body["votes"], err = pairs("--vote", votes); err != nil {
				return "", nil, err
			}
			if body["interests"], err = pairs("--interest", interests); err != nil {
				return "", nil, err
			}
			body["attendance"] = attendance
			if casting != "" {
				body["casting_vote"] = casting
			}
			if review != "" {
				body["review_date"] = review
			}
			return path, body, nil
		})
}

// pairs reads repeated key=value flags.
func pairs(flag string, vs []string) (map[string]string, error) {
	m := map[string]string{}
	for _, v := range vs {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return nil, usageError{fmt.Errorf("%s %q: write partner=value", flag, v)}
		}
		m[k] = val
	}
	return m, nil
}

func (c *cli) assignRoleVerb() *cobra.Command {
	var person string
	return c.verb("assign-role PARTNER ROLE", "Give a partner a role directly, where the terms allow it without a decision",
		`  govledger assign-role essex-mind point-of-contact --person tom-reilly -c synergy
  (other roles are given by an ordinary decision: govledger propose ... --role chair=essex-mind)`,
		[]string{"PARTNER", "ROLE"}, "when it was assigned",
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&person, "person", "", "the person, for a point of contact")
		},
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/roles")
			body := map[string]any{"partner": args[0], "role": args[1]}
			if person != "" {
				body["person"] = person
			}
			return path, body, err
		})
}

func (c *cli) serveNoticeVerb() *cobra.Command {
	var reason string
	return c.verb("serve-notice PARTNER", "Record a partner's notice of withdrawal; it takes effect after the terms' notice period",
		`  govledger serve-notice colchester-nhs --reason "the service moves to the ICB" -c synergy`,
		[]string{"PARTNER"}, "when notice was served",
		func(cmd *cobra.Command) { cmd.Flags().StringVar(&reason, "reason", "", "why it is leaving") },
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/notices")
			return path, map[string]any{"partner": args[0], "reason": reason}, err
		})
}

func (c *cli) disputeVerb() *cobra.Command {
	var by, matter, outcome, reason string
	var against []string
	d := &cobra.Command{
		Use:   "dispute",
		Short: "Raise a dispute, move it up the terms' ladder, resolve or withdraw it",
		Long: `Record a dispute's life: raised by a partner against others, escalated up the
dispute ladder the terms set (each stage with its time limit; it is overdue when the
limit passes), and resolved with the outcome agreed, or withdrawn.`,
		Example: `  govledger dispute raise late-invoices --by stockport-mind --against anchorpoint \
    --matter "Invoices paid 60 days late" -c synergy
  govledger dispute escalate late-invoices -c synergy
  govledger dispute resolve late-invoices --outcome "Paid within 30 days" -c synergy`,
		Args: noSuchVerb,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usageError{fmt.Errorf("say what to do with the dispute: raise, escalate, resolve or withdraw (see govledger dispute --help)")}
		},
	}
	raise := c.verb("raise DISPUTE", "Raise a dispute against one or more partners",
		`  govledger dispute raise late-invoices --by essex-mind --against brightside-cvs \
    --matter "Invoices paid 60 days late" -c synergy`,
		[]string{"DISPUTE"}, "when it was raised",
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&by, "by", "", "the partner raising it (required)")
			cmd.Flags().StringSliceVar(&against, "against", nil, "the partners it is raised against, comma-separated (required)")
			cmd.Flags().StringVar(&matter, "matter", "", "what it is about (required)")
		},
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/disputes")
			return path, map[string]any{"dispute": args[0], "raised_by": by, "parties": against, "matter": matter}, err
		})
	escalate := c.verb("escalate DISPUTE", "Move a dispute to the next stage of the terms' ladder",
		`  govledger dispute escalate late-invoices -c synergy`,
		[]string{"DISPUTE"}, "when it was escalated", nil,
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/disputes/%s/escalate", args[0])
			return path, map[string]any{}, err
		})
	resolve := c.verb("resolve DISPUTE --outcome TEXT", "Record the outcome the parties agreed",
		`  govledger dispute resolve late-invoices --outcome "Invoices paid within 30 days, backdated" -c synergy`,
		[]string{"DISPUTE"}, "when it was resolved",
		func(cmd *cobra.Command) {
			cmd.Flags().StringVar(&outcome, "outcome", "", "the outcome agreed (required)")
		},
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/disputes/%s/resolve", args[0])
			return path, map[string]any{"outcome": outcome}, err
		})
	withdraw := c.verb("withdraw DISPUTE", "Withdraw a dispute",
		`  govledger dispute withdraw late-invoices --reason "settled informally" -c synergy`,
		[]string{"DISPUTE"}, "when it was withdrawn",
		func(cmd *cobra.Command) { cmd.Flags().StringVar(&reason, "reason", "", "why") },
		func(args []string) (string, map[string]any, error) {
			path, err := c.path("/disputes/%s/withdraw", args[0])
			return path, map[string]any{"reason": reason}, err
		})
	d.AddCommand(raise, escalate, resolve, withdraw)
	return d
}
