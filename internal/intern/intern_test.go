package intern_test

import (
	"testing"
	"unsafe"

	"github.com/govledger/govledger/internal/intern"
)

func same(a, b string) bool { return unsafe.StringData(a) == unsafe.StringData(b) }

func TestOfSharesOneCopy(t *testing.T) {
	table := intern.New(0)
	first := table.Of([]byte("brightside-vcs"))
	again := table.Of([]byte("brightside-vcs"))
	if first != "brightside-vcs" || !same(first, again) {
		t.Fatalf("Of gave %q and %q, not one shared copy", first, again)
	}
	if other := table.Of([]byte("essex-mind")); other != "essex-mind" || same(other, first) {
		t.Fatalf("Of gave %q for essex-mind", other)
	}
}

func TestOfPastTheBoundCopies(t *testing.T) {
	table := intern.New(1)
	kept := table.Of([]byte("synergy"))
	if !same(kept, table.Of([]byte("synergy"))) {
		t.Fatal("the first string was not kept")
	}
	a, b := table.Of([]byte("north-collab")), table.Of([]byte("north-collab"))
	if a != "north-collab" || b != "north-collab" || same(a, b) {
		t.Fatalf("past the bound Of gave %q and %q, want two copies of north-collab", a, b)
	}
}
