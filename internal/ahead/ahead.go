// Package ahead runs a reader a few batches ahead of whatever handles what it reads, on a
// goroutine of its own, so that reading the log and checking or applying its events go
// on side by side: on two cores that is most of the difference between replaying the log
// and merely reading it. The audit's verify, the read models' replay and the ledger's
// Warm use it.
//
// It imports nothing of govledger.
package ahead

import "context"

// depth is how many full batches of size may wait to be handled: about 4,096 items in
// all, to even out the reader's pace and the handler's. A batch of that size or more
// waits for none: the reader fills the next while one is handled, and hands it over
// when that one is done, so that two such batches are held at a time, not more.
func depth(size int) int { return 4096 / size }

// Run calls read, which hands what it reads to emit, in order; handle gets the same, in
// batches of up to size, in order, on the calling goroutine, while read goes on. handle
// sees nothing after a batch it refuses: read's context is then cancelled and its emit
// fails, and Run returns handle's error once read has stopped. Otherwise Run returns
// read's error, after handle has had everything read before it.
//
// Batches are used again once handled, cleared: handle must not keep one.
func Run[T any](ctx context.Context, size int, read func(ctx context.Context, emit func(T) error) error, handle func([]T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	queued := depth(size)
	batches := make(chan []T, queued)
	// Handled batches come back to be filled again: a fresh one for every batch would be
	// most of what a replay allocates of its own. There are never more than queued+2.
	free := make(chan []T, queued+2)
	var readErr error
	go func() {
		defer close(batches)
		batch := make([]T, 0, size)
		send := func() error {
			if err := ctx.Err(); err != nil {
				return err // when both are ready, select would choose at random
			}
			select {
			case batches <- batch:
			case <-ctx.Done():
				return ctx.Err()
			}
			select {
			case batch = <-free:
			default:
				batch = make([]T, 0, size)
			}
			return nil
		}
		readErr = read(ctx, func(v T) error {
			if batch = append(batch, v); len(batch) == size {
				return send()
			}
			return nil
		})
		if len(batch) > 0 {
			if err := send(); readErr == nil {
				readErr = err
			}
		}
	}()
	for batch := range batches {
		if err := handle(batch); err != nil {
			cancel()
			for range batches { // let the reader stop
			}
			return err
		}
		clear(batch)
		free <- batch[:0]
	}
	return readErr
}
