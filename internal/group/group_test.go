package group_test

import (
	"slices"
	"testing"

	"github.com/govledger/govledger/internal/group"
)

func TestByConsortiumKeepsEachInOrder(t *testing.T) {
	var g group.ByConsortium
	window := []string{"synergy", "essex-alliance", "synergy", "north-collab", "essex-alliance", "synergy"}
	for round := range 2 { // the second window reuses the groups
		for i, c := range window {
			g.Add(c, i)
		}
		var got [][]int
		g.Each(func(places []int) { got = append(got, slices.Clone(places)) })
		want := [][]int{{0, 2, 5}, {1, 4}, {3}}
		if !slices.EqualFunc(got, want, slices.Equal) {
			t.Fatalf("window %d: groups %v, want %v", round+1, got, want)
		}
	}
	g.Each(func(places []int) { t.Errorf("an emptied window still has %v", places) })
}
