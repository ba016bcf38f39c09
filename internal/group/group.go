// Package group sorts a window of a log's events by consortium, keeping each
// consortium's events in log order. What the ledger keeps of a consortium (its rules'
// state, its read models) depends on that consortium's events alone, so handling a
// window consortium by consortium gives the same answers as handling it in log order,
// while one consortium's state stays in the processor's caches for all its events of the
// window instead of being fetched again for every event of a log that interleaves a
// thousand consortia. The audit's verify, the read models' replay and the ledger's
// Warm use it.
//
// It imports nothing of govledger.
package group

// ByConsortium holds the places of a window's events, by consortium. Its slices are
// used again from window to window. It is not safe for concurrent use.
type ByConsortium struct {
	slot   map[string]int // a consortium's place in places
	places [][]int
	used   []int // the slots with events in this window, in order of their first event
}

// Add puts the event at place i of the window, of consortium, after those added before.
func (g *ByConsortium) Add(consortium string, i int) {
	s, ok := g.slot[consortium]
	if !ok {
		if g.slot == nil {
			g.slot = map[string]int{}
		}
		s = len(g.places)
		g.slot[consortium] = s
		g.places = append(g.places, nil)
	}
	if len(g.places[s]) == 0 {
		g.used = append(g.used, s)
	}
	g.places[s] = append(g.places[s], i)
}

// Each hands fn the places of every consortium's events, in the order Add had them,
// consortium after consortium, in the order of their first events; then it empties
// the groups for the next window.
func (g *ByConsortium) Each(fn func(places []int)) {
	for _, s := range g.used {
		fn(g.places[s])
		g.places[s] = g.places[s][:0]
	}
	g.used = g.used[:0]
}
