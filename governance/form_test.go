package governance_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	g "github.com/govledger/govledger/governance"
)

// Every shape's terms file reads and forms its consortium, with the roles and points of
// contact the terms name.
func TestShapesForm(t *testing.T) {
	for _, sh := range shapes {
		t.Run(sh.id, func(t *testing.T) {
			s := formed(t, sh)
			if s.state.Terms.Version != 1 || len(s.state.Members(at(0))) != len(sh.partners) {
				t.Fatalf("formed: version %d, %d members", s.state.Terms.Version, len(s.state.Members(at(0))))
			}
			roles := s.state.Terms.Roles
			for role, id := range map[string]string{g.RoleLeadPartner: roles.LeadPartner, g.RoleChair: roles.Chair, g.RoleSecretary: roles.Secretary} {
				if id == "" {
					continue
				}
				if p := s.state.Partners[id]; !slices.Contains(p.Roles, role) {
					t.Errorf("%s holds %v, not the %s the terms give it", id, p.Roles, role)
				}
			}
			for id, person := range roles.PointsOfContact {
				if got := s.state.Partners[id].PointOfContact; got != person {
					t.Errorf("the point of contact of %s is %s, the terms say %s", id, got, person)
				}
			}
		})
	}
}

func TestFormRefused(t *testing.T) {
	onePartner := func(c *g.FormConsortium) { c.Partners = c.Partners[:1] }
	for _, tc := range []struct {
		name   string
		change func(*g.FormConsortium)
		code   g.Code
		want   string
	}{
		{"one founding partner", onePartner, g.CodeInvalid, "at least two founding partners, not 1"},
		{"a dot in the id", func(c *g.FormConsortium) { c.Consortium = "a.b" }, g.CodeInvalid, `consortium id "a.b" is not a slug`},
		{"a star for an id", func(c *g.FormConsortium) { c.Consortium = "*" }, g.CodeInvalid, `consortium id "*" is not a slug`},
		{"a chevron for an id", func(c *g.FormConsortium) { c.Consortium = ">" }, g.CodeInvalid, `consortium id ">" is not a slug`},
		{"a space in the id", func(c *g.FormConsortium) { c.Consortium = "synergy essex" }, g.CodeInvalid, `"synergy essex" is not a slug`},
		{"capitals in the id", func(c *g.FormConsortium) { c.Consortium = "Synergy" }, g.CodeInvalid, `"Synergy" is not a slug`},
		{"an empty id", func(c *g.FormConsortium) { c.Consortium = "" }, g.CodeInvalid, "must be 1 to 63 characters"},
		{"an id too long", func(c *g.FormConsortium) { c.Consortium = strings.Repeat("s", 64) }, g.CodeInvalid, "must be 1 to 63 characters"},
		{"no time", func(c *g.FormConsortium) { c.At = time.Time{} }, g.CodeInvalid, "form-consortium needs the time it happens (at)"},
		{"no purpose", func(c *g.FormConsortium) { c.Purpose = "" }, g.CodeInvalid, "needs a name and a common purpose"},
		{"an unknown structure", func(c *g.FormConsortium) { c.Structure = "club" }, g.CodeInvalid, `structure "club" is not one of`},
		{"no start", func(c *g.FormConsortium) { c.Start = "" }, g.CodeInvalid, "needs a start date"},
		{"ends before it starts", func(c *g.FormConsortium) { c.End = "2026-01-01" }, g.CodeInvalid, "ends (2026-01-01) before it starts (2026-03-02)"},
		{"a partner id with a dot", func(c *g.FormConsortium) { c.Partners[1].ID = "essex.mind" }, g.CodeInvalid, `partner id "essex.mind" is not a slug`},
		{"a partner named twice", func(c *g.FormConsortium) { c.Partners[1].ID = "brightside-cvs" }, g.CodeInvalid, "partner brightside-cvs is named twice"},
		{"a partner without a name", func(c *g.FormConsortium) { c.Partners[1].Name = "" }, g.CodeInvalid, "partner essex-mind needs a name"},
		{"an unknown sector", func(c *g.FormConsortium) { c.Partners[1].Sector = "charity" }, g.CodeInvalid, `partner essex-mind has sector "charity"`},
		{"an unknown tier", func(c *g.FormConsortium) { c.Partners[1].Tier = "gold" }, g.CodeInvalid, `partner essex-mind has tier "gold"`},
		{"no point of contact", func(c *g.FormConsortium) { c.Partners[1].PointOfContact = "" }, g.CodeInvalid, "partner essex-mind needs a point of contact"},
		{"a representative id with a space", func(c *g.FormConsortium) {
			c.Partners[1].Representatives = []g.Representative{{ID: "tom reilly", Name: "Tom Reilly"}}
		}, g.CodeInvalid, `representative id "tom reilly" is not a slug`},
		{"a representative named twice", func(c *g.FormConsortium) {
			c.Partners[1].Representatives = []g.Representative{{ID: "tom-reilly", Name: "Tom Reilly"}, {ID: "tom-reilly", Name: "Tom Riley"}}
		}, g.CodeInvalid, "partner essex-mind names representative tom-reilly twice"},
		{"a point of contact that is not a person's id", func(c *g.FormConsortium) { c.Partners[1].PointOfContact = "a.b *" },
			g.CodeInvalid, `point of contact "a.b *" is not a slug`},
		{"a purpose of spaces", func(c *g.FormConsortium) { c.Purpose = "   " }, g.CodeInvalid, "needs a name and a common purpose"},
		{"a representative's name with a NUL", func(c *g.FormConsortium) {
			c.Partners[1].Representatives = []g.Representative{{ID: "tom-reilly", Name: "Tom\x00Reilly"}}
		}, g.CodeInvalid, "the name of representative tom-reilly holds the character U+0000"},
		{"a name that reads backwards", func(c *g.FormConsortium) { c.Partners[1].Name = "Essex \u202eDNIM" }, g.CodeInvalid,
			"the name of partner essex-mind holds the character U+202E, which the record does not keep"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := synergy.form(t)
			c.Partners = append([]g.PartnerSpec(nil), c.Partners...)
			tc.change(&c)
			evs, err := g.Decide(nil, c)
			assertRefused(t, tc.name, err, tc.code, tc.want)
			if evs != nil {
				t.Fatalf("refused with events %s", types(evs))
			}
		})
	}
}

func TestFormAgainRefused(t *testing.T) {
	s := formSynergy(t)
	s.refuse(synergy.form(t), g.CodeConflict, "consortium synergy already exists")
}

// Every check on the terms, each refused in the partnership's words, whether the terms
// come with the consortium's formation or with an amend-terms proposal.
func TestTermsRefused(t *testing.T) {
	half := g.Fraction{Num: 1, Den: 2}
	for _, tc := range []struct {
		name   string
		change func(*g.Terms)
		want   string
	}{
		{"no admission rule", func(t *g.Terms) { delete(t.DecisionRules, g.MatterAdmission) },
			"there is no decision rule for the reserved matter admission"},
		{"a matter that is not a slug", func(t *g.Terms) { t.DecisionRules["Big Spend"] = g.Rule{Method: g.MethodMajority, Quorum: half} },
			`matter "Big Spend" is not a slug`},
		{"a supermajority of half", func(t *g.Terms) {
			t.DecisionRules["financial"] = g.Rule{Method: g.MethodSupermajority, Threshold: half, Quorum: half}
		}, "the financial rule is a supermajority, so its threshold must be more than half"},
		{"a supermajority above all", func(t *g.Terms) {
			t.DecisionRules["financial"] = g.Rule{Method: g.MethodSupermajority, Threshold: g.Fraction{Num: 4, Den: 3}, Quorum: half}
		}, "the financial rule is a supermajority, so its threshold must be more than half and at most all"},
		{"a threshold on a majority", func(t *g.Terms) {
			t.DecisionRules[g.MatterOrdinary] = g.Rule{Method: g.MethodMajority, Threshold: g.Fraction{Num: 2, Den: 3}, Quorum: half}
		}, "the ordinary rule is by majority, which takes no threshold"},
		{"no quorum", func(t *g.Terms) { t.DecisionRules["financial"] = g.Rule{Method: g.MethodMajority} },
			"the financial rule needs a quorum greater than nothing"},
		{"a quorum above everyone", func(t *g.Terms) {
			t.DecisionRules["financial"] = g.Rule{Method: g.MethodMajority, Quorum: g.Fraction{Num: 3, Den: 2}}
		}, "the financial rule needs a quorum greater than nothing and at most everyone"},
		{"an unknown method", func(t *g.Terms) { t.DecisionRules["financial"] = g.Rule{Method: "show-of-hands", Quorum: half} },
			`the financial rule has method "show-of-hands"`},
		{"a casting vote under unanimity", func(t *g.Terms) {
			t.DecisionRules[g.MatterAdmission] = g.Rule{Method: g.MethodUnanimity, Quorum: half, CastingVote: true}
		}, "a casting vote applies only to a majority rule, not to the admission rule (unanimity)"},
		{"a negative voting window", func(t *g.Terms) {
			t.DecisionRules["financial"] = g.Rule{Method: g.MethodMajority, Quorum: half, VotingDays: -3}
		}, "the financial rule's voting window is -3 days"},
		{"risk shares short of 100%", func(t *g.Terms) { t.RiskShares = map[string]g.Share{"brightside-cvs": 5000, "essex-mind": 4000} },
			"risk-sharing shares add up to 90.00%, not 100%"},
		{"surplus shares over 100%", func(t *g.Terms) { t.SurplusShares = map[string]g.Share{"essex-mind": 6000, "brightside-cvs": 6000} },
			"surplus-sharing shares add up to 120.00%, not 100%"},
		{"a negative share", func(t *g.Terms) { t.RiskShares = map[string]g.Share{"brightside-cvs": 11000, "essex-mind": -1000} },
			"risk-sharing gives brightside-cvs a share of 110.00%"},
		{"a share for a stranger", func(t *g.Terms) { t.RiskShares = map[string]g.Share{"age-uk": 10000} },
			"risk-sharing names age-uk, which is not a partner"},
		{"a chair who is not a partner", func(t *g.Terms) { t.Roles.Chair = "age-uk" },
			"the chair is age-uk, which is not a partner"},
		{"a lead partner who is not a partner", func(t *g.Terms) { t.Roles.LeadPartner = "essex-council" },
			"the lead partner is essex-council, which is not a partner"},
		{"a secretary who is not a partner", func(t *g.Terms) { t.Roles.Secretary = "age-uk" },
			"the secretary is age-uk, which is not a partner"},
		{"a point of contact for a stranger", func(t *g.Terms) { t.Roles.PointsOfContact = map[string]string{"age-uk": "jo-bloggs"} },
			"a point of contact is named for age-uk, which is not a partner"},
		{"a point of contact naming nobody", func(t *g.Terms) { t.Roles.PointsOfContact = map[string]string{"essex-mind": ""} },
			"the point of contact for essex-mind names nobody"},
		{"an unknown role without a decision", func(t *g.Terms) { t.Roles.AssignedWithoutDecision = []string{"treasurer"} },
			`"treasurer" may be assigned without a decision, but it is not a role`},
		{"a role listed twice", func(t *g.Terms) {
			t.Roles.AssignedWithoutDecision = []string{g.RolePointOfContact, g.RolePointOfContact}
		}, "point-of-contact is listed twice"},
		{"a stranger on the steering group", func(t *g.Terms) { t.SteeringGroup = []string{"brightside-cvs", "age-uk"} },
			"the steering group names age-uk"},
		{"a milestone without a name", func(t *g.Terms) { t.Milestones = []g.Milestone{{Due: "2026-06-30"}} },
			"every milestone of the action plan needs a name"},
		{"a milestone owned by a stranger", func(t *g.Terms) { t.Milestones = []g.Milestone{{Name: "Pathway live", Owner: "age-uk"}} },
			`milestone "Pathway live" is owned by age-uk`},
		{"financing from a stranger", func(t *g.Terms) { t.Financing = []g.Contribution{{Partner: "age-uk", AmountPence: 100}} },
			"the financing names age-uk"},
		{"a negative contribution", func(t *g.Terms) { t.Financing = []g.Contribution{{Partner: "essex-mind", AmountPence: -100}} },
			"essex-mind's contribution is negative"},
		{"an objective without a name", func(t *g.Terms) { t.Monitoring = []g.Objective{{ReviewDate: "2027-03-31"}} },
			"every objective to monitor needs a name"},
		{"no dispute ladder", func(t *g.Terms) { t.DisputeLadder = nil }, "the dispute ladder needs at least one stage"},
		{"a stage without a time limit", func(t *g.Terms) { t.DisputeLadder = []g.Stage{{Name: "negotiation"}} },
			"dispute stage 1 needs a name and a time limit in days"},
		{"no notice period", func(t *g.Terms) { t.Termination.NoticeDays = 0 },
			"the withdrawal notice period must be at least one day"},
		{"a notice period of a million years", func(t *g.Terms) { t.Termination.NoticeDays = 365_000_000 },
			"the withdrawal notice period is 365000000 days; at most 3650 (ten years)"},
		{"a dispute stage that never runs out", func(t *g.Terms) {
			t.DisputeLadder = []g.Stage{{Name: "negotiation", Days: 1_000_000_000_000_000, WorkingDays: true}}
		}, "dispute stage 1 (negotiation) has a time limit of 1000000000000000 days; at most 3650 (ten years)"},
		{"a voting window of centuries", func(t *g.Terms) {
			t.DecisionRules["financial"] = g.Rule{Method: g.MethodMajority, Quorum: half, VotingDays: 36500}
		}, "the financial rule's voting window is 36500 days; give a number of days up to 3650"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			terms := loadTerms(t, synergy.terms)
			tc.change(&terms)
			c := synergy.form(t)
			c.Terms = terms
			_, err := g.Decide(nil, c)
			assertRefused(t, "form", err, g.CodeInvalid, "terms: "+tc.want)

			s := formSynergy(t)
			s.refuse(g.TableProposal{At: at(1), Proposal: "new-terms", Matter: g.MatterAmendTerms, Title: "New terms", NewTerms: &terms},
				g.CodeInvalid, tc.want)
		})
	}
}

func TestParseTerms(t *testing.T) {
	for _, tc := range []struct{ yaml, want string }{
		{"decision_rule: {}\n", `"decision_rule" is not a field: did you mean "decision_rules"?`},
		{"decision_rules: {ordinary: {method: majority, Quorum: \"1/2\"}}\n", `"decision_rules.ordinary.Quorum" is not a field: write it "quorum"`},
		{"milestones: {name: x}\n", "milestones must be a list, not an object"},
		{"risk_shares: {a: -0.5}\n", "share -0.5 is not a percentage"},
		{"risk_shares: {a: \"50.-5\"}\n", "share 50.-5 is not a percentage"},
		{"risk_shares: {a: 33.333}\n", "share 33.333 has more than two decimals"},
		{"risk_shares: {a: 100.01}\n", "share 100.01 is more than 100%"},
		{"risk_shares: {a: \"+5\"}\n", "share +5 is not a percentage"},
		{"decision_rules: {ordinary: {method: majority, quorum: \"3/2\"}}\n", `"3/2" is not a share between 0 and 1`},
		{"milestones: [{name: x, due: 30/06/2026}]\n", `"30/06/2026" is not a date like 2026-04-01`},
	} {
		_, err := g.ParseTerms([]byte(tc.yaml))
		assertRefused(t, tc.yaml, err, g.CodeInvalid, tc.want)
	}
	terms, err := g.ParseTerms([]byte("risk_shares: {a: 12.5%, b: \"87.50\", c: 0}\n"))
	if err != nil || terms.RiskShares["a"] != 1250 || terms.RiskShares["b"] != 8750 || terms.RiskShares["c"] != 0 {
		t.Fatalf("shares = %v, %v", terms.RiskShares, err)
	}
}

// A message names the first thing wrong, the same one every time.
func TestTermsMessagesAreStable(t *testing.T) {
	terms := loadTerms(t, synergy.terms)
	terms.DecisionRules["zzz"] = g.Rule{Method: "vote"}
	terms.DecisionRules["aaa"] = g.Rule{Method: "poll"}
	first := terms.Validate([]string{"brightside-cvs", "essex-mind", "colchester-nhs"}).Error()
	for range 20 {
		if got := terms.Validate([]string{"brightside-cvs", "essex-mind", "colchester-nhs"}).Error(); got != first || !strings.Contains(got, "aaa") {
			t.Fatalf("validation said %q, then %q", first, got)
		}
	}
}
