package ahead

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
)

// count reads 0, 1, 2, ... up to n, or until emit fails.
func count(n int, after error) func(context.Context, func(int) error) error {
	return func(_ context.Context, emit func(int) error) error {
		for i := range n {
			if err := emit(i); err != nil {
				return err
			}
		}
		return after
	}
}

func TestEverythingInOrder(t *testing.T) {
	next := 0
	err := Run(context.Background(), 7, count(1000, nil), func(batch []int) error {
		if len(batch) == 0 || len(batch) > 7 {
			t.Fatalf("a batch of %d", len(batch))
		}
		for _, v := range batch {
			if v != next {
				t.Fatalf("got %d, want %d", v, next)
			}
			next++
		}
		return nil
	})
	if err != nil || next != 1000 {
		t.Fatalf("handled %d of 1000: %v", next, err)
	}
}

// TestLargeBatchesTwoAtATime: with batches larger than the depth's 4,096 items, none
// waits: the reader fills the next batch while one is handled, and no more.
func TestLargeBatchesTwoAtATime(t *testing.T) {
	const size, n = 5000, 23456
	var read atomic.Int64 // the last item read
	reader := func(_ context.Context, emit func(int) error) error {
		for i := range n {
			read.Store(int64(i))
			if err := emit(i); err != nil {
				return err
			}
		}
		return nil
	}
	next := 0
	err := Run(context.Background(), size, reader, func(batch []int) error {
		if ahead := int(read.Load()) - next; ahead >= 2*size {
			t.Errorf("the reader was %d items ahead of a batch of %d", ahead, size)
		}
		for _, v := range batch {
			if v != next {
				t.Fatalf("got %d, want %d", v, next)
			}
			next++
		}
		return nil
	})
	if err != nil || next != n {
		t.Fatalf("handled %d of %d: %v", next, n, err)
	}
}

func TestReadErrorAfterWhatWasRead(t *testing.T) {
	broken := errors.New("the log could not be read")
	handled := 0
	err := Run(context.Background(), 10, count(25, broken), func(batch []int) error {
		handled += len(batch)
		return nil
	})
	if !errors.Is(err, broken) || handled != 25 {
		t.Fatalf("handled %d of 25, then %v; want all, then %v", handled, err, broken)
	}
}

func TestNothingAfterARefusal(t *testing.T) {
	refused := errors.New("a fault at 42")
	var last int
	var stoppedAt int
	err := Run(context.Background(), 8, func(_ context.Context, emit func(int) error) error {
		for i := range 1_000_000 {
			if err := emit(i); err != nil {
				stoppedAt = i
				return err
			}
		}
		return nil
	}, func(batch []int) error {
		for _, v := range batch {
			if v > 42 {
				t.Fatalf("handled %d after refusing 42", v)
			}
			last = v
			if v == 42 {
				return refused
			}
		}
		return nil
	})
	if !errors.Is(err, refused) || last != 42 {
		t.Fatalf("Run gave %v after %d; want %v after 42", err, last, refused)
	}
	if stoppedAt < 42 || stoppedAt > 42+8*(depth(8)+3) {
		t.Errorf("the reader stopped at %d, not a few batches after the refusal", stoppedAt)
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	err := Run(ctx, 4, func(_ context.Context, emit func(int) error) error {
		for i := 0; ; i++ {
			if i == 100 {
				cancel()
			}
			if err := emit(i); err != nil {
				return err
			}
		}
	}, func([]int) error { return nil })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run gave %v, want it cancelled", err)
	}
}
