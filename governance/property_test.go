package governance_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	g "github.com/govledger/govledger/governance"
)

// TestRandomHistories runs many random histories of valid commands over each shape's
// terms. At every step: Decide allows what the rules allow; Check accepts every event
// Decide produced, against the state just before it; and the invariants hold. At the
// end: applying the history gives the same state however it is split (a prefix,
// cloned, then the rest), and the history as the log keeps it (payloads as JSON, times
// in UTC) passes Check event by event.
func TestRandomHistories(t *testing.T) {
	runs, steps := 60, 150
	if testing.Short() {
		runs = 10
	}
	for _, sh := range shapes {
		t.Run(sh.id, func(t *testing.T) {
			// Every run starts from the same formation: Apply must never write into an
			// event, or one run would leak into the next.
			form := sh.form(t)
			for run := range runs {
				seed := uint64(run)*1000003 + uint64(len(sh.id))
				h := &history{t: t, sh: sh, seed: seed, rnd: rand.New(rand.NewPCG(seed, 7)), now: day0}
				h.step(form)
				for range steps {
					if h.state.Dissolved {
						h.sealed()
						break
					}
					h.now = h.now.Add(time.Duration(h.rnd.IntN(60)) * time.Hour)
					if c := h.pick(); c != nil {
						h.step(c)
					}
				}
				h.splitIndependent()
				h.asTheLogKeepsIt()
			}
		})
	}
}

// history is one random run.
type history struct {
	t     *testing.T
	sh    shape
	seed  uint64
	rnd   *rand.Rand
	now   time.Time
	state *g.State
	log   []g.Event
	ids   int // for fresh ids
}

func (h *history) fail(format string, args ...any) {
	h.t.Helper()
	h.t.Fatalf("%s seed %d, after %d events: %s", h.sh.id, h.seed, len(h.log), fmt.Sprintf(format, args...))
}

// step decides c, which the rules allow, checks and applies its events, and checks the
// invariants.
func (h *history) step(c g.Command) {
	h.t.Helper()
	evs, err := g.Decide(h.state, c)
	if err != nil {
		if early, ok := c.(g.CloseProposal); ok && early.At.Before(h.state.Proposals[early.Proposal].ClosesAt) {
			assertRefused(h.t, "an early close", err, g.CodeConflict, "the votes still to come could change its outcome")
			return
		}
		h.fail("%s refused: %v\n%#v", c.CommandName(), err, c)
	}
	payloads := make([]g.Payload, len(evs))
	for i, e := range evs {
		payloads[i] = e.Payload
	}
	if !g.Recorded(c, payloads) {
		h.fail("%s is not what it recorded: %s", c.CommandName(), types(evs))
	}
	for _, e := range evs {
		if err := g.Check(h.state, e); err != nil {
			h.fail("Check refuses the %s that %s produced: %v", e.Type(), c.CommandName(), err)
		}
		h.state = g.Apply(h.state, e)
	}
	h.log = append(h.log, evs...)
	h.invariants()
}

func (h *history) fresh(prefix string) string {
	h.ids++
	return fmt.Sprintf("%s-%d", prefix, h.ids)
}

// at is now, sometimes written in British Summer Time: the same moment.
func (h *history) at() time.Time {
	if h.rnd.IntN(5) == 0 {
		return h.now.In(time.FixedZone("BST", 3600))
	}
	return h.now
}

func oneOf[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func (h *history) members() []string {
	var ids []string
	for _, p := range h.state.Members(h.now) {
		ids = append(ids, p.ID)
	}
	return ids
}

func (h *history) openProposals() []*g.Proposal {
	var ps []*g.Proposal
	for _, id := range slices.Sorted(maps.Keys(h.state.Proposals)) {
		if p := h.state.Proposals[id]; p.Outcome == g.OutcomeOpen {
			ps = append(ps, p)
		}
	}
	return ps
}

func (h *history) openDisputes() []*g.Dispute {
	var ds []*g.Dispute
	for _, id := range slices.Sorted(maps.Keys(h.state.Disputes)) {
		if d := h.state.Disputes[id]; d.Status == g.DisputeStatusOpen {
			ds = append(ds, d)
		}
	}
	return ds
}

// pick returns a command the current state allows, or nil when the one it tried to
// build has nothing to act on.
func (h *history) pick() g.Command {
	if len(h.members()) == 0 {
		return nil // everyone has left: the history can only wait
	}
	switch n := h.rnd.IntN(100); {
	case n < 6:
		return h.applyToJoin()
	case n < 20:
		return h.table(false)
	case n < 26:
		return h.table(true)
	case n < 30:
		return h.declareInterest()
	case n < 60:
		return h.castVote()
	case n < 74:
		return h.closeProposal()
	case n < 76:
		if ps := h.openProposals(); len(ps) > 0 {
			return g.WithdrawProposal{At: h.at(), Proposal: oneOf(h.rnd, ps).ID, Reason: "overtaken by events"}
		}
	case n < 79:
		return h.serveNotice()
	case n < 82:
		return h.assignRole()
	case n < 88:
		return h.raiseDispute()
	default:
		return h.moveDispute()
	}
	return nil
}

func (h *history) applyToJoin() g.Command {
	id := h.fresh("applicant")
	p := g.PartnerSpec{ID: id, Name: "Applicant " + id, Sector: oneOf(h.rnd, g.Sectors), Tier: g.TierFull, PointOfContact: "contact-" + id}
	if h.rnd.IntN(5) == 0 {
		p.Tier = g.TierAssociate
	}
	c := g.ApplyToJoin{At: h.at(), Partner: p}
	if ms := h.members(); h.state.Terms.Admission.SponsorRequired || h.rnd.IntN(2) == 0 {
		c.Sponsor = oneOf(h.rnd, ms)
	}
	return c
}

// table builds a proposal, to be balloted or decided at once in a meeting.
func (h *history) table(inMeeting bool) g.Command {
	matters := slices.Sorted(maps.Keys(h.state.Terms.DecisionRules))
	matter := oneOf(h.rnd, matters)
	if matter == g.MatterDissolution && h.rnd.IntN(3) > 0 {
		matter = g.MatterOrdinary // dissolution ends the history: keep it rare
	}
	tp := g.TableProposal{At: h.at(), Proposal: h.fresh("p"), Matter: matter, Title: "Proposal on " + matter}
	switch matter {
	case g.MatterAdmission:
		var applicants []string
		for _, id := range slices.Sorted(maps.Keys(h.state.Partners)) {
			if h.state.Partners[id].Status == g.StatusApplicant && !h.openAbout(matter, id) {
				applicants = append(applicants, id)
			}
		}
		if len(applicants) == 0 {
			return nil
		}
		tp.About = oneOf(h.rnd, applicants)
	case g.MatterExpulsion:
		var members []string
		for _, id := range h.members() {
			if !h.openAbout(matter, id) {
				members = append(members, id)
			}
		}
		if len(members) == 0 {
			return nil
		}
		tp.About = oneOf(h.rnd, members)
	}
	if len(h.state.Electorate(h.now, tp.About)) == 0 {
		return nil
	}
	switch matter {
	case g.MatterAmendTerms:
		terms := h.newTerms()
		tp.NewTerms = &terms
	case g.MatterOrdinary:
		if h.rnd.IntN(3) == 0 {
			tp.Role = h.roleAssignment(g.RoleNames)
		}
	}
	if !inMeeting {
		if h.rnd.IntN(3) > 0 {
			tp.ClosesAt = h.now.Add(time.Duration(1+h.rnd.IntN(240)) * time.Hour)
		}
		return tp
	}
	return h.meeting(tp)
}

func (h *history) openAbout(matter, partner string) bool {
	for _, p := range h.openProposals() {
		if p.Matter == matter && p.About == partner {
			return true
		}
	}
	return false
}

// newTerms are the current terms, re-agreed among the members: shares split again,
// roles and contacts of partners that have left dropped, and a few things changed.
func (h *history) newTerms() g.Terms {
	var t g.Terms
	b, _ := json.Marshal(h.state.Terms)
	if err := json.Unmarshal(b, &t); err != nil {
		h.fail("terms do not read back: %v", err)
	}
	members := h.members()
	isMember := func(id string) bool { return slices.Contains(members, id) }
	split := func() map[string]g.Share {
		shares, left := map[string]g.Share{}, g.Share(10000)
		for i, id := range members {
			if i == len(members)-1 {
				shares[id] = left
				break
			}
			s := g.Share(h.rnd.IntN(int(left) + 1))
			shares[id], left = s, left-s
		}
		return shares
	}
	t.RiskShares, t.SurplusShares = split(), split()
	for _, role := range []*string{&t.Roles.LeadPartner, &t.Roles.Chair, &t.Roles.Secretary} {
		if *role != "" && !isMember(*role) || h.rnd.IntN(4) == 0 {
			*role = oneOf(h.rnd, append(members, ""))
		}
	}
	maps.DeleteFunc(t.Roles.PointsOfContact, func(id, _ string) bool { return !isMember(id) })
	t.SteeringGroup = slices.DeleteFunc(t.SteeringGroup, func(id string) bool { return !isMember(id) })
	t.Milestones = slices.DeleteFunc(t.Milestones, func(m g.Milestone) bool { return m.Owner != "" && !isMember(m.Owner) })
	t.Financing = slices.DeleteFunc(t.Financing, func(c g.Contribution) bool { return !isMember(c.Partner) })
	t.DisputeLadder = t.DisputeLadder[:1+h.rnd.IntN(len(t.DisputeLadder))]
	t.Termination.NoticeDays = 30 + h.rnd.IntN(150)
	t.ExcludeConflicted = h.rnd.IntN(2) == 0
	if err := t.Validate(members); err != nil {
		h.fail("the generator's new terms are not valid: %v", err)
	}
	return t
}

// roleAssignment gives one of roles to a member that does not hold it.
func (h *history) roleAssignment(roles []string) *g.RoleAssignment {
	role := oneOf(h.rnd, roles)
	to := oneOf(h.rnd, h.members())
	if role == g.RolePointOfContact {
		return &g.RoleAssignment{Partner: to, Role: role, Person: h.fresh("person")}
	}
	if *holder(&h.state.Terms.Roles, role) == to {
		return nil
	}
	return &g.RoleAssignment{Partner: to, Role: role}
}

// meeting decides tp at once, with some members present and voting as minuted. Half
// the meetings are full, everyone present and voting, mostly in favour: that is how a
// rule of all the signatories ever carries.
func (h *history) meeting(tp g.TableProposal) g.Command {
	m := g.RecordMeetingDecision{TableProposal: tp, Interests: map[string]string{}, Votes: map[string]string{}}
	full := h.rnd.IntN(2) == 0
	for _, id := range h.members() {
		if full || h.rnd.IntN(10) < 8 {
			m.Attendance = append(m.Attendance, id)
		}
	}
	if len(m.Attendance) == 0 { // a meeting is minuted with somebody present
		return nil
	}
	electorate := h.state.Electorate(h.now, tp.About)
	if h.rnd.IntN(5) == 0 {
		id := oneOf(h.rnd, m.Attendance)
		m.Interests[id] = "a declared interest"
		if h.state.Terms.ExcludeConflicted {
			electorate = slices.DeleteFunc(electorate, func(e string) bool { return e == id })
		}
	}
	rule := h.state.Terms.DecisionRules[tp.Matter]
	for _, id := range m.Attendance {
		switch {
		case !slices.Contains(electorate, id):
		case full && h.rnd.IntN(10) < 9:
			m.Votes[id] = g.VoteFor
		case full || h.rnd.IntN(10) < 9:
			m.Votes[id] = h.vote(rule)
		}
	}
	p := &g.Proposal{Electorate: electorate, Rule: rule, Chair: h.state.Terms.Roles.Chair, Votes: map[string]g.Vote{}}
	for id, v := range m.Votes {
		p.Votes[id] = g.Vote{Choice: v}
	}
	m.CastingVote = h.casting(p)
	return m
}

// vote is a random vote the rule allows, mostly for.
func (h *history) vote(r g.Rule) string {
	switch n := h.rnd.IntN(20); {
	case n < 13:
		return g.VoteFor
	case n < 16:
		return g.VoteAgainst
	case n < 18 || r.Method != g.MethodConsensus:
		return g.VoteAbstain
	}
	return g.VoteBlock
}

// casting is, on a tie the chair may break (still a member), the chair's casting vote,
// or none.
func (h *history) casting(p *g.Proposal) string {
	if _, tie := recount(p, p.Votes, ""); tie && h.state.Partners[p.Chair].Member(h.now) {
		return oneOf(h.rnd, []string{g.VoteFor, g.VoteAgainst, ""})
	}
	return ""
}

func (h *history) declareInterest() g.Command {
	ps := h.openProposals()
	if len(ps) == 0 {
		return nil
	}
	p := oneOf(h.rnd, ps)
	at := h.at()
	var candidates []string
	for _, id := range slices.Sorted(maps.Keys(h.state.Partners)) {
		if _, declared := p.Interests[id]; !declared && h.state.Partners[id].Member(at) {
			candidates = append(candidates, id)
		}
	}
	if len(candidates) == 0 {
		return nil
	}
	return g.DeclareInterest{At: at, Proposal: p.ID, Partner: oneOf(h.rnd, candidates), Interest: "delivers part of it"}
}

func (h *history) castVote() g.Command {
	var ballots []*g.Proposal
	for _, p := range h.openProposals() {
		if h.now.Before(p.ClosesAt) {
			ballots = append(ballots, p)
		}
	}
	if len(ballots) == 0 {
		return nil
	}
	p := oneOf(h.rnd, ballots)
	var voters []string
	for _, id := range p.Electorate {
		if h.state.Partners[id].Member(h.now) {
			voters = append(voters, id)
		}
	}
	if len(voters) == 0 {
		return nil
	}
	v := h.vote(p.Rule)
	c := g.CastVote{At: h.at(), Proposal: p.ID, Partner: oneOf(h.rnd, voters), Vote: v}
	if v == g.VoteBlock {
		c.Reason = "not ready"
	}
	return c
}

// closeProposal counts an open ballot: after its closing time, or early (which the
// rules may refuse while the votes to come could change it). A decision whose effect
// could no longer happen is withdrawn instead.
func (h *history) closeProposal() g.Command {
	ps := h.openProposals()
	if len(ps) == 0 {
		return nil
	}
	p := oneOf(h.rnd, ps)
	if result, _ := recount(p, p.Votes, ""); result != g.OutcomeLapsed && !h.canTakeEffect(p) {
		return g.WithdrawProposal{At: h.at(), Proposal: p.ID, Reason: "it can no longer take effect"}
	}
	return g.CloseProposal{At: h.at(), Proposal: p.ID, CastingVote: h.casting(p)}
}

func (h *history) canTakeEffect(p *g.Proposal) bool {
	switch p.Matter {
	case g.MatterExpulsion:
		return h.state.Partners[p.About].Member(h.now)
	}
	return p.Role == nil || h.state.Partners[p.Role.Partner].Member(h.now)
}

func (h *history) serveNotice() g.Command {
	var active []string
	for _, id := range slices.Sorted(maps.Keys(h.state.Partners)) {
		if h.state.Partners[id].StatusAt(h.now) == g.StatusActive {
			active = append(active, id)
		}
	}
	if len(active) == 0 {
		return nil
	}
	return g.ServeNotice{At: h.at(), Partner: oneOf(h.rnd, active), Reason: "moving on"}
}

func (h *history) assignRole() g.Command {
	roles := h.state.Terms.Roles.AssignedWithoutDecision
	if len(roles) == 0 {
		return nil
	}
	a := h.roleAssignment(roles)
	if a == nil {
		return nil
	}
	return g.AssignRole{At: h.at(), Partner: a.Partner, Role: a.Role, Person: a.Person}
}

func (h *history) raiseDispute() g.Command {
	by := oneOf(h.rnd, h.members())
	var others []string
	for _, id := range slices.Sorted(maps.Keys(h.state.Partners)) {
		if id != by && h.rnd.IntN(3) == 0 {
			others = append(others, id)
		}
	}
	if len(others) == 0 {
		return nil
	}
	return g.RaiseDispute{At: h.at(), Dispute: h.fresh("dispute"), RaisedBy: by, Parties: others, Matter: "Invoices paid late"}
}

func (h *history) moveDispute() g.Command {
	ds := h.openDisputes()
	if len(ds) == 0 {
		return nil
	}
	d := oneOf(h.rnd, ds)
	switch n := h.rnd.IntN(10); {
	case n < 6 && d.Stage+1 < len(h.state.Terms.DisputeLadder):
		return g.EscalateDispute{At: h.at(), Dispute: d.ID}
	case n < 8:
		return g.ResolveDispute{At: h.at(), Dispute: d.ID, Outcome: "agreed a payment plan"}
	}
	return g.WithdrawDispute{At: h.at(), Dispute: d.ID, Reason: "settled informally"}
}

// sealed: once dissolved, every command is refused and nothing changes.
func (h *history) sealed() {
	h.t.Helper()
	before := h.state.Clone()
	h.now = h.now.Add(24 * time.Hour)
	for _, c := range []g.Command{
		h.sh.form(h.t),
		g.ApplyToJoin{At: h.now, Partner: partner("late", "Late Applicant", "vcse")},
		g.TableProposal{At: h.now, Proposal: "after", Matter: g.MatterOrdinary, Title: "After the end"},
		g.ServeNotice{At: h.now, Partner: h.sh.partners[0].ID},
		g.RaiseDispute{At: h.now, Dispute: "after", RaisedBy: h.sh.partners[0].ID, Parties: []string{h.sh.partners[1].ID}, Matter: "x"},
	} {
		evs, err := g.Decide(h.state, c)
		assertRefused(h.t, c.CommandName()+" after dissolution", err, g.CodeForbidden, "is dissolved: its record is sealed")
		if evs != nil {
			h.fail("%s after dissolution produced %s", c.CommandName(), types(evs))
		}
	}
	if !equalJSON(before, h.state) {
		h.fail("a refused command changed a dissolved consortium")
	}
}

// splitIndependent: applying a prefix, cloning, and applying the rest gives the state
// applying everything at once gives.
func (h *history) splitIndependent() {
	h.t.Helper()
	whole := replay(nil, h.log)
	if !equalJSON(whole, h.state) {
		h.fail("replaying the history does not give the state it was decided against")
	}
	for range 2 {
		k := h.rnd.IntN(len(h.log) + 1)
		if got := replay(replay(nil, h.log[:k]).Clone(), h.log[k:]); !equalJSON(got, whole) {
			h.fail("splitting the history at event %d changes the state", k)
		}
	}
}

// asTheLogKeepsIt replays the history as the log returns it, payloads decoded from
// their JSON and times in UTC, and checks every event against the state before it, as
// an auditor does.
func (h *history) asTheLogKeepsIt() {
	h.t.Helper()
	var s *g.State
	for i, e := range h.log {
		data, err := json.Marshal(e.Payload)
		if err != nil {
			h.fail("event %d does not encode: %v", i, err)
		}
		p, err := g.DecodePayload(e.Type(), data)
		if err != nil {
			h.fail("event %d does not decode: %v", i, err)
		}
		read := g.Event{OccurredAt: e.OccurredAt.UTC(), Payload: p}
		if err := g.Check(s, read); err != nil {
			h.fail("an auditor's Check refuses event %d, %s: %v", i, e.Type(), err)
		}
		s = g.Apply(s, read)
	}
}

// invariants hold after every step.
func (h *history) invariants() {
	h.t.Helper()
	s := h.state
	if err := g.Unfinished(s); err != nil {
		h.fail("a command left something undone: %v", err)
	}
	holders := map[string][]string{}
	for _, id := range slices.Sorted(maps.Keys(s.Partners)) {
		p := s.Partners[id]
		gone := p.StatusAt(h.now) == g.StatusWithdrawn || p.Status == g.StatusExpelled || p.Status == g.StatusDeclined
		if p.Member(h.now) && gone {
			h.fail("%s is both in force and %s", id, p.StatusAt(h.now))
		}
		if (p.Status == g.StatusExpelled || p.Status == g.StatusDeclined) != !p.LeftAt.IsZero() {
			h.fail("%s is %s, left at %s", id, p.Status, p.LeftAt)
		}
		if p.Status == g.StatusActive && !p.EffectiveAt.IsZero() {
			h.fail("%s is active with a notice taking effect at %s", id, p.EffectiveAt)
		}
		for _, role := range p.Roles {
			holders[role] = append(holders[role], id)
		}
	}
	for _, role := range []string{g.RoleChair, g.RoleLeadPartner, g.RoleSecretary} {
		want := []string(nil)
		if id := *holder(&s.Terms.Roles, role); id != "" {
			want = []string{id}
		}
		if !slices.Equal(holders[role], want) {
			h.fail("the %s is held by %v, the terms say %v", role, holders[role], want)
		}
	}
	for name, shares := range map[string]map[string]g.Share{"risk": s.Terms.RiskShares, "surplus": s.Terms.SurplusShares} {
		total := 0
		for _, v := range shares {
			total += int(v)
		}
		if total != 10000 {
			h.fail("%s shares of terms version %d add up to %s%%", name, s.Terms.Version, g.Share(total))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(s.Proposals)) {
		p := s.Proposals[id]
		for voter := range p.Votes {
			if !p.InElectorate(voter) {
				h.fail("proposal %s counts a vote by %s, outside its electorate %v", id, voter, p.Electorate)
			}
		}
		for _, e := range p.Electorate {
			pt := s.Partners[e]
			if pt.Tier != g.TierFull || e == p.About || pt.AdmittedAt.IsZero() || pt.AdmittedAt.After(p.OpenedAt) ||
				pt.Status == g.StatusExpelled && p.OpenedAt.After(pt.LeftAt) ||
				pt.Status == g.StatusNoticeServed && !p.OpenedAt.Before(pt.EffectiveAt) {
				h.fail("%s is in the electorate of proposal %s, opened at %s, but it is %s (%s)", e, id, p.OpenedAt, pt.Status, pt.Tier)
			}
		}
		switch p.Outcome {
		case g.OutcomeCarried, g.OutcomeRejected, g.OutcomeLapsed:
			result, tie := recount(p, p.Votes, p.CastingVote)
			if result != p.Outcome {
				h.fail("proposal %s is %s, but its frozen rule (%s, quorum %s) and votes give %s", id, p.Outcome, p.Rule.Method, p.Rule.Quorum, result)
			}
			if p.CastingVote != "" && !tie {
				h.fail("proposal %s has a casting vote without a tie the chair may break", id)
			}
			if p.ClosedAt.Before(p.OpenedAt) {
				h.fail("proposal %s closed before it opened", id)
			}
			if want := effectOf(p); p.Effect != want {
				h.fail("proposal %s, %s on %s, took effect as %q, want %q", id, p.Outcome, p.Matter, p.Effect, want)
			}
		}
	}
}

// effectOf is the event that must carry out a closed proposal.
func effectOf(p *g.Proposal) string {
	if p.Outcome == g.OutcomeRejected && p.Matter == g.MatterAdmission {
		return g.TypePartnerDeclined
	}
	if p.Outcome != g.OutcomeCarried {
		return ""
	}
	switch p.Matter {
	case g.MatterAdmission:
		return g.TypePartnerAdmitted
	case g.MatterExpulsion:
		return g.TypePartnerExpelled
	case g.MatterAmendTerms:
		return g.TypeTermsAmended
	case g.MatterDissolution:
		return g.TypeConsortiumDissolved
	}
	if p.Role != nil {
		return g.TypeRoleAssigned
	}
	return ""
}

// recount reads the votes of a proposal's frozen electorate by its frozen rule, as the
// design describes it, independently of the package's own count. tie reports a tie
// with quorum that the chair may break.
func recount(p *g.Proposal, votes map[string]g.Vote, casting string) (result string, tie bool) {
	n := map[string]int{}
	for _, id := range p.Electorate {
		if v, ok := votes[id]; ok {
			n[v.Choice]++
		}
	}
	turnout := n[g.VoteFor] + n[g.VoteAgainst] + n[g.VoteAbstain] + n[g.VoteBlock]
	r := p.Rule
	if len(p.Electorate) == 0 || turnout*r.Quorum.Den < r.Quorum.Num*len(p.Electorate) {
		return g.OutcomeLapsed, false
	}
	carried := false
	switch r.Method {
	case g.MethodMajority:
		// The chair's casting vote is a second vote: it needs a first.
		tie = n[g.VoteFor] == n[g.VoteAgainst] && n[g.VoteFor] > 0 && r.CastingVote && slices.Contains(p.Electorate, p.Chair)
		carried = n[g.VoteFor] > n[g.VoteAgainst] || tie && casting == g.VoteFor
	case g.MethodSupermajority:
		carried = n[g.VoteFor] > 0 && n[g.VoteFor]*r.Threshold.Den >= r.Threshold.Num*(n[g.VoteFor]+n[g.VoteAgainst])
	case g.MethodUnanimity:
		carried = n[g.VoteFor] == len(p.Electorate)
	case g.MethodConsensus:
		carried = n[g.VoteBlock] == 0 && n[g.VoteFor] > 0
	case g.MethodConsent:
		carried = n[g.VoteAgainst] == 0 && n[g.VoteBlock] == 0
	default:
		panic("unknown method " + r.Method)
	}
	if carried {
		return g.OutcomeCarried, tie
	}
	return g.OutcomeRejected, tie
}
