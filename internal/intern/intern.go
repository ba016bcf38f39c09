// Package intern hands out one shared copy of each string that recurs from event to
// event: the consortium ids, partner ids, votes, roles and people a ledger names again
// and again. A replay of a million events names a few thousand of them, and a copy for
// every event would be an allocation, garbage, and memory in whatever keeps it.
//
// It imports nothing of govledger's own.
package intern

// Table is one set of shared strings. It is not safe for concurrent use.
type Table struct {
	shared map[string]string
	max    int
}

// New returns an empty table that takes at most max strings (0: any number). Past that,
// Of hands out copies, so that a table a long-running reader keeps stays bounded.
func New(max int) *Table { return &Table{shared: map[string]string{}, max: max} }

// Of returns the shared copy of b, taking b into the table if it is new.
func (t *Table) Of(b []byte) string {
	if s, ok := t.shared[string(b)]; ok {
		return s
	}
	s := string(b)
	if t.max == 0 || len(t.shared) < t.max {
		t.shared[s] = s
	}
	return s
}
