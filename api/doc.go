// Package api is govledger's HTTP API: the steering group's commands, the read models,
// the raw history and change notifications (server-sent events), all as JSON under /v1,
// and a Client that the command line uses to speak it.
//
// It holds no rules of its own: a command is decoded, given its time and actor, and
// handed to the ledger; a read is answered by the read models. Every refusal is one JSON
// object {"code", "message"}, and one table (Codes) maps each code to an HTTP status and
// to the exit status of the command line.
//
// It imports ledger, projections, audit, events and governance; never cmd or embedded.
package api
