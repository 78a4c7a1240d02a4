package batch

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestBatcherResultsAndBatching(t *testing.T) {
	var runs, largest atomic.Int64
	release := make(chan struct{})
	b := &Batcher[int, int]{Max: 8, Run: func(items []int) []int {
		if runs.Add(1) == 1 {
			<-release // hold the first batch until the others queued
		}
		if n := int64(len(items)); n > largest.Load() {
			largest.Store(n)
		}
		out := make([]int, len(items))
		for i, v := range items {
			out[i] = v * v
		}
		return out
	}}
	const callers = 20
	var wg sync.WaitGroup
	got := make([]int, callers)
	wg.Go(func() { got[0], _ = b.Do(context.Background(), 0) })
	for b.Queued() != 0 || runs.Load() == 0 {
		time.Sleep(time.Millisecond) // the first caller leads and is held
	}
	for i := 1; i < callers; i++ {
		wg.Go(func() { got[i], _ = b.Do(context.Background(), i) })
	}
	for b.Queued() != callers-1 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	for i, v := range got {
		if v != i*i {
			t.Errorf("caller %d got %d, want %d", i, v, i*i)
		}
	}
	if largest.Load() != 8 {
		t.Errorf("largest batch %d, want the bound 8", largest.Load())
	}
	if n := runs.Load(); n != 1+3 { // 1, then 19 queued in batches of 8, 8, 3
		t.Errorf("%d batches, want 4", n)
	}
}

func TestBatcherPanicReachesEveryCaller(t *testing.T) {
	release := make(chan struct{})
	var first atomic.Bool
	b := &Batcher[int, int]{Run: func(items []int) []int {
		if first.CompareAndSwap(false, true) {
			<-release
			return make([]int, len(items))
		}
		panic("boom")
	}}
	var wg sync.WaitGroup
	wg.Go(func() { b.Do(context.Background(), 0) })
	for !first.Load() {
		time.Sleep(time.Millisecond)
	}
	var panics atomic.Int64
	for i := range 3 {
		wg.Go(func() {
			defer func() {
				if recover() == "boom" {
					panics.Add(1)
				}
			}()
			b.Do(context.Background(), i)
		})
	}
	for b.Queued() != 3 {
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	if panics.Load() != 3 {
		t.Errorf("%d callers saw the panic, want 3", panics.Load())
	}
	// The batcher still works after a panic.
	b.Run = func(items []int) []int { return items }
	if v, err := b.Do(context.Background(), 7); v != 7 || err != nil {
		t.Errorf("after the panic: %d, %v", v, err)
	}
}

func TestBatcherCancelledBeforeQueueing(t *testing.T) {
	b := &Batcher[int, int]{Run: func(items []int) []int { t.Error("Run called"); return items }}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := b.Do(ctx, 1); err != context.Canceled {
		t.Errorf("Do with a cancelled context: %v", err)
	}
}

func TestBatcherLeaders(t *testing.T) {
	var running, most atomic.Int64
	release := make(chan struct{})
	b := &Batcher[int, int]{Leaders: 2, Run: func(items []int) []int {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		<-release
		running.Add(-1)
		return items
	}}
	var wg sync.WaitGroup
	for i := range 6 {
		wg.Go(func() {
			if v, _ := b.Do(context.Background(), i); v != i {
				t.Errorf("caller %d got %d", i, v)
			}
		})
	}
	for running.Load() < 2 || b.Queued() < 4 {
		time.Sleep(time.Millisecond) // two batches run, the other four callers wait
	}
	close(release)
	wg.Wait()
	if most.Load() != 2 {
		t.Errorf("at most %d batches ran at once, want 2", most.Load())
	}
}

// TestBatcherYield: callers that call again as soon as their batch
// returns join the next batch together when its leader yields first, and
// straggle into later batches when it does not. One processor makes the
// scheduling deterministic.
func TestBatcherYield(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	const callers, rounds = 4, 20
	batches := func(yield bool) int64 {
		var runs atomic.Int64
		b := &Batcher[int, int]{Yield: yield, Run: func(items []int) []int {
			runs.Add(1)
			return make([]int, len(items))
		}}
		var wg sync.WaitGroup
		for range callers {
			wg.Go(func() {
				for range rounds {
					b.Do(context.Background(), 0)
				}
			})
		}
		wg.Wait()
		return runs.Load()
	}
	with, without := batches(true), batches(false)
	if with > 2*rounds { // one batch a round, near enough; without Yield one a call
		t.Errorf("with Yield the %d callers' %d rounds took %d batches, want at most %d", callers, rounds, with, 2*rounds)
	}
	t.Logf("%d batches with Yield, %d without", with, without)
}
