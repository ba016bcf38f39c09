// Package main is the govledger binary: serve runs the ledger; bench measures it
// against raw JetStream. It only wires the other packages together.
package main
