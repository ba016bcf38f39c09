package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"

	"github.com/govledger/govledger/events"
	"golang.org/x/mod/sumdb/tlog"
)

// Tree is the RFC 6962 Merkle tree over the whole stream: leaf i is the event at the
// i-th position of the stream (sequence i+1 in a log that verifies), hashed as
// tlog.RecordHash of the event's hash (see the package doc). It keeps every stored hash (tlog.StoredHashes) in
// memory, about 64 bytes an event, so that proofs for any size up to the current one
// need no I/O. It is safe for concurrent use: the ledger adds events as they are
// appended while auditors ask for checkpoints and proofs.
type Tree struct {
	mu     sync.RWMutex
	size   int64
	hashes []tlog.Hash
}

// newTree is an empty tree with room for the stored hashes of leaves events: a little
// under two for each.
func newTree(leaves uint64) *Tree {
	return &Tree{hashes: make([]tlog.Hash, 0, 2*leaves)}
}

// Add appends the next event, by its hash (eventHash), as a leaf and returns its leaf
// index. It stores what tlog.StoredHashes would, the leaf's hash and the root of every
// subtree the leaf completes, without the allocations: the audit adds every event of
// the log.
func (t *Tree) Add(event tlog.Hash) int64 {
	h := tlog.RecordHash(event[:])
	t.mu.Lock()
	defer t.mu.Unlock()
	leaf := t.size
	t.hashes = append(t.hashes, h)
	// Each trailing 1 bit of the leaf index completes a subtree of 2^(level+1) leaves,
	// whose left half is the subtree stored at that level just before.
	for level := 0; leaf>>level&1 == 1; level++ {
		h = tlog.NodeHash(t.hashes[tlog.StoredHashIndex(level, leaf>>level-1)], h)
		t.hashes = append(t.hashes, h)
	}
	t.size++
	return leaf
}

// Size is the number of leaves.
func (t *Tree) Size() int64 {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.size
}

// Root is the tree's root hash at its current size.
func (t *Tree) Root() (tlog.Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.rootAt(t.size)
}

// RootAt is the root hash the tree had when it was size leaves big.
func (t *Tree) RootAt(size int64) (tlog.Hash, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.rootAt(size)
}

func (t *Tree) rootAt(size int64) (tlog.Hash, error) {
	if size < 0 || size > t.size {
		return tlog.Hash{}, fmt.Errorf("root of a tree of %d leaves: the tree has %d", size, t.size)
	}
	h, err := tlog.TreeHash(size, storedHashes{t})
	if err != nil {
		return tlog.Hash{}, fmt.Errorf("root of a tree of %d leaves: %w", size, err)
	}
	return h, nil
}

// ProveInclusion proves that leaf is in the tree of size leaves (tlog.ProveRecord).
func (t *Tree) ProveInclusion(leaf, size int64) (tlog.RecordProof, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.proveInclusion(leaf, size)
}

func (t *Tree) proveInclusion(leaf, size int64) (tlog.RecordProof, error) {
	if size > t.size {
		return nil, fmt.Errorf("prove leaf %d in a tree of %d leaves: the tree has %d", leaf, size, t.size)
	}
	p, err := tlog.ProveRecord(size, leaf, storedHashes{t})
	if err != nil {
		return nil, fmt.Errorf("prove leaf %d in a tree of %d leaves: %w", leaf, size, err)
	}
	return p, nil
}

// ProveConsistency proves that the tree of size leaves extends the tree of old leaves
// (tlog.ProveTree): the first old leaves are unchanged.
func (t *Tree) ProveConsistency(old, size int64) (tlog.TreeProof, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if size > t.size {
		return nil, fmt.Errorf("prove a tree of %d leaves extends %d: the tree has %d", size, old, t.size)
	}
	p, err := tlog.ProveTree(size, old, storedHashes{t})
	if err != nil {
		return nil, fmt.Errorf("prove a tree of %d leaves extends %d: %w", size, old, err)
	}
	return p, nil
}

// eventHash is an event's hash as the tree takes it: the 32 bytes that Envelope.Hash
// writes in hex.
func eventHash(e events.Envelope) (tlog.Hash, error) {
	var h tlog.Hash
	if n, err := hex.Decode(h[:], []byte(e.Hash)); err != nil || n != len(h) {
		return tlog.Hash{}, fmt.Errorf("event at sequence %d: hash %q is not SHA-256 in hex", e.Seq, e.Hash)
	}
	return h, nil
}

// leafOf is the leaf hash of an event's stored bytes.
func leafOf(raw []byte) tlog.Hash {
	event := sha256.Sum256(raw)
	return tlog.RecordHash(event[:])
}

// leafHash is the stored hash of one leaf; the caller holds t.mu.
func (t *Tree) leafHash(leaf int64) (tlog.Hash, error) {
	if leaf < 0 || leaf >= t.size {
		return tlog.Hash{}, fmt.Errorf("leaf %d: the tree has %d leaves", leaf, t.size)
	}
	return t.hashes[tlog.StoredHashIndex(0, leaf)], nil
}

// storedHashes reads the tree's stored hashes for tlog. It takes no lock: its callers
// hold t.mu already, and a read lock taken twice can deadlock behind a waiting Add.
type storedHashes struct{ t *Tree }

func (r storedHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, x := range indexes {
		if x < 0 || x >= int64(len(r.t.hashes)) {
			return nil, fmt.Errorf("stored hash %d: the tree has %d", x, len(r.t.hashes))
		}
		out[i] = r.t.hashes[x]
	}
	return out, nil
}
