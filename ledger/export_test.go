package ledger

import (
	"testing"

	"github.com/govledger/govledger/governance"
)

// Live is the consortium's live state as l holds it, itself rather than a copy: for
// tests that compare it with a state loaded from the log.
func Live(l *Ledger, consortium string) *governance.State {
	lv := l.live(consortium)
	lv.mu.Lock()
	defer lv.mu.Unlock()
	return lv.state
}

// Loaded reports whether l holds the consortium's state, so that a command on it reads
// nothing from the log first.
func Loaded(l *Ledger, consortium string) bool {
	lv := l.live(consortium)
	lv.mu.Lock()
	defer lv.mu.Unlock()
	return lv.loaded
}

// SameCommandKey gives every command id one key in the live state's map of commands
// until the test ends, as ids whose hashes collide would have.
func SameCommandKey(t testing.TB) {
	old := commandKey
	commandKey = func(string) uint64 { return 0 }
	t.Cleanup(func() { commandKey = old })
}
