// Package ledger is the command path: it takes a steering group's command, decides it
// by the governance rules against the consortium's current state, and appends the
// resulting events to the log, linearised per consortium and idempotent by command id.
//
// Current state is kept live in memory, one consortium at a time, and brought up to
// date from the log only by the events it has not seen: a consortium's history is read
// in full once, when a process first needs it, never on every command; Warm reads every
// consortium's in one pass over the log, as serve does when it starts. The log's
// sequence check guards correctness when several processes write.
//
// It imports events, governance and the internal packages payload, intern, ahead and
// group; never projections, api or cmd.
package ledger
