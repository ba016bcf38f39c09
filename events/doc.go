// Package events is govledger's event log: the envelope every change is recorded in,
// its encoding and hash chain, and the log itself on one NATS JetStream stream.
//
// It knows the shape of an event, not what events mean: the governance rules live in
// package governance, and events imports nothing of govledger's own but the time
// reader and writer in internal/rfc3339 and the shared strings of internal/intern.
//
// # Subjects and the stream
//
// Every event is one message on the subject gov.<consortium>.<type>, where type is
// <noun>.<verb> (gov.synergy.partner.admitted), in the stream GOVLEDGER (file storage,
// DenyDelete, DenyPurge, atomic batch publish allowed). The stream sequence of a message
// is the event's sequence; it is not part of the stored bytes, because the server assigns it.
//
// # Appends
//
// Append is linearised per consortium: it carries the stream sequence of the
// consortium's last event in Nats-Expected-Last-Subject-Sequence over gov.<consortium>.>,
// so the server refuses it when anyone appended in between (ErrConflict). The events of
// one call land together or not at all (a JetStream atomic batch). Every event carries
// its command id, and each message a Nats-Msg-Id made from it, so a retried command is
// not appended twice: on a conflict or a duplicate, Append looks for the command's own
// events and returns them as the original result. AppendNew leaves the Nats-Msg-Id
// out, for a caller that has read the consortium's events up to the expected sequence
// and knows the command is not among them (the ledger's live state): the sequence check
// alone then lets the command in once, and a retry is still answered with the original
// events. A refusal that nothing explains (the consortium's last event is still the
// expected one) is asked again after a moment: a clustered stream's leader refuses a
// check while it is still applying the previous append to the same consortium, even
// one it has acknowledged.
//
// # The canonical bytes and the hash chain
//
// An event is stored as one JSON object, the canonical bytes, written by Encode with
// the fields in this order and no insignificant white space:
//
//	{"id":ULID,"type":T,"consortium":C,"occurred_at":RFC3339Nano UTC,
//	 "recorded_at":RFC3339Nano UTC,"actor":{"person":P,"partner":Q},
//	 "command_id":ID,"schema":1,"prev":HEX,"payload":COMPACT-JSON}
//
// The hash of an event is the lower-case hex SHA-256 of exactly those stored bytes.
// "prev" is the hash of the same consortium's previous event ("" for its first), so
// each consortium's history is a hash chain that anyone can recompute from the stream:
// changing, removing or reordering one event breaks every link after it. Decoding keeps
// the stored bytes (Envelope.Raw), so the hash never depends on re-encoding.
//
// # Limits
//
// A payload is at most MaxPayloadBytes of JSON; one Append carries at most
// MaxBatchEvents events. Both are checked before anything is published.
package events
