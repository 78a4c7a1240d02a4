// Package batch runs the work of concurrent callers in batches: callers
// queue their items, the first of them becomes the leader and runs the
// items queued so far (up to a bound) with one call of the batch's
// function, gives every caller its result, and hands the lead to the next
// queued caller. While a batch runs, the next one gathers: the busier the
// callers, the larger the batches, and an idle caller waits for nobody.
//
// It is the shape of group commit: package store runs concurrent
// transactions' functions in one transaction this way, and package
// shipping runs concurrent reservations and shipments as one set.
package batch

import (
	"context"
	"runtime"
	"sync"
)

// Batcher runs items of type I in batches of at most Max with Run, which
// returns one result per item, in order.
type Batcher[I, R any] struct {
	// Max bounds a batch; 0 means 64.
	Max int
	// Leaders bounds the batches that run at once; 0 means 1. More than
	// one lets a batch start (say, reading) while another one finishes
	// (say, waiting for its commit), when Run is safe to call so.
	Leaders int
	// Run runs a batch. It must return len(items) results, and must not
	// panic: a panic is raised again in every caller of the batch.
	Run func(items []I) []R
	// Yield has a leader yield the processor once before it takes its
	// batch's items, so that callers the batch before it just released,
	// and which call again at once (a client that reserves and then
	// ships), join this batch rather than wait for the next one. It costs
	// next to nothing when no goroutine is waiting to run.
	Yield bool

	mu      sync.Mutex
	queue   []*call[I, R]
	leading int // batches running
}

type call[I, R any] struct {
	item I
	res  R
	pnc  any           // a panic of Run, raised again in every caller
	lead bool          // woken to lead the next batch, not with a result
	wake chan struct{} // signalled once res is set, or to lead
}

// Do runs item in a batch and returns its result. A caller whose ctx is
// done before its item is queued gets ctx's error; once queued, the item
// runs (Run sees each item's own context, if I carries one, and decides).
func (b *Batcher[I, R]) Do(ctx context.Context, item I) (R, error) {
	if err := ctx.Err(); err != nil {
		var zero R
		return zero, err
	}
	c := &call[I, R]{item: item, wake: make(chan struct{}, 1)}
	b.mu.Lock()
	lead := b.leading < max(1, b.Leaders)
	if lead {
		b.leading++
	} else {
		b.queue = append(b.queue, c)
	}
	b.mu.Unlock()
	if !lead {
		<-c.wake
		lead = c.lead
	}
	if lead {
		b.lead(c)
	}
	if c.pnc != nil {
		panic(c.pnc)
	}
	return c.res, nil
}

// Queued returns how many items wait for a batch (not counting those of the
// batch running now).
func (b *Batcher[I, R]) Queued() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}

// lead runs a batch of self (which is not in the queue) and the calls at
// the head of the queue, and hands the lead to the next queued call.
func (b *Batcher[I, R]) lead(self *call[I, R]) {
	max := b.Max
	if max <= 0 {
		max = 64
	}
	if b.Yield {
		runtime.Gosched()
	}
	b.mu.Lock()
	n := min(len(b.queue), max-1)
	group := make([]*call[I, R], 1+n)
	group[0] = self
	copy(group[1:], b.queue)
	b.queue = append(b.queue[:0], b.queue[n:]...)
	b.mu.Unlock()

	b.run(group)

	b.mu.Lock()
	var next *call[I, R]
	if len(b.queue) > 0 {
		next = b.queue[0]
		next.lead = true
		b.queue = b.queue[1:]
	} else {
		b.leading--
	}
	b.mu.Unlock()
	for _, c := range group {
		if c != self {
			c.wake <- struct{}{}
		}
	}
	if next != nil {
		next.wake <- struct{}{}
	}
}

// run calls Run for group and files its results, or its panic.
func (b *Batcher[I, R]) run(group []*call[I, R]) {
	defer func() {
		if p := recover(); p != nil {
			for _, c := range group {
				c.pnc = p
			}
		}
	}()
	items := make([]I, len(group))
	for i, c := range group {
		items[i] = c.item
	}
	res := b.Run(items)
	if len(res) != len(group) {
		panic("batch: Run returned a result count that is not its item count")
	}
	for i, c := range group {
		c.res = res[i]
	}
}
