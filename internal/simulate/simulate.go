// Package simulate plays out the lives of partnerships: at each step it tries commands
// chosen at random against governance.Decide and keeps the first one the rules accept,
// so that property tests and benchmarks work on histories a steering group could really
// have recorded (admissions, ballots and meeting decisions, conflicts of interest,
// disputes climbing the ladder, notices, expulsions, amended terms, dissolution).
//
// A Partnership with the same id, seed and start always plays out the same way.
//
// It is for tests, benchmarks and `govledger bench`. It imports governance and events;
// never ledger, projections, api or cmd.
package simulate

import (
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/govledger/govledger/governance"
)

// Options shape a partnership's life.
type Options struct {
	// DissolveAfter lets the partnership be dissolved once it has recorded this many
	// commands (0: never); afterwards it accepts nothing more.
	DissolveAfter int
	// MaxMembers stops admissions once this many partners are members (default 10).
	MaxMembers int
	// Eventful tries the rarer things (amended terms, expulsions, notices, withdrawn
	// proposals, meeting decisions) several times as often, so that a short history
	// has a bit of everything; without it the mix is a steering group's usual one.
	Eventful bool
}

// Partnership is one consortium's life so far.
type Partnership struct {
	// ID is the consortium's id.
	ID string
	// State is the consortium as its commands have made it (nil until formed).
	State *governance.State
	// Now is when the latest command happened; the next one happens later.
	Now time.Time

	rng      *rand.Rand
	opts     Options
	n        int // numbers new proposals, disputes and applicants
	commands int // accepted so far
}

// New starts a partnership that will be formed at start.
func New(id string, seed uint64, start time.Time, opts Options) *Partnership {
	h := fnv.New64a()
	h.Write([]byte(id))
	if opts.MaxMembers == 0 {
		opts.MaxMembers = 10
	}
	return &Partnership{ID: id, Now: start, rng: rand.New(rand.NewPCG(seed, h.Sum64())), opts: opts}
}

// Dissolved reports whether nothing more can happen.
func (p *Partnership) Dissolved() bool { return p.State != nil && p.State.Dissolved }

// Next picks a command the rules accept now, applies the events it decides, and returns
// both. singleEvent limits the choice to commands that record exactly one event. It
// returns nil once the partnership is dissolved.
func (p *Partnership) Next(singleEvent bool) (governance.Command, []governance.Event) {
	if p.Dissolved() {
		return nil, nil
	}
	for tries := 0; ; tries++ {
		if tries == 100_000 {
			panic(fmt.Sprintf("simulate: partnership %s can do nothing more (%d members)", p.ID, len(p.members())))
		}
		p.Now = p.Now.Add(time.Duration(1+p.rng.IntN(8)) * time.Hour)
		c := p.candidate(singleEvent)
		if c == nil {
			continue
		}
		evs, err := governance.Decide(p.State, c)
		if err != nil {
			continue
		}
		if singleEvent && len(evs) != 1 {
			continue
		}
		for _, e := range evs {
			p.State = governance.Apply(p.State, e)
		}
		p.commands++
		return c, evs
	}
}

// candidate is one command that may or may not be allowed; nil when the chosen kind
// has nothing to act on.
func (p *Partnership) candidate(singleEvent bool) governance.Command {
	if p.State == nil {
		return p.form()
	}
	kinds := p.kinds(singleEvent)
	total := 0
	for _, k := range kinds {
		total += k.weight
	}
	r := p.rng.IntN(total)
	for _, k := range kinds {
		if r < k.weight {
			return k.make()
		}
		r -= k.weight
	}
	panic("unreachable")
}

// kind is a kind of command, how often it is tried, and how to make one.
type kind struct {
	weight int
	make   func() governance.Command
}

func (p *Partnership) kinds(singleEvent bool) []kind {
	if singleEvent {
		return []kind{{30, p.vote}, {4, p.tableOrdinary}, {1, p.raise}}
	}
	rare := 1
	if p.opts.Eventful {
		rare = 4
	}
	return []kind{
		{40, p.vote}, {10, p.close}, {6, p.tableOrdinary}, {4, p.apply}, {4, p.tableAdmission},
		{3, p.declareInterest}, {3, p.raise}, {3, p.escalate}, {2, p.settle}, {2 * rare, p.meeting},
		{rare, p.withdrawProposal}, {rare, p.amendTerms}, {rare, p.tableExpulsion}, {rare, p.notice}, {1, p.dissolve},
	}
}

// organisations are the kinds of partner a health and care partnership brings together.
var organisations = []struct{ name, sector string }{
	{"Community Voluntary Service", "vcse"},
	{"Mind", "vcse"},
	{"Hospital NHS Foundation Trust", "nhs-trust"},
	{"County Council", "local-authority"},
	{"Integrated Care Board", "icb"},
	{"Primary Care Network", "gp-practice"},
	{"Age UK", "vcse"},
	{"Carers Centre", "social-enterprise"},
	{"Healthwatch", "people-and-communities"},
	{"Tenants and Residents Association", "community-group"},
	{"Community Pharmacy", "private"},
}

func (p *Partnership) newPartner(tier string) governance.PartnerSpec {
	p.n++
	o := organisations[p.rng.IntN(len(organisations))]
	id := fmt.Sprintf("org-%d", p.n)
	return governance.PartnerSpec{ID: id, Name: fmt.Sprintf("%s %d", o.name, p.n), Sector: o.sector, Tier: tier,
		PointOfContact: "contact-" + id}
}

func (p *Partnership) form() governance.Command {
	var founders []governance.PartnerSpec
	for range 3 + p.rng.IntN(3) {
		founders = append(founders, p.newPartner(governance.TierFull))
	}
	if p.rng.IntN(2) == 0 {
		founders = append(founders, p.newPartner(governance.TierAssociate))
	}
	var ids []string
	for _, f := range founders {
		ids = append(ids, f.ID)
	}
	ordinary := []governance.Rule{
		{Method: governance.MethodMajority, Quorum: half, CastingVote: true, VotingDays: 10},
		{Method: governance.MethodConsensus, Quorum: half, VotingDays: 14},
		{Method: governance.MethodConsent, Quorum: half, VotingDays: 7},
		{Method: governance.MethodSupermajority, Threshold: governance.Fraction{Num: 2, Den: 3}, Quorum: half},
	}[p.rng.IntN(4)]
	terms := governance.Terms{
		DecisionRules: map[string]governance.Rule{
			governance.MatterOrdinary:    ordinary,
			governance.MatterAdmission:   {Method: governance.MethodMajority, Quorum: half, VotingDays: 14},
			governance.MatterExpulsion:   {Method: governance.MethodSupermajority, Threshold: governance.Fraction{Num: 2, Den: 3}, Quorum: governance.Fraction{Num: 2, Den: 3}},
			governance.MatterAmendTerms:  {Method: governance.MethodConsensus, Quorum: half, VotingDays: 14},
			governance.MatterDissolution: {Method: governance.MethodUnanimity, Quorum: governance.Fraction{Num: 1, Den: 1}},
		},
		Termination:       governance.Termination{NoticeDays: 30 + 30*p.rng.IntN(3)},
		DisputeLadder:     ladder,
		ExcludeConflicted: p.rng.IntN(2) == 0,
		Admission:         governance.Admission{SponsorRequired: p.rng.IntN(2) == 0},
	}
	fitTerms(&terms, ids)
	return governance.FormConsortium{At: p.Now, Consortium: p.ID, Name: "Partnership " + p.ID,
		Purpose: "Joined-up health and care support for the people of the area", Structure: governance.Structures[p.rng.IntN(len(governance.Structures))],
		Start: governance.Date(p.Now.Format(time.DateOnly)), Partners: founders, Terms: terms}
}

var half = governance.Fraction{Num: 1, Den: 2}

var ladder = []governance.Stage{
	{Name: "negotiation", Days: 15, WorkingDays: true},
	{Name: "senior leaders", Days: 28},
	{Name: "mediation", Days: 30},
}

// fitTerms names partners in the terms' roles and shares: lead partner and chair the
// first, secretary the second, risk and surplus shared equally.
func fitTerms(t *governance.Terms, partners []string) {
	t.Roles = governance.Roles{LeadPartner: partners[0], Chair: partners[0], Secretary: partners[1]}
	t.SteeringGroup = slices.Clone(partners)
	t.RiskShares, t.SurplusShares = map[string]governance.Share{}, map[string]governance.Share{}
	for i, id := range partners {
		share := governance.Share(10000 / len(partners))
		if i == 0 {
			share += governance.Share(10000 % len(partners))
		}
		t.RiskShares[id], t.SurplusShares[id] = share, share
	}
}

// staying counts the full members neither under notice nor facing an open expulsion
// proposal: a partnership keeps at least three, so that it can always go on deciding.
func (p *Partnership) staying() int {
	n := 0
	for _, id := range p.State.Electorate(p.Now, "") {
		if p.State.Partners[id].Status == governance.StatusActive && !p.facingExpulsion(id) {
			n++
		}
	}
	return n
}

func (p *Partnership) facingExpulsion(partner string) bool {
	for _, pr := range p.State.Proposals {
		if pr.Matter == governance.MatterExpulsion && pr.About == partner && pr.Outcome == governance.OutcomeOpen {
			return true
		}
	}
	return false
}

// members are the ids of the partners whose membership is in force now, sorted.
func (p *Partnership) members() []string {
	var ids []string
	for _, pt := range p.State.Members(p.Now) {
		ids = append(ids, pt.ID)
	}
	return ids
}

func (p *Partnership) pick(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return ids[p.rng.IntN(len(ids))]
}

// openProposals are the ids of the proposals still open, sorted.
func (p *Partnership) openProposals() []string {
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(p.State.Proposals)) {
		if p.State.Proposals[id].Outcome == governance.OutcomeOpen {
			ids = append(ids, id)
		}
	}
	return ids
}

func (p *Partnership) vote() governance.Command {
	var ballots []string
	for _, id := range p.openProposals() {
		if p.State.Proposals[id].ClosesAt.After(p.Now) {
			ballots = append(ballots, id)
		}
	}
	id := p.pick(ballots)
	if id == "" {
		return nil
	}
	pr := p.State.Proposals[id]
	// Mostly electors who have not voted yet; now and then one changes its vote.
	var yet []string
	for _, e := range pr.Electorate {
		if _, voted := pr.Votes[e]; !voted {
			yet = append(yet, e)
		}
	}
	elector := p.pick(yet)
	if elector == "" || p.rng.IntN(6) == 0 {
		elector = p.pick(pr.Electorate)
	}
	choices := []string{governance.VoteFor, governance.VoteFor, governance.VoteFor, governance.VoteAgainst, governance.VoteAbstain}
	if pr.Rule.Method == governance.MethodConsensus {
		choices = append(choices, governance.VoteBlock)
	}
	v := governance.CastVote{At: p.Now, Proposal: id, Partner: elector, Vote: p.pick(choices)}
	if v.Vote == governance.VoteBlock || p.rng.IntN(4) == 0 {
		v.Reason = "The evidence from the last quarter does not support it yet"
	}
	return v
}

func (p *Partnership) close() governance.Command {
	id := p.pick(p.openProposals())
	if id == "" {
		return nil
	}
	c := governance.CloseProposal{At: p.Now, Proposal: id}
	if p.rng.IntN(2) == 0 {
		c.CastingVote = governance.VoteFor
	}
	if p.rng.IntN(4) == 0 {
		c.ReviewDate = governance.Date(p.Now.AddDate(0, 6, 0).Format(time.DateOnly))
	}
	return c
}

func (p *Partnership) proposalID() string {
	p.n++
	return fmt.Sprintf("p-%d", p.n)
}

var titles = []string{
	"Adopt the shared referral pathway", "Fund a second link worker", "Move the steering group to the community hub",
	"Publish the annual outcomes report", "Bid for the carers support contract", "Share data under the new agreement",
}

func (p *Partnership) tableOrdinary() governance.Command {
	c := governance.TableProposal{At: p.Now, Proposal: p.proposalID(), Matter: governance.MatterOrdinary, Title: p.pick(titles)}
	if p.rng.IntN(4) == 0 {
		c.Role = &governance.RoleAssignment{Partner: p.pick(p.members()), Role: p.pick([]string{"chair", "secretary", "lead-partner", "point-of-contact"})}
		c.Title = "Give " + c.Role.Partner + " the role of " + c.Role.Role
	}
	return c
}

func (p *Partnership) applicants() []string {
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(p.State.Partners)) {
		if p.State.Partners[id].Status == governance.StatusApplicant {
			ids = append(ids, id)
		}
	}
	return ids
}

func (p *Partnership) apply() governance.Command {
	if len(p.members())+len(p.applicants()) >= p.opts.MaxMembers {
		return nil
	}
	tier := governance.TierFull
	if p.rng.IntN(4) == 0 {
		tier = governance.TierAssociate
	}
	c := governance.ApplyToJoin{At: p.Now, Partner: p.newPartner(tier), Sponsor: p.pick(p.members())}
	// A declined applicant sometimes tries again.
	for _, id := range slices.Sorted(maps.Keys(p.State.Partners)) {
		if pt := p.State.Partners[id]; pt.Status == governance.StatusDeclined && p.rng.IntN(2) == 0 {
			c.Partner = governance.PartnerSpec{ID: pt.ID, Name: pt.Name, Sector: pt.Sector, Tier: pt.Tier, PointOfContact: pt.PointOfContact}
			break
		}
	}
	return c
}

func (p *Partnership) tableAdmission() governance.Command {
	about := p.pick(p.applicants())
	if about == "" {
		return nil
	}
	return governance.TableProposal{At: p.Now, Proposal: p.proposalID(), Matter: governance.MatterAdmission,
		Title: "Admit " + p.State.Partners[about].Name, About: about}
}

func (p *Partnership) tableExpulsion() governance.Command {
	m := p.members()
	if p.staying() <= 3 {
		return nil
	}
	about := p.pick(m)
	return governance.TableProposal{At: p.Now, Proposal: p.proposalID(), Matter: governance.MatterExpulsion,
		Title: "Expel " + p.State.Partners[about].Name + " for persistent breach of the terms", About: about}
}

// amendTerms proposes new terms, one amendment at a time.
func (p *Partnership) amendTerms() governance.Command {
	for _, id := range p.openProposals() {
		if p.State.Proposals[id].Matter == governance.MatterAmendTerms {
			return nil
		}
	}
	t := p.State.Terms
	t.Termination.NoticeDays = 30 + 30*p.rng.IntN(4)
	t.ExcludeConflicted = !t.ExcludeConflicted
	m := p.members()
	if len(m) < 2 {
		return nil
	}
	fitTerms(&t, m)
	return governance.TableProposal{At: p.Now, Proposal: p.proposalID(), Matter: governance.MatterAmendTerms,
		Title: fmt.Sprintf("Give %d days' notice of withdrawal", t.Termination.NoticeDays), NewTerms: &t}
}

// dissolve, once the partnership has lived a while, winds it up at a meeting where every full member is present
// and, more often than not, votes for.
func (p *Partnership) dissolve() governance.Command {
	if p.opts.DissolveAfter == 0 || p.commands < p.opts.DissolveAfter {
		return nil
	}
	c := governance.RecordMeetingDecision{
		TableProposal: governance.TableProposal{At: p.Now, Proposal: p.proposalID(), Matter: governance.MatterDissolution, Title: "Dissolve at the end of the contract"},
		Votes:         map[string]string{},
	}
	for _, id := range p.members() {
		c.Attendance = append(c.Attendance, id)
		if p.State.Partners[id].Tier == governance.TierFull {
			c.Votes[id] = governance.VoteFor
			if p.rng.IntN(8) == 0 {
				c.Votes[id] = governance.VoteAgainst
			}
		}
	}
	return c
}

func (p *Partnership) declareInterest() governance.Command {
	id := p.pick(p.openProposals())
	if id == "" {
		return nil
	}
	return governance.DeclareInterest{At: p.Now, Proposal: id, Partner: p.pick(p.State.Proposals[id].Electorate),
		Interest: "Its chief executive is a trustee of the provider concerned"}
}

func (p *Partnership) withdrawProposal() governance.Command {
	id := p.pick(p.openProposals())
	if id == "" {
		return nil
	}
	return governance.WithdrawProposal{At: p.Now, Proposal: id, Reason: "Overtaken by the commissioner's decision"}
}

func (p *Partnership) meeting() governance.Command {
	m := p.members()
	if len(m) < 2 {
		return nil
	}
	var attendance []string
	votes := map[string]string{}
	for _, id := range m {
		if p.rng.IntN(5) > 0 {
			attendance = append(attendance, id)
			if pt := p.State.Partners[id]; pt.Tier == governance.TierFull {
				votes[id] = p.pick([]string{governance.VoteFor, governance.VoteFor, governance.VoteAgainst, governance.VoteAbstain})
			}
		}
	}
	c := governance.RecordMeetingDecision{
		TableProposal: governance.TableProposal{At: p.Now, Proposal: p.proposalID(), Matter: governance.MatterOrdinary, Title: p.pick(titles)},
		Attendance:    attendance, Votes: votes,
	}
	if p.rng.IntN(3) == 0 {
		if about := p.pick(p.applicants()); about != "" {
			c.Matter, c.About, c.Title = governance.MatterAdmission, about, "Admit "+p.State.Partners[about].Name
			delete(c.Votes, about)
		}
	}
	if len(attendance) > 0 && p.rng.IntN(4) == 0 {
		c.Interests = map[string]string{p.pick(attendance): "A director sits on the board of the provider concerned"}
	}
	return c
}

func (p *Partnership) notice() governance.Command {
	m := p.members()
	if p.staying() <= 3 {
		return nil
	}
	return governance.ServeNotice{At: p.Now, Partner: p.pick(m), Reason: "The service moves to another provider"}
}

func (p *Partnership) openDisputes() []string {
	var ids []string
	for _, id := range slices.Sorted(maps.Keys(p.State.Disputes)) {
		if p.State.Disputes[id].Status == governance.DisputeStatusOpen {
			ids = append(ids, id)
		}
	}
	return ids
}

func (p *Partnership) raise() governance.Command {
	m := p.members()
	if len(m) < 2 || len(p.openDisputes()) >= 3 {
		return nil
	}
	by := p.pick(m)
	against := p.pick(slices.DeleteFunc(slices.Clone(m), func(id string) bool { return id == by }))
	p.n++
	return governance.RaiseDispute{At: p.Now, Dispute: fmt.Sprintf("d-%d", p.n), RaisedBy: by, Parties: []string{against},
		Matter: p.pick([]string{"Invoices paid late", "Referrals not passed on", "Use of the shared budget"})}
}

func (p *Partnership) escalate() governance.Command {
	id := p.pick(p.openDisputes())
	if id == "" {
		return nil
	}
	return governance.EscalateDispute{At: p.Now, Dispute: id}
}

func (p *Partnership) settle() governance.Command {
	id := p.pick(p.openDisputes())
	if id == "" {
		return nil
	}
	if p.rng.IntN(3) == 0 {
		return governance.WithdrawDispute{At: p.Now, Dispute: id, Reason: "Settled informally"}
	}
	return governance.ResolveDispute{At: p.Now, Dispute: id, Outcome: "Agreed a timetable and a named contact"}
}
