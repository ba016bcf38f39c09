// Package projections keeps the read models the steering group, auditors and members
// look at — consortia, membership now and on any past date, decision history with
// votes, admissions, disputes and terminations — fed only by the event log.
//
// A Runner follows the whole log from its last checkpoint, applies each event to every
// read model, and saves a checkpoint (the models and the last sequence) in a JetStream
// object store from time to time. Read models depend on nothing but the events:
// deleting the checkpoint and rebuilding gives the same answers.
//
// It imports events and governance; never ledger, api or cmd.
package projections
