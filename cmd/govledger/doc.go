// Package main is the govledger binary, one file per part of its command line: serve
// runs the ledger (embedded NATS, the command path, the read models, the checkpoint
// tree and the HTTP API); the steering group's verbs, the reads and watch talk to it
// over HTTP; audit checks the record, reading the log itself where trust matters;
// bench measures govledger against raw JetStream. It only wires the other packages
// together and holds no rules of its own.
package main
