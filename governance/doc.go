// Package governance is the partnership's rules: a consortium's terms, its partners,
// proposals and decisions, roles, disputes and terminations.
//
// It is pure. Decide(state, command) says whether the terms allow a command and which
// events it produces; Apply(state, event) applies one recorded event; Check(state,
// event) re-decides one recorded event for an auditor. Decide and Check never change
// the state; Apply never fails and is deterministic, so replaying the same events
// always gives the same state. Validation happens in Decide (and Check), never in Apply.
// Time is always passed in (a command's At, which every command needs), never read
// from a clock; nothing may be dated before what it acts on (the consortium's
// formation, a proposal's opening, a dispute's current stage). Calendar arithmetic
// (notice periods, default voting windows, dispute time limits) is done in UTC, as the
// log records times, so that every reader of the log gets the same dates.
//
// It must never import NATS, do I/O, or import any other package of govledger.
//
// # Rules
//
// Every vote is one of for, against, abstain, block. Turnout is everyone in the
// frozen electorate who voted, abstentions and blocks included; the quorum is a share
// of the electorate (for example 1/2) that turnout must reach, or the decision lapses.
// Given a quorum:
//   - majority: carried when more vote for than against; a tie is decided by the
//     chair's casting vote where the rule grants one, and is otherwise rejected. The
//     casting vote is the chair's second vote: it is refused where there is no tie
//     (nobody for and nobody against is none; nor is a lapse for want of quorum), no
//     casting vote in the rule, or no chair with a first vote (one in the electorate,
//     and still a member at the close);
//   - supermajority: carried when for/(for+against) reaches the threshold (such as
//     2/3) and at least one votes for;
//   - unanimity: carried only when every member of the electorate votes for (an
//     abstention or an absence breaks unanimity);
//   - consensus: carried when nobody blocks and at least one votes for; a block needs
//     a reason (except as minuted in a meeting, where the minutes record the block
//     only), and block is allowed only under consensus;
//   - consent: carried when nobody objects (votes against).
//
// The electorate is frozen when a proposal opens: the full partners whose membership
// is in force at that moment (admitted by then, and not yet gone; a partner under
// notice is a member until the notice takes effect), less the partner the proposal is
// about. A partner that declares an interest leaves the electorate of that proposal
// when the terms exclude conflicted partners, as they did when it opened (its vote, if
// any, no longer counts). A proposal whose electorate is left empty lapses.
//
// A proposal closes after its closing time, or earlier once no vote still to come can
// change the outcome (votes already cast are taken as they stand). The outcome and its
// effect (admit, decline, expel, amend the terms, dissolve, assign a role) are the
// events of one command. An outcome whose effect could no longer happen (an expulsion
// or a role for a partner that has left since the proposal opened) is refused: the
// steering group withdraws the proposal instead.
//
// # Roles
//
// The terms name the lead partner, the chair and the secretary (each one partner at a
// time) and each partner's point of contact (a person); the partners' roles always
// follow them. A role is assigned by a carried ordinary decision whose proposal names
// it (TableProposal.Role), or directly with AssignRole where the terms list the role in
// roles.assigned_without_decision, for example:
//
//	roles:
//	  assigned_without_decision: [point-of-contact]
//
// which lets a partner name its own point of contact. Elsewhere AssignRole is refused,
// telling the steering group to table an ordinary decision with that role. Assigning a
// role one partner holds at a time moves it from its holder; the terms' version does
// not change, since the terms themselves say how roles are assigned.
//
// # Audit
//
// Check is what an auditor replaying the log runs on every event, against the state
// just before it (the earlier events of the same command included), to catch an event
// appended past govledger that breaks the rules: a vote outside the frozen electorate
// or after the close, a tally that does not recount, an effect without the carried
// decision it names (or a second time), an outcome not followed by its effect, terms
// that do not validate, anything after dissolution. It accepts every event Decide
// produces. Unfinished is what the end of a log may still show: an outcome whose
// effect never came.
package governance
