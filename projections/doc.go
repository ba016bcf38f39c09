// Package projections keeps the read models the steering group, auditors and members
// look at, fed only by the event log: the consortia with their terms; membership now
// and on any past date, answered from intervals of membership kept as events arrive;
// every partner ever known, with its dates; every decision with its electorate, rule,
// each vote as cast and the votes that count, outcome, effect and the events behind it;
// admissions; disputes with their stage and whether they are overdue; terminations.
//
// Models are built from the events' payloads alone (the one contract stored forever),
// never from the rules' working state, and Apply is deterministic: the same events give
// the same answers, whether applied one by one as they arrive, rebuilt from scratch,
// or caught up from a checkpoint. Reads that depend on the day (who is a member, is a
// dispute overdue, has a notice taken effect) take the time as an argument and derive
// the answer; nothing is stored for them.
//
// # The runner and its checkpoint
//
// A Runner follows the whole log, applies each event to every read model, and from
// time to time saves a checkpoint, so that a restart catches up from there rather than
// from the first event. Runner.WaitFor(seq) lets a caller read its own writes.
//
// The checkpoint lives in a JetStream object store (CheckpointBucket), not a key-value
// bucket, for two reasons. A key-value entry is one message, at most the server's
// maximum payload (1 MB by default), and one long-lived consortium's decision trails
// alone outgrow that; the object store chunks any size. And the checkpoint is one
// object per consortium plus a manifest naming the last event reflected (sequence and
// hash), so a checkpoint rewrites only the consortia that changed since the last one,
// and costs what changed rather than the size of the ledger. Each consortium's models
// carry the sequence of its last event, so a checkpoint whose consortia were saved at
// slightly different moments is still exact: catching up, a consortium skips the
// events it already reflects. The manifest is written last; a checkpoint of another
// version or another log is not used. Deleting the bucket loses nothing: the models
// are rebuilt from the log and give the same answers.
//
// It imports events, governance and the internal packages payload, intern, ahead and
// group; never ledger, api or cmd.
package projections
