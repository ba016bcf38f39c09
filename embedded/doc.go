// Package embedded gives govledger its NATS: either an in-process nats-server with
// JetStream and file storage in a local data folder, or a connection to an existing
// NATS server or cluster by URL.
//
// It is used only by cmd and by tests. It knows nothing of governance: the stream the
// ledger needs is created by package events.
//
// # Durability
//
// JetStream writes every acknowledged message to its files, but by default the
// operating system decides when those writes reach the disk; nats-server forces them
// out every SyncInterval (two minutes unless set). An acknowledged event therefore
// survives a crash of govledger itself, but a power cut or kernel panic can lose the
// events of the last interval. SyncAlways makes the server fsync before every
// acknowledgement: nothing acknowledged is ever lost, at the price of one disk flush
// per append (a large slowdown on ordinary disks). A 3-node cluster with 3 replicas
// gives the same guarantee against losing one machine without paying for fsync.
package embedded
