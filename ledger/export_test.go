package ledger

import "github.com/govledger/govledger/governance"

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
