// Package audit is the auditor's side of govledger: it lets a partner, a commissioner
// or a funder trust the record without trusting whoever runs the server. It verifies
// the whole log (Verify), keeps an RFC 6962 Merkle tree over it (Tree), issues signed
// checkpoints of that tree, proves that today's log extends checkpoints saved earlier,
// proves that a decision's events are in the log (Prove, VerifyProof), and exports one
// consortium's history in a file that verifies offline (Export, VerifyExport). The
// running ledger keeps the tree of its live log in a Witness, which signs checkpoints,
// proofs and exports on request.
//
// It reads the log through package events and must never import the governance rules
// or the read models (packages governance and projections): what the record says is
// checked here, what it means is re-decided by the caller through Options.Rules. That
// keeps the arrows pointing one way, and keeps the verifier small enough to read.
//
// # The Merkle tree
//
// Leaf i (from 0) is the event at the i-th position of the stream in sequence order;
// the stream starts at sequence 1 and refuses deletes, so leaf i is sequence i+1, and
// Verify reports a gap as a fault. A leaf is the event's hash, the SHA-256 of its stored
// bytes (Envelope.Raw, the canonical bytes described in package events) by which its
// consortium's chain links it, hashed as RFC 6962 hashes a leaf:
//
//	event hash = SHA-256(stored bytes)                 (events.Hash, as 32 bytes)
//	leaf hash  = SHA-256(0x00 || event hash)           (tlog.RecordHash)
//	node hash  = SHA-256(0x01 || left || right)        (tlog.NodeHash)
//
// One hash names an event in its chain and in the tree, and the tree costs one
// SHA-256 block per event rather than a second pass over its bytes: verifying the log
// is bound by hashing.
//
// # Checkpoints
//
// A checkpoint is a C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) in the
// signed-note format (golang.org/x/mod/sumdb/note), signed with the ledger's Ed25519 key:
//
//	<origin>\n
//	<size, decimal>\n
//	<root hash, standard base64>\n
//	\n
//	— <key name> <base64 key hash and signature>\n
//
// The origin is the ledger's name, such as govledger.example/synergy-alliance, and is
// also the name of the key: a checkpoint whose origin is not its key's name is refused.
// The key lives in a file, KeyFile in the data folder unless the ledger is told
// otherwise (LoadOrCreateKey); the origin is fixed when the key is created
// (DefaultOrigin unless given). Its verifier key is public and is what partners check
// checkpoints, proofs and exports with.
//
// A partner keeps the checkpoints it is given. Verify with Options.Against proves that
// the log extends each of them; when it does not, the last one it still extends and the
// first it does not bound the sequences that changed (Fault.Within).
//
// # Inclusion proofs
//
// A proof bundle (Prove) is one JSON object:
//
//	{"checkpoint": "<signed checkpoint text>", "statement": "<signed statement>",
//	 "events": [{"seq": N, "leaf": N-1, "event": <stored bytes>, "proof": ["<base64 hash>", …]}, …]}
//
// where proof is tlog.RecordProof of the leaf in the tree of the checkpoint's size,
// and the statement a signed note in which the ledger says what the bundle proves:
//
//	govledger proof
//	decision admit-council of consortium synergy
//	events 3 4 5 6 7 8 9 10
//	checkpoint <the checkpoint's size>
//
// The bundle must hold exactly those events, in that order, and be written exactly as
// Prove writes it (one line, keys in this order and case, no others): JSON decoders
// differ on a key given twice, and a bundle must not show one tool one event and
// VerifyProof another.
//
// # Export
//
// An export (Export) is JSON Lines. The first line is the header; each further line is
// one event of the consortium, oldest first, its stored bytes embedded verbatim (they
// are a compact JSON object) so that their hash can be recomputed from the file:
//
//	{"consortium":"synergy","events":K,"checkpoint":"<signed checkpoint text>","statement":"<signed statement>"}
//	{"seq":N,"leaf":N-1,"event":<stored bytes>,"proof":["<base64 hash>",…]}
//
// Every proof is under the header's checkpoint. The statement is a signed note in which
// the ledger says what it exported:
//
//	govledger export
//	consortium synergy
//	events K
//	last <sequence> <hash of the last event>
//	checkpoint <the checkpoint's size>
//
// Every line must be written exactly as Export writes it, for the reason a proof
// bundle must. An export proves that each of its events is in the log, that they are
// the consortium's chain from its first event (so VerifyExport can re-decide them by
// the rules, given Rules), and, by the statement, that it ends where the ledger ended
// it: nobody who passes it on can cut events from its end. That the
// consortium had no later event when the ledger exported it rests on the ledger's
// word; the log itself (Verify) shows it, since the checkpoint covers every consortium.
package audit
