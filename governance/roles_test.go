package governance_test

import (
	"slices"
	"testing"

	g "github.com/govledger/govledger/governance"
)

// A role one partner holds at a time moves: the partner that held it no longer does.
func TestSingleHolderRolesMove(t *testing.T) {
	for _, role := range []string{g.RoleChair, g.RoleLeadPartner, g.RoleSecretary} {
		t.Run(role, func(t *testing.T) {
			s := formSynergy(t)
			from := *holder(&s.state.Terms.Roles, role)
			to := "colchester-nhs"
			s.ballot(g.TableProposal{At: at(1), Proposal: "handover", Matter: g.MatterOrdinary, Title: "Colchester takes over the " + role,
				Role: &g.RoleAssignment{Partner: to, Role: role}},
				map[string]string{"brightside-cvs": "for", "essex-mind": "for", "colchester-nhs": "for"})
			evs := s.do(g.CloseProposal{At: at(2), Proposal: "handover"})
			if got := evs[1].Payload; got != (g.RoleAssigned{Partner: to, Role: role, Proposal: "handover"}) {
				t.Fatalf("effect = %#v", got)
			}
			if slices.Contains(s.state.Partners[from].Roles, role) {
				t.Errorf("%s still holds the %s: %v", from, role, s.state.Partners[from].Roles)
			}
			if !slices.Contains(s.state.Partners[to].Roles, role) || *holder(&s.state.Terms.Roles, role) != to {
				t.Errorf("%s does not hold the %s", to, role)
			}
			holders := 0
			for _, p := range s.state.Partners {
				if slices.Contains(p.Roles, role) {
					holders++
				}
			}
			if holders != 1 {
				t.Errorf("%d partners hold the %s", holders, role)
			}
			if p := s.state.Proposals["handover"]; p.Effect != g.TypeRoleAssigned {
				t.Errorf("the decision's effect is %q", p.Effect)
			}
		})
	}
}

func holder(r *g.Roles, role string) *string {
	switch role {
	case g.RoleChair:
		return &r.Chair
	case g.RoleLeadPartner:
		return &r.LeadPartner
	}
	return &r.Secretary
}

// Lambeth's terms let the secretary be named without a decision: whoever takes the
// breakfast minutes.
func TestAssignRoleWithoutDecision(t *testing.T) {
	s := formed(t, lambeth)
	evs := s.do(g.AssignRole{At: at(1), Partner: "slam-nhs", Role: g.RoleSecretary})
	if types(evs) != "partner.role-assigned" {
		t.Fatalf("events = %s", types(evs))
	}
	if got := s.state.Partners["certitude"].Roles; len(got) != 0 {
		t.Fatalf("Certitude still holds %v", got)
	}
	if got := s.state.Partners["slam-nhs"].Roles; !equalJSON(got, []string{g.RoleSecretary}) || s.state.Terms.Roles.Secretary != "slam-nhs" {
		t.Fatalf("South London and Maudsley holds %v", got)
	}
	s.do(g.AssignRole{At: at(2), Partner: "certitude", Role: g.RolePointOfContact, Person: "kofi-mensah"})
	if s.state.Partners["certitude"].PointOfContact != "kofi-mensah" || s.state.Terms.Roles.PointsOfContact["certitude"] != "kofi-mensah" {
		t.Fatal("the point of contact did not change")
	}
	// The terms the consortium was formed with, as recorded, are untouched.
	if formed := s.log[0].Payload.(g.ConsortiumFormed); formed.Terms.Roles.PointsOfContact["certitude"] != "hannah-price" {
		t.Fatal("assigning a point of contact rewrote the recorded formation")
	}
}

func TestAssignRoleRefused(t *testing.T) {
	for _, tc := range []struct {
		name  string
		setup func(*story)
		cmd   g.Command
		code  g.Code
		want  string
	}{
		{"the chair, which needs a decision", nil, g.AssignRole{At: at(1), Partner: "essex-mind", Role: g.RoleChair}, g.CodeForbidden,
			"the terms of consortium synergy give the role of chair only by a decision: table an ordinary decision with role chair for essex-mind"},
		{"the lead partner, which needs a decision", nil, g.AssignRole{At: at(1), Partner: "essex-mind", Role: g.RoleLeadPartner}, g.CodeForbidden,
			"give the role of lead partner only by a decision: table an ordinary decision with role lead-partner for essex-mind"},
		{"a role that is not one", nil, g.AssignRole{At: at(1), Partner: "essex-mind", Role: "treasurer"}, g.CodeInvalid, `"treasurer" is not a role`},
		{"a point of contact naming nobody", nil, g.AssignRole{At: at(1), Partner: "essex-mind", Role: g.RolePointOfContact}, g.CodeInvalid,
			"naming the point of contact of Essex Mind needs the person"},
		{"a point of contact that is not a person's id", nil, g.AssignRole{At: at(1), Partner: "essex-mind", Role: g.RolePointOfContact, Person: "a.b *"},
			g.CodeInvalid, `person "a.b *" is not a slug`},
		{"a point of contact by decision that is not a person's id", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterOrdinary, Title: "x",
			Role: &g.RoleAssignment{Partner: "essex-mind", Role: g.RolePointOfContact, Person: "a.b *"}}, g.CodeInvalid, `person "a.b *" is not a slug`},
		{"the same point of contact again", nil, g.AssignRole{At: at(1), Partner: "essex-mind", Role: g.RolePointOfContact, Person: "tom-reilly"},
			g.CodeConflict, "tom-reilly is already the point of contact of Essex Mind"},
		{"a point of contact for a stranger", nil, g.AssignRole{At: at(1), Partner: "age-uk", Role: g.RolePointOfContact, Person: "jo"},
			g.CodeNotFound, "age-uk is not a partner of consortium synergy"},
		{"a point of contact for an applicant", func(s *story) {
			s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"})
		}, g.AssignRole{At: at(2), Partner: "essex-council", Role: g.RolePointOfContact, Person: "jo"},
			g.CodeConflict, "Essex County Council is not a member of consortium synergy (it is applicant)"},
		{"a role by decision for a partner who has it", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterOrdinary, Title: "x",
			Role: &g.RoleAssignment{Partner: "brightside-cvs", Role: g.RoleChair}}, g.CodeConflict, "Brightside CVS is already the chair"},
		{"a chair who is a person", nil, g.TableProposal{At: at(1), Proposal: "p", Matter: g.MatterOrdinary, Title: "x",
			Role: &g.RoleAssignment{Partner: "essex-mind", Role: g.RoleChair, Person: "tom-reilly"}}, g.CodeInvalid,
			"the chair is a partner, not a person: name no person"},
		{"a role by decision for an applicant", func(s *story) {
			s.do(g.ApplyToJoin{At: at(1), Partner: council, Sponsor: "brightside-cvs"})
		}, g.TableProposal{At: at(2), Proposal: "p", Matter: g.MatterOrdinary, Title: "x", Role: &g.RoleAssignment{Partner: "essex-council", Role: g.RoleSecretary}},
			g.CodeConflict, "Essex County Council is not a member"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := formSynergy(t)
			if tc.setup != nil {
				tc.setup(s)
			}
			s.refuse(tc.cmd, tc.code, tc.want)
		})
	}
}

// The command's JSON is the API's.
func TestAssignRoleJSON(t *testing.T) {
	c, err := g.DecodeCommand("assign-role", []byte(`{"at":"2026-03-03T09:30:00Z","partner":"essex-mind","role":"point-of-contact","person":"sam-lee"}`))
	if err != nil {
		t.Fatal(err)
	}
	if want := (g.AssignRole{At: at(1), Partner: "essex-mind", Role: g.RolePointOfContact, Person: "sam-lee"}); c != want || c.CommandName() != "assign-role" {
		t.Fatalf("decoded %#v", c)
	}
	_, err = g.DecodeCommand("assign-role", []byte(`{"partner":"essex-mind","role":"chair","holder":"x"}`))
	assertRefused(t, "unknown field", err, g.CodeInvalid, `assign-role: "holder" is not a field here`)
}

// A command's JSON is read strictly, and what is wrong with it is said in the
// partnership's words, not Go's.
func TestCommandJSON(t *testing.T) {
	for body, want := range map[string]string{
		`{"at":"2026-03-03T09:30:00Z","Partner":"essex-mind","role":"chair"}`:                     `"Partner" is not a field: write it "partner"`,
		`{"at":"2026-03-03T09:30:00Z","partner":"essex-mind","partner":"brightside-cvs"}`:         `"partner" is given twice`,
		`{"at":"2026-03-03T09:30:00Z","partner":["essex-mind"]}`:                                  "partner must be text, not a list",
		`{"at":"2026-03-03","partner":"essex-mind"}`:                                              `"2026-03-03" is not a time: write it as 2026-04-01T10:00:00Z`,
		`{"at":"2026-03-03T09:30:00Z","partner":"essex-mind"`:                                     "it is not well-formed JSON",
		`{"at":"2026-03-03T09:30:00Z"} {}`:                                                        "it is not well-formed JSON",
		`[]`:                                                                                      "it must be an object, not a list",
		`{"at":"2026-03-03T09:30:00Z","partner":"x","role":"chair","person":"p","extra":{"a":1}}`: `"extra" is not a field here`,
	} {
		_, err := g.DecodeCommand("assign-role", []byte(body))
		assertRefused(t, body, err, g.CodeInvalid, want)
	}
	// Nested objects too: a partner's fields, in a form.
	_, err := g.DecodeCommand("apply-to-join", []byte(`{"at":"2026-03-03T09:30:00Z","partner":{"id":"essex-council","Name":"Essex County Council"}}`))
	assertRefused(t, "nested", err, g.CodeInvalid, `"partner.Name" is not a field: write it "name"`)
	_, err = g.DecodeCommand("record-meeting-decision", []byte(`{"at":"2026-03-03T09:30:00Z","proposal":"p","votes":{"a":"for","a":"against"}}`))
	assertRefused(t, "map", err, g.CodeInvalid, `"votes.a" is given twice`)
}
